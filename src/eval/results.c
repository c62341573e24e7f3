/* SPDX-License-Identifier: MIT */
/* Results files into rows (see results.h and docs/evaluate.md for the
 * formats). The lm-evaluation-harness fields are those its evaluator
 * writes with --log_samples: doc_id, doc (the task's document), target,
 * arguments, resps, filtered_resps, filter, metrics, doc_hash,
 * prompt_hash, target_hash, and one key per metric (acc, exact_match...). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "bench/csv.h"
#include "bench/load.h"
#include "eval/results.h"
#include "io/utf8.h"
#include "util/alloc.h"
#include "util/log.h"

/* Fields of an lm-evaluation-harness `doc` tried in order: the tasks'
 * documents are the Hugging Face rows (MedQA: GBaker/MedQA-USMLE-4-options
 * sent1, ending0..3; MedMCQA: id, question, opa..opd; PubMedQA: pubid,
 * question, or QUESTION in the BigBio form), or the benchmark's own. */
static const char *const doc_question[] = {"question", "QUESTION", "sent1",    "qtext",
                                           "body",     "stem",     "Question", NULL};
static const char *const doc_id[] = {"id", "pubid", "PMID", "pmid", "qid", "realidx", NULL};
static const char *const doc_options[] = {
    "options",   "choices", "opa|opb|opc|opd|ope", "ending0|ending1|ending2|ending3|ending4",
    "A|B|C|D|E", NULL,
};

typedef struct reader {
    const char *path;
    const mc__eval_read_opts *o;
    mc__eval_row_fn fn;
    void *ctx;
    uint32_t *skipped;
    char *filter;    /* the filter in use (copy), or NULL */
    char model[256]; /* the file's model name */
    char idbuf[32];
    char ixbuf[32];
} reader;

static const char *text_of(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return NULL;
}

static const char *first_text(const json_t *obj, const char *const *names, char *buf, size_t n)
{
    for (; *names; names++) {
        const char *s = text_of(json_object_get(obj, *names), buf, n);
        if (s && s[0]) {
            return s;
        }
    }
    return NULL;
}

/* Options from an object ({A: text}), an array, or "k1|k2|..." keys. */
static void options_of(const json_t *obj, mc__eval_row *row)
{
    for (const char *const *k = doc_options; *k && !row->n_options; k++) {
        if (!strchr(*k, '|')) {
            const json_t *v = json_object_get(obj, *k);
            const char *label;
            size_t i;
            json_t *el;
            if (json_is_object(v)) {
                json_object_foreach((json_t *)v, label, el)
                {
                    if (json_is_string(el) && row->n_options < MC__EVAL_MAX_OPTIONS) {
                        row->options[row->n_options++] = json_string_value(el);
                    }
                }
            } else if (json_is_array(v)) {
                json_array_foreach(v, i, el)
                {
                    if (json_is_string(el) && row->n_options < MC__EVAL_MAX_OPTIONS) {
                        row->options[row->n_options++] = json_string_value(el);
                    }
                }
            }
            continue;
        }
        char part[32];
        for (const char *p = *k; *p;) {
            size_t n = strcspn(p, "|");
            snprintf(part, sizeof(part), "%.*s", (int)n, p);
            const char *s = json_string_value(json_object_get(obj, part));
            if (s && row->n_options < MC__EVAL_MAX_OPTIONS) {
                row->options[row->n_options++] = s;
            }
            p += n + (p[n] == '|');
        }
    }
}

/* A truth value: JSON true/false, a number (>= 0.5 is true), or text. */
static int truth(const json_t *v)
{
    if (json_is_boolean(v)) {
        return json_is_true(v);
    }
    if (json_is_number(v)) {
        return json_number_value(v) >= 0.5;
    }
    const char *s = json_string_value(v);
    if (!s) {
        return -1;
    }
    static const char *const yes[] = {"true", "1", "yes", "correct", "1.0", NULL};
    static const char *const no[] = {"false", "0", "no", "incorrect", "0.0", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            return 1;
        }
        if (strcasecmp(s, no[i]) == 0) {
            return 0;
        }
    }
    return -1;
}

static int lmeval_row(reader *r, const json_t *o, mc__eval_row *row)
{
    row->lmeval = 1;
    const char *filter = json_string_value(json_object_get(o, "filter"));
    if (filter) {
        if (!r->filter && !r->o->filter) {
            r->filter = mc__strdup(filter);
            if (!r->filter) {
                return MC_ENOMEM;
            }
        }
        const char *want = r->o->filter ? r->o->filter : r->filter;
        if (strcmp(filter, want) != 0) {
            (*r->skipped)++;
            return 1;
        }
    }
    const json_t *doc = json_object_get(o, "doc");
    row->id = first_text(doc, doc_id, r->idbuf, sizeof(r->idbuf));
    row->question = first_text(doc, doc_question, r->ixbuf, sizeof(r->ixbuf));
    options_of(doc, row);
    const char *const metrics[] = {r->o->metric ? r->o->metric : "acc",
                                   r->o->metric ? NULL : "exact_match", NULL};
    row->correct = -1;
    for (int i = 0; metrics[i] && row->correct < 0; i++) {
        row->correct = truth(json_object_get(o, metrics[i]));
    }
    if (row->correct < 0) {
        row->bad = r->o->metric ? "the --metric value is missing" : "no acc or exact_match";
    }
    return 0;
}

