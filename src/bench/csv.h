/* SPDX-License-Identifier: MIT */
/* RFC 4180 CSV tokenizer over an in-memory buffer: quoted fields with
 * embedded newlines and doubled quotes, LF or CRLF record ends. */
#ifndef MC_BENCH_CSV_H
#define MC_BENCH_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct mc__csv {
    const char *p;
    const char *end;
    uint32_t line;  /* 1-based line of p */
    mc_buf fields;  /* field bytes, each NUL-terminated */
    size_t *offs;   /* start of each field in `fields` */
    size_t n_fields;
    size_t cap_fields;
} mc__csv;

void mc__csv_init(mc__csv *c, const char *data, size_t len);
void mc__csv_finish(mc__csv *c);
/* Next record. Returns 1 with *line = its first line, 0 at the end, or
 * MC_ENOMEM / MC_ELIMIT. Blank lines are skipped. A quoted field left
 * open at the end of the data sets *bad (the record is still returned
 * and ends the data). */
int mc__csv_next(mc__csv *c, uint32_t *line, const char **bad);
/* The i-th field of the current record (i < n_fields). */
const char *mc__csv_field(const mc__csv *c, size_t i);

#endif /* MC_BENCH_CSV_H */
