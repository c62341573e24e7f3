/* SPDX-License-Identifier: MIT */
/* Exact matching of one corpus document against the index: every n-gram
 * hit is confirmed word by word and extended to a maximal span. */
#ifndef MC_MATCH_MATCH_H
#define MC_MATCH_MATCH_H

#include <stdint.h>

#include "index/index.h"
#include "match/u64map.h"
#include "norm/tokens.h"

/* A maximal run of equal words shared by a sequence and the document. */
typedef struct mc_span {
    uint32_t seq; /* index sequence */
    uint32_t a;   /* start in the sequence */
    uint32_t d;   /* start in the document */
    uint32_t len; /* words */
    int32_t prev; /* previous span on the same (seq, diagonal), or -1 */
    uint32_t copy; /* how many earlier spans of the document share (seq, a, len) */
} mc_span;

/* Per-thread matching state; reused across documents without allocating
 * once it has grown. */
typedef struct mc_matcher {
    const mc_index *idx;
    mc_tokvec tv;       /* the document's words */
    mc_span *spans;
    size_t nspans;
    size_t cap;
    mc_u64map diag;     /* (seq, diagonal) -> latest span on it */
    mc_u64map seen;     /* (seq, start, length) -> its span: repeats are dropped */
    uint64_t pw[16];    /* P^(L-1) for each index length */
    uint64_t *keys;     /* n-gram keys of the document, computed ahead */
    size_t keys_cap;
    uint64_t hits;      /* confirmed n-gram hits (statistics) */
} mc_matcher;

int mc__matcher_init(mc_matcher *m, const mc_index *idx);
void mc__matcher_finish(mc_matcher *m);

/* Tokenise a document and find its spans (m->spans, sorted by item, then
 * sequence, then document position). Returns 0, MC_ENOMEM or MC_ELIMIT. */
int mc__matcher_doc(mc_matcher *m, const char *text, size_t len);

#endif /* MC_MATCH_MATCH_H */
