/* sim/commands.c: the command table (sim/commands.h), and the help it
 * gives: the program's usage, and each command's usage line and options.
 *
 * The usage lines are the ones the commands name in their usage errors
 * (ipsim_command_context.usage), so the help and the errors agree. Options
 * that several commands share are described once, below. */
#include "sim/commands.h"

#include <string.h>

#include "base/text.h"
#include "sim/version.h"

/* Options shared by several commands (sim/options.h, and the --wtp, --csv
 * and --quiet of the analysis commands), described once: the option and
 * its value, then its meaning from column 29, continued on lines of their
 * own. */
#define OPT_SET \
    "  --set section.key=value   override one parameter of the file (repeatable; also\n" \
    "                            --set=section.key=value); see `ipsim params`\n"
#define OPT_THREADS \
    "  -j, --threads N           OpenMP threads, 1 to 4096 (default: OpenMP's, e.g. from\n" \
    "                            OMP_NUM_THREADS, else one per core)\n"
#define OPT_BLOCK \
    "  --block-patients N        patients simulated and written per block, 1 to 2^24\n" \
    "                            (default: the writer's choice; results do not depend on it)\n"
#define OPT_QUIET "  -q, --quiet               print nothing but errors\n"
#define OPT_PROGRESS \
    "  --progress-every SECONDS  when stderr is not a terminal (a batch job's log), a line\n" \
    "                            every SECONDS with done/total, rate and ETA (default 60;\n" \
    "                            0: none); on a terminal, the progress bar\n"
/* validate and calibrate print their results whatever: quiet only hides the
 * header and the progress bar. */
#define OPT_QUIET_PROGRESS "  -q, --quiet               no progress bar (nor header)\n"
#define OPT_WTP \
    "  --wtp W1,W2,...           willingness-to-pay values per QALY to report, >= 0\n" \
    "                            (default 20000,30000,50000)\n"
#define OPT_CSV "  --csv DIR                 also write the comparison's tables as CSV into DIR\n"

