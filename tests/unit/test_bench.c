/* SPDX-License-Identifier: MIT */
/* Unit tests of the benchmark readers: real files (MEDCHECK_EXTERNAL_DATA),
 * small malformed fixtures (tests/data/bench), compression and detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include <medcheck/bench.h>

#include "bench/bench_int.h"
#include "bench/load.h"
#include "testutil.h"
#include "util/alloc.h"

/* ---- helpers */

static char log_text[8192];
static int log_count;

static void log_fn(void *ctx, mc_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    size_t n = strlen(log_text);
    snprintf(log_text + n, sizeof(log_text) - n, "%s\n", msg);
    log_count++;
}

static mc_bench_opts opts_fmt(mc_bench_format fmt)
{
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    o.format = fmt;
    o.logger.fn = log_fn;
    log_text[0] = '\0';
    log_count = 0;
    return o;
}

/* Read one file into a new set; fails the test on error. */
static mc_bench *read_one(const char *path, mc_bench_format fmt)
{
    mc_bench *b = NULL;
    mc_bench_opts o = opts_fmt(fmt);
    assert_int_equal(mc_bench_create(&b), 0);
    int rc = mc_bench_read(b, path, &o);
    if (rc != 0) {
        fprintf(stderr, "%s\n", mc_bench_errmsg(b));
    }
    assert_int_equal(rc, 0);
    return b;
}

static const mc_item *item(const mc_bench *b, size_t i)
{
    const mc_item *it = mc_bench_item(b, i);
    assert_non_null(it);
    return it;
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void assert_str_or_null(const char *a, const char *b)
{
    if (!a || !b) {
        assert_ptr_equal(a, b);
    } else {
        assert_string_equal(a, b);
    }
}

static void assert_items_equal(const mc_item *a, const mc_item *b)
{
    assert_int_equal(a->index, b->index);
    assert_int_equal(a->line, b->line);
    assert_str_or_null(a->id, b->id);
    assert_str_or_null(a->split, b->split);
    assert_string_equal(a->question, b->question);
    assert_int_equal(a->n_options, b->n_options);
    for (uint32_t i = 0; i < a->n_options; i++) {
        assert_string_equal(a->options[i], b->options[i]);
        assert_string_equal(a->option_labels[i], b->option_labels[i]);
    }
    assert_int_equal(a->answer_index, b->answer_index);
    assert_str_or_null(a->answer, b->answer);
    assert_str_or_null(a->passage, b->passage);
    assert_str_or_null(a->subject, b->subject);
    assert_int_equal(a->malformed, b->malformed);
}

#define EXT_OR_SKIP(var, rel)                                               \
    const char *var##_p = tu_ext(rel);                                      \
    if (!var##_p) {                                                         \
        skip();                                                             \
    }                                                                       \
    char var[4096];                                                         \
    snprintf(var, sizeof(var), "%s", var##_p)

/* ---- real files */

static void test_mc_bench_read_medqa_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "medqa/US_4_options_phrases_no_exclude_test.jsonl");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 1273);
    const mc_bench_file *f = mc_bench_file_at(b, 0);
    assert_int_equal(f->format, MC_FMT_MEDQA);
    assert_int_equal(f->items, 1273);
    assert_int_equal(f->malformed, 0);
    assert_string_equal(f->sha256,
                        "c3b905ccfa66152dc25afbcb2c10e86c0bdb208824f0658fcdb2c040f60a2beb");
    const mc_item *it = item(b, 0);
    assert_true(starts_with(it->question, "A junior orthopaedic surgery resident"));
    assert_int_equal(it->n_options, 4);
    assert_int_equal(it->answer_index, 1);
    assert_string_equal(it->option_labels[1], "B");
    assert_string_equal(it->answer, "Tell the attending that he cannot fail to disclose this mistake");
    assert_null(it->id);
    assert_null(it->passage);
    assert_string_equal(it->split, "test");
    assert_string_equal(it->source, path);
    assert_int_equal(it->line, 1);
    assert_int_equal(item(b, 1272)->index, 1272);
    assert_int_equal(item(b, 1272)->line, 1273);
    mc_bench_destroy(&b);
    assert_null(b);
}

