/* SPDX-License-Identifier: MIT */
/* Helpers of the index file tests (test_index_file.c and
 * test_index_file_refuse.c): benchmarks, building, writing and loading
 * indexes, and a scan of an index over its own items' texts. */
#ifndef MC_TESTS_INDEX_FILE_TEST_H
#define MC_TESTS_INDEX_FILE_TEST_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <medcheck/medcheck.h>

#include "index/index_file.h"
#include "index/index_file_int.h"
#include "match/match.h"
#include "near/near.h"
#include "scan/scan_int.h"
#include "testutil.h"
#include "util/alloc.h"
#include "util/wfile.h"

static char tmpdir[256];
static char logged[2048]; /* the last message of capture() */

static inline void capture(void *ctx, mc_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    snprintf(logged, sizeof(logged), "%s", msg);
}
static const uint32_t def_n[] = {8, 13, 8, 10};

static inline const char *tmp_path(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
    return path[k];
}

static inline int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mc_test_index_file.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* tests/data/bench/index_tiny.jsonl: a small benchmark that fills every
 * array of the index: templates shared by two stems, a short stem (anchor
 * table), a passage, a malformed item, options as a list, ids and splits. */
#define TINY_FIELDS "question=q,options=opts,answer=ans,passage=ctx,id=id,split=sp"

static inline mc_bench *read_bench(const char *const *paths, size_t n, const char *fields_spec)
{
    mc_bench *b = NULL;
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    if (fields_spec) {
        /* TINY_FIELDS as mc_bench_fields */
        o.fields = (mc_bench_fields){"q", "opts", "ans", "ctx", "id", "sp"};
        o.format = MC_FMT_JSONL;
    }
    assert_int_equal(mc_bench_create(&b), 0);
    for (size_t i = 0; i < n; i++) {
        int rc = mc_bench_read(b, paths[i], &o);
        if (rc != 0) {
            fprintf(stderr, "%s\n", mc_bench_errmsg(b));
        }
        assert_int_equal(rc, 0);
    }
    return b;
}

static inline mc_bench *tiny_bench(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s", tu_src("tests/data/bench/index_tiny.jsonl"));
    const char *p = path;
    return read_bench(&p, 1, TINY_FIELDS);
}

static inline mc_bench *sample_bench(void)
{
    static const char *const names[] = {"US_4_options_phrases_no_exclude_test.jsonl.zst",
                                        "anatomy_test.csv.zst",
                                        "clinical_knowledge_test.csv.zst",
                                        "college_medicine_test.csv.zst",
                                        "dev.json.zst",
                                        "medical_genetics_test.csv.zst",
                                        "ori_pqal.json.zst",
                                        "professional_medicine_test.csv.zst"};
    char paths[8][512];
    const char *pp[8];
    for (int i = 0; i < 8; i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "corpora/benchmarks/%s", names[i]);
        snprintf(paths[i], sizeof(paths[i]), "%s", tu_src(rel));
        pp[i] = paths[i];
    }
    return read_bench(pp, 8, NULL);
}

static inline mc_index *build(const mc_bench *b, mc_preset p)
{
    mc_index *idx = NULL;
    assert_int_equal(mc__index_build(&idx, b, p, def_n[p], 2), 0);
    return idx;
}

static inline void write_ok(const mc_index *idx, const mc_bench *b, const char *fields,
                            const char *path)
{
    char err[1024] = "";
    int rc = mc__index_file_write(idx, b, fields, path, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
    }
    assert_int_equal(rc, 0);
}

static inline mc_index_file *load_ok(const char *path, mc_mcx_load how)
{
    mc_index_file *f = NULL;
    char err[1024] = "";
    int rc = mc__index_file_load(&f, path, how, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "%s\n", err);
    }
    assert_int_equal(rc, 0);
    return f;
}

static inline unsigned char *slurp(const char *path, size_t *n)
{
    unsigned char *p = (unsigned char *)tu_slurp(path, n);
    assert_non_null(p);
    return p;
}

static inline void same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *x = slurp(a, &na);
    unsigned char *y = slurp(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

/* An image of the tiny benchmark's index under a preset. */
static inline unsigned char *tiny_image(mc_preset p, size_t *n)
{
    mc_bench *b = tiny_bench();
    mc_index *idx = build(b, p);
    const char *path = tmp_path("tiny.mcx");
    write_ok(idx, b, TINY_FIELDS, path);
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
    return slurp(path, n);
}

/* Everything a scan does with an index, on documents made of the items'
 * own texts (so that keys, anchors, options and answers all match). */
static inline void exercise(const mc_index *idx, const mc_bench *b)
{
    mc_params par = {idx->preset, idx->n, 0.5, 5, idx->template_items, 20, 100, 0, 0, 0.7};
    mc_matcher m;
    mc_shardacc acc;
    assert_int_equal(mc__matcher_init(&m, idx), 0);
    assert_int_equal(mc__acc_init(&acc, idx, &par, 0), 0);
    char text[8192];
    for (size_t i = 0; i < mc_bench_count(b) && i < 64; i++) {
        const mc_item *it = mc_bench_item(b, i);
        int len = snprintf(text, sizeof(text), "%s\n", it->question);
        for (uint32_t o = 0; o < it->n_options && len < (int)sizeof(text); o++) {
            len += snprintf(text + len, sizeof(text) - (size_t)len, "%s) %s\n",
                            it->option_labels[o], it->options[o]);
        }
        if (len < (int)sizeof(text)) {
            len += snprintf(text + len, sizeof(text) - (size_t)len, "Answer: %s %s",
                            it->answer ? it->answer : "", it->passage ? it->passage : "");
        }
        size_t tl = len < (int)sizeof(text) ? (size_t)len : sizeof(text) - 1;
        mc_record rec = {i, 0, text, tl, "doc", 3, NULL, 0};
        assert_int_equal(mc__matcher_doc(&m, text, tl), 0);
        assert_int_equal(mc__acc_doc(&acc, &m, &rec), 0);
    }
    mc_shardres sr;
    memset(&sr, 0, sizeof(sr));
    sr.status_ok = 1;
    assert_int_equal(mc__acc_finalize(&acc, &sr), 0);
    mc_itemres *items = calloc(idx->nitems + 1, sizeof(*items));
    for (uint32_t i = 0; i < idx->nitems; i++) {
        items[i].item = i;
    }
    assert_int_equal(mc__fold(idx, &par, items, &sr), 0);
    for (uint32_t i = 0; i < idx->nitems; i++) {
        double score;
        int cont;
        mc__item_verdict(idx, &par, &items[i], &score, &cont);
        mc__itemres_finish(&items[i]);
    }
    free(items);
    mc__shardres_finish(&sr, 0);
    mc__acc_finish(&acc);
    mc__matcher_finish(&m);
}

#endif
