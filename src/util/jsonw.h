/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer into a capped buffer, for the result files
 * written once per item: keys come out in the order they are written, with
 * no document tree built first. */
#ifndef MC_UTIL_JSONW_H
#define MC_UTIL_JSONW_H

#include <stdint.h>

#include "util/buf.h"

/* Writer state: the buffer and whether a value was written at each depth
 * (to place commas). Errors are sticky: check rc once at the end. */
typedef struct mc_jsonw {
    mc_buf *b;
    int depth;
    uint8_t has_value[32];
    int rc;
} mc_jsonw;

void mc__jw_init(mc_jsonw *w, mc_buf *b);
void mc__jw_obj(mc_jsonw *w);     /* { */
void mc__jw_obj_end(mc_jsonw *w); /* } */
void mc__jw_arr(mc_jsonw *w);     /* [ */
void mc__jw_arr_end(mc_jsonw *w); /* ] */
void mc__jw_key(mc_jsonw *w, const char *key);
/* Values. A NULL string is written as null. Strings must be UTF-8. */
void mc__jw_str(mc_jsonw *w, const char *s);
void mc__jw_strn(mc_jsonw *w, const char *s, size_t n);
void mc__jw_int(mc_jsonw *w, int64_t v);
void mc__jw_uint(mc_jsonw *w, uint64_t v);
/* A number rounded to 6 significant digits ("%.6g", with ".0" added to
 * integral values so it reads back as a real). */
void mc__jw_real(mc_jsonw *w, double v);
/* A number written so that it reads back to the same double ("%.17g"). */
void mc__jw_real_exact(mc_jsonw *w, double v);
void mc__jw_bool(mc_jsonw *w, int v);
void mc__jw_null(mc_jsonw *w);

#endif /* MC_UTIL_JSONW_H */
