/* SPDX-License-Identifier: MIT */
/* Unit tests of src/eval: the Fisher exact test and the bootstrap against
 * values computed independently in Python (tests/data/eval/eval_ref.py,
 * committed as stats_ref.tsv), item byte ranges (bench/span.c), marking
 * of shared words, and the results file readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <medcheck/common.h>

#include "bench/span.h"
#include "eval/results.h"
#include "eval/show_int.h"
#include "eval/stats.h"
#include "testutil.h"
#include "util/alloc.h"

static int rel_close(double got, double want, double rel)
{
    double d = got > want ? got - want : want - got;
    double m = want < 0 ? -want : want;
    return d <= rel * m || d == 0.0;
}

/* ---- statistics against the Python reference */

static void test_fisher_reference(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_slurp(tu_src("tests/data/eval/stats_ref.tsv"), &len);
    assert_non_null(text);
    int cases = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long a, b, c, d;
        double p;
        if (sscanf(line, "fisher\t%llu\t%llu\t%llu\t%llu\t%lf", &a, &b, &c, &d, &p) == 5) {
            double got = mc__eval_fisher(a, b, c, d);
            if (!rel_close(got, p, 1e-9)) {
                fail_msg("fisher %llu %llu %llu %llu: %.17g, Python %.17g", a, b, c, d, got, p);
            }
            cases++;
        }
    }
    free(text);
    assert_true(cases >= 10);
}

static void test_bootstrap_reference(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_slurp(tu_src("tests/data/eval/stats_ref.tsv"), &len);
    assert_non_null(text);
    int cases = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long k1, n1, k2, n2, seed;
        unsigned res;
        double level, lo, hi, glo = 0, ghi = 0;
        if (sscanf(line, "bootstrap\t%llu\t%llu\t%llu\t%llu\t%u\t%llu\t%lf\t%lf\t%lf", &k1, &n1,
                   &k2, &n2, &res, &seed, &level, &lo, &hi) == 9) {
            assert_int_equal(mc__eval_bootstrap(k1, n1, k2, n2, res, seed, level, &glo, &ghi), 0);
            /* the same generator and order of draws: the same numbers */
            if (glo != lo || ghi != hi) {
                fail_msg("bootstrap %llu/%llu - %llu/%llu: [%.17g, %.17g], Python [%.17g, "
                         "%.17g]",
                         k1, n1, k2, n2, glo, ghi, lo, hi);
            }
            cases++;
        }
    }
    free(text);
    assert_true(cases >= 5);
}

static void test_rng_seed_splitmix(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_slurp(tu_src("tests/data/eval/stats_ref.tsv"), &len);
    assert_non_null(text);
    mc__eval_rng r;
    mc__eval_rng_seed(&r, 1);
    int cases = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long seed, i, v;
        if (sscanf(line, "splitmix\t%llu\t%llu\t%llu", &seed, &i, &v) == 3) {
            assert_true(i < 4);
            assert_true(r.s[i] == v);
            cases++;
        }
    }
    free(text);
    assert_int_equal(cases, 4);
}

static void test_fisher_known_values(void **state)
{
    (void)state;
    /* R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value (tea tasting) */
    assert_true(rel_close(mc__eval_fisher(3, 1, 1, 3), 0.4857142857142857, 1e-12));
    /* symmetric under swapping rows, columns and transposing */
    double p = mc__eval_fisher(7, 2, 3, 8);
    assert_true(rel_close(mc__eval_fisher(3, 8, 7, 2), p, 1e-12));
    assert_true(rel_close(mc__eval_fisher(2, 7, 8, 3), p, 1e-12));
    assert_true(rel_close(mc__eval_fisher(7, 3, 2, 8), p, 1e-12));
    /* a zero margin is no evidence */
    assert_true(mc__eval_fisher(0, 0, 4, 6) == 1.0);
    assert_true(mc__eval_fisher(5, 0, 7, 0) == 1.0);
}

