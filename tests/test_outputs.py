"""End-to-end tests of what ipsim's outputs may replace, and of names and
cells that must not escape (docs/robustness.md, "What an output may
replace", "Names", "CSV tables", "The report's page"):

- an output is a regular file or nothing: FIFOs, devices, write-protected
  files are refused, before any work; a symbolic link is followed and the
  real file replaced in its own directory;
- a report directory is replaced only if it holds a report and nothing
  else; a symbolic link to one is followed;
- a command's CSV tables are written all or none, after the file they go
  with, and their directory is checked before any work;
- a live run's temporary file is never removed by another run, whatever its
  PID namespace; a dead run's is;
- a study or sweep name is a name, not a path;
- CSV cells are quoted (RFC 4180) and formula prefixes neutralised; the
  report's page escapes what it shows.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR, IPSIM_FAULT_WRITE_LIB)."""
import csv
import fcntl
import os
import stat
import subprocess
import time
import unittest

import h5py

from test_cli import BASELINE, SMALL, SOURCE_DIR, Workdir, run

POLICIES = os.path.join(SOURCE_DIR, "params", "ivig-policies.yaml")
SWEEP = os.path.join(SOURCE_DIR, "params", "sweeps", "ivig-threshold-dose.yaml")
PSA_STUDY = ["--set", "cohort.patients=300", "--set", "cohort.replicates=60",
             "--set", "cohort.horizon_months=60", "--quiet"]