static void test_mc_bench_read_medmcqa_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "medmcqa/dev.json");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 4183);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_MEDMCQA);
    assert_int_equal(mc_bench_file_at(b, 0)->malformed, 0);
    const mc_item *it = item(b, 0);
    assert_string_equal(it->question, "Which of the following is not true for myelinated nerve fibers:");
    assert_int_equal(it->answer_index, 0); /* cop 1 is 1-based */
    assert_string_equal(it->answer,
                        "Impulse through myelinated fibers is slower than non-myelinated fibers");
    assert_string_equal(it->id, "45258d3d-b974-44dd-a161-c3fccbdadd88");
    assert_string_equal(it->subject, "Physiology");
    assert_string_equal(it->split, "dev");
    it = item(b, 4182);
    assert_string_equal(it->id, "0c49a620-48a0-4240-9754-acf9310cd53c");
    assert_string_equal(it->subject, "Pathology");
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_pubmedqa_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "pubmedqa/ori_pqal.json");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 1000);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_PUBMEDQA);
    const mc_item *it = item(b, 0);
    assert_string_equal(it->id, "21645374");
    assert_int_equal(it->line, 2);
    assert_string_equal(it->question, "Do mitochondria play a role in remodelling lace plant "
                                      "leaves during programmed cell death?");
    assert_int_equal(it->n_options, 3);
    assert_string_equal(it->options[2], "maybe");
    assert_int_equal(it->answer_index, 0);
    assert_true(starts_with(it->answer, "Results depicted mitochondrial dynamics in vivo"));
    assert_true(starts_with(it->passage, "Programmed cell death (PCD) is the regulated death"));
    assert_non_null(strchr(it->passage, '\n'));
    assert_null(it->split);
    assert_true(item(b, 999)->line > item(b, 998)->line);
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_headqa_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "headqa/test_HEAD_EN.json");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 2742);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_HEADQA);
    const mc_item *it = item(b, 0);
    assert_string_equal(it->id, "Cuaderno_2016_1_B/1");
    assert_string_equal(it->question, "Form extracellular fibers with high tensile strength:");
    assert_string_equal(it->answer, "Collagen");
    assert_string_equal(it->option_labels[1], "2");
    assert_string_equal(it->subject, "biology");
    assert_string_equal(it->split, "test");
    it = item(b, 2741);
    assert_string_equal(it->id, "Cuaderno_2017_1_Q/235");
    assert_string_equal(it->answer, "Two.");
    assert_string_equal(it->subject, "chemistry");
    /* qids repeat across exams; the composed ids do not. */
    for (size_t i = 1; i < mc_bench_count(b); i++) {
        assert_true(strcmp(item(b, i)->id, item(b, i - 1)->id) != 0);
    }
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_bioasq_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "bioasq/7B1_golden.json");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 100);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_BIOASQ);
    const mc_item *it = item(b, 0);
    assert_string_equal(it->question, "What does the pembrolizumab companion diagnostic test assess?");
    assert_string_equal(it->id, "5be48c39133db5eb7800001d");
    assert_string_equal(it->answer, "Administration of pembrolizumab requires a companion "
                                    "diagnostic test, to assess PD-L1 status of patients.");
    assert_int_equal(it->n_options, 0);
    assert_int_equal(it->answer_index, -1);
    assert_true(starts_with(it->passage, "The initial approval and subsequent studies"));
    assert_int_equal(it->line, 4);
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_mmlu_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "mmlu_hendrycks/test/anatomy_test.csv");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 135);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_MMLU);
    const mc_item *it = item(b, 1);
    assert_string_equal(it->question, "A \"dished face\" profile is often associated with");
    assert_int_equal(it->answer_index, 1);
    assert_string_equal(it->subject, "anatomy");
    assert_string_equal(it->split, "test");
    mc_bench_destroy(&b);

    EXT_OR_SKIP(cm, "mmlu_hendrycks/test/college_medicine_test.csv");
    b = read_one(cm, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 173);
    assert_string_equal(item(b, 2)->question,
                        "Which of the following statements identifies a chemically based "
                        "sensory system?\nI. Gustatory system\nII. Auditory system\n"
                        "III. Olfactory system");
    assert_string_equal(item(b, 2)->subject, "college_medicine");
    mc_bench_destroy(&b);

    /* CRLF records and no final newline (the later MMLU release). */
    EXT_OR_SKIP(pm, "mmlu_mirage/professional_medicine_test.csv");
    b = read_one(pm, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 272);
    assert_int_equal(mc_bench_file_at(b, 0)->malformed, 0);
    assert_null(strchr(item(b, 271)->options[3], '\r'));
    mc_bench_destroy(&b);
}