static void test_fisher_large_tables(void **state)
{
    (void)state;
    /* a million items: log space keeps it finite and in [0, 1] */
    double p = mc__eval_fisher(600000, 400000, 900, 100);
    assert_true(p >= 0.0 && p < 1e-50);
    p = mc__eval_fisher(500000, 500000, 500, 500);
    assert_true(p > 0.99 && p <= 1.0);
}

static void test_bootstrap_invalid(void **state)
{
    (void)state;
    double lo, hi;
    assert_int_equal(mc__eval_bootstrap(1, 0, 1, 2, 100, 1, 0.95, &lo, &hi), MC_EINVAL);
    assert_int_equal(mc__eval_bootstrap(3, 2, 1, 2, 100, 1, 0.95, &lo, &hi), MC_EINVAL);
    assert_int_equal(mc__eval_bootstrap(1, 2, 1, 2, 1, 1, 0.95, &lo, &hi), MC_EINVAL);
    assert_int_equal(mc__eval_bootstrap(1, 2, 1, 2, 100, 1, 1.0, &lo, &hi), MC_EINVAL);
}

static void test_bootstrap_deterministic_and_ordered(void **state)
{
    (void)state;
    double lo1, hi1, lo2, hi2;
    assert_int_equal(mc__eval_bootstrap(60, 100, 30, 40, 500, 9, 0.95, &lo1, &hi1), 0);
    assert_int_equal(mc__eval_bootstrap(60, 100, 30, 40, 500, 9, 0.95, &lo2, &hi2), 0);
    assert_true(lo1 == lo2 && hi1 == hi2);
    assert_true(lo1 <= -0.15 + 0.2 && lo1 < hi1);
    /* the point estimate -0.15 lies inside */
    assert_true(lo1 < -0.15 && hi1 > -0.15);
}

static void test_quantile_type7(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4};
    assert_true(mc__eval_quantile(v, 4, 0.0) == 1.0);
    assert_true(mc__eval_quantile(v, 4, 1.0) == 4.0);
    assert_true(rel_close(mc__eval_quantile(v, 4, 0.5), 2.5, 1e-15));
    assert_true(rel_close(mc__eval_quantile(v, 4, 0.25), 1.75, 1e-15));
}

static void test_rng_below_range(void **state)
{
    (void)state;
    mc__eval_rng r;
    mc__eval_rng_seed(&r, 5);
    unsigned hist[3] = {0, 0, 0};
    for (int i = 0; i < 3000; i++) {
        uint64_t x = mc__eval_rng_below(&r, 3);
        assert_true(x < 3);
        hist[x]++;
    }
    for (int i = 0; i < 3; i++) {
        assert_true(hist[i] > 850 && hist[i] < 1150);
    }
    assert_true(mc__eval_rng_below(&r, 1) == 0);
}

/* ---- item byte ranges */

static void expect_spans(const char *data, mc_bench_format fmt, const char *const *want, size_t n)
{
    mc__bench_layout lo;
    assert_int_equal(mc__bench_layout_build(&lo, data, strlen(data), fmt), 0);
    assert_int_equal(lo.n, n);
    for (size_t i = 0; i < n; i++) {
        const mc__bench_span *s = &lo.spans[i];
        size_t k = s->end - s->start;
        if (strlen(want[i]) != k || memcmp(data + s->start, want[i], k) != 0) {
            fail_msg("span %zu: '%.*s', expected '%s'", i, (int)k, data + s->start, want[i]);
        }
    }
    mc__bench_layout_finish(&lo);
}

static void test_layout_jsonl_lines(void **state)
{
    (void)state;
    const char *data = "{\"a\":1}\n\n  \r\n{\"a\":2}\r\n{\"a\":3}";
    const char *want[] = {"{\"a\":1}\n", "{\"a\":2}\r\n", "{\"a\":3}"};
    expect_spans(data, MC_FMT_JSONL, want, 3);
}