# Big enough that simulating it takes minutes: a refusal must come first.
HUGE = ["--set", "cohort.patients=50000000", "--quiet"]
# Under the sanitizers: HDF5 leaks a buffer of its own when a flush fails.
HDF5_ERROR_ENV = dict(os.environ, LSAN_OPTIONS="suppressions=" + os.path.join(
    SOURCE_DIR, "tests", "lsan-hdf5-error-path.supp"))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def dead_pid():
    """A PID that is no running process (that of a child just reaped)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


class Quick(Workdir):
    """A refusal must come before any work: `run` times it."""

    def refused(self, *args, code=None, message=None, cwd=None, env=None):
        start = time.time()
        r = subprocess.run([os.environ.get("IPSIM", "build/ipsim"), *args], capture_output=True,
                           text=True, timeout=25, cwd=cwd, env=env)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertLess(r.returncode, 128, r.stderr)
        if code is not None:
            self.assertEqual(r.returncode, code, r.stderr)
        if message:
            self.assertRegex(r.stderr, message)
        self.assertLess(time.time() - start, 20, "refused only after the work: " + r.stderr)
        return r

    def psa_study(self, name="psa.h5"):
        out = self.path(name)
        r = run("run", POLICIES, "-o", out, *PSA_STUDY)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out


class WhatMayBeReplaced(Quick):
    """-o (run, sweep, merge, calibrate) and voi's file: a regular file the
    user may write, or nothing; links followed."""

    def test_fifo_is_refused_before_simulating_and_left_alone(self):
        fifo = self.path("pipe")
        os.mkfifo(fifo)
        for args in [("run", BASELINE, "-o", fifo, *HUGE),
                     ("sweep", SWEEP, "-o", fifo, *HUGE),
                     ("calibrate", BASELINE, "-o", fifo, "--quiet")]:
            with self.subTest(args[0]):
                self.refused(*args, message=r"'%s': it is a FIFO \(named pipe\); ipsim replaces "
                             r"only regular files" % fifo)
                self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        self.assertEqual(os.listdir(self.dir), ["pipe"])

    def test_character_device_is_refused_and_left_alone(self):
        # A copy of /dev/null's device in the test's directory, never the real one.
        dev = self.path("null")
        try:
            os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("cannot make a device node here (not root)")
        self.refused("run", BASELINE, "-o", dev, *HUGE, message="it is a character device")
        st = os.lstat(dev)
        self.assertTrue(stat.S_ISCHR(st.st_mode))
        self.assertEqual(st.st_rdev, os.makedev(1, 3))

    def test_write_protected_file_is_kept(self):
        out = self.path("kept.h5")
        r = run("run", BASELINE, "-o", out, *SMALL, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        os.chmod(out, 0o444)
        before = read_bytes(out)
        self.refused("run", BASELINE, "-o", out, *HUGE, message="'%s': the file is "
                     "write-protected" % out)
        self.assertEqual(read_bytes(out), before)
        # voi honours it too: the analysis is not even started.
        psa = self.psa_study()
        os.chmod(psa, 0o444)
        before = read_bytes(psa)
        self.refused("voi", psa, "--parameters", "economics.ivig_price_per_gram",
                     message="write-protected")
        self.assertEqual(read_bytes(psa), before)
        self.assertEqual(stat.S_IMODE(os.stat(psa).st_mode), 0o444)
        # Writable again: replaced.
        os.chmod(out, 0o644)
        r = run("run", BASELINE, "-o", out, *SMALL, "--quiet", "--set", "seed=7")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(read_bytes(out), before)

    def test_a_link_is_followed_and_the_real_file_replaced(self):
        real_dir = self.path("real")
        os.mkdir(real_dir)
        real = os.path.join(real_dir, "out.h5")
        r = run("run", BASELINE, "-o", real, *SMALL, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        link = self.path("link.h5")
        os.symlink(os.path.join("real", "out.h5"), link)
        r = run("run", BASELINE, "-o", link, *SMALL, "--quiet", "--set", "seed=11")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(link))
        with h5py.File(real, "r") as f:
            self.assertEqual(int(f.attrs["seed"]), 11)
        # No temporary left in either directory.
        self.assertEqual(sorted(os.listdir(self.dir)), ["link.h5", "real"])
        self.assertEqual(os.listdir(real_dir), ["out.h5"])

        # voi through a link updates the real file, which keeps its mode.
        psa = self.psa_study(os.path.join("real", "psa.h5"))
        os.chmod(psa, 0o640)
        plink = self.path("plink.h5")
        os.symlink(psa, plink)
        r = run("voi", plink, "--parameters", "economics.ivig_price_per_gram",
                "--bootstrap", "20")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(plink))
        with h5py.File(psa, "r") as f:
            self.assertIn("voi", f)
        self.assertEqual(stat.S_IMODE(os.stat(psa).st_mode), 0o640)

        # A link that reaches nothing is refused, and left as it is.
        dangling = self.path("dangling.h5")
        os.symlink("nowhere/at/all.h5", dangling)
        self.refused("run", BASELINE, "-o", dangling, *HUGE,
                     message="symbolic link that reaches no file")
        self.assertEqual(os.readlink(dangling), "nowhere/at/all.h5")

    def test_merge_checks_its_output_first(self):
        fifo = self.path("merged")
        os.mkfifo(fifo)
        self.refused("merge", fifo, self.path("a.h5"), self.path("b.h5"), message="FIFO")
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))


class CsvTables(Quick):
    """A command's tables: all or none, after the file; the directory
    checked before any work."""

    def test_csv_directory_is_checked_before_simulating(self):
        missing = self.path("no/such/dir")
        a_file = self.write("plain", "not a directory\n")
        for csv_dir, message in [(missing, r"cannot create the CSV directory '%s' \(in "
                                           r"directory '.*no/such/'\): No such file" % missing),
                                 (a_file, "it is a regular file, not a directory")]:
            with self.subTest(csv_dir):
                self.refused("run", POLICIES, "-o", self.path("study.h5"), "--csv", csv_dir,
                             *HUGE, message=message)
                self.refused("sweep", SWEEP, "-o", self.path("sweep.h5"), "--csv", csv_dir,
                             *HUGE, message=message)
                self.assertFalse(os.path.exists(self.path("study.h5")))
                self.assertFalse(os.path.exists(self.path("sweep.h5")))
        psa = self.psa_study()
        before = read_bytes(psa)
        self.refused("voi", psa, "--parameters", "economics.ivig_price_per_gram",
                     "--csv", missing, message="cannot create the CSV directory")
        self.assertEqual(read_bytes(psa), before)
        self.refused("compare", psa, "--csv", a_file, message="not a directory")

    def test_a_failing_compare_leaves_the_earlier_set(self):
        psa = self.psa_study()
        out = self.path("tables")
        r = run("compare", psa, "--csv", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = {n: read_bytes(os.path.join(out, n)) for n in os.listdir(out)}
        self.assertEqual(sorted(before), ["comparison.csv", "psa.csv", "subgroups.csv", "wtp.csv"])
        # A second study whose tables differ, and one table that cannot be
        # replaced: none of the set is.
        other = self.path("other.h5")
        r = run("run", POLICIES, "-o", other, *PSA_STUDY, "--set", "seed=99")
        self.assertEqual(r.returncode, 0, r.stderr)
        os.remove(os.path.join(out, "psa.csv"))
        os.mkdir(os.path.join(out, "psa.csv"))
        r = run("compare", other, "--csv", out)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("psa.csv' is a directory", r.stderr)
        for name in ["comparison.csv", "subgroups.csv", "wtp.csv"]:
            self.assertEqual(read_bytes(os.path.join(out, name)), before[name], name)
        self.assertEqual(sorted(os.listdir(out)),
                         ["comparison.csv", "psa.csv", "subgroups.csv", "wtp.csv"])

    def test_voi_writes_no_tables_when_the_file_cannot_be_updated(self):
        psa = self.psa_study()
        before = read_bytes(psa)
        out = self.path("voi-tables")
        # The tables fit in the 300 kB the disk has left; the file does not.
        env = dict(HDF5_ERROR_ENV, LD_PRELOAD=os.environ["IPSIM_FAULT_WRITE_LIB"],
                   IPSIM_FAULT_WRITE_AFTER="300000", ASAN_OPTIONS="verify_asan_link_order=0")
        r = run("voi", psa, "--parameters", "economics.ivig_price_per_gram", "--bootstrap", "20",
                "--csv", out, env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("No space left on device", r.stderr)
        self.assertEqual(read_bytes(psa), before)
        self.assertEqual(os.listdir(out) if os.path.isdir(out) else [], [])
        self.assertFalse([n for n in os.listdir(self.dir) if "ipsim-tmp" in n])
        # With room: the file and the tables.
        r = run("voi", psa, "--parameters", "economics.ivig_price_per_gram", "--bootstrap", "20",
                "--csv", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["voi.csv", "voi_wtp.csv"])


class Temporaries(Quick):
    """A run's temporary file is held (locked) while the run lives; another
    run removes only temporaries nobody holds, whatever their PID says."""

    def test_a_foreign_live_temporary_survives_and_a_dead_one_is_removed(self):
        target = self.path("out.h5")
        # As a run in another PID namespace would leave it: a PID that means
        # nothing here, and a lock on the file, visible across namespaces.
        foreign = self.path(".out.h5.ipsim-tmp-%d-Ab12Cd" % dead_pid())
        fd = os.open(foreign, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH)
            r = run("run", BASELINE, "-o", target, *SMALL, "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(foreign), "a live run's temporary was removed")
        finally:
            os.close(fd)
        # Released (its run is gone): the next run removes it.
        r = run("run", BASELINE, "-o", target, *SMALL, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(self.dir), ["out.h5"])

    def test_a_live_run_holds_its_temporary(self):
        target = self.path("long.h5")
        proc = subprocess.Popen([os.environ.get("IPSIM", "build/ipsim"), "run", BASELINE, "-o",
                                 target, *HUGE], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 30
            temps = []
            while time.time() < deadline and not temps:
                temps = [n for n in os.listdir(self.dir) if "ipsim-tmp" in n]
                time.sleep(0.02)
            self.assertEqual(len(temps), 1)
            fd = os.open(self.path(temps[0]), os.O_RDWR)
            try:
                with self.assertRaises(OSError):
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
        finally:
            proc.kill()
            proc.communicate(timeout=60)


class Names(Quick):
    """A study's or sweep's name is a label, never a path."""

    def test_names_that_are_paths_are_refused_with_file_line_and_key(self):
        # Run one level down, so that even "../x" stays inside the test's
        # directory (main wrote NAME.h5 wherever the name pointed).
        work = self.path("work")
        os.mkdir(work)
        for bad in ["../x", "a/b", self.path("escape"), "..", "a b", ""]:
            with self.subTest(bad):
                study = self.write("work/study.yaml",
                                   "cohort: {patients: 100}\nname: '%s'\nscenarios:\n"
                                   "  a: {}\n  b: {ivig: {policy: grade}}\n" % bad)
                self.refused("run", study, "--quiet", code=2, cwd=work,
                             message=r"study.yaml:2:7: parameter error: key 'name': '%s' is "
                                     r"not a valid name" % bad.replace(".", r"\."))
                sweep = self.write("work/sweep.yaml", "name: '%s'\ngrid:\n  ivig.dose_mg_per_kg: "
                                   "[200, 400]\n" % bad)
                self.refused("sweep", sweep, "--quiet", code=2, cwd=work,
                             message=r"sweep.yaml:1:7: parameter error: key 'name'")
                self.assertEqual(os.listdir(self.dir), ["work"])
                self.assertEqual(sorted(os.listdir(work)), ["study.yaml", "sweep.yaml"])
        # A plain name is still a name.
        study = self.write("work/study.yaml", "cohort: {patients: 200, horizon_months: 12}\n"
                           "name: my-study.v2\nscenarios:\n  a: {}\n  b: {ivig: {policy: grade}}\n")
        r = run("run", study, "--quiet", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(work, "my-study.v2.h5")))


class Cells(Quick):
    """CSV cells quoted per RFC 4180, formula prefixes neutralised in text
    cells only; the report's page escapes what it shows."""

    def test_hostile_paths_and_names_stay_in_their_cells(self):
        # Run in the directory, so that the source cell starts with '='.
        hostile = '=HYPERLINK("x"),a.h5'
        study = self.write("study.yaml", "cohort: {patients: 400, horizon_months: 24}\n"
                           "scenarios:\n  -minus: {}\n  plain: {ivig: {policy: grade}}\n")
        r = run("run", study, "-o", hostile, "--quiet", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("compare", hostile, "--csv", "tables", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        table = rows(self.path("tables/comparison.csv"))
        header = table[0]
        self.assertTrue(all(len(row) == len(header) for row in table), table)
        self.assertEqual([row[0] for row in table[1:]], ["'-minus", "plain"])
        self.assertEqual([row[1] for row in table[1:]], ["'" + hostile] * 2)
        self.assertEqual(table[2][header.index("compared_with")], "'-minus")
        # Numbers stay numbers: IVIG's negative differences are not prefixed.
        negatives = [table[2][i] for i, h in enumerate(header)
                     if h.startswith("diff_") and table[2][i].startswith("-")]
        self.assertGreaterEqual(len(negatives), 3)
        for cell in negatives:
            self.assertLess(float(cell), 0)
        wtp = rows(self.path("tables/wtp.csv"))
        self.assertIn("nmb_-minus", wtp[0])
        self.assertTrue(all(len(row) == len(wtp[0]) for row in wtp))
        with open(self.path("tables/comparison.csv")) as f:
            raw = f.read()
        self.assertIn('"\'=HYPERLINK(""x""),a.h5"', raw)

    def test_a_group_named_with_commas_keeps_the_header_whole(self):
        psa = self.psa_study()
        out = self.path("voi")
        r = run("voi", psa, "--parameters",
                "economics.ivig_price_per_gram,ivig.rate_ratio_all", "--bootstrap", "20",
                "--csv", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        table = rows(os.path.join(out, "voi_wtp.csv"))
        self.assertEqual(table[0], ["wtp", "evpi",
                                    "evppi_economics.ivig_price_per_gram,ivig.rate_ratio_all"])
        self.assertTrue(all(len(row) == 3 for row in table), table[:3])

    def test_the_report_page_escapes_what_it_shows(self):
        name = "a'<b>&\"c.h5"
        r = run("run", BASELINE, "-o", name, *SMALL, "--quiet", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.path(name), "r+") as f:
            f.attrs["ipsim_version"] = "<script>alert('v')</script>"
        env = dict(os.environ, LSAN_OPTIONS="suppressions=" + os.path.join(
            SOURCE_DIR, "tests", "lsan-plplot.supp"))
        r = run("report", name, "-o", "rep", "--format", "svg", cwd=self.dir, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("rep/index.html")) as f:
            page = f.read()
        for raw in ["a'<b>", "<script>alert", "alert('v')"]:
            self.assertNotIn(raw, page)
        # The one script is the page's own (the browser test's hooks, in the head).
        self.assertEqual(page.count("<script>"), 1)
        self.assertLess(page.index("<script>"), page.index("</head>"))
        self.assertIn("a&#39;&lt;b&gt;&amp;&quot;c.h5", page)
        self.assertIn("&lt;script&gt;alert(&#39;v&#39;)&lt;/script&gt;", page)


class ReportDirectory(Quick):
    """A report replaces a directory only when it holds a report and nothing
    else; a link to a directory is followed."""

    ENV = dict(os.environ, LSAN_OPTIONS="suppressions=" + os.path.join(
        SOURCE_DIR, "tests", "lsan-plplot.supp"))

    def make_run(self):
        h5 = self.path("run.h5")
        r = run("run", BASELINE, "-o", h5, *SMALL, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        return h5

    def report(self, h5, out, *extra):
        r = run("report", h5, "-o", out, "--format", "svg", *extra, env=self.ENV)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_users_file_in_a_report_is_never_deleted(self):
        h5 = self.make_run()
        out = self.path("report")
        self.report(h5, out)
        notes = os.path.join(out, "notes.txt")
        with open(notes, "w") as f:
            f.write("my notes on the figures\n")
        listing = sorted(os.listdir(out))
        r = self.refused("report", h5, "-o", out, env=self.ENV, code=2,
                         message="'%s' holds an earlier report and 'notes.txt', which ipsim did "
                                 "not write" % out)
        self.assertEqual(sorted(os.listdir(out)), listing)
        with open(notes) as f:
            self.assertEqual(f.read(), "my notes on the figures\n")
        # A subdirectory is the user's too.
        os.remove(notes)
        os.mkdir(os.path.join(out, "drafts"))
        self.refused("report", h5, "-o", out, env=self.ENV, code=2, message="'drafts'")
        os.rmdir(os.path.join(out, "drafts"))
        self.report(h5, out)
        self.assertFalse([n for n in os.listdir(self.dir) if "ipsim-" in n])

    def test_a_link_to_a_report_directory_is_followed(self):
        h5 = self.make_run()
        os.mkdir(self.path("reports"))
        real = self.path("reports/real")
        link = self.path("latest")
        os.symlink("reports/real", link)
        # Missing, then an earlier report: both through the link.
        os.mkdir(real)
        for _ in range(2):
            self.report(h5, link)
            self.assertTrue(os.path.islink(link))
            self.assertTrue(os.path.exists(os.path.join(real, "index.html")))
            self.assertTrue(os.path.exists(os.path.join(real, "occupancy.svg")))
        self.assertEqual(sorted(os.listdir(self.dir)), ["latest", "reports", "run.h5"])
        self.assertEqual(os.listdir(self.path("reports")), ["real"])
        dangling = self.path("gone")
        os.symlink("no/such/dir", dangling)
        self.refused("report", h5, "-o", dangling, env=self.ENV,
                     message="symbolic link that reaches no directory")
        self.assertEqual(os.readlink(dangling), "no/such/dir")

    def test_the_directory_is_checked_before_drawing(self):
        h5 = self.make_run()
        self.refused("report", h5, "-o", self.path("no/such/place"), env=self.ENV,
                     message=r"cannot create the report directory .*No such file")
        self.assertEqual(os.listdir(self.dir), ["run.h5"])


if __name__ == "__main__":
    unittest.main()
