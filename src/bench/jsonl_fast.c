/* SPDX-License-Identifier: MIT */
/* Fast path of the JSONL readers: the key index (jsonl_scan.c) says where
 * each part of the item is, io/json_field validates the line and decodes
 * just those values, and the item is built exactly as read_jsonl.c builds
 * it from a jansson tree. Whatever that mapping does not cover for certain
 * (a non-string question, array options, a duplicate key, a real number
 * ...) is turned away, and the caller reads the line with jansson. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/common.h>

#include "bench/jsonl.h"
#include "util/alloc.h"

/* Decoded values are at most 3x the line (U+FFFD repairs); room to spare. */
#define OUT_MAX (4 * MC__BENCH_JSONL_FAST_MAX_LINE)
/* Parts of a "k1|k2" list this long are ignored, as read_jsonl.c does. */
#define MAX_PART 128
#define NONE (-1)
/* Internal: "read this line with jansson". */
#define LEAVE MC_EUNSUPPORTED

/* Where each part of the item is: a query index, or NONE. */
typedef struct plan {
    int question, answer, passage, id, split, subject, rationale, long_answer;
    int answer_base;
    uint32_t n_opt;
    int opt[MC__BENCH_MAX_OPTIONS];
    size_t label[MC__BENCH_MAX_OPTIONS]; /* offset in f->labels */
} plan;

static int key_usable(const char *k, size_t n)
{
    return n > 0 && !memchr(k, '.', n);
}

int mc__bench_jsonl_fast_usable(const mc__bench_jsonl_spec *sp)
{
    const char *const *lists[] = {sp->question, sp->options, sp->answer, sp->passage,
                                  sp->id,       sp->split,   sp->subject};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        for (const char *const *k = lists[i]; *k; k++) {
            if (lists[i] != sp->options || !strchr(*k, '|')) {
                if (!key_usable(*k, strlen(*k))) {
                    return 0;
                }
                continue;
            }
            for (const char *p = *k; *p;) {
                size_t n = strcspn(p, "|");
                if (n < MAX_PART && !key_usable(p, n)) {
                    return 0;
                }
                p += n + (p[n] == '|');
            }
        }
    }
    return 1;
}

mc__bench_jsonl_fast *mc__bench_jsonl_fast_create(void)
{
    mc__bench_jsonl_fast *f = mc__calloc(1, sizeof(*f));
    if (!f) {
        return NULL;
    }
    for (size_t i = 0; i < MC__BENCH_JSONL_MAX_Q; i++) {
        mc__buf_init(&f->out[i], OUT_MAX);
    }
    mc__buf_init(&f->labels, OUT_MAX);
    return f;
}

void mc__bench_jsonl_fast_destroy(mc__bench_jsonl_fast **f)
{
    if (!f || !*f) {
        return;
    }
    for (size_t i = 0; i < MC__BENCH_JSONL_MAX_Q; i++) {
        mc__buf_finish(&(*f)->out[i]);
    }
    mc__buf_finish(&(*f)->labels);
    mc__free(*f);
    *f = NULL;
}

/* The top-level key name[0..n), or NULL. A duplicate is LEAVE: jansson
 * keeps the last value, json_field the first. */
static int lookup(const mc__bench_jsonl_fast *f, const char *name, size_t n,
                  const mc__bench_jsonl_key **out)
{
    *out = NULL;
    for (uint32_t i = 0; i < f->ix.n_top; i++) {
        const mc__bench_jsonl_key *k = &f->ix.top[i];
        if (k->len == n && memcmp(k->name, name, n) == 0) {
            if (*out) {
                return LEAVE;
            }
            *out = k;
        }
    }
    return 0;
}

/* read_jsonl.c's find(): the first candidate present and not null. */
static int find(const mc__bench_jsonl_fast *f, const char *const *keys,
                const mc__bench_jsonl_key **out, const char **which)
{
    for (; *keys; keys++) {
        int rc = lookup(f, *keys, strlen(*keys), out);
        if (rc < 0 || (*out && (*out)->type != 'n')) {
            *which = *keys;
            return rc;
        }
    }
    *out = NULL;
    return 0;
}

/* Query the value at top[.kid]; returns its index, or LEAVE. */
static int add_query(mc__bench_jsonl_fast *f, const mc__bench_jsonl_key *top,
                     const mc__bench_jsonl_key *kid)
{
    if (f->nq == MC__BENCH_JSONL_MAX_Q) {
        return LEAVE;
    }
    mc__json_path *p = &f->path[f->nq];
    p->seg[0] = top->name;
    p->seg_len[0] = top->len;
    p->nseg = 1;
    if (kid) {
        p->seg[1] = kid->name;
        p->seg_len[1] = kid->len;
        p->nseg = 2;
    }
    f->q[f->nq].path = p;
    f->q[f->nq].out = &f->out[f->nq];
    f->want[f->nq] = (kid ? kid : top)->type;
    return (int)f->nq++;
}

