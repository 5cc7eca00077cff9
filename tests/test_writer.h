/* tests/test_writer.h: writes one block of made-up patient records as a
 * run's file, for the tests of the file's columns (test_format,
 * test_modules). */
#ifndef IPSIM_TEST_WRITER_H
#define IPSIM_TEST_WRITER_H

#include <unistd.h>

#include "output/h5_writer.h"
#include "test_support.h"

/* Writes `count` records (replicate 0, no trajectories) of a run of p, and
 * a summary the reader accepts (all patients in grade none), into
 * a fresh temporary file, with the `extra_count` columns `extra` appended
 * to the writer's list; path must hold "/tmp/ipsim-test-XXXXXX" and
 * receives the file's name. Returns the number of per-patient parts the
 * block was written in (the run's columns). Fails the test on any error. */
static inline int test_write_records(char *path, const ipsim_params *p, const ipsim_column *extra,
                                     int extra_count, const ipsim_patient_record *records,
                                     int64_t count)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ipsim_error err;
    ipsim_error_clear(&err);
    ipsim_run_info info = {"test", "test", "2026-01-01T00:00:00Z", p->name, p->seed};
    const char *names[] = {p->name};
    ipsim_h5_writer *w;
    assert_int_equal(ipsim_h5_writer_create(&w, path, &info, names, 1, &err), IPSIM_OK);
    for (int i = 0; i < extra_count; i++)
        assert_int_equal(ipsim_h5_writer_add_column(w, &extra[i], &err), IPSIM_OK);
    char *yaml;
    assert_int_equal(ipsim_params_to_yaml(p, &yaml, &err), IPSIM_OK);
    assert_int_equal(ipsim_h5_writer_begin_scenario(w, p, yaml, 0, &err), IPSIM_OK);
    free(yaml);
    ipsim_block b = {.replicate = 0, .first_patient = 0, .count = count,
                     .months = ipsim_params_cycles(p) + 1, .records = records};
    const int gathers = ipsim_h5_writer_gather_parts(w, &b);
    for (int i = 0; i < gathers; i++)
        ipsim_h5_writer_gather_part(w, &b, i);
    const int parts = ipsim_h5_writer_block_parts(w, &b);
    for (int i = 0; i < parts; i++)
        ipsim_h5_writer_prepare_part(w, &b, i);
    assert_int_equal(ipsim_h5_writer_write_block(w, &b, &err), IPSIM_OK);
    /* The replicate's summary, as the reader checks it: every patient
     * counted by grade at diagnosis and alive in grade none throughout. */
    ipsim_summary *s;
    assert_int_equal(ipsim_summary_create(&s, p, &err), IPSIM_OK);
    s->patients = s->patients_by_baseline[0] = p->cohort.patients;
    for (int64_t m = 0; m < s->shape.months; m++)
        s->occupancy[m * IPSIM_STATES] = p->cohort.patients;
    assert_int_equal(ipsim_h5_writer_write_summary(w, 0, s, &err), IPSIM_OK);
    ipsim_summary_free(s);
    ipsim_h5_writer_end_scenario(w);
    assert_int_equal(ipsim_h5_writer_commit(w, &err), IPSIM_OK);
    return parts;
}

#endif
