/* tests/test_format.c: the table of the output file (output/h5_format.h).
 *
 * The table is the file's one declaration of its datasets, so these check
 * what the compiler cannot: that its rows agree with the model's own lists,
 * and that a column appended at run time, as a clinical module would, is
 * written and read back through the same rows. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <unistd.h>

#include <hdf5.h>

#include "output/csv.h"
#include "output/h5_format.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "sim/cohort.h"
#include "test_writer.h"

/* Column k of economics/ holds outcome k of each patient, as the summaries
 * read it (ipsim_economic_values): gathered from records whose outcomes all
 * differ. */
static void economic_columns_are_the_economic_outcomes(void **state)
{
    (void)state;
    ipsim_patient_record records[2] = {0};
    for (int i = 0; i < 2; i++) {
        for (int d = 0; d < 2; d++) {
            records[i].outcomes.cost[d] = 1000 * (i + 1) + d;
            records[i].outcomes.qalys[d] = 10 * (i + 1) + d + 0.25;
            records[i].outcomes.life_years[d] = 20 * (i + 1) + d + 0.5;
        }
    }
    for (int k = 0; k < IPSIM_ECONOMIC_OUTCOMES; k++) {
        const ipsim_column *c = &ipsim_patient_columns[IPSIM_COLUMN_ECONOMIC_FIRST + k];
        assert_string_equal(c->name, ipsim_economic_names[k]);
        double gathered[2];
        ipsim_column_gather(c, records, 2, (unsigned char *)gathered, sizeof gathered);
        for (int i = 0; i < 2; i++) {
            double values[IPSIM_ECONOMIC_OUTCOMES];
            ipsim_economic_values(&records[i].outcomes, values);
            assert_true(gathered[i] == values[k]);
        }
    }
}

/* The shuffled gather of any patient range puts each byte where HDF5's
 * shuffle filter puts it in the whole gathered chunk (byte j of element e
 * at j * elements + e), for every column of the table, from records whose
 * bytes all differ. */
static void shuffled_gather_is_the_gather_shuffled(void **state)
{
    (void)state;
    enum { PATIENTS = 7, CHUNK = 9 };
    ipsim_patient_record records[PATIENTS];
    unsigned char *raw = (unsigned char *)records;
    for (size_t i = 0; i < sizeof records; i++)
        raw[i] = (unsigned char)(i * 37 + 11);
    for (int k = 0; k < IPSIM_PATIENT_COLUMNS; k++) {
        const ipsim_column *c = &ipsim_patient_columns[k];
        const size_t element = ipsim_element_size(c->element), size = ipsim_column_bytes(c);
        const size_t bytes = CHUNK * size, n = bytes / element;
        unsigned char gathered[CHUNK * IPSIM_COLUMN_SHUFFLED_MAX];
        unsigned char shuffled[CHUNK * IPSIM_COLUMN_SHUFFLED_MAX];
        assert_true(size <= IPSIM_COLUMN_SHUFFLED_MAX);
        ipsim_column_gather(c, records, PATIENTS, gathered, bytes);
        memset(shuffled, 0xAA, sizeof shuffled);
        /* Two ranges, as two gather parts would write them. */
        assert_int_equal(ipsim_column_gather_shuffled(c, records, 0, 3, shuffled, bytes), 0);
        assert_int_equal(ipsim_column_gather_shuffled(c, records, 3, PATIENTS - 3, shuffled,
                                                      bytes), 0);
        for (size_t e = 0; e < (size_t)PATIENTS * (size_t)c->width; e++)
            for (size_t j = 0; j < element; j++)
                if (shuffled[j * n + e] != gathered[e * element + j])
                    fail_msg("%s: byte %zu of element %zu", c->name, j, e);
        /* Past the last patient: untouched. */
        for (size_t j = 0; j < element; j++)
            assert_int_equal(shuffled[j * n + (size_t)PATIENTS * (size_t)c->width], 0xAA);
    }
}