/* A part read with find(): a string, or a number where `num` allows. */
static int plan_part(mc__bench_jsonl_fast *f, const char *const *keys, int num, int *idx,
                     const char **which)
{
    const mc__bench_jsonl_key *k;
    const char *w = NULL;
    int rc = find(f, keys, &k, &w);
    *idx = NONE;
    if (which) {
        *which = w;
    }
    if (rc < 0 || !k) {
        return rc;
    }
    if (k->type != '"' && !(num && k->type == '0')) {
        return LEAVE; /* read_jsonl.c has rules for these; let it apply them */
    }
    *idx = add_query(f, k, NULL);
    return *idx < 0 ? *idx : 0;
}

/* An option with the label kid (NULL: the default letter). */
static int add_option(mc__bench_jsonl_fast *f, plan *pl, const mc__bench_jsonl_key *top,
                      const mc__bench_jsonl_key *kid)
{
    if (pl->n_opt == MC__BENCH_MAX_OPTIONS || (kid ? kid : top)->type != '"') {
        return LEAVE; /* "too many options" / "an option is not a string" */
    }
    int q = add_query(f, top, kid);
    if (q < 0) {
        return q;
    }
    pl->label[pl->n_opt] = SIZE_MAX;
    if (kid) {
        pl->label[pl->n_opt] = f->labels.len;
        int rc = mc__buf_append(&f->labels, kid->name, kid->len);
        rc = rc < 0 ? rc : mc__buf_putc(&f->labels, '\0');
        if (rc < 0) {
            return rc;
        }
    }
    pl->opt[pl->n_opt++] = q;
    return 0;
}