static void test_layout_csv_records(void **state)
{
    (void)state;
    const char *mmlu = "q1,a,b,c,d,A\n\n\"q2\nline two\",\"x,y\",b,c,d,B\r\nq3,a,b,c,d,C";
    const char *w1[] = {"q1,a,b,c,d,A\n", "\"q2\nline two\",\"x,y\",b,c,d,B\r\n", "q3,a,b,c,d,C"};
    expect_spans(mmlu, MC_FMT_MMLU, w1, 3);
    const char *csv = "question,answer\n\"a \"\"b\"\"\",x\n  \nc,y\n";
    const char *w2[] = {"\"a \"\"b\"\"\",x\n", "c,y\n"};
    expect_spans(csv, MC_FMT_CSV, w2, 2);
}

static void test_layout_json_documents(void **state)
{
    (void)state;
    const char *pq = "{\n    \"1\": {\"QUESTION\": \"a \\\"}\\\" b\", \"C\": [1, {\"x\": []}]},\n"
                     "    \"2\": {\"QUESTION\": \"q\"}\n}\n";
    const char *w1[] = {"\"1\": {\"QUESTION\": \"a \\\"}\\\" b\", \"C\": [1, {\"x\": []}]}",
                        "\"2\": {\"QUESTION\": \"q\"}"};
    expect_spans(pq, MC_FMT_PUBMEDQA, w1, 2);
    const char *bio = "{\"questions\": [ {\"body\": \"x\"} , {\"body\": \"y\"}],\"q\":[]}";
    const char *w2[] = {"{\"body\": \"x\"}", "{\"body\": \"y\"}"};
    expect_spans(bio, MC_FMT_BIOASQ, w2, 2);
    const char *hq = "{\"exams\": {\"e1\": {\"data\": [{\"qid\": 1}, {\"qid\": 2}]}, "
                     "\"e2\": {\"category\": \"x\"}, \"e3\": {\"data\": [{\"qid\": 1}]}}}";
    const char *w3[] = {"{\"qid\": 1}", "{\"qid\": 2}", "\"e2\": {\"category\": \"x\"}",
                        "{\"qid\": 1}"};
    expect_spans(hq, MC_FMT_HEADQA, w3, 4);
    mc__bench_layout lo;
    assert_int_equal(mc__bench_layout_build(&lo, hq, strlen(hq), MC_FMT_HEADQA), 0);
    assert_int_equal(lo.spans[2].own, 0); /* the exam without data */
    assert_int_equal(lo.n_groups, 2);
    assert_int_equal(hq[lo.groups[0].open], '[');
    assert_int_equal(hq[lo.groups[0].close], ']');
    mc__bench_layout_finish(&lo);
}

static void test_layout_rejects_broken_json(void **state)
{
    (void)state;
    mc__bench_layout lo;
    const char *bad[] = {"[1, 2]", "{\"1\": {\"a\": \"unterminated}", "{\"questions\": {}}",
                         "{\"1\": 1 \"2\": 2}"};
    mc_bench_format fmt[] = {MC_FMT_PUBMEDQA, MC_FMT_PUBMEDQA, MC_FMT_BIOASQ, MC_FMT_PUBMEDQA};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(mc__bench_layout_build(&lo, bad[i], strlen(bad[i]), fmt[i]), MC_EFORMAT);
    }
    assert_int_equal(mc__bench_layout_build(&lo, "", 0, MC_FMT_AUTO), MC_EINVAL);
}

/* ---- marks */

static void test_mark_shared_ngrams(void **state)
{
    (void)state;
    const char *item = "Which drug induces CYP3A4 and lowers estrogen levels?";
    const char *doc = "Intro text. WHICH drug induces cyp3a4, and lowers estrogen levels! Other.";
    mc_show_mark *m = NULL;
    size_t n = 0;
    assert_int_equal(mc__show_mark(MC_NORM_MEDCHECK, 4, item, doc, strlen(doc), &m, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].start, 12);
    assert_true(strncmp(doc + m[0].start, "WHICH", 5) == 0);
    assert_true(strncmp(doc + m[0].end - 6, "levels", 6) == 0);
    mc__free(m);
    /* a short answer (fewer words than n) is matched whole */
    const char *doc2 = "the answer is rifampin induction here; rifampin alone";
    assert_int_equal(
        mc__show_mark(MC_NORM_MEDCHECK, 8, "Rifampin induction", doc2, strlen(doc2), &m, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].end - m[0].start, strlen("rifampin induction"));
    mc__free(m);
    assert_int_equal(mc__show_mark(MC_NORM_MEDCHECK, 8, "", doc2, strlen(doc2), &m, &n), 0);
    assert_int_equal(n, 0);
    assert_null(m);
}