/* Every row of the static table reads inside the record, has a width that
 * matches its dimension, and a name no other row of its group has. */
static void every_column_reads_inside_the_record_under_its_own_name(void **state)
{
    (void)state;
    for (int i = 0; i < IPSIM_PATIENT_COLUMNS; i++) {
        const ipsim_column *c = &ipsim_patient_columns[i];
        assert_true(c->width >= 1);
        if (!c->value)
            assert_true(c->offset + ipsim_column_bytes(c) <= sizeof(ipsim_patient_record));
        if (c->width > 1)
            assert_int_equal(ipsim_coordinates[c->dim].length, c->width);
        for (int j = 0; j < i; j++)
            if (strcmp(c->group, ipsim_patient_columns[j].group) == 0 &&
                strcmp(c->name, ipsim_patient_columns[j].name) == 0)
                fail_msg("two columns %s/%s", c->group, c->name);
    }
}

static void doses(const ipsim_patient_record *rec, void *out)
{
    int32_t v = (int32_t)rec->module_columns[IPSIM_MODULE_COLUMNS_MAX - 1];
    memcpy(out, &v, sizeof v);
}

static const ipsim_column module_count_column = {
    .group = "patients", .name = "module_count", .element = IPSIM_ELEMENT_INT32, .width = 1,
    .units = "doses", .long_name = "a module's count", .value = doses};

static void malformed_module_columns_are_refused(void **state)
{
    (void)state;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_column_check(&module_count_column, NULL, &err), IPSIM_OK);
    ipsim_column c = module_count_column;
    c.name = "death_month"; /* taken */
    assert_int_equal(ipsim_column_check(&c, NULL, &err), IPSIM_EINTERNAL);
    c = module_count_column;
    c.element = IPSIM_ELEMENT_STRING;
    assert_int_equal(ipsim_column_check(&c, NULL, &err), IPSIM_EINTERNAL);
    c = module_count_column;
    c.width = 2;
    c.dim = IPSIM_DIM_INFECTION_TYPE; /* of length 3 */
    assert_int_equal(ipsim_column_check(&c, NULL, &err), IPSIM_EINTERNAL);
    c = module_count_column;
    c.value = NULL;
    c.offset = sizeof(ipsim_patient_record);
    assert_int_equal(ipsim_column_check(&c, NULL, &err), IPSIM_EINTERNAL);
}

/* Writes one block of patients whose records are made up, with a column a
 * module appended, and reads both a table column and it back. */
static void appended_column_is_written_and_read_back(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.patients=5", "cohort.replicates=1",
                               "output.trajectories=none", NULL};
    ipsim_params p = test_params_pathway(overrides);
    ipsim_error err;
    ipsim_error_clear(&err);
    /* A column can be appended once. */
    char path[] = "/tmp/ipsim-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ipsim_run_info info = {"test", "test_format", "2026-01-01T00:00:00Z", p.name, p.seed};
    const char *names[] = {p.name};
    ipsim_h5_writer *w;
    assert_int_equal(ipsim_h5_writer_create(&w, path, &info, names, 1, &err), IPSIM_OK);
    assert_int_equal(ipsim_h5_writer_add_column(w, &module_count_column, &err), IPSIM_OK);
    assert_int_equal(ipsim_h5_writer_add_column(w, &module_count_column, &err),
                     IPSIM_EINTERNAL);
    ipsim_h5_writer_discard(w);
    unlink(path);
    ipsim_error_clear(&err);

    ipsim_patient_record records[5] = {0};
    for (int i = 0; i < 5; i++) {
        records[i].module_columns[IPSIM_MODULE_COLUMNS_MAX - 1] = 10 + i;
        records[i].death_month = i - 1;
    }
    char written[] = "/tmp/ipsim-test-XXXXXX";
    /* The table, the antibiotics' two per-patient columns
     * (models/antibiotics.h), IVIG's seven (models/ivig.h), this one. */
    assert_int_equal(test_write_records(written, &p, &module_count_column, 1, records, 5),
                     IPSIM_PATIENT_COLUMNS + 2 + 7 + 1);
    memcpy(path, written, sizeof path);
    ipsim_h5_reader *r;
    int rc = ipsim_h5_reader_open(&r, path, &err);
    if (rc) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    double values[5];
    assert_int_equal(ipsim_h5_reader_read_column(r, &module_count_column, 0, 0, 5, values, &err),
                     IPSIM_OK);
    for (int i = 0; i < 5; i++)
        assert_true(values[i] == 10 + i);
    assert_int_equal(ipsim_h5_reader_read_column(r, &ipsim_patient_columns[IPSIM_COLUMN_DEATH_MONTH],
                                                 0, 1, 4, values, &err),
                     IPSIM_OK);
    for (int i = 0; i < 4; i++)
        assert_true(values[i] == i);
    ipsim_h5_reader_close(r);
    unlink(path);
}

