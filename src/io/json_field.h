/* SPDX-License-Identifier: MIT */
/* Allocation-free JSON field extraction for the JSONL hot path: validates a
 * whole line as one RFC 8259 value and pulls out values at dotted paths. */
#ifndef MC_IO_JSON_FIELD_H
#define MC_IO_JSON_FIELD_H

#include <stddef.h>

#include "util/buf.h"

#define MC__JSON_MAX_DEPTH 256  /* deeper nesting is an error */
#define MC__JSON_MAX_SEGS 16    /* components of a dotted path */
#define MC__JSON_MAX_QUERIES 8  /* paths extracted in one pass */

/* A dotted path ("metadata.url"), split once. A key that itself contains a
 * '.' cannot be named. */
typedef struct mc__json_path {
    const char *seg[MC__JSON_MAX_SEGS];
    size_t seg_len[MC__JSON_MAX_SEGS];
    size_t nseg;
} mc__json_path;

/* What a query found. */
typedef enum mc__json_kind {
    MC__JSON_MISSING = 0, /* no value at the path */
    MC__JSON_STRING,      /* out holds the decoded string */
    MC__JSON_NUMBER,      /* out holds the number as written */
    MC__JSON_OTHER,       /* object, array, true, false or null (out empty) */
} mc__json_kind;

typedef struct mc__json_query {
    const mc__json_path *path; /* borrowed; must outlive the call */
    mc_buf *out;               /* reset, then filled for STRING and NUMBER;
                                * its max_len must be at least the line
                                * length (3x covers every U+FFFD repair),
                                * or extraction may fail with MC_ELIMIT */
    mc__json_kind kind;        /* result */
} mc__json_query;

/* Why a line was rejected. */
typedef struct mc__json_error {
    const char *msg; /* static text, e.g. "unterminated string" */
    size_t offset;   /* byte offset within the line */
} mc__json_error;

/* Split `dotted` into p. The segments point into `dotted`, which must
 * outlive p. 0, or MC_EINVAL (empty segment or too many). */
int mc__json_path_init(mc__json_path *p, const char *dotted);

/* Validate line[0..len) as exactly one JSON value (surrounding whitespace
 * allowed) and fill each query. Rules beyond RFC 8259:
 *  - duplicate keys: the FIRST occurrence is used (jansson keeps the last);
 *  - strings are decoded to UTF-8; unpaired surrogate escapes, invalid
 *    UTF-8 bytes and \u0000 each become U+FFFD, so output is a C string;
 *  - nesting deeper than MC__JSON_MAX_DEPTH is an error.
 * Returns 0 when the line is valid; MC_EFORMAT with *err filled when it is
 * not (query results are then unspecified); MC_ENOMEM / MC_ELIMIT from a
 * query's buffer; MC_EINVAL if nq > MC__JSON_MAX_QUERIES. */
int mc__json_extract(const char *line, size_t len, mc__json_query *q, size_t nq,
                     mc__json_error *err);

#endif /* MC_IO_JSON_FIELD_H */