/* MedAgentsBench's PubMedQA: passage split back out of the question. */
static void test_mc_bench_read_medagents_pubmedqa_split(void **state)
{
    (void)state;
    EXT_OR_SKIP(ma, "medagentsbench/pubmedqa_test.jsonl");
    EXT_OR_SKIP(ori, "pubmedqa/ori_pqal.json");
    mc_bench *b = read_one(ma, MC_FMT_AUTO);
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    assert_int_equal(mc_bench_read(b, ori, &o), 0);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_JSONL);
    assert_int_equal(mc_bench_file_at(b, 0)->items, 500);
    assert_int_equal(mc_bench_count(b), 1500);
    for (size_t i = 0; i < 500; i++) {
        const mc_item *m = item(b, i);
        const mc_item *p = NULL;
        for (size_t j = 500; j < 1500 && !p; j++) {
            p = strcmp(item(b, j)->id, m->id) == 0 ? item(b, j) : NULL;
        }
        assert_non_null(p);
        assert_string_equal(m->question, p->question);
        assert_string_equal(m->passage, p->passage);
        assert_string_equal(m->answer, p->answer);
        assert_int_equal(m->answer_index, p->answer_index);
    }
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_medagents_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "medagentsbench/mmlu_test.jsonl");
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    assert_int_equal(mc_bench_count(b), 1089);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_JSONL);
    assert_int_equal(mc_bench_file_at(b, 0)->malformed, 0);
    assert_string_equal(item(b, 0)->id, "100");
    assert_string_equal(item(b, 0)->subject, "anatomy");
    assert_string_equal(item(b, 0)->answer, "paralysis of the facial muscles.");
    mc_bench_destroy(&b);

    EXT_OR_SKIP(q5, "medagentsbench/medqa_5options_test.jsonl");
    b = read_one(q5, MC_FMT_AUTO);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_MEDQA);
    assert_int_equal(mc_bench_count(b), 1273);
    assert_int_equal(item(b, 0)->n_options, 5);
    mc_bench_destroy(&b);
}

/* ---- JSONL fast path against jansson */

/* Read `path` twice, through jansson and through the fast path, and
 * require the same items, errors and counters. */
static void same_both_paths(const char *path, const mc_bench_opts *opts)
{
    mc_bench *b[2] = {NULL, NULL};
    int rc[2];
    for (int fast = 0; fast < 2; fast++) {
        mc__bench_force_jansson(!fast);
        assert_int_equal(mc_bench_create(&b[fast]), 0);
        rc[fast] = mc_bench_read(b[fast], path, opts);
    }
    mc__bench_force_jansson(0);
    assert_int_equal(rc[0], rc[1]);
    assert_string_equal(mc_bench_errmsg(b[0]), mc_bench_errmsg(b[1]));
    assert_int_equal(mc_bench_count(b[0]), mc_bench_count(b[1]));
    for (size_t i = 0; i < mc_bench_count(b[0]); i++) {
        const mc_item *x = item(b[0], i);
        const mc_item *y = item(b[1], i);
        assert_items_equal(x, y);
        assert_str_or_null(x->error, y->error);
        assert_string_equal(x->source, y->source);
    }
    for (size_t i = 0; i < mc_bench_file_count(b[0]); i++) {
        const mc_bench_file *x = mc_bench_file_at(b[0], i);
        const mc_bench_file *y = mc_bench_file_at(b[1], i);
        assert_int_equal(x->format, y->format);
        assert_int_equal(x->items, y->items);
        assert_int_equal(x->malformed, y->malformed);
    }
    mc_bench_destroy(&b[0]);
    mc_bench_destroy(&b[1]);
}