static void plain_row(reader *r, const json_t *o, mc__eval_row *row)
{
    row->key = json_string_value(json_object_get(o, "key"));
    row->source = json_string_value(json_object_get(o, "source"));
    const json_t *ix = json_object_get(o, "index");
    if (json_is_integer(ix) && json_integer_value(ix) >= 0) {
        row->index = json_integer_value(ix);
    } else if (json_is_string(ix) && json_string_value(ix)[0] &&
               strspn(json_string_value(ix), "0123456789") == strlen(json_string_value(ix))) {
        row->index = strtoll(json_string_value(ix), NULL, 10);
    } else if (ix && !json_is_null(ix)) {
        row->bad = "index is not a non-negative integer";
    }
    row->id = text_of(json_object_get(o, "id"), r->idbuf, sizeof(r->idbuf));
    row->question = json_string_value(json_object_get(o, "question"));
    options_of(o, row);
    const json_t *c = json_object_get(o, "correct");
    row->correct = c && !json_is_null(c) ? truth(c) : -1;
    row->prediction = text_of(json_object_get(o, "prediction"), r->ixbuf, sizeof(r->ixbuf));
    if (c && !json_is_null(c) && row->correct < 0) {
        row->bad = "correct is not true or false";
    } else if (row->correct < 0 && !row->prediction) {
        row->bad = "neither correct nor prediction";
    }
}

/* One JSON value (a line, or an element of an array). */
static int json_row(reader *r, const json_t *o, uint32_t line, const char *parse_error)
{
    mc__eval_row row;
    memset(&row, 0, sizeof(row));
    row.line = line;
    row.index = -1;
    row.model = r->model;
    int rc = 0;
    if (!json_is_object(o)) {
        row.bad = parse_error ? parse_error : "not a JSON object";
    } else {
        const char *m = json_string_value(json_object_get(o, "model"));
        row.model = m && m[0] ? m : r->model;
        if (json_is_object(json_object_get(o, "doc")) || json_object_get(o, "doc_id")) {
            rc = lmeval_row(r, o, &row);
        } else {
            plain_row(r, o, &row);
        }
    }
    if (rc != 0) {
        return rc < 0 ? rc : 0;
    }
    return r->fn(r->ctx, &row);
}

static int read_jsonl(reader *r, const char *data, size_t len)
{
    uint32_t line = 0;
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - data) : len;
        line++;
        size_t q = p + strspn(data + p, " \t\r");
        if (q < e) {
            json_error_t err;
            json_t *o = json_loadb(data + p, e - p, 0, &err);
            int rc = json_row(r, o, line, o ? NULL : "invalid JSON");
            json_decref(o);
            if (rc < 0) {
                return rc;
            }
        }
        p = nl ? e + 1 : len;
    }
    return 0;
}

/* Older lm-evaluation-harness versions wrote the samples as one indented
 * JSON array (in a file still named .jsonl); an object with a "logs"
 * array is the same list under a key (lmms-eval). */
static int read_array(reader *r, const char *data, size_t len)
{
    json_error_t err;
    json_t *doc = json_loadb(data, len, 0, &err);
    json_t *arr = json_is_object(doc) ? json_object_get(doc, "logs") : doc;
    if (!json_is_array(arr)) {
        mc__log(r->o->lg, MC_LOG_ERROR, "%s:%d: %s", r->path, doc ? 1 : err.line,
                doc ? "a JSON document that is not a list of samples" : err.text);
        json_decref(doc);
        return MC_EFORMAT;
    }
    size_t i;
    json_t *o;
    int rc = 0;
    json_array_foreach(arr, i, o)
    {
        rc = json_row(r, o, (uint32_t)(i + 1), NULL);
        if (rc < 0) {
            break;
        }
    }
    json_decref(doc);
    return rc;
}

/* ---- CSV with a header row */

enum { C_KEY, C_SOURCE, C_INDEX, C_ID, C_QUESTION, C_CORRECT, C_PREDICTION, C_MODEL, C_N };

static const char *const csv_cols[C_N] = {"key",      "source",  "index",      "id",
                                          "question", "correct", "prediction", "model"};

static const char *cell(const mc__csv *c, const int *col, int k)
{
    if (col[k] < 0 || (size_t)col[k] >= c->n_fields) {
        return NULL;
    }
    const char *s = mc__csv_field(c, (size_t)col[k]);
    return s[0] ? s : NULL;
}