/* ---- results files */

typedef struct seen {
    int rows;
    char text[4096];
} seen;

static int collect(void *ctx, const mc__eval_row *r)
{
    seen *s = ctx;
    size_t at = strlen(s->text);
    snprintf(s->text + at, sizeof(s->text) - at, "%u|%s|%s|%s|%lld|%s|%s|%u|%d|%s|%s\n", r->line,
             r->model ? r->model : "-", r->key ? r->key : "-", r->source ? r->source : "-",
             (long long)r->index, r->id ? r->id : "-", r->question ? r->question : "-",
             r->n_options, r->correct, r->prediction ? r->prediction : "-", r->bad ? r->bad : "-");
    s->rows++;
    return 0;
}

/* Write /tmp/mc_test_eval_PID/lm-model/NAME (the directory is the
 * model of lm-evaluation-harness samples files). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "/tmp/mc_test_eval_%ld", (long)getpid());
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "/tmp/mc_test_eval_%ld/lm-model", (long)getpid());
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "/tmp/mc_test_eval_%ld/lm-model/%s", (long)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void remove_tmp(const char *path)
{
    char dir[256];
    unlink(path);
    snprintf(dir, sizeof(dir), "/tmp/mc_test_eval_%ld/lm-model", (long)getpid());
    rmdir(dir);
    snprintf(dir, sizeof(dir), "/tmp/mc_test_eval_%ld", (long)getpid());
    rmdir(dir);
}

static void test_results_lmeval_filters(void **state)
{
    (void)state;
    const char *text =
        "{\"doc_id\": 0, \"doc\": {\"id\": \"u1\", \"question\": \"Q1?\", \"opa\": \"a\", "
        "\"opb\": \"b\", \"opc\": \"c\", \"opd\": \"d\", \"cop\": 1}, \"target\": \"1\", "
        "\"filter\": \"strict-match\", \"metrics\": [\"acc\"], \"acc\": 1.0}\n"
        "{\"doc_id\": 0, \"doc\": {\"id\": \"u1\"}, \"filter\": \"flexible-extract\", "
        "\"acc\": 0.0}\n"
        "{\"doc_id\": 1, \"doc\": {\"pubid\": 123, \"question\": \"Q2\"}, \"filter\": "
        "\"strict-match\", \"exact_match\": 0}\n"
        "{\"doc_id\": 2, \"doc\": {\"sent1\": \"Q3\", \"ending0\": \"x\", \"ending1\": \"y\"}, "
        "\"filter\": \"strict-match\"}\n";
    const char *path = write_tmp("samples_medmcqa_2024.jsonl", text);
    seen s = {0, ""};
    uint32_t skipped = 0;
    mc__eval_read_opts o = {NULL, NULL, NULL};
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), 0);
    assert_int_equal(s.rows, 3);
    assert_int_equal(skipped, 1);
    assert_non_null(strstr(s.text, "1|lm-model|-|-|-1|u1|Q1?|4|1|-|-\n"));
    assert_non_null(strstr(s.text, "3|lm-model|-|-|-1|123|Q2|0|0|-|-\n"));
    assert_non_null(strstr(s.text, "4|lm-model|-|-|-1|-|Q3|2|-1|-|no acc or exact_match\n"));
    /* --filter picks the other one */
    memset(&s, 0, sizeof(s));
    skipped = 0;
    o.filter = "flexible-extract";
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), 0);
    assert_int_equal(s.rows, 1);
    assert_int_equal(skipped, 3);
    remove_tmp(path);
}

