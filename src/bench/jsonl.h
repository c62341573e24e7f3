/* SPDX-License-Identifier: MIT */
/* Internals of the JSONL readers: the key spec that drives them, and the
 * fast path that reads a line with io/json_field instead of building a
 * jansson tree. The fast path reads only lines whose items it can prove
 * equal to the jansson path's; any other line goes to jansson. */
#ifndef MC_BENCH_JSONL_H
#define MC_BENCH_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench_int.h"
#include "io/json_field.h"
#include "util/buf.h"

/* Candidate keys of each part, NULL-terminated, tried in order. A key
 * "k1|k2|..." lists one key per option (MedMCQA opa..opd). */
typedef struct mc__bench_jsonl_spec {
    const char *const *question;
    const char *const *options;
    const char *const *answer;
    const char *const *passage;
    const char *const *id;
    const char *const *split;
    const char *const *subject;
    int pubmedqa_split; /* split MedAgentsBench's PubMedQA question back */
} mc__bench_jsonl_spec;

/* ---- line scanner (jsonl_scan.c) */

#define MC__BENCH_JSONL_MAX_TOP 64  /* keys of the top-level object */
#define MC__BENCH_JSONL_MAX_KIDS 64 /* keys of its object values, all told */

/* A key as written in the line (not NUL-terminated). */
typedef struct mc__bench_jsonl_key {
    const char *name;
    uint32_t len;
    char type;         /* first byte of the value; '0' for any number */
    uint8_t escaped;   /* the key holds a backslash escape */
    uint8_t kids_lost; /* an object value with more keys than were listed */
    uint16_t kid0;     /* an object value's keys: kids[kid0 .. kid0 + nkid) */
    uint16_t nkid;
} mc__bench_jsonl_key;

/* Keys of the top-level object and of each of its object values, in file
 * order, duplicates kept. */
typedef struct mc__bench_jsonl_index {
    mc__bench_jsonl_key top[MC__BENCH_JSONL_MAX_TOP];
    mc__bench_jsonl_key kids[MC__BENCH_JSONL_MAX_KIDS];
    uint32_t n_top;
    uint32_t n_kids;
    int top_escaped; /* some top-level key holds an escape */
} mc__bench_jsonl_index;

/* Index the keys of one line without validating it (mc__json_extract does
 * that). Returns 0, or MC_EUNSUPPORTED when the line is one the fast path
 * must leave to jansson although json_field may accept it: not an object;
 * invalid UTF-8, "\u0000" or a surrogate escape (json_field repairs them,
 * jansson truncates or rejects); a number with an exponent or more than 15
 * characters (jansson may reject it as out of range); too many keys. */
int mc__bench_jsonl_scan(mc__bench_jsonl_index *ix, const char *line, size_t len);

/* ---- fast path (jsonl_fast.c) */

/* Lines longer than this always go to jansson: each query buffer reserves
 * room for the rest of the line. */
#define MC__BENCH_JSONL_FAST_MAX_LINE ((size_t)1 << 20)
#define MC__BENCH_JSONL_MAX_Q (MC__BENCH_MAX_OPTIONS + 8)

typedef struct mc__bench_jsonl_fast {
    mc__bench_jsonl_index ix;
    mc__json_path path[MC__BENCH_JSONL_MAX_Q];
    mc__json_query q[MC__BENCH_JSONL_MAX_Q];
    mc_buf out[MC__BENCH_JSONL_MAX_Q];
    char want[MC__BENCH_JSONL_MAX_Q]; /* value type each query expects */
    size_t nq;
    mc_buf labels; /* option labels, NUL-separated */
    char num[32];  /* an integer id, as jansson prints it */
} mc__bench_jsonl_fast;

/* Whether a spec's keys are all plain top-level keys (no dotted path, no
 * empty key): the fast path handles no others. */
int mc__bench_jsonl_fast_usable(const mc__bench_jsonl_spec *sp);
/* New fast-path state, or NULL (out of memory). */
mc__bench_jsonl_fast *mc__bench_jsonl_fast_create(void);
void mc__bench_jsonl_fast_destroy(mc__bench_jsonl_fast **f);
/* Read one line on the fast path. Returns 1 when the item was emitted, 0
 * when the line must be read with jansson instead (nothing emitted), or
 * MC_ENOMEM / MC_ELIMIT. */
int mc__bench_jsonl_fast_read(mc__bench_ctx *ctx, mc__bench_jsonl_fast *f, const char *line,
                              size_t len, uint32_t lineno, const mc__bench_jsonl_spec *sp);

/* MedAgentsBench's PubMedQA: split the passage back out of raw->question;
 * the answer text becomes `rationale`, or else `long_answer` (either may be
 * NULL). Shared by both paths (read_jsonl.c). */
void mc__bench_jsonl_split_pubmedqa(mc__bench_ctx *ctx, mc__bench_raw *raw,
                                    const char *rationale, const char *long_answer);

#endif /* MC_BENCH_JSONL_H */
