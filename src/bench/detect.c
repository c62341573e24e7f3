/* SPDX-License-Identifier: MIT */
/* The registry of benchmark readers and format detection by content (the
 * dav1d demuxer probe idea: every reader scores the content, best wins). */
#include <string.h>

#include "bench/bench_int.h"
#include "bench/csv.h"

/* Detection rules (MC_FMT_AUTO), by content only, never by file name:
 *  - first non-blank byte '{' or '[' and the whole file is one JSON value:
 *    a JSON document (if it is a single line, also a one-item JSONL file).
 *      pubmedqa: an object whose first value has QUESTION and CONTEXTS;
 *      headqa:   an object with an "exams" object;
 *      bioasq:   an object with a "questions" array whose first element
 *                has "body" (or is empty).
 *  - otherwise JSONL; `first` is the first line (of the first 64 non-blank
 *    ones) that parses as a JSON object:
 *      medmcqa:  first has "opa" and "cop";
 *      medqa:    first has an "options" object, "answer_idx", "meta_info"
 *                and no "realidx" (jind11 release);
 *      jsonl:    any other object (MedAgentsBench, --fields).
 *  - anything else is sampled as CSV (first 20 records):
 *      mmlu:     the first record and more than half of the sample have
 *                6 fields, the last a single letter A-D (no header row);
 *      csv:      some record has 2 or more fields (header row first).
 * Scores: 100 for JSON documents, 90 for specific JSONL, 80 MMLU, 10 the
 * generic readers; ties go to the earlier entry of the registry. */
static const mc__bench_reader *const registry[] = {
    &mc__bench_reader_medqa,  &mc__bench_reader_medmcqa, &mc__bench_reader_pubmedqa,
    &mc__bench_reader_mmlu,   &mc__bench_reader_headqa,  &mc__bench_reader_bioasq,
    &mc__bench_reader_jsonl,  &mc__bench_reader_csv,
};

#define N_READERS (sizeof(registry) / sizeof(registry[0]))
#define SAMPLE_LINES 64
#define SAMPLE_RECORDS 20

const mc__bench_reader *mc__bench_reader_find(mc_bench_format fmt)
{
    for (size_t i = 0; i < N_READERS; i++) {
        if (registry[i]->format == fmt) {
            return registry[i];
        }
    }
    return NULL;
}

static int multi_line(const char *s, const char *end)
{
    int lines = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        for (const char *q = s; q < e; q++) {
            if (*q != ' ' && *q != '\t' && *q != '\r') {
                lines++;
                break;
            }
        }
        if (lines > 1) {
            return 1;
        }
        s = nl ? nl + 1 : end;
    }
    return 0;
}

/* First JSONL line that is an object; the caller releases it. */
static json_t *first_object(const char *s, const char *end)
{
    for (int n = 0; s < end && n < SAMPLE_LINES; n++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        json_t *v = json_loadb(s, (size_t)(e - s), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (json_is_object(v)) {
            return v;
        }
        json_decref(v);
        s = nl ? nl + 1 : end;
    }
    return NULL;
}

static int sample_csv(mc__bench_ctx *ctx, mc__bench_probe *p)
{
    mc__csv c;
    mc__csv_init(&c, ctx->data, ctx->len);
    int rc = 0;
    while (p->csv_rows < SAMPLE_RECORDS) {
        uint32_t line;
        const char *bad;
        rc = mc__csv_next(&c, &line, &bad);
        if (rc <= 0) {
            break;
        }
        const char *last = mc__csv_field(&c, c.n_fields - 1);
        int mmlu = c.n_fields == 6 && last[0] >= 'A' && last[0] <= 'D' && !last[1];
        p->csv_first_mmlu |= p->csv_rows == 0 && mmlu;
        p->csv_rows++;
        p->csv_mmlu += (uint32_t)mmlu;
        p->csv_multi += c.n_fields >= 2;
    }
    mc__csv_finish(&c);
    return rc < 0 ? rc : 0;
}

int mc__bench_detect(mc__bench_ctx *ctx, const mc__bench_reader **out)
{
    mc__bench_probe p;
    json_t *first = NULL;
    const char *s = ctx->data + strspn(ctx->data, " \t\r\n");
    const char *end = ctx->data + ctx->len;
    memset(&p, 0, sizeof(p));
    p.data = ctx->data;
    p.len = ctx->len;
    p.json_like = s < end && (*s == '{' || *s == '[');
    if (p.json_like) {
        p.doc = mc__bench_doc(ctx);
        if (p.doc && !multi_line(s, end)) {
            /* One line: a JSON document or a one-item JSONL file. */
            p.first = json_is_object(p.doc) ? p.doc : NULL;
        } else if (!p.doc) {
            first = first_object(s, end);
            p.first = first;
        }
    } else if (s < end && sample_csv(ctx, &p) < 0) {
        return mc__bench_fail(ctx, MC_ENOMEM, "%s: out of memory", ctx->path);
    }
    const mc__bench_reader *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < N_READERS; i++) {
        int score = registry[i]->probe(&p);
        if (score > best_score) {
            best = registry[i];
            best_score = score;
        }
    }
    json_decref(first);
    if (!best) {
        return mc__bench_fail(ctx, MC_EFORMAT, "%s: cannot detect the benchmark format%s",
                              ctx->path, s < end ? "" : " (empty file)");
    }
    *out = best;
    return 0;
}