static void test_results_plain_and_csv(void **state)
{
    (void)state;
    const char *jl = "{\"key\": \"b.jsonl#3\", \"correct\": true, \"model\": \"m1\"}\n"
                     "{\"source\": \"b.jsonl\", \"index\": \"7\", \"prediction\": \"C\"}\n"
                     "not json\n"
                     "{\"id\": 42, \"correct\": \"maybe\"}\n";
    const char *path = write_tmp("plain.jsonl", jl);
    seen s = {0, ""};
    uint32_t skipped = 0;
    mc__eval_read_opts o = {NULL, NULL, NULL};
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), 0);
    assert_int_equal(s.rows, 4);
    assert_non_null(strstr(s.text, "1|m1|b.jsonl#3|-|-1|-|-|0|1|-|-\n"));
    assert_non_null(strstr(s.text, "2|plain|-|b.jsonl|7|-|-|0|-1|C|-\n"));
    assert_non_null(strstr(s.text, "3|plain|-|-|-1|-|-|0|0|-|invalid JSON\n"));
    assert_non_null(strstr(s.text, "|42|-|0|-1|-|correct is not true or false\n"));
    remove_tmp(path);

    const char *csv = "source,index,correct,model\nb.jsonl,1,TRUE,m\n\"b.jsonl\",x,0,m\n";
    path = write_tmp("r.csv", csv);
    memset(&s, 0, sizeof(s));
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), 0);
    assert_int_equal(s.rows, 2);
    assert_non_null(strstr(s.text, "2|m|-|b.jsonl|1|-|-|0|1|-|-\n"));
    assert_non_null(strstr(s.text, "3|m|-|b.jsonl|-1|-|-|0|0|-|index is not a non-negative"));
    remove_tmp(path);

    path = write_tmp("bad.csv", "x,y\n1,2\n");
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), MC_EFORMAT);
    remove_tmp(path);
}

static void test_results_json_array(void **state)
{
    (void)state;
    const char *arr = "[\n  {\n    \"doc_id\": 0,\n    \"doc\": {\"question\": \"Q\"},\n"
                      "    \"acc\": true\n  }\n]\n";
    const char *path = write_tmp("old.jsonl", arr);
    seen s = {0, ""};
    uint32_t skipped = 0;
    mc__eval_read_opts o = {"acc", NULL, NULL};
    assert_int_equal(mc__eval_read_results(path, &o, collect, &s, &skipped), 0);
    assert_int_equal(s.rows, 1);
    assert_non_null(strstr(s.text, "1|"));
    assert_non_null(strstr(s.text, "|Q|0|1|-|-\n"));
    remove_tmp(path);
}

static void test_file_model_names(void **state)
{
    (void)state;
    char buf[256];
    mc__eval_file_model("out/org__model-7b/samples_medqa_4options_2024-06-01T10-00-00.jsonl", 1,
                        buf, sizeof(buf));
    assert_string_equal(buf, "org__model-7b");
    mc__eval_file_model("samples_medqa.jsonl", 1, buf, sizeof(buf));
    assert_string_equal(buf, "samples_medqa");
    mc__eval_file_model("/x/results/gpt.jsonl.zst", 0, buf, sizeof(buf));
    assert_string_equal(buf, "gpt");
    mc__eval_file_model("./samples_x.jsonl", 1, buf, sizeof(buf));
    assert_string_equal(buf, "samples_x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fisher_reference),
        cmocka_unit_test(test_bootstrap_reference),
        cmocka_unit_test(test_rng_seed_splitmix),
        cmocka_unit_test(test_fisher_known_values),
        cmocka_unit_test(test_fisher_large_tables),
        cmocka_unit_test(test_bootstrap_invalid),
        cmocka_unit_test(test_bootstrap_deterministic_and_ordered),
        cmocka_unit_test(test_quantile_type7),
        cmocka_unit_test(test_rng_below_range),
        cmocka_unit_test(test_layout_jsonl_lines),
        cmocka_unit_test(test_layout_csv_records),
        cmocka_unit_test(test_layout_json_documents),
        cmocka_unit_test(test_layout_rejects_broken_json),
        cmocka_unit_test(test_mark_shared_ngrams),
        cmocka_unit_test(test_results_lmeval_filters),
        cmocka_unit_test(test_results_plain_and_csv),
        cmocka_unit_test(test_results_json_array),
        cmocka_unit_test(test_file_model_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