/* Options from an object value {label: text}; arrays go to jansson. */
static int object_options(mc__bench_jsonl_fast *f, plan *pl, const mc__bench_jsonl_key *v)
{
    if (v->type == '[' || v->kids_lost) {
        return LEAVE;
    }
    if (v->type != '{') {
        return 0;
    }
    const mc__bench_jsonl_key *kids = &f->ix.kids[v->kid0];
    for (uint32_t i = 0; i < v->nkid; i++) {
        if (kids[i].escaped || kids[i].len == 0) {
            return LEAVE;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (kids[j].len == kids[i].len &&
                memcmp(kids[j].name, kids[i].name, kids[i].len) == 0) {
                return LEAVE; /* jansson keeps the first position, last value */
            }
        }
        int rc = add_option(f, pl, v, &kids[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* read_jsonl.c's get_options(). */
static int plan_options(mc__bench_jsonl_fast *f, const mc__bench_jsonl_spec *sp, plan *pl)
{
    int rc = 0;
    for (const char *const *k = sp->options; *k && !pl->n_opt && rc == 0; k++) {
        const mc__bench_jsonl_key *v;
        if (!strchr(*k, '|')) {
            rc = lookup(f, *k, strlen(*k), &v);
            rc = rc < 0 || !v ? rc : object_options(f, pl, v);
            continue;
        }
        for (const char *p = *k; *p && rc == 0;) {
            size_t n = strcspn(p, "|");
            if (n < MAX_PART) {
                rc = lookup(f, p, n, &v);
                rc = rc < 0 || !v || v->type == 'n' ? rc : add_option(f, pl, v, NULL);
            }
            p += n + (p[n] == '|');
        }
    }
    return rc;
}

/* A key read with json_string_value(json_object_get()): non-strings are
 * NULL. */
static int plan_string(mc__bench_jsonl_fast *f, const char *key, int *idx)
{
    const mc__bench_jsonl_key *k;
    int rc = lookup(f, key, strlen(key), &k);
    *idx = NONE;
    if (rc == 0 && k && k->type == '"') {
        *idx = add_query(f, k, NULL);
        rc = *idx < 0 ? *idx : 0;
    }
    return rc;
}

static int plan_item(mc__bench_jsonl_fast *f, const mc__bench_jsonl_spec *sp, plan *pl)
{
    const char *which = NULL;
    memset(pl, 0, sizeof(*pl));
    pl->rationale = pl->long_answer = NONE;
    f->nq = 0;
    mc__buf_reset(&f->labels);
    if (f->ix.top_escaped) {
        return LEAVE; /* a key may be spelled with escapes */
    }
    int rc = plan_part(f, sp->question, 0, &pl->question, NULL);
    rc = rc < 0 ? rc : plan_options(f, sp, pl);
    rc = rc < 0 ? rc : plan_part(f, sp->answer, 1, &pl->answer, &which);
    pl->answer_base = which && strcmp(which, "cop") == 0;
    rc = rc < 0 ? rc : plan_part(f, sp->passage, 0, &pl->passage, NULL);
    rc = rc < 0 ? rc : plan_part(f, sp->id, 1, &pl->id, NULL);
    rc = rc < 0 ? rc : plan_part(f, sp->split, 0, &pl->split, NULL);
    rc = rc < 0 ? rc : plan_part(f, sp->subject, 0, &pl->subject, NULL);
    if (rc == 0 && sp->pubmedqa_split) {
        rc = plan_string(f, "answer_rationale", &pl->rationale);
        rc = rc < 0 ? rc : plan_string(f, "LONG_ANSWER", &pl->long_answer);
    }
    return rc;
}

/* Validate the line and decode every query, MC__JSON_MAX_QUERIES a pass. */
static int extract(mc__bench_jsonl_fast *f, const char *line, size_t len)
{
    size_t i = 0;
    do {
        size_t n = f->nq - i < MC__JSON_MAX_QUERIES ? f->nq - i : MC__JSON_MAX_QUERIES;
        mc__json_error err;
        int rc = mc__json_extract(line, len, f->q + i, n, &err);
        if (rc < 0) {
            return rc == MC_EFORMAT ? LEAVE : rc; /* jansson words the error */
        }
        i += n;
    } while (i < f->nq);
    for (i = 0; i < f->nq; i++) {
        mc__json_kind want = f->want[i] == '"' ? MC__JSON_STRING : MC__JSON_NUMBER;
        if (f->q[i].kind != want) {
            return LEAVE; /* the index misread the line: trust neither */
        }
    }
    return 0;
}

/* An integer as jansson reads it (strtoll); LEAVE for reals. */
static int integer(const mc_buf *b, long long *v)
{
    const char *s = b->data;
    size_t digits = strspn(s + (s[0] == '-'), "0123456789");
    if (digits == 0 || digits > 18 || s[(s[0] == '-') + digits] != '\0') {
        return LEAVE;
    }
    *v = strtoll(s, NULL, 10);
    return 0;
}

static const char *text(const mc__bench_jsonl_fast *f, int idx)
{
    return idx == NONE ? NULL : f->out[idx].data;
}

/* The raw item from the decoded values, as read_jsonl.c's get_item(). */
static int fill_raw(mc__bench_jsonl_fast *f, const plan *pl, mc__bench_raw *raw)
{
    long long v;
    raw->question = text(f, pl->question);
    raw->n_options = pl->n_opt;
    for (uint32_t i = 0; i < pl->n_opt; i++) {
        raw->options[i] = text(f, pl->opt[i]);
        raw->labels[i] = pl->label[i] == SIZE_MAX ? NULL : f->labels.data + pl->label[i];
    }
    if (pl->answer != NONE && f->want[pl->answer] == '0') {
        if (integer(&f->out[pl->answer], &raw->answer_num) < 0) {
            return LEAVE; /* a real: jansson's text of it is "%.17g" */
        }
        raw->has_answer_num = 1;
    } else {
        raw->answer_str = text(f, pl->answer);
    }
    raw->answer_base = pl->answer_base;
    raw->passage = text(f, pl->passage);
    raw->id = text(f, pl->id);
    if (pl->id != NONE && f->want[pl->id] == '0') {
        if (integer(&f->out[pl->id], &v) < 0) {
            return LEAVE;
        }
        snprintf(f->num, sizeof(f->num), "%lld", v);
        raw->id = f->num;
    }
    raw->split = text(f, pl->split);
    raw->subject = text(f, pl->subject);
    return 0;
}

int mc__bench_jsonl_fast_read(mc__bench_ctx *ctx, mc__bench_jsonl_fast *f, const char *line,
                              size_t len, uint32_t lineno, const mc__bench_jsonl_spec *sp)
{
    plan pl;
    mc__bench_raw raw;
    if (len > MC__BENCH_JSONL_FAST_MAX_LINE) {
        return 0;
    }
    int rc = mc__bench_jsonl_scan(&f->ix, line, len);
    rc = rc < 0 ? rc : plan_item(f, sp, &pl);
    rc = rc < 0 ? rc : extract(f, line, len);
    memset(&raw, 0, sizeof(raw));
    raw.line = lineno;
    rc = rc < 0 ? rc : fill_raw(f, &pl, &raw);
    if (rc == LEAVE) {
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    if (sp->pubmedqa_split) {
        mc__bench_jsonl_split_pubmedqa(ctx, &raw, text(f, pl.rationale), text(f, pl.long_answer));
    }
    rc = mc__bench_emit(ctx, &raw);
    return rc < 0 ? rc : 1;
}
