/* SPDX-License-Identifier: MIT */
/* evaluation.md: the evaluation.json tree as Markdown tables. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <medcheck/common.h>

#include "eval/eval_int.h"
#include "util/alloc.h"
#include "util/buf.h"

static const char *const statuses[] = {"input_and_answer", "input_only", "near_duplicate",
                                       "passage_only", "clean"};

/* A table cell: '|' and newlines would break the row. */
static void cell(mc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|') {
            mc__buf_puts(b, "\\|");
        } else {
            mc__buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
        }
    }
}

static double real(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* "0.612 (4183)", or "– (0)" for an empty group. */
static void acc(mc_buf *b, const json_t *g)
{
    json_int_t n = json_integer_value(json_object_get(g, "n"));
    if (n) {
        mc__buf_printf(b, "%.3f (%lld)", real(g, "accuracy"), (long long)n);
    } else {
        mc__buf_puts(b, "– (0)");
    }
}

static void pvalue(mc_buf *b, double p)
{
    if (p < 0.001) {
        mc__buf_printf(b, "%.1e", p);
    } else {
        mc__buf_printf(b, "%.3f", p);
    }
}

static void main_row(mc_buf *b, const json_t *r)
{
    const json_t *d = json_object_get(r, "difference");
    mc__buf_puts(b, "| ");
    cell(b, json_string_value(json_object_get(r, "model")));
    mc__buf_puts(b, " | ");
    cell(b, json_string_value(json_object_get(r, "benchmark")));
    mc__buf_puts(b, " | ");
    acc(b, json_object_get(r, "overall"));
    mc__buf_puts(b, " | ");
    acc(b, json_object_get(r, "clean"));
    mc__buf_puts(b, " | ");
    acc(b, json_object_get(r, "contaminated"));
    mc__buf_puts(b, " | ");
    if (json_is_null(json_object_get(d, "value"))) {
        mc__buf_puts(b, "– | – | ");
    } else {
        mc__buf_printf(b, "%+.3f [%+.3f, %+.3f] | ", real(d, "value"), real(d, "ci_low"),
                       real(d, "ci_high"));
        pvalue(b, real(d, "p_value"));
        mc__buf_puts(b, " | ");
    }
    mc__buf_puts(b, json_is_true(json_object_get(r, "too_small")) ? "too small" : "");
    mc__buf_puts(b, " |\n");
}

static void status_row(mc_buf *b, const json_t *r)
{
    mc__buf_puts(b, "| ");
    cell(b, json_string_value(json_object_get(r, "model")));
    mc__buf_puts(b, " | ");
    cell(b, json_string_value(json_object_get(r, "benchmark")));
    for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++) {
        mc__buf_puts(b, " | ");
        acc(b, json_object_get(json_object_get(r, "by_status"), statuses[s]));
    }
    mc__buf_puts(b, " | ");
    acc(b, json_object_get(r, "unjudged"));
    mc__buf_puts(b, " |\n");
}

static void unjoined(mc_buf *b, const json_t *u)
{
    json_int_t n = json_integer_value(json_object_get(u, "count"));
    mc__buf_printf(b, "\n## Unjoined results: %lld\n", (long long)n);
    if (!n) {
        mc__buf_puts(b, "\nEvery result was joined with an item of the scan.\n");
        return;
    }
    mc__buf_puts(b, "\n| reason | results |\n|---|--:|\n");
    const char *reason;
    json_t *c;
    json_object_foreach(json_object_get(u, "by_reason"), reason, c)
    {
        mc__buf_puts(b, "| ");
        cell(b, reason);
        mc__buf_printf(b, " | %lld |\n", (long long)json_integer_value(c));
    }
    mc__buf_puts(b, "\nExamples (file:line, reason):\n\n");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(u, "examples"), i, x)
    {
        mc__buf_puts(b, "- ");
        cell(b, json_string_value(json_object_get(x, "file")));
        mc__buf_printf(b, ":%lld: ", (long long)json_integer_value(json_object_get(x, "line")));
        cell(b, json_string_value(json_object_get(x, "reason")));
        mc__buf_puts(b, "\n");
    }
}

char *mc__eval_markdown(const json_t *j)
{
    const json_t *p = json_object_get(j, "params");
    const json_t *scan = json_object_get(j, "scan");
    const json_t *res = json_object_get(j, "results");
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 30);
    mc__buf_puts(&b, "# medcheck evaluation\n\nScan: `");
    cell(&b, json_string_value(json_object_get(scan, "dir")));
    mc__buf_printf(&b, "` (preset %s, %lld items).\n\n",
                   json_string_value(json_object_get(scan, "preset")),
                   (long long)json_integer_value(json_object_get(scan, "items")));
    mc__buf_printf(&b,
                   "Accuracy (n) overall, on clean items (not contaminated: clean, "
                   "passage_only) and on contaminated items (input_and_answer, input_only, "
                   "near_duplicate). Difference: clean minus contaminated, with its %.0f%% "
                   "percentile bootstrap interval (%lld resamples, seed %lld); p: two-sided "
                   "Fisher exact test. \"too small\": fewer than %lld clean or contaminated "
                   "items.\n\n",
                   100 * real(p, "level"),
                   (long long)json_integer_value(json_object_get(p, "resamples")),
                   (long long)json_integer_value(json_object_get(p, "seed")),
                   (long long)json_integer_value(json_object_get(p, "min_group")));
    mc__buf_puts(&b, "| model | benchmark | overall | clean | contaminated | difference [CI] | "
                     "p | |\n|---|---|--:|--:|--:|--:|--:|---|\n");
    size_t i;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        main_row(&b, r);
    }
    if (json_array_size(res) == 0) {
        mc__buf_puts(&b, "| (no results joined) | | | | | | | |\n");
    }
    mc__buf_puts(&b, "\n## By status\n\n| model | benchmark | input_and_answer | input_only | "
                     "near_duplicate | passage_only | clean | unjudged |\n"
                     "|---|---|--:|--:|--:|--:|--:|--:|\n");
    json_array_foreach(res, i, r)
    {
        status_row(&b, r);
    }
    unjoined(&b, json_object_get(j, "unjoined"));
    if (mc__buf_putc(&b, '\0') < 0) {
        mc__buf_finish(&b);
        return NULL;
    }
    return b.data; /* the buffer's storage, freed with mc__free */
}
