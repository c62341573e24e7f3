/* SPDX-License-Identifier: MIT */
/* CSV readers: MMLU (headerless: question, A, B, C, D, answer letter;
 * subject from the file name) and generic CSV with a header row. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "bench/bench_int.h"
#include "bench/csv.h"

static int valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {
            return 0;
        }
        p += n;
        left -= n;
    }
    return 1;
}

static int record_utf8(const mc__csv *c)
{
    for (size_t i = 0; i < c->n_fields; i++) {
        if (!valid_utf8(mc__csv_field(c, i))) {
            return 0;
        }
    }
    return 1;
}

/* Shared loop: calls `row` for every record after `skip` header rows. */
typedef int (*row_fn)(mc__bench_ctx *ctx, const mc__csv *c, uint32_t line, void *arg);

static int each_row(mc__bench_ctx *ctx, mc__csv *c, row_fn row, void *arg)
{
    for (;;) {
        uint32_t line = 0;
        const char *bad = NULL;
        int rc = mc__csv_next(c, &line, &bad);
        if (rc <= 0) {
            return rc;
        }
        if (bad) {
            rc = mc__bench_emit_bad(ctx, line, "%s", bad);
        } else if (!record_utf8(c)) {
            rc = mc__bench_emit_bad(ctx, line, "invalid UTF-8");
        } else {
            rc = row(ctx, c, line, arg);
        }
        if (rc < 0) {
            return rc;
        }
    }
}

/* ---- MMLU */

static int mmlu_row(mc__bench_ctx *ctx, const mc__csv *c, uint32_t line, void *arg)
{
    if (c->n_fields != 6) {
        return mc__bench_emit_bad(ctx, line, "expected 6 columns, found %zu", c->n_fields);
    }
    mc__bench_raw raw;
    memset(&raw, 0, sizeof(raw));
    raw.line = line;
    raw.question = mc__csv_field(c, 0);
    raw.n_options = 4;
    for (int i = 0; i < 4; i++) {
        raw.options[i] = mc__csv_field(c, (size_t)i + 1);
    }
    raw.answer_str = mc__csv_field(c, 5);
    raw.subject = arg;
    /* The answer column holds a letter; digits would be read as an index. */
    if (strspn(raw.answer_str, "0123456789") && raw.answer_str[0]) {
        raw.error = "answer is not a letter";
    }
    return mc__bench_emit(ctx, &raw);
}

static int read_mmlu(mc__bench_ctx *ctx)
{
    mc__csv c;
    const char *subject = mc__bench_name_stem(ctx);
    if (!subject) {
        return MC_ENOMEM;
    }
    mc__csv_init(&c, ctx->data, ctx->len);
    int rc = each_row(ctx, &c, mmlu_row, (void *)subject);
    mc__csv_finish(&c);
    return rc;
}

static int probe_mmlu(const mc__bench_probe *p)
{
    return p->csv_first_mmlu && 2 * p->csv_mmlu > p->csv_rows ? 80 : 0;
}

const mc__bench_reader mc__bench_reader_mmlu = {
    MC_FMT_MMLU, "mmlu", probe_mmlu, read_mmlu,
};

/* ---- Generic CSV with a header row */

#define MAX_COLS 256

typedef struct cols {
    char *names[MAX_COLS]; /* header names (arena) */
    size_t n;
    const char *const *options; /* candidate option keys */
    int question, answer, passage, id, split, subject;
    int answer_base;
} cols;