static void test_mc_bench_read_jsonl_fast_same_real(void **state)
{
    (void)state;
    EXT_OR_SKIP(dir, "medagentsbench");
    const char *fixed[] = {"medqa/US_4_options_phrases_no_exclude_test.jsonl",
                           "medmcqa/dev.json"};
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    for (size_t i = 0; i < 2; i++) {
        EXT_OR_SKIP(path, fixed[i]);
        same_both_paths(path, &o);
    }
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".jsonl") == 0) {
            char path[4600];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            same_both_paths(path, &o);
            n++;
        }
    }
    closedir(d);
    assert_true(n >= 10);
}

/* Lines the fast path must hand to jansson, or read exactly as it does. */
static const char *const tricky_lines[] = {
    "{\"question\": \"q\", \"options\": {\"A\": \"a\", \"B\": \"b\"}, \"answer_idx\": \"B\"}",
    "{\"question\": \"first\", \"question\": \"last\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\", \"A\": \"z\", \"B\": \"b\"}}",
    "{\"question\": \"q\", \"options\": {\"B\": \"b\", \"A\": \"a\"}, \"answer_idx\": \"A\"}",
    "{\"question\": \"q\\u0000tail\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"pair \\ud83d\\ude00\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"lone \\ud83d\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"bad \xff utf8\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"bad\", \"other\": \"\xc0\xaf\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"q\", \"n\": 99999999999999999999999, \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"q\", \"n\": 1e999, \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"q\", \"options\": [\"x\", \"y\"], \"answer\": 1}",
    "{\"question\": \"q\", \"options\": {\"A\": 5, \"B\": null}, \"answer_idx\": \"A\"}",
    "{\"question\": null, \"body\": \"from body\", \"options\": {\"A\": \"a\"}}",
    "{\"question\": 42, \"options\": {\"A\": \"a\"}}",
    "{\"question\": \"q\", \"options\": {}, \"A\": \"top a\", \"B\": \"top b\", \"answer\": \"B\"}",
    "{\"question\": \"q\", \"opa\": \"x\", \"opb\": null, \"opc\": \"z\", \"cop\": 2, \"id\": -0}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\", \"B\": \"b\"}, \"answer\": 1.0}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\"}, \"answer_idx\": true, \"id\": 7}",
    "{\"q\\u0075estion\": \"escaped key\", \"options\": {\"A\": \"a\"}}",
    "{\"meta\": {\"options\": {\"A\": \"nested\"}}, \"question\": \"q\"}",
    "{\"question\": \"q\", \"options\": {\" a \": \"x\", \"b.c\": \"y\"}, \"answer\": \"b.c\"}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\"}} trailing",
    "[\"not\", \"an object\"]",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\"}, \"id\": 12.5, \"split\": 3}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\"}, \"subject\": [\"x\"], \"context\": [\"p\"]}",
    "{\"question\": \"ctx one\\nctx two\\nThe question?\", \"options\": {\"A\": \"yes\", \"B\": "
    "\"no\", \"C\": \"maybe\"}, \"answer_idx\": \"A\", \"answer_rationale\": \"long\"}",
    "{\"question\": \"c\\nQ?\", \"options\": {\"A\": \"yes\", \"B\": \"no\", \"C\": \"maybe\"}, "
    "\"answer_idx\": \"C\", \"answer_rationale\": null, \"LONG_ANSWER\": \"la\"}",
    "{\"question\": \"esc \\\"quoted\\\" \\\\ \\/ \\t \\u00e9\", \"options\": {\"A\": \"a\"}, "
    "\"label\": \"A\", \"realidx\": 123456789012345}",
    "{\"question\": \"q\", \"options\": {\"A\": \"a\"}, \"answer_idx\": \"A\"",
    "{\"question\": \"q\" \"options\": 1}",
    "  {\"question\": \" padded \", \"options\": {\"A\": \" a \"}, \"cop\": 1}  \r",
};