/* Bytes stored in the datasets under group `name` of an open file. */
static herr_t add_storage(hid_t group, const char *name, const H5O_info_t *info, void *total)
{
    if (info->type == H5O_TYPE_DATASET) {
        hid_t ds = H5Dopen2(group, name, H5P_DEFAULT);
        *(double *)total += (double)H5Dget_storage_size(ds);
        H5Dclose(ds);
    }
    return 0;
}

/* The writer's estimate of a run's output (the disk check before a run)
 * counts every per-patient dataset the file has, the clinical modules'
 * included: its bytes per patient are those of an uncompressed file. */
static void size_estimate_counts_every_per_patient_dataset(void **state)
{
    (void)state;
    enum { N = 5 };
    const char *overrides[] = {"cohort.patients=5", "cohort.replicates=1",
                               "output.trajectories=none", "output.compression_level=0",
                               "ivig.policy=grade", NULL};
    ipsim_params p = test_params_pathway(overrides);
    ipsim_patient_record records[N] = {0};
    char path[] = "/tmp/ipsim-test-XXXXXX";
    test_write_records(path, &p, NULL, 0, records, N);

    double stored = 0;
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    char group[2 * IPSIM_NAME_MAX];
    for (int g = 0; g < 2; g++) {
        snprintf(group, sizeof group, "%s/%s", p.name, g ? "economics" : "patients");
        hid_t grp = H5Gopen2(file, group, H5P_DEFAULT);
        assert_true(grp >= 0);
        H5Ovisit(grp, H5_INDEX_NAME, H5_ITER_NATIVE, add_storage, &stored);
        H5Gclose(grp);
    }
    H5Fclose(file);
    unlink(path);
    /* economics/ also holds per-replicate rows (mean, sums): not per patient. */
    for (int k = 0; k < IPSIM_ECONOMIC_TOTALS; k++) {
        const ipsim_dataset *d = &ipsim_economic_totals[k];
        double width = 1;
        for (int i = 1; i < d->rank; i++)
            width *= ipsim_coordinates[d->dims[i]].length;
        stored -= width * (double)ipsim_element_size(d->element);
    }
    ipsim_params more = p;
    more.cohort.patients += 1000;
    const double estimated =
        (ipsim_h5_writer_estimate_bytes(&more) - ipsim_h5_writer_estimate_bytes(&p)) / 1000;
    assert_true(stored > 0);
    assert_close(estimated, stored / N, 1e-9);
}

/* The levels model's trajectories (three float32 [R, N, M] datasets) count
 * in the disk estimate, and their three float rows per patient in the
 * cohort's memory estimate (a block's rows with trajectories, a row per
 * thread without). */