static int csv_row(reader *r, const mc__csv *c, const int *col, uint32_t line, const char *bad)
{
    mc__eval_row row;
    memset(&row, 0, sizeof(row));
    row.line = line;
    row.index = -1;
    row.bad = bad;
    row.key = cell(c, col, C_KEY);
    row.source = cell(c, col, C_SOURCE);
    row.id = cell(c, col, C_ID);
    row.question = cell(c, col, C_QUESTION);
    row.prediction = cell(c, col, C_PREDICTION);
    row.model = cell(c, col, C_MODEL) ? cell(c, col, C_MODEL) : r->model;
    const char *ix = cell(c, col, C_INDEX);
    if (ix && strspn(ix, "0123456789") == strlen(ix) && strlen(ix) < 12) {
        row.index = strtoll(ix, NULL, 10);
    } else if (ix && !row.bad) {
        row.bad = "index is not a non-negative integer";
    }
    for (int k = 0; k < C_N && !row.bad; k++) {
        const char *v = cell(c, col, k);
        if (v && mc__utf8_valid_prefix(v, strlen(v)) != strlen(v)) {
            row.bad = "invalid UTF-8";
        }
    }
    const char *cs = cell(c, col, C_CORRECT);
    json_t *cj = cs ? json_string(cs) : NULL;
    row.correct = cj ? truth(cj) : -1;
    json_decref(cj);
    if (!row.bad && cs && row.correct < 0) {
        row.bad = "correct is not true or false";
    } else if (!row.bad && row.correct < 0 && !row.prediction) {
        row.bad = "neither correct nor prediction";
    }
    return r->fn(r->ctx, &row);
}

static int read_csv(reader *r, const char *data, size_t len)
{
    mc__csv c;
    int col[C_N];
    uint32_t line = 0;
    const char *bad = NULL;
    mc__csv_init(&c, data, len);
    int rc = mc__csv_next(&c, &line, &bad);
    int any = 0;
    for (int k = 0; k < C_N; k++) {
        col[k] = -1;
        for (size_t i = 0; rc > 0 && i < c.n_fields; i++) {
            if (strcasecmp(mc__csv_field(&c, i), csv_cols[k]) == 0) {
                col[k] = (int)i;
            }
        }
        any |= col[k] >= 0 && k != C_MODEL;
    }
    if (rc > 0 && (bad || !any || (col[C_CORRECT] < 0 && col[C_PREDICTION] < 0))) {
        mc__log(r->o->lg, MC_LOG_ERROR,
                "%s: not a results file: JSONL, or CSV whose header names key, source and "
                "index, id or question, and correct or prediction",
                r->path);
        rc = MC_EFORMAT;
    }
    while (rc > 0) {
        rc = mc__csv_next(&c, &line, &bad);
        if (rc > 0) {
            rc = csv_row(r, &c, col, line, bad);
            rc = rc < 0 ? rc : 1;
        }
    }
    mc__csv_finish(&c);
    return rc;
}

void mc__eval_file_model(const char *path, int lmeval, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (lmeval && strncmp(base, "samples_", 8) == 0 && slash && slash > path) {
        const char *d = slash;
        while (d > path && d[-1] != '/') {
            d--;
        }
        if (slash - d > 0 && !(slash - d == 1 && d[0] == '.') &&
            !(slash - d == 2 && d[0] == '.' && d[1] == '.')) {
            snprintf(buf, n, "%.*s", (int)(slash - d), d);
            return;
        }
    }
    snprintf(buf, n, "%s", base);
    static const char *const ext[] = {".zst", ".gz", ".jsonl", ".json", ".csv", NULL};
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; ext[i]; i++) {
            size_t lb = strlen(buf), le = strlen(ext[i]);
            if (lb > le && strcmp(buf + lb - le, ext[i]) == 0) {
                buf[lb - le] = '\0';
                again = 1;
            }
        }
    }
}

int mc__eval_read_results(const char *path, const mc__eval_read_opts *o, mc__eval_row_fn fn,
                          void *ctx, uint32_t *skipped)
{
    mc__bench_blob blob;
    char err[512];
    int rc = mc__bench_load(path, (size_t)1 << 31, &blob, err, sizeof(err));
    if (rc < 0) {
        mc__log(o->lg, MC_LOG_ERROR, "%s", err);
        return rc;
    }
    reader r;
    memset(&r, 0, sizeof(r));
    r.path = path;
    r.o = o;
    r.fn = fn;
    r.ctx = ctx;
    r.skipped = skipped;
    size_t start = strspn(blob.data, " \t\r\n");
    char c = blob.data[start];
    int lmeval = c == '[' || (c == '{' && (strstr(blob.data, "\"doc_id\"") != NULL));
    mc__eval_file_model(path, lmeval, r.model, sizeof(r.model));
    if (c == '[') {
        rc = read_array(&r, blob.data, blob.len);
    } else if (c == '{') {
        /* one document spread over lines is an array under "logs" */
        json_t *whole = json_loadb(blob.data, blob.len, 0, NULL);
        int logs = json_is_array(json_object_get(whole, "logs"));
        json_decref(whole);
        rc = logs ? read_array(&r, blob.data, blob.len) : read_jsonl(&r, blob.data, blob.len);
    } else {
        rc = read_csv(&r, blob.data, blob.len);
    }
    mc__free(r.filter);
    mc__bench_blob_finish(&blob);
    return rc;
}