static void test_mc_bench_read_jsonl_fast_same_tricky(void **state)
{
    (void)state;
    char dir[] = "/tmp/mc_fast_XXXXXX";
    char path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/tricky_test.jsonl", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < sizeof(tricky_lines) / sizeof(tricky_lines[0]); i++) {
        fprintf(f, "%s\n", tricky_lines[i]);
    }
    /* More options than an item holds. */
    fputs("{\"question\": \"many\", \"options\": {", f);
    for (int i = 0; i < 40; i++) {
        fprintf(f, "%s\"o%d\": \"v%d\"", i ? ", " : "", i, i);
    }
    fputs("}}\n", f);
    fclose(f);
    const mc_bench_format fmts[] = {MC_FMT_JSONL, MC_FMT_MEDQA, MC_FMT_MEDMCQA};
    for (size_t i = 0; i < 3; i++) {
        mc_bench_opts o = opts_fmt(fmts[i]);
        same_both_paths(path, &o);
    }
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    o.fields.question = "body";
    o.fields.options = "opa|opc";
    o.fields.id = "realidx";
    same_both_paths(path, &o);
    o.fields.question = "meta.options"; /* a dotted path: jansson only */
    same_both_paths(path, &o);
    unlink(path);
    rmdir(dir);
}

/* ---- compression */

static char tmpdir[256];

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static size_t gzip_member(const char *in, size_t n, unsigned char *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    return len;
}

/* .zst with two frames and .gz with two members give the same items. */
static void test_mc_bench_read_compressed_same_items(void **state)
{
    (void)state;
    EXT_OR_SKIP(path, "medqa/US_4_options_phrases_no_exclude_test.jsonl");
    size_t len = 0;
    char *plain = tu_slurp(path, &len);
    assert_non_null(plain);
    size_t half = len / 2;
    size_t cap = ZSTD_compressBound(len) + 1024;
    unsigned char *z = malloc(cap);
    assert_non_null(z);
    char zp[512], gp[512];
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mc_bench_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(zp, sizeof(zp), "%s/medqa_test.jsonl.zst", tmpdir);
    snprintf(gp, sizeof(gp), "%s/medqa_test.jsonl.gz", tmpdir);
    size_t n1 = ZSTD_compress(z, cap, plain, half, 3);
    size_t n2 = ZSTD_compress(z + n1, cap - n1, plain + half, len - half, 3);
    assert_false(ZSTD_isError(n1) || ZSTD_isError(n2));
    write_file(zp, z, n1 + n2);
    n1 = gzip_member(plain, half, z, cap);
    n2 = gzip_member(plain + half, len - half, z + n1, cap - n1);
    write_file(gp, z, n1 + n2);

    mc_bench *b = read_one(path, MC_FMT_AUTO);
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    assert_int_equal(mc_bench_read(b, zp, &o), 0);
    assert_int_equal(mc_bench_read(b, gp, &o), 0);
    assert_int_equal(mc_bench_count(b), 3 * 1273);
    for (size_t i = 0; i < 1273; i++) {
        assert_items_equal(item(b, i), item(b, 1273 + i));
        assert_items_equal(item(b, i), item(b, 2546 + i));
    }
    assert_int_equal(mc_bench_file_at(b, 1)->format, MC_FMT_MEDQA);
    assert_string_not_equal(mc_bench_file_at(b, 0)->sha256, mc_bench_file_at(b, 1)->sha256);
    assert_string_not_equal(mc_bench_file_at(b, 1)->sha256, mc_bench_file_at(b, 2)->sha256);
    assert_string_equal(item(b, 1273)->source, zp);

    /* A truncated zstd file is an error and appends nothing. */
    write_file(zp, z, 10);
    assert_int_equal(mc_bench_read(b, zp, &o), MC_EFORMAT);
    assert_int_equal(mc_bench_count(b), 3 * 1273);
    assert_int_equal(mc_bench_file_count(b), 3);
    mc_bench_destroy(&b);
    unlink(zp);
    unlink(gp);
    rmdir(tmpdir);
    free(z);
    free(plain);
}

