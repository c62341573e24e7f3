/* SPDX-License-Identifier: MIT */
/* The scan through the public API: verdicts and evidence on a small
 * benchmark and corpus, the capped buffer, and allocation failure at every
 * allocation along the whole path (read, index, scan, write). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <medcheck/medcheck.h>

#include "testutil.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/wfile.h"

static char dir[256];
static char bench_path[300], shard_path[300], out_path[300];

static const char *BENCH =
    "{\"question\": \"A 34-year-old woman has fatigue, weight gain, cold intolerance and "
    "constipation for three months; her TSH is markedly raised.\", \"options\": {\"A\": "
    "\"Levothyroxine\", \"B\": \"Methimazole\", \"C\": \"Radioactive iodine\"}, "
    "\"answer_idx\": \"A\", \"meta_info\": \"step1\"}\n"
    "{\"question\": \"A 60-year-old man has painless jaundice, weight loss and a palpable "
    "gallbladder on examination in the clinic.\", \"options\": {\"A\": \"Gallstones\", "
    "\"B\": \"Pancreatic cancer\", \"C\": \"Hepatitis A\"}, \"answer_idx\": \"B\", "
    "\"meta_info\": \"step1\"}\n";

static const char *SHARD =
    "{\"id\": \"d0\", \"text\": \"Nothing to see here.\"}\n"
    "{\"id\": \"d1\", \"text\": \"Practice question 12. a 34 year old woman has fatigue, weight "
    "gain, cold intolerance and constipation for three months. Her TSH is markedly raised.\\n"
    "A. Levothyroxine B. Methimazole C. Radioactive iodine\\nAnswer: A\"}\n";

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mc_test_scan.XXXXXX");
    if (!mkdtemp(dir)) {
        return -1;
    }
    snprintf(bench_path, sizeof(bench_path), "%s/b_test.jsonl", dir);
    snprintf(shard_path, sizeof(shard_path), "%s/shard.jsonl", dir);
    snprintf(out_path, sizeof(out_path), "%s/out", dir);
    FILE *f = fopen(bench_path, "w");
    fputs(BENCH, f);
    fclose(f);
    f = fopen(shard_path, "w");
    fputs(SHARD, f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int run_scan(mc_scan_result *res)
{
    mc_bench *b = NULL;
    mc_bench_opts bo;
    mc_bench_opts_default(&bo);
    int rc = mc_bench_create(&b);
    if (rc == 0) {
        rc = mc_bench_read(b, bench_path, &bo);
    }
    if (rc == 0) {
        mc_scan_opts so;
        mc_scan_opts_default(&so);
        so.jobs = 1;
        const char *shards[] = {shard_path};
        rc = mc_scan_run(b, shards, 1, &so, out_path, res);
    }
    mc_bench_destroy(&b);
    return rc;
}

static void test_mc_scan_run_verdicts_and_evidence(void **state)
{
    (void)state;
    mc_scan_result res;
    assert_int_equal(run_scan(&res), 0);
    assert_int_equal(res.items, 2);
    assert_int_equal(res.items_contaminated, 1);
    assert_int_equal(res.by_status[MC_STATUS_INPUT_AND_ANSWER], 1);
    assert_int_equal(res.records, 2);
    char p[400];
    snprintf(p, sizeof(p), "%s/items.jsonl", out_path);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    json_error_t err;
    json_t *a = json_loadf(f, JSON_DISABLE_EOF_CHECK, &err);
    json_t *b = json_loadf(f, JSON_DISABLE_EOF_CHECK, &err);
    fclose(f);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(a, "status")), "input_and_answer");
    assert_true(json_is_true(json_object_get(a, "contaminated")));
    assert_true(json_real_value(json_object_get(a, "score")) == 1.0);
    json_t *ev = json_array_get(json_object_get(a, "evidence"), 0);
    assert_int_equal(json_integer_value(json_object_get(ev, "record")), 1);
    assert_int_equal(json_integer_value(json_object_get(ev, "offset")), strchr(SHARD, '\n') - SHARD + 1);
    assert_string_equal(json_string_value(json_object_get(ev, "doc_id")), "d1");
    assert_string_equal(json_string_value(json_object_get(ev, "component")), "question");
    assert_int_equal(json_integer_value(json_object_get(ev, "match_tokens")), 21);
    assert_non_null(strstr(json_string_value(json_object_get(ev, "snippet")), "cold intolerance"));
    assert_string_equal(json_string_value(json_object_get(b, "status")), "clean");
    assert_int_equal(json_array_size(json_object_get(b, "evidence")), 0);
    json_decref(a);
    json_decref(b);
}

static void test_mc_buf_append_cap(void **state)
{
    (void)state;
    mc_buf b;
    mc__buf_init(&b, 10);
    assert_int_equal(mc__buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(mc__buf_putc(&b, 'x'), MC_ELIMIT);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    mc__buf_reset(&b);
    assert_int_equal(mc__buf_printf(&b, "%d-%s", 42, "ok"), 0);
    assert_string_equal(b.data, "42-ok");
    mc__buf_finish(&b);
}

/* Fail the 1st, 2nd, ... allocation until the whole run succeeds: every
 * failure must come back as MC_ENOMEM with nothing leaked (ASan and
 * valgrind runs check the leaks) and no output directory left behind. */
static void test_mc_scan_run_alloc_failure(void **state)
{
    (void)state;
    int ok = 0;
    unsigned long n;
    for (n = 1; n < 20000 && !ok; n++) {
        mc__alloc_fail_after(n);
        mc_scan_result res;
        int rc = run_scan(&res);
        mc__alloc_fail_after(0);
        if (rc == 0) {
            ok = 1;
            assert_int_equal(res.items_contaminated, 1);
        } else {
            assert_int_equal(rc, MC_ENOMEM);
        }
    }
    assert_true(ok);
    assert_true(n > 50); /* the path really allocates through the hook */
}

/* A disk that fills up while results are written: the Nth write and every
 * later one fail. The scan must say MC_EIO, leave the earlier results
 * exactly as they were, and leave no temporary directory behind. */
static void test_mc_scan_run_write_failure(void **state)
{
    (void)state;
    mc_scan_result res;
    assert_int_equal(run_scan(&res), 0);
    char sum[400];
    snprintf(sum, sizeof(sum), "%s/summary.json", out_path);
    size_t before_len;
    char *before = tu_slurp(sum, &before_len);
    assert_non_null(before);
    unsigned long n;
    int ok = 0;
    for (n = 1; n < 1000 && !ok; n++) {
        mc__wfile_fail_after(n);
        int rc = run_scan(&res);
        mc__wfile_fail_after(0);
        if (rc == 0) {
            ok = 1;
            break;
        }
        assert_int_equal(rc, MC_EIO);
        size_t now_len;
        char *now = tu_slurp(sum, &now_len);
        assert_non_null(now);
        assert_int_equal(now_len, before_len);
        assert_memory_equal(now, before, before_len); /* untouched */
        free(now);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "ls -d '%s'.* 2>/dev/null | grep -q .", out_path);
        assert_int_not_equal(system(cmd), 0); /* no out.tmp-* or out.old-* */
    }
    free(before);
    assert_true(ok);
    assert_true(n > 5); /* several distinct writes were failed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_scan_run_verdicts_and_evidence),
        cmocka_unit_test(test_mc_buf_append_cap),
        cmocka_unit_test(test_mc_scan_run_alloc_failure),
        cmocka_unit_test(test_mc_scan_run_write_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