const ipsim_command ipsim_commands[] = {
    {.name = "run",
     .run = ipsim_command_run,
     .usage = "ipsim run PARAMS.yaml|STUDY.yaml [-o FILE.h5] [--set section.key=value]... "
              "[--threads N] [--block-patients N] [--csv DIR] [--wtp W1,W2,...] "
              "[--progress-every SECONDS] [--quiet]",
     .summary = "simulate the scenario (or each of a study's), write HDF5 (default NAME.h5),\n"
                "print a summary (a study's: the comparison)",
     .options = "  -o, --output FILE.h5      the output file (default: NAME.h5, NAME the file's "
                "name)\n" OPT_SET OPT_THREADS OPT_BLOCK
                "  --csv DIR                 a study's comparison also as CSV tables in DIR\n"
                OPT_WTP OPT_PROGRESS OPT_QUIET,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "sweep",
     .run = ipsim_command_sweep,
     .usage = "ipsim sweep SWEEP.yaml [-o FILE.h5] [--set section.key=value]... [--threads N] "
              "[--block-patients N] [--part I/N] [--resume] [--csv DIR] [--wtp W1,...] "
              "[--progress-every SECONDS] [--quiet]",
     .summary = "every scenario of a sweep (grid or list of values) into one file, compared;\n"
                "part I of N into its own file; --resume continues a stopped sweep "
                "(docs/hpc.md)",
     .options = "  -o, --output FILE.h5      the output file (default: NAME.h5, or\n"
                "                            NAME.part-I-of-N.h5 for a part)\n" OPT_SET
                OPT_THREADS OPT_BLOCK
                "  --part I/N                run part I of N (every N-th scenario) into its own "
                "file,\n"
                "                            for `ipsim merge` (1 <= I <= N)\n"
                "  --resume                  keep the scenarios a stopped sweep finished; run "
                "the rest\n"
                "  --csv DIR                 the comparison also as CSV tables in DIR (whole "
                "sweeps)\n" OPT_WTP OPT_PROGRESS OPT_QUIET,
     .ranks = IPSIM_RANKS_MANY},
    {.name = "merge",
     .run = ipsim_command_merge,
     .usage = "ipsim merge OUT.h5 PART.h5... [--csv DIR] [--wtp W1,...] [--quiet]",
     .summary = "join a sweep's parts (every one) into the file one run would write",
     .options = OPT_CSV OPT_WTP OPT_QUIET,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "summary",
     .run = ipsim_command_summary,
     .usage = "ipsim summary FILE.h5 [--scenario NAME]",
     .summary = "print the summary of a finished run from its file",
     .options = "  --scenario NAME           only the scenario NAME of a study's file\n",
     .ranks = IPSIM_RANKS_ONE},
    {.name = "compare",
     .run = ipsim_command_compare,
     .usage = "ipsim compare FILE.h5 [MORE.h5...] [--csv DIR] [--wtp W1,W2,...]",
     .summary = "scenarios side by side, differences from the first, cost-effectiveness",
     .options = OPT_CSV OPT_WTP,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "voi",
     .run = ipsim_command_voi,
     .usage = "ipsim voi FILE.h5 [PLAN.yaml] [--parameters KEY[,KEY...]]... [--wtp W1,W2,...] "
              "[--csv DIR] [--bootstrap B]",
     .summary = "value of information of a study's PSA: EVPI, EVPPI, EVSI, stored under /voi\n"
                "in the file (docs/voi.md)",
     .options = "  --parameters KEY,...      a group of parameters for EVPPI, by their keys\n"
                "                            (repeatable; after the plan's groups)\n"
                "  --wtp W1,W2,...           willingness-to-pay values per QALY to report, >= 0\n"
                "                            (default: the plan's, else 20000,30000,50000)\n"
                "  --csv DIR                 also write the analysis's tables as CSV into DIR\n"
                "  --bootstrap B             bootstrap resamples for the standard errors, 2 to "
                "100000\n"
                "                            (default: the plan's, else 200)\n",
     .ranks = IPSIM_RANKS_ONE},
    {.name = "report",
     .run = ipsim_command_report,
     .usage = "ipsim report FILE.h5 [MORE.h5...] [-o DIR] [--format png,svg,pdf] "
              "[--wtp W1,W2,...] [--dsa DIR] [--quiet]",
     .summary = "figures and tables of a run (grades, infection risk by grade, rates, IVIG, "
                "cost-effectiveness,\n"
                "value of information, sensitivity) and an index.html showing them (default "
                "DIR: FILE-report)",
     .options = "  -o, --output DIR          the report's directory (default: FILE-report)\n"
                "  --format png,svg,pdf      the figures' formats (default png,svg)\n"
                "  --wtp W1,W2,...           willingness-to-pay thresholds drawn on the "
                "cost-effectiveness\n"
                "                            plane, marked on the curves and tabled (default "
                "20000,30000)\n"
                "  --dsa DIR                 a directory of ipsim dsa --csv tables: the tornado "
                "and thresholds\n" OPT_QUIET,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "dsa",
     .run = ipsim_command_dsa,
     .usage = "ipsim dsa STUDY.yaml [--wtp W] [--threshold KEY | --two-way KEY1,KEY2 "
              "[--steps N]] [--only K1,K2,...] [--range KEY=LOW:HIGH]... [--compare A,B] "
              "[--csv DIR] [--set section.key=value]... [--threads N] "
              "[--progress-every SECONDS] [--quiet]",
     .summary = "deterministic sensitivity of a study's decision, on common random numbers:\n"
                "one-way with a tornado (default), a threshold, or a two-way decision map",
     .options = "  --wtp W                   willingness to pay per QALY of the decision "
                "(default 30000)\n"
                "  --only K1,K2,...          one-way: only these inputs (default: every "
                "uncertain input)\n"
                "  --range KEY=LOW:HIGH      the input's range (default: its PSA "
                "distribution's 2.5-97.5%\n"
                "                            points); may name any real parameter or "
                "element\n"
                "  --compare A,B             one-way: the tornado's INB = NB(A) - NB(B) "
                "(default: the base\n"
                "                            case's preferred strategy and the best of the "
                "others)\n"
                "  --threshold KEY           the values of KEY at which the preferred "
                "strategy changes\n"
                "  --two-way KEY1,KEY2       the preferred strategy over a grid of both\n"
                "  --steps N                 two-way: points per input (2 to 21, default 5)\n"
                "  --csv DIR                 also write the tables as CSV in DIR\n"
                OPT_SET OPT_THREADS OPT_PROGRESS OPT_QUIET_PROGRESS,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "validate",
     .run = ipsim_command_validate,
     .usage = "ipsim validate [PARAMS.yaml] [--set section.key=value]... [--threads N] [--quiet]",
     .summary = "the review's table (docs/review.md) against a simulation; exit 3 if a row fails;\n"
                "with psa.posterior, each row's posterior predictive interval (docs/psa.md)",
     .options = OPT_SET OPT_THREADS OPT_QUIET_PROGRESS,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "calibrate",
     .run = ipsim_command_calibrate,
     .usage = "ipsim calibrate [PARAMS.yaml] [-o OUT.yaml|OUT.csv] [--posterior N "
              "[--targets FILE]] [--set section.key=value]... [--threads N] [--quiet]",
     .summary = "fit the parameters the review does not give to its table; check by "
                "simulation;\n"
                "write the calibrated parameter file (params/baseline.yaml is one)",
     .options = "  -o, --output OUT.yaml     write the parameter file there (default: print it)\n"
                "  --posterior N             instead, sample the calibrated parameters' "
                "posterior given the\n"
                "                            targets' uncertainty (docs/psa.md) and write N "
                "draws as CSV\n"
                "  --targets FILE            the targets (default: calibration/targets.yaml "
                "beside PARAMS)\n"
                OPT_SET OPT_THREADS OPT_QUIET_PROGRESS,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "params",
     .run = ipsim_command_params,
     .usage = "ipsim params [PARAMS.yaml] [--set section.key=value]...",
     .summary = "without a file or --set, print the parameter reference (Markdown); otherwise\n"
                "check the set and print it resolved",
     .options = OPT_SET,
     .ranks = IPSIM_RANKS_ONE},
    {.name = "help",
     .run = ipsim_command_help,
     .usage = "ipsim help [COMMAND]",
     .summary = "print this usage, or a command's options (also: ipsim COMMAND --help)",
     .options = "",
     .ranks = IPSIM_RANKS_EACH},
    {.name = "version",
     .run = ipsim_command_version,
     .usage = "ipsim version",
     .summary = "print the version",
     .options = "",
     .ranks = IPSIM_RANKS_EACH},
};
const int ipsim_command_count = (int)(sizeof ipsim_commands / sizeof ipsim_commands[0]);