static void test_mc__bench_decompress_limit(void **state)
{
    (void)state;
    char in[4096];
    unsigned char z[8192];
    memset(in, 'x', sizeof(in));
    size_t n = ZSTD_compress(z, sizeof(z), in, sizeof(in), 1);
    assert_false(ZSTD_isError(n));
    char *out = NULL;
    size_t out_len = 0;
    char err[256];
    assert_int_equal(mc__bench_decompress(MC__CODEC_ZSTD, z, n, 100, &out, &out_len, err,
                                          sizeof(err)),
                     MC_ELIMIT);
    assert_int_equal(mc__bench_decompress(MC__CODEC_ZSTD, z, n, 4096, &out, &out_len, err,
                                          sizeof(err)),
                     0);
    assert_int_equal(out_len, 4096);
    mc__free(out);
    n = gzip_member(in, sizeof(in), z, sizeof(z));
    assert_int_equal(mc__bench_decompress(MC__CODEC_GZIP, z, n, 1000, &out, &out_len, err,
                                          sizeof(err)),
                     MC_ELIMIT);
    assert_int_equal(mc__bench_decompress(MC__CODEC_GZIP, z, n - 4, 1 << 20, &out, &out_len,
                                          err, sizeof(err)),
                     MC_EFORMAT);
}

/* ---- fixtures */

