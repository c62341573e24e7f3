/* SPDX-License-Identifier: MIT */
/* State shared by the report's scoring (score.c) and writers (report.c). */
#ifndef MC_REPORT_BUILD_H
#define MC_REPORT_BUILD_H

#include <jansson.h>

#include "report/report_int.h"
#include "util/buf.h"

/* Criterion 23: the threshold on the contaminated share and the formula
 * the report prints. */
#define MC_CONTAMINATION_LIMIT 0.01
#define MC_CONTAMINATION_FORMULA                                                             \
    "score = 2 if (contaminated share < 1% and at least one mitigation is declared); 1 if "  \
    "exactly one of the two holds; 0 otherwise. Mitigations: contamination.canary, "          \
    "contamination.private_test_set: true, contamination.decontamination."

typedef struct mc_rcrit {
    const mc_criterion *c;
    int score; /* -1: null */
    mc_buf ev;
} mc_rcrit;

typedef struct mc_rctx {
    const mc_criteria *cat;
    json_t *scan;  /* summary.json */
    json_t *audit; /* audit.json, or NULL */
    json_t *evaluation; /* evaluation.json, or NULL */
    json_t *contaminated; /* array of items.jsonl objects */
    size_t ncontaminated, judged;
    double share; /* -1 when no item was judged */
    int have_manifest;
    mc_manifest man;
    int mitigations;
    char mitigation_text[512];
    char canary_text[1024];
    mc_rcrit cr[MC_CRITERIA_COUNT + 1];
} mc_rctx;

void mc__ev(mc_rcrit *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mc__score_all(mc_rctx *r);

#endif /* MC_REPORT_BUILD_H */