const ipsim_command *ipsim_command_find(const char *name)
{
    for (int i = 0; i < ipsim_command_count; i++)
        if (strcmp(ipsim_commands[i].name, name) == 0)
            return &ipsim_commands[i];
    return NULL;
}

/* The command whose name is nearest a misspelt `name` (base/text.h), or
 * NULL if none is plausibly meant. */
static const ipsim_command *nearest(const char *name)
{
    const ipsim_command *best = NULL;
    size_t best_distance = (size_t)-1;
    for (int i = 0; i < ipsim_command_count; i++) {
        size_t d = ipsim_text_distance(name, ipsim_commands[i].name);
        if (d < best_distance) {
            best_distance = d;
            best = &ipsim_commands[i];
        }
    }
    /* Command names are short: at most a third of the name changed, and
     * one mistake in any name. */
    size_t len = strlen(name), most = len / 3 > 1 ? len / 3 : 1;
    return best_distance <= most ? best : NULL;
}

/* The length of the usage line's word at s: up to a space outside
 * brackets, so that "[--threads N]" is never split. */
static size_t usage_word(const char *s)
{
    size_t n = 0;
    for (int depth = 0; s[n] && (s[n] != ' ' || depth > 0); n++)
        depth += (s[n] == '[') - (s[n] == ']');
    return n;
}

/* The usage line, wrapped at spaces before 92 columns, continuation lines
 * indented under the command's arguments. */
static void print_usage_line(FILE *out, const char *indent, const ipsim_command *c)
{
    const size_t width = 92, hang = strlen(indent) + strlen("ipsim ") + strlen(c->name) + 1;
    size_t column = strlen(indent);
    fputs(indent, out);
    for (const char *s = c->usage; *s;) {
        size_t word = usage_word(s);
        if (column > hang && column + 1 + word > width) {
            fprintf(out, "\n%*s", (int)hang, "");
            column = hang;
        } else if (s != c->usage) {
            fputc(' ', out);
            column++;
        }
        fwrite(s, 1, word, out);
        column += word;
        s += word;
        s += strspn(s, " ");
    }
    fputc('\n', out);
}

/* Each line of `text` after `indent`. */
static void print_indented(FILE *out, const char *indent, const char *text)
{
    while (*text) {
        size_t line = strcspn(text, "\n");
        fprintf(out, "%s%.*s\n", indent, (int)line, text);
        text += line + (text[line] == '\n');
    }
}

void ipsim_commands_print_usage(FILE *out)
{
    fputs("ipsim: Monte Carlo simulation of infection risk in multiple myeloma with "
          "immunoparesis\n\nusage:\n",
          out);
    for (int i = 0; i < ipsim_command_count; i++) {
        print_usage_line(out, "  ", &ipsim_commands[i]);
        print_indented(out, "      ", ipsim_commands[i].summary);
    }
    fputs("\n`ipsim COMMAND --help` lists a command's options.\n"
          "Documentation: README.md, docs/parameters.md, docs/output-format.md\n",
          out);
}

void ipsim_command_print_help(FILE *out, const ipsim_command *c)
{
    print_usage_line(out, "usage: ", c);
    fputc('\n', out);
    print_indented(out, "", c->summary);
    fputs("\noptions:\n", out);
    fputs(c->options, out);
    fputs("  -h, --help                print this help\n", out);
}

int ipsim_command_unknown(const char *name, ipsim_error *err)
{
    const ipsim_command *near = nearest(name);
    if (near)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown command '%s'; did you mean '%s'?", name,
                          near->name);
    return IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown command '%s' (try 'ipsim help')", name);
}

int ipsim_command_help(int argc, char **argv, const ipsim_command_context *ctx,
                       ipsim_error *err)
{
    if (argc > 1)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "one command at a time; %s", ctx->usage);
    if (argc == 0) {
        ipsim_commands_print_usage(stdout);
        return IPSIM_OK;
    }
    const ipsim_command *c = ipsim_command_find(argv[0]);
    if (!c)
        return ipsim_command_unknown(argv[0], err);
    ipsim_command_print_help(stdout, c);
    return IPSIM_OK;
}

int ipsim_command_version(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err)
{
    if (argc > 0)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s '%s'; %s",
                          argv[0][0] == '-' ? "unknown option" : "unexpected argument", argv[0],
                          ctx->usage);
    printf("ipsim %s\n", IPSIM_VERSION);
    return IPSIM_OK;
}