static void test_mc_bench_read_malformed_lines_counted(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof(path), "%s", tu_src("tests/data/bench/malformed.jsonl"));
    mc_bench *b = read_one(path, MC_FMT_AUTO);
    const mc_bench_file *f = mc_bench_file_at(b, 0);
    assert_int_equal(f->format, MC_FMT_JSONL);
    assert_int_equal(f->items, 6);
    assert_int_equal(f->malformed, 4);
    assert_int_equal(log_count, 4);
    char expect[4200];
    snprintf(expect, sizeof(expect), "%s:2: invalid JSON", path);
    assert_non_null(strstr(log_text, expect));
    const mc_item *it = item(b, 0);
    assert_false(it->malformed);
    assert_string_equal(it->question, "What is first?");
    assert_string_equal(it->options[0], "one");
    assert_string_equal(it->answer, "one");
    assert_string_equal(it->id, "1");
    assert_true(item(b, 1)->malformed);
    assert_int_equal(item(b, 1)->line, 2);
    assert_string_equal(item(b, 1)->question, "");
    assert_int_equal(item(b, 2)->line, 4); /* the blank line 3 is no item */
    assert_int_equal(item(b, 2)->index, 2);
    assert_string_equal(item(b, 2)->error, "missing question");
    assert_true(item(b, 3)->malformed);
    assert_non_null(strstr(item(b, 3)->error, "not among"));
    it = item(b, 4);
    assert_false(it->malformed);
    assert_string_equal(it->answer, "r");
    assert_string_equal(it->option_labels[2], "C");
    assert_string_equal(it->split, "train");
    assert_true(item(b, 5)->malformed);
    assert_string_equal(item(b, 5)->error, "not a JSON object");
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_csv_quotes_newlines(void **state)
{
    (void)state;
    mc_bench *b = read_one(tu_src("tests/data/bench/toy_subject_dev.csv"), MC_FMT_AUTO);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_MMLU);
    assert_int_equal(mc_bench_count(b), 3);
    const mc_item *it = item(b, 0);
    assert_string_equal(it->question, "Line one of a question\nwith an embedded newline?");
    assert_string_equal(it->options[0], "opt \"quoted\" A");
    assert_string_equal(it->options[2], "C, with comma");
    assert_string_equal(it->answer, "C, with comma");
    assert_string_equal(it->subject, "toy_subject");
    assert_string_equal(it->split, "dev");
    assert_int_equal(it->line, 1);
    it = item(b, 1);
    assert_int_equal(it->line, 3);
    assert_string_equal(it->question, "Padded question");
    assert_string_equal(it->options[0], "multi\nline option");
    it = item(b, 2);
    assert_int_equal(it->line, 5);
    assert_string_equal(it->answer, "d");
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_mmlu_broken_rows(void **state)
{
    (void)state;
    mc_bench *b = read_one(tu_src("tests/data/bench/broken_test.csv"), MC_FMT_MMLU);
    assert_int_equal(mc_bench_count(b), 5);
    assert_int_equal(mc_bench_file_at(b, 0)->malformed, 3);
    assert_false(item(b, 0)->malformed);
    assert_true(item(b, 1)->malformed);
    assert_true(item(b, 2)->malformed);
    assert_false(item(b, 3)->malformed);
    assert_string_equal(item(b, 3)->answer, "b");
    assert_true(item(b, 4)->malformed);
    assert_int_equal(item(b, 4)->line, 5);
    assert_string_equal(item(b, 4)->error, "unterminated quoted field");
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_generic_fields(void **state)
{
    (void)state;
    mc_bench *b = NULL;
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    o.fields.options = "option_list";
    o.fields.answer = "gold";
    assert_int_equal(mc_bench_create(&b), 0);
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/generic.csv"), &o), 0);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_CSV);
    assert_int_equal(mc_bench_count(b), 2);
    assert_string_equal(item(b, 0)->id, "q1");
    assert_string_equal(item(b, 0)->answer, "blue");
    assert_string_equal(item(b, 0)->split, "val");
    assert_string_equal(item(b, 1)->answer, "eight");
    assert_null(item(b, 1)->split);

    o.fields = (mc_bench_fields){"item.stem", "item.choices", "item.gold", "ctx", "meta.uid",
                                 "meta.part"};
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/nested.jsonl"), &o), 0);
    const mc_item *it = item(b, 2);
    assert_string_equal(it->question, "Nested stem?");
    assert_string_equal(it->option_labels[1], "Y");
    assert_string_equal(it->answer, "why");
    assert_string_equal(it->passage, "p1\np2");
    assert_string_equal(it->id, "n-1");
    assert_string_equal(it->split, "validation");
    mc_bench_destroy(&b);
}

static void test_mc_bench_read_errors(void **state)
{
    (void)state;
    mc_bench *b = NULL;
    mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
    assert_int_equal(mc_bench_create(&b), 0);
    assert_int_equal(mc_bench_read(b, "/nonexistent/x.jsonl", &o), MC_ENOENT);
    assert_non_null(strstr(mc_bench_errmsg(b), "/nonexistent/x.jsonl"));
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/empty.jsonl"), &o), MC_EFORMAT);
    o.format = MC_FMT_JSONL;
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/empty.jsonl"), &o), 0);
    o.format = MC_FMT_PUBMEDQA;
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/malformed.jsonl"), &o),
                     MC_EFORMAT);
    o.format = MC_FMT_MEDQA;
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/generic.csv"), &o), MC_EFORMAT);
    assert_int_equal(mc_bench_count(b), 0);
    assert_int_equal(mc_bench_file_count(b), 1);
    o.format = (mc_bench_format)99;
    assert_int_equal(mc_bench_read(b, tu_src("tests/data/bench/empty.jsonl"), &o), MC_EINVAL);
    assert_int_equal(mc_bench_read(NULL, "x", &o), MC_EINVAL);
    assert_int_equal(mc_bench_create(NULL), MC_EINVAL);
    mc_bench_destroy(&b);
    mc_bench_destroy(&b);
    mc_bench_destroy(NULL);
}

