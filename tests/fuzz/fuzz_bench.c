/* SPDX-License-Identifier: MIT */
/* Fuzz target: the benchmark readers on an input written to a temporary
 * file. The first input byte picks an explicit format (byte % 9; 0: none)
 * and the rest is the file. The file is read with format auto and then in
 * the picked format into one set; every item is walked (every string and
 * option touched and checked to be UTF-8) and the set destroyed. The same
 * reads are done twice, through the JSONL fast path and through jansson
 * only, and both sets must hold the same items (the fast path's promise,
 * bench/jsonl.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <medcheck/bench.h>

#include "fuzz_tmp.h"
#include "bench/bench_int.h"
#include "io/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_FORMATS 9 /* MC_FMT_AUTO .. MC_FMT_CSV */

static void check_str(const char *s)
{
    if (s && mc__utf8_valid_prefix(s, strlen(s)) != strlen(s)) {
        abort();
    }
}

static void check_item(const mc_item *it, size_t i, const mc_bench_file *f)
{
    if (!it || !it->source || !it->question || it->n_options > MC__BENCH_MAX_OPTIONS ||
        (it->n_options && (!it->options || !it->option_labels)) || it->answer_index < -1 ||
        it->answer_index >= (int32_t)it->n_options || !it->malformed != !it->error ||
        it->index != i || it->index >= f->items) {
        abort();
    }
    check_str(it->source);
    check_str(it->id);
    check_str(it->split);
    check_str(it->question);
    check_str(it->answer);
    check_str(it->passage);
    check_str(it->subject);
    check_str(it->error);
    for (uint32_t k = 0; k < it->n_options; k++) {
        if (!it->options[k] || !it->option_labels[k]) {
            abort();
        }
        check_str(it->options[k]);
        check_str(it->option_labels[k]);
    }
}

/* Walk the set: items in file order, each file's counters. */
static void walk(const mc_bench *b)
{
    size_t n = mc_bench_count(b);
    size_t at = 0;
    for (size_t fi = 0; fi < mc_bench_file_count(b); fi++) {
        const mc_bench_file *f = mc_bench_file_at(b, fi);
        uint32_t bad = 0;
        if (!f || strlen(f->sha256) != 64 || f->malformed > f->items || n - at < f->items) {
            abort();
        }
        for (size_t i = 0; i < f->items; i++) {
            const mc_item *it = mc_bench_item(b, at + i);
            check_item(it, i, f);
            bad += it->malformed ? 1 : 0;
        }
        if (bad != f->malformed) {
            abort();
        }
        at += f->items;
    }
    if (at != n || mc_bench_item(b, n) != NULL) {
        abort();
    }
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void same_sets(const mc_bench *x, const mc_bench *y)
{
    if (mc_bench_count(x) != mc_bench_count(y) ||
        mc_bench_file_count(x) != mc_bench_file_count(y) ||
        strcmp(mc_bench_errmsg(x), mc_bench_errmsg(y)) != 0) {
        abort();
    }
    for (size_t i = 0; i < mc_bench_count(x); i++) {
        const mc_item *a = mc_bench_item(x, i);
        const mc_item *b = mc_bench_item(y, i);
        if (a->index != b->index || a->line != b->line || !str_eq(a->id, b->id) ||
            !str_eq(a->split, b->split) || !str_eq(a->question, b->question) ||
            a->n_options != b->n_options || a->answer_index != b->answer_index ||
            !str_eq(a->answer, b->answer) || !str_eq(a->passage, b->passage) ||
            !str_eq(a->subject, b->subject) || a->malformed != b->malformed ||
            !str_eq(a->error, b->error)) {
            abort();
        }
        for (uint32_t k = 0; k < a->n_options; k++) {
            if (!str_eq(a->options[k], b->options[k]) ||
                !str_eq(a->option_labels[k], b->option_labels[k])) {
                abort();
            }
        }
    }
    for (size_t i = 0; i < mc_bench_file_count(x); i++) {
        const mc_bench_file *a = mc_bench_file_at(x, i);
        const mc_bench_file *b = mc_bench_file_at(y, i);
        if (a->format != b->format || a->items != b->items || a->malformed != b->malformed ||
            strcmp(a->sha256, b->sha256) != 0) {
            abort();
        }
    }
}

/* Read the file in auto and then in `fmt` (unless 0) into a new set. */
static mc_bench *read_set(const char *path, int fmt, int jansson_only)
{
    mc_bench *b = NULL;
    mc_bench_opts o;
    if (mc_bench_create(&b) != 0) {
        return NULL;
    }
    mc__bench_force_jansson(jansson_only);
    mc_bench_opts_default(&o);
    for (int pass = 0; pass < 2; pass++) {
        size_t n0 = mc_bench_count(b);
        o.format = pass ? (mc_bench_format)fmt : MC_FMT_AUTO;
        if (pass && fmt == MC_FMT_AUTO) {
            break;
        }
        int rc = mc_bench_read(b, path, &o);
        /* a failed read names the file and leaves the set as it was */
        if (rc < 0 && (mc_bench_errmsg(b)[0] == '\0' || mc_bench_count(b) != n0)) {
            abort();
        }
        if (rc > 0) {
            abort();
        }
    }
    mc__bench_force_jansson(0);
    walk(b);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char tmp[] = "/tmp/mc_fuzz_bench_XXXXXX";
    char path[sizeof(tmp) + 16];
    int fmt = size ? data[0] % N_FORMATS : 0;
    if (size) {
        data++;
        size--;
    }
    if (fz_write_tmp(tmp, data, size) != 0) {
        return 0;
    }
    /* "_dev.jsonl": the file name gives a split and an MMLU subject */
    snprintf(path, sizeof(path), "%s_dev.jsonl", tmp);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return 0;
    }
    mc_bench *fast = read_set(path, fmt, 0);
    mc_bench *slow = read_set(path, fmt, 1);
    if (fast && slow) {
        same_sets(fast, slow);
    }
    mc_bench_destroy(&fast);
    mc_bench_destroy(&slow);
    unlink(path);
    return 0;
}