static void estimates_count_the_level_trajectories(void **state)
{
    (void)state;
    const char *grades[] = {"cohort.patients=1000", "cohort.replicates=3",
                            "cohort.horizon_months=60", NULL};
    const char *levels[] = {"cohort.patients=1000", "cohort.replicates=3",
                            "cohort.horizon_months=60", "grades.model=levels", NULL};
    ipsim_params g = test_params_pathway(grades), l = test_params_pathway(levels);
    const double months = 61, cells = 3.0 * 1000 * months;
    assert_close(ipsim_h5_writer_estimate_bytes(&l) - ipsim_h5_writer_estimate_bytes(&g),
                 cells * IPSIM_IG_CLASSES * sizeof(float), 1e-6);
    g.output.trajectories = l.output.trajectories = IPSIM_TRAJECTORIES_NONE;
    assert_close(ipsim_h5_writer_estimate_bytes(&l), ipsim_h5_writer_estimate_bytes(&g), 1e-6);

    ipsim_error err;
    ipsim_error_clear(&err);
    ipsim_model *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(ipsim_model_init(a, &g, &err), IPSIM_OK);
    assert_int_equal(ipsim_model_init(b, &l, &err), IPSIM_OK);
    for (int keep = 0; keep < 2; keep++) {
        const ipsim_cohort_config config = {.threads = 2, .block_patients = 400,
                                            .keep_trajectories = keep};
        const double rows = keep ? 400 : 2;
        assert_close(ipsim_cohort_memory_bytes(b, 1000, &config) -
                         ipsim_cohort_memory_bytes(a, 1000, &config),
                     rows * months * IPSIM_IG_CLASSES * sizeof(float), 1e-6);
    }
    free(a);
    free(b);
}

/* CSV text cells: quoted per RFC 4180 when they hold a comma, quote, CR or
 * LF; a leading formula character neutralised with a single quote; plain
 * text as it is (docs/robustness.md, "CSV tables"). */
static void csv_cells_are_quoted_and_never_formulas(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"plain_name-1.2", "plain_name-1.2"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"=1+2", "'=1+2"},
        {"+1", "'+1"},
        {"-x", "'-x"},
        {"@SUM(A1)", "'@SUM(A1)"},
        {"\tlead", "'\tlead"},
        {"\rlead", "\"'\rlead\""},
        {"=HYPERLINK(\"x\"),a", "\"'=HYPERLINK(\"\"x\"\"),a\""},
        {"mid=dle", "mid=dle"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        assert_non_null(f);
        ipsim_csv_text(f, true, cases[i][0]);
        ipsim_csv_textf(f, true, "nmb_%s", cases[i][0]);
        fclose(f);
        char want[256];
        char header[128];
        snprintf(header, sizeof header, "nmb_%s", cases[i][0]);
        const bool quoted = strpbrk(header, ",\"\r\n") != NULL;
        char doubled[128] = "";
        for (const char *c = header, *end = header + strlen(header); c < end; c++)
            strncat(doubled, *c == '"' ? "\"\"" : (char[2]){*c, 0},
                    sizeof doubled - strlen(doubled) - 1);
        snprintf(want, sizeof want, ",%s,%s%s%s", cases[i][1], quoted ? "\"" : "", doubled,
                 quoted ? "\"" : "");
        assert_string_equal(text, want);
        free(text);
    }
    /* Numbers are numbers: a negative value keeps its sign, NaN is empty.
     * A column of free text may be quoted in every row, formulas still
     * neutralised. */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    ipsim_csv_number(f, -0.0123);
    ipsim_csv_number(f, NAN);
    ipsim_csv_text_quoted(f, true, "evpi");
    ipsim_csv_text_quoted(f, true, "-x \"y\"");
    fclose(f);
    assert_string_equal(text, ",-0.0123,,\"evpi\",\"'-x \"\"y\"\"\"");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(economic_columns_are_the_economic_outcomes),
        cmocka_unit_test(every_column_reads_inside_the_record_under_its_own_name),
        cmocka_unit_test(shuffled_gather_is_the_gather_shuffled),
        cmocka_unit_test(malformed_module_columns_are_refused),
        cmocka_unit_test(appended_column_is_written_and_read_back),
        cmocka_unit_test(size_estimate_counts_every_per_patient_dataset),
        cmocka_unit_test(estimates_count_the_level_trajectories),
        cmocka_unit_test(csv_cells_are_quoted_and_never_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