static void test_mc_bench_read_bom_medqa(void **state)
{
    (void)state;
    mc_bench *b = read_one(tu_src("tests/data/bench/bom_medqa.jsonl"), MC_FMT_AUTO);
    assert_int_equal(mc_bench_file_at(b, 0)->format, MC_FMT_MEDQA);
    assert_string_equal(item(b, 0)->question, "BOM first?");
    assert_int_equal(item(b, 0)->answer_index, 0);
    mc_bench_destroy(&b);
}

static void test_mc__bench_name_split_tokens(void **state)
{
    (void)state;
    assert_string_equal(mc__bench_name_split("a/b/anatomy_test.csv"), "test");
    assert_string_equal(mc__bench_name_split("dev.json"), "dev");
    assert_string_equal(mc__bench_name_split("x/test_HEAD_EN.json"), "test");
    assert_string_equal(mc__bench_name_split("my-validation set.jsonl"), "validation");
    assert_string_equal(mc__bench_name_split("train/VAL.csv.zst"), "val");
    assert_null(mc__bench_name_split("test/ori_pqal.json"));
    assert_null(mc__bench_name_split("contest.jsonl"));
    assert_null(mc__bench_name_split("7B1_golden.json"));
}

static void test_mc_bench_format_parse_roundtrip(void **state)
{
    (void)state;
    for (int f = MC_FMT_AUTO; f <= MC_FMT_CSV; f++) {
        assert_int_equal(mc_bench_format_parse(mc_bench_format_name((mc_bench_format)f)), f);
    }
    assert_int_equal(mc_bench_format_parse("medqa"), MC_FMT_MEDQA);
    assert_int_equal(mc_bench_format_parse("nope"), -1);
    assert_int_equal(mc_bench_format_parse(NULL), -1);
}

/* Every allocation failure gives MC_ENOMEM and leaves no leak. */
static void test_mc_bench_read_alloc_failure(void **state)
{
    (void)state;
    const char *files[] = {"malformed.jsonl", "toy_subject_dev.csv", "generic.csv"};
    for (size_t f = 0; f < 3; f++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", tu_src("tests/data/bench"), files[f]);
        for (unsigned long n = 1;; n++) {
            mc_bench *b = NULL;
            mc_bench_opts o = opts_fmt(MC_FMT_AUTO);
            mc__alloc_fail_after(n);
            int rc = mc_bench_create(&b);
            if (rc == 0) {
                rc = mc_bench_read(b, path, &o);
            }
            mc__alloc_fail_after(0);
            mc_bench_destroy(&b);
            if (rc == 0) {
                break;
            }
            assert_int_equal(rc, MC_ENOMEM);
            assert_true(n < 10000);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_bench_read_medqa_real),
        cmocka_unit_test(test_mc_bench_read_medmcqa_real),
        cmocka_unit_test(test_mc_bench_read_pubmedqa_real),
        cmocka_unit_test(test_mc_bench_read_headqa_real),
        cmocka_unit_test(test_mc_bench_read_bioasq_real),
        cmocka_unit_test(test_mc_bench_read_mmlu_real),
        cmocka_unit_test(test_mc_bench_read_medagents_pubmedqa_split),
        cmocka_unit_test(test_mc_bench_read_medagents_real),
        cmocka_unit_test(test_mc_bench_read_jsonl_fast_same_real),
        cmocka_unit_test(test_mc_bench_read_jsonl_fast_same_tricky),
        cmocka_unit_test(test_mc_bench_read_compressed_same_items),
        cmocka_unit_test(test_mc__bench_decompress_limit),
        cmocka_unit_test(test_mc_bench_read_malformed_lines_counted),
        cmocka_unit_test(test_mc_bench_read_csv_quotes_newlines),
        cmocka_unit_test(test_mc_bench_read_mmlu_broken_rows),
        cmocka_unit_test(test_mc_bench_read_generic_fields),
        cmocka_unit_test(test_mc_bench_read_errors),
        cmocka_unit_test(test_mc_bench_read_bom_medqa),
        cmocka_unit_test(test_mc__bench_name_split_tokens),
        cmocka_unit_test(test_mc_bench_format_parse_roundtrip),
        cmocka_unit_test(test_mc_bench_read_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
