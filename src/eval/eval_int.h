/* SPDX-License-Identifier: MIT */
/* Internals of `medcheck evaluate`: joining result rows with the scan's
 * items (join.c), the per-model outcome table, and the writers of
 * evaluation.json and evaluation.md (evaluate.c, eval_md.c). */
#ifndef MC_EVAL_EVAL_INT_H
#define MC_EVAL_EVAL_INT_H

#include <stdint.h>

#include <jansson.h>

#include <medcheck/eval.h>

#include "eval/results.h"
#include "eval/scanres.h"

/* How a row found its item (the order in which they are tried). */
enum { MC__JOIN_KEY, MC__JOIN_INDEX, MC__JOIN_ID, MC__JOIN_TEXT, MC__JOIN_N };

/* A sorted (hash, item) table: a multimap from strings to items. */
typedef struct mc__eval_hent {
    uint64_t h;
    uint32_t item;
} mc__eval_hent;

/* One model's outcome per item: 0 no result, 1 incorrect, 2 correct. */
typedef struct mc__eval_model {
    char *name;
    uint8_t *res;
} mc__eval_model;

/* Per results file. */
typedef struct mc__eval_input {
    const char *file;
    uint32_t rows, joined, unjoined, skipped;
    uint32_t by[MC__JOIN_N];
} mc__eval_input;

typedef struct mc__eval {
    mc__sres s;
    const mc_eval_opts *o;
    mc__eval_model *models;
    size_t n_models;
    size_t cap_models;
    /* join by text: normalised question (and sorted options) per item */
    char **qnorm;
    char **onorm;
    mc__eval_hent *qidx;
    size_t n_qidx;
    /* join by id */
    mc__eval_hent *ididx;
    size_t n_ididx;
    mc__eval_input *inputs;
    size_t n_inputs;
    mc__eval_input *cur;
    uint32_t unjoined;
    json_t *reasons;    /* reason -> count */
    json_t *examples;   /* the first max_examples unjoined rows */
    uint32_t level_pct; /* interval level in percent, for the tables */
} mc__eval;

/* Join one row (results.c callback; ctx is the mc__eval). */
int mc__eval_join_row(void *ctx, const mc__eval_row *row);
void mc__eval_join_finish(mc__eval *e);

/* evaluation.json as a jansson tree; NULL when out of memory. */
json_t *mc__eval_json(mc__eval *e, int *rc);
/* evaluation.md from that tree; a new string (mc__free) or NULL. */
char *mc__eval_markdown(const json_t *j);

#endif /* MC_EVAL_EVAL_INT_H */