static int col_find(const cols *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->names[i], name) == 0) {
            return (int)i;
        }
    }
    for (size_t i = 0; i < h->n; i++) {
        if (strcasecmp(h->names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* First candidate present in the header; `user` replaces the guesses. */
static int col_pick(const cols *h, const char *user, const char *const *guess)
{
    if (user) {
        return col_find(h, user);
    }
    for (; *guess; guess++) {
        int i = col_find(h, *guess);
        if (i >= 0) {
            return i;
        }
    }
    return -1;
}


static int header(mc__bench_ctx *ctx, const mc__csv *c, cols *h)
{
    const mc_bench_fields *f = &ctx->opts->fields;
    if (c->n_fields > MAX_COLS) {
        return mc__bench_fail(ctx, MC_EFORMAT, "%s: more than %d columns", ctx->path, MAX_COLS);
    }
    h->n = c->n_fields;
    for (size_t i = 0; i < h->n; i++) {
        h->names[i] = mc__bench_arena_strdup(&ctx->b->arena, mc__csv_field(c, i));
        if (!h->names[i]) {
            return MC_ENOMEM;
        }
    }
    h->question = col_pick(h, f->question, mc__bench_guess_question);
    h->answer = col_pick(h, f->answer, mc__bench_guess_answer);
    h->passage = col_pick(h, f->passage, mc__bench_guess_passage);
    h->id = col_pick(h, f->id, mc__bench_guess_id);
    h->split = col_pick(h, f->split, mc__bench_guess_split);
    h->subject = col_pick(h, NULL, mc__bench_guess_subject);
    h->answer_base = h->answer >= 0 && strcmp(h->names[h->answer], "cop") == 0;
    return 0;
}

/* Options from "k1|k2|..." columns, or one column holding a JSON array or
 * object (*json is then set and must be released after the emit). */
static void csv_options(const cols *h, const mc__csv *c, const char *key, mc__bench_raw *raw,
                        json_t **json)
{
    char part[128];
    for (const char *p = key; *p && raw->n_options < MC__BENCH_MAX_OPTIONS;) {
        size_t n = strcspn(p, "|");
        int i = -1;
        if (n < sizeof(part)) {
            memcpy(part, p, n);
            part[n] = '\0';
            i = col_find(h, part);
        }
        if (i >= 0 && i < (int)c->n_fields && strchr(key, '|')) {
            raw->options[raw->n_options++] = mc__csv_field(c, (size_t)i);
        } else if (i >= 0 && i < (int)c->n_fields) {
            *json = json_loads(mc__csv_field(c, (size_t)i), JSON_DECODE_ANY, NULL);
        }
        p += n + (p[n] == '|');
    }
    const char *label;
    size_t idx;
    json_t *el;
    if (json_is_object(*json)) {
        json_object_foreach(*json, label, el) {
            if (raw->n_options < MC__BENCH_MAX_OPTIONS && json_is_string(el)) {
                raw->labels[raw->n_options] = label;
                raw->options[raw->n_options++] = json_string_value(el);
            }
        }
    } else if (json_is_array(*json)) {
        json_array_foreach(*json, idx, el) {
            if (raw->n_options < MC__BENCH_MAX_OPTIONS && json_is_string(el)) {
                raw->options[raw->n_options++] = json_string_value(el);
            }
        }
    }
}

static const char *cell(const mc__csv *c, int i)
{
    return i >= 0 && (size_t)i < c->n_fields ? mc__csv_field(c, (size_t)i) : NULL;
}

/* An empty cell of an optional column means "absent". */
static const char *cell_opt(const mc__csv *c, int i)
{
    const char *s = cell(c, i);
    return s && s[0] ? s : NULL;
}

static int csv_row(mc__bench_ctx *ctx, const mc__csv *c, uint32_t line, void *arg)
{
    const cols *h = arg;
    const char *user_opts[] = {ctx->opts->fields.options, NULL};
    const char *const *keys = ctx->opts->fields.options ? user_opts : mc__bench_guess_options;
    mc__bench_raw raw;
    json_t *json = NULL;
    memset(&raw, 0, sizeof(raw));
    raw.line = line;
    raw.question = cell(c, h->question);
    for (; *keys && !raw.n_options; keys++) {
        json_decref(json);
        json = NULL;
        csv_options(h, c, *keys, &raw, &json);
    }
    raw.answer_str = cell_opt(c, h->answer);
    raw.answer_base = h->answer_base;
    raw.passage = cell_opt(c, h->passage);
    raw.id = cell_opt(c, h->id);
    raw.split = cell_opt(c, h->split);
    raw.subject = cell_opt(c, h->subject);
    if (c->n_fields != h->n) {
        raw.error = "row length differs from the header";
    }
    int rc = mc__bench_emit(ctx, &raw);
    json_decref(json);
    return rc;
}

static int read_csv(mc__bench_ctx *ctx)
{
    mc__csv c;
    cols h;
    uint32_t line = 0;
    const char *bad = NULL;
    memset(&h, 0, sizeof(h));
    mc__csv_init(&c, ctx->data, ctx->len);
    int rc = mc__csv_next(&c, &line, &bad);
    if (rc <= 0) {
        goto fail;
    }
    rc = bad ? mc__bench_fail(ctx, MC_EFORMAT, "%s:%u: %s", ctx->path, line, bad)
             : header(ctx, &c, &h);
    if (rc < 0) {
        goto fail;
    }
    rc = each_row(ctx, &c, csv_row, &h);
fail:
    mc__csv_finish(&c);
    return rc;
}

static int probe_csv(const mc__bench_probe *p)
{
    return p->csv_multi ? 10 : 0;
}

const mc__bench_reader mc__bench_reader_csv = {
    MC_FMT_CSV, "csv", probe_csv, read_csv,
};
