/* SPDX-License-Identifier: MIT */
/* Joining result rows with the scan's items: by key, else source and
 * index, else the file's own id, else the normalised question text (with
 * the options to tell equal questions apart); and scoring a prediction
 * against the item's answer. A row that joins nothing is counted and kept
 * as an example, never dropped. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <medcheck/normalize.h>

#include "eval/eval_int.h"
#include "fp/hash.h"
#include "io/utf8.h"
#include "util/buf.h"
#include "util/alloc.h"
#include "util/log.h"

static uint64_t hash_str(const char *s)
{
    return XXH3_64bits_withSeed(s, strlen(s), 0);
}

static int cmp_hent(const void *a, const void *b)
{
    const mc__eval_hent *x = a;
    const mc__eval_hent *y = b;
    if (x->h != y->h) {
        return x->h < y->h ? -1 : 1;
    }
    return (x->item > y->item) - (x->item < y->item);
}

/* First entry with hash h, or n. */
static size_t hfind(const mc__eval_hent *v, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].h < h) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && v[lo].h == h ? lo : n;
}

static char *norm(const char *s)
{
    char *out = NULL;
    return s && mc_normalize(MC_NORM_MEDCHECK, s, strlen(s), &out) == 0 ? out : NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Normalised options, sorted and joined by U+001F: equal for the same set
 * of options in any order. NULL when there are none. */
static char *options_key(const char *const *opts, size_t n)
{
    char *v[MC__EVAL_MAX_OPTIONS];
    size_t m = 0, len = 1;
    for (size_t i = 0; i < n && m < MC__EVAL_MAX_OPTIONS; i++) {
        v[m] = norm(opts[i]);
        len += v[m] ? strlen(v[m]) + 1 : 0;
        m += v[m] != NULL;
    }
    qsort(v, m, sizeof(v[0]), cmp_str);
    char *out = m ? mc__malloc(len) : NULL;
    size_t at = 0;
    for (size_t i = 0; i < m; i++) {
        if (out) {
            size_t k = strlen(v[i]);
            memcpy(out + at, v[i], k);
            at += k;
            out[at++] = '\x1f';
        }
        free(v[i]);
    }
    if (out) {
        out[at] = '\0';
    }
    return out;
}

static int build_text_index(mc__eval *e)
{
    int rc = mc__sres_bench(&e->s);
    size_t n = e->s.n_items;
    if (rc == 0) {
        e->qnorm = mc__calloc(n + 1, sizeof(char *));
        e->onorm = mc__calloc(n + 1, sizeof(char *));
        e->qidx = mc__calloc(n + 1, sizeof(*e->qidx));
        rc = e->qnorm && e->onorm && e->qidx ? 0 : MC_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const mc_item *it = mc_bench_item(e->s.bench, i);
        if (it->malformed || !it->question || !it->question[0]) {
            continue;
        }
        e->qnorm[i] = norm(it->question);
        if (!e->qnorm[i]) {
            return MC_ENOMEM;
        }
        e->onorm[i] = options_key(it->options, it->n_options);
        e->qidx[e->n_qidx].h = hash_str(e->qnorm[i]);
        e->qidx[e->n_qidx++].item = (uint32_t)i;
    }
    if (rc == 0) {
        qsort(e->qidx, e->n_qidx, sizeof(*e->qidx), cmp_hent);
    }
    return rc;
}

static int build_id_index(mc__eval *e)
{
    e->ididx = mc__calloc(e->s.n_items + 1, sizeof(*e->ididx));
    if (!e->ididx) {
        return MC_ENOMEM;
    }
    for (size_t i = 0; i < e->s.n_items; i++) {
        if (e->s.items[i].id) {
            e->ididx[e->n_ididx].h = hash_str(e->s.items[i].id);
            e->ididx[e->n_ididx++].item = (uint32_t)i;
        }
    }
    qsort(e->ididx, e->n_ididx, sizeof(*e->ididx), cmp_hent);
    return 0;
}

void mc__eval_join_finish(mc__eval *e)
{
    for (size_t i = 0; e->qnorm && i < e->s.n_items; i++) {
        free(e->qnorm[i]);
        mc__free(e->onorm[i]);
    }
    mc__free(e->qnorm);
    mc__free(e->onorm);
    mc__free(e->qidx);
    mc__free(e->ididx);
    e->qnorm = e->onorm = NULL;
    e->qidx = e->ididx = NULL;
}

static int model_of(mc__eval *e, const char *raw, mc__eval_model **out)
{
    mc_buf b; /* a name taken from a file name may not be UTF-8 */
    mc__buf_init(&b, 4 * strlen(raw) + 16);
    int rc = mc__utf8_sanitize(&b, raw, strlen(raw), MC__UTF8_NUL);
    const char *name = b.data ? b.data : "";
    for (size_t m = 0; rc == 0 && m < e->n_models; m++) {
        if (strcmp(e->models[m].name, name) == 0) {
            *out = &e->models[m];
            mc__buf_finish(&b);
            return 0;
        }
    }
    rc = rc ? rc
            : mc__array_reserve((void **)&e->models, &e->cap_models, e->n_models + 1,
                                sizeof(*e->models), 4);
    mc__eval_model *m = rc == 0 ? &e->models[e->n_models] : NULL;
    if (m) {
        m->name = mc__strdup(name);
        m->res = mc__calloc(e->s.n_items + 1, 1);
        if (!m->name || !m->res) {
            mc__free(m->name);
            mc__free(m->res);
            rc = MC_ENOMEM;
        } else {
            e->n_models++;
            *out = m;
        }
    }
    mc__buf_finish(&b);
    return rc < 0 ? MC_ENOMEM : 0;
}

/* ---- the join methods: each returns the item, or -1 with *why set */

static long by_id(mc__eval *e, const mc__eval_row *row, int file, const char **why)
{
    if (!e->ididx && build_id_index(e) < 0) {
        return -2;
    }
    long found = -1;
    size_t n = 0;
    uint64_t h = hash_str(row->id);
    for (size_t k = hfind(e->ididx, e->n_ididx, h); k < e->n_ididx && e->ididx[k].h == h; k++) {
        uint32_t i = e->ididx[k].item;
        if (strcmp(e->s.items[i].id, row->id) == 0 &&
            (file < 0 || e->s.items[i].file == (uint32_t)file)) {
            found = n++ ? found : (long)i;
        }
    }
    *why = n > 1 ? "id names several items" : "id not in the scan";
    return n == 1 ? found : -1;
}

static long by_text(mc__eval *e, const mc__eval_row *row, const mc__eval_model *m, int file,
                    const char **why)
{
    if (!e->qidx) {
        int rc = build_text_index(e);
        if (rc < 0) {
            return rc == MC_ENOMEM ? -2 : -3;
        }
    }
    char *q = norm(row->question);
    char *okey = q ? options_key(row->options, row->n_options) : NULL;
    long first = -1, first_free = -1, opt_free = -1;
    size_t n = 0;
    uint64_t h = q ? hash_str(q) : 0;
    for (size_t k = q ? hfind(e->qidx, e->n_qidx, h) : e->n_qidx;
         k < e->n_qidx && e->qidx[k].h == h; k++) {
        uint32_t i = e->qidx[k].item;
        if (strcmp(e->qnorm[i], q) != 0 || (file >= 0 && e->s.items[i].file != (uint32_t)file)) {
            continue;
        }
        n++;
        first = first < 0 ? (long)i : first;
        int free_item = m->res[i] == 0;
        first_free = first_free < 0 && free_item ? (long)i : first_free;
        if (opt_free < 0 && free_item && okey && e->onorm[i] && strcmp(okey, e->onorm[i]) == 0) {
            opt_free = (long)i;
        }
    }
    free(q);
    mc__free(okey);
    *why = n ? "question already joined (more results than items)"
             : "question text not in "
               "the scan";
    if (n == 1) {
        return first;
    }
    return opt_free >= 0 ? opt_free : first_free;
}

/* 1 correct, 0 incorrect, -1 when the item has no answer to compare with. */
static int score_prediction(mc__eval *e, size_t i, const char *pred)
{
    if (mc__sres_bench(&e->s) < 0) {
        return -2;
    }
    const mc_item *it = mc_bench_item(e->s.bench, i);
    if (it->malformed || (it->answer_index < 0 && !it->answer)) {
        return -1;
    }
    char letter[16];
    size_t k = 0;
    for (const char *p = pred; *p && k < sizeof(letter) - 1; p++) {
        if (!strchr(" \t\r\n().:[]", *p)) {
            letter[k++] = *p;
        }
    }
    letter[k] = '\0';
    for (uint32_t o = 0; k && o < it->n_options; o++) {
        if (strcasecmp(letter, it->option_labels[o]) == 0) {
            return (int32_t)o == it->answer_index;
        }
    }
    char *p = norm(pred);
    char *a = it->answer_index >= 0 ? norm(it->options[it->answer_index]) : norm(it->answer);
    int ok = p && a && p[0] && strcmp(p, a) == 0;
    free(p);
    free(a);
    return ok;
}

static int unjoined(mc__eval *e, const mc__eval_row *row, const char *reason)
{
    e->unjoined++;
    e->cur->unjoined++;
    json_t *c = json_object_get(e->reasons, reason);
    json_object_set_new(e->reasons, reason, json_integer(json_integer_value(c) + 1));
    if (json_array_size(e->examples) >= e->o->max_examples) {
        return 0;
    }
    json_t *x = json_object();
    json_object_set_new(x, "file", json_string(e->cur->file));
    json_object_set_new(x, "line", json_integer(row->line));
    json_object_set_new(x, "model", row->model ? json_string(row->model) : json_null());
    json_object_set_new(x, "reason", json_string(reason));
    if (row->key) {
        json_object_set_new(x, "key", json_string(row->key));
    }
    if (row->source) {
        json_object_set_new(x, "source", json_string(row->source));
    }
    if (row->index >= 0) {
        json_object_set_new(x, "index", json_integer(row->index));
    }
    if (row->id) {
        json_object_set_new(x, "id", json_string(row->id));
    }
    if (row->question) {
        /* a short excerpt, cut on a character boundary */
        size_t n = strlen(row->question);
        while (n > 80 || (n && ((unsigned char)row->question[n] & 0xC0) == 0x80)) {
            n--;
        }
        json_object_set_new(x, "question", json_stringn(row->question, n));
    }
    json_array_append_new(e->examples, x);
    return 0;
}

/* The item of a row, trying each method the row allows in turn; *why is
 * the failure of the first method tried. */
static long find_item(mc__eval *e, const mc__eval_row *row, const mc__eval_model *m, int *by,
                      const char **why)
{
    *why = NULL;
    int file = -1;
    if (row->key) {
        long i = mc__sres_find_key(&e->s, row->key);
        *by = MC__JOIN_KEY;
        if (i >= 0) {
            return i;
        }
        *why = "key not in the scan";
    }
    if (row->source) {
        file = mc__sres_find_source(&e->s, row->source);
        if (file >= 0 && row->index >= 0 && (uint64_t)row->index < e->s.files[file].items) {
            *by = MC__JOIN_INDEX;
            return (long)(e->s.files[file].first + (uint64_t)row->index);
        }
        if (!*why && file < 0) {
            *why = "source not in the scan";
        } else if (!*why && row->index >= 0) {
            *why = "index past the end of its file";
        }
    }
    const char *w = NULL;
    if (row->id) {
        long i = by_id(e, row, file, &w);
        *by = MC__JOIN_ID;
        if (i != -1) {
            return i;
        }
        *why = *why ? *why : w;
    }
    if (row->question) {
        long i = by_text(e, row, m, file, &w);
        *by = MC__JOIN_TEXT;
        if (i != -1) {
            return i;
        }
        *why = *why ? *why : w;
    }
    *why = *why ? *why : "no key, source and index, id or question";
    return -1;
}

int mc__eval_join_row(void *ctx, const mc__eval_row *row)
{
    mc__eval *e = ctx;
    e->cur->rows++;
    if (row->bad) {
        return unjoined(e, row, row->bad);
    }
    mc__eval_model *m = NULL;
    int rc = model_of(e, row->model, &m);
    if (rc < 0) {
        return rc;
    }
    int by = 0;
    const char *why;
    long i = find_item(e, row, m, &by, &why);
    if (i < -1) {
        return i == -2 ? MC_ENOMEM : MC_EINVAL;
    }
    if (i < 0) {
        return unjoined(e, row, why);
    }
    if (m->res[i]) {
        return unjoined(e, row, "duplicate: the item already has a result from this model");
    }
    int correct = row->correct;
    if (correct < 0) {
        correct = score_prediction(e, (size_t)i, row->prediction);
        if (correct == -2) {
            return MC_EINVAL;
        }
        if (correct < 0) {
            return unjoined(e, row, "the item has no answer to score the prediction with");
        }
    }
    m->res[i] = (uint8_t)(1 + correct);
    e->cur->joined++;
    e->cur->by[by]++;
    return 0;
}
