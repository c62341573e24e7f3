/* SPDX-License-Identifier: MIT */
/* The container-compression registry: one const vtable per format, chosen by
 * magic bytes (the dav1d demuxer / curl content_encoding pattern). */
#ifndef MC_IO_DECOMP_H
#define MC_IO_DECOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <medcheck/reader.h>

#include "util/buf.h"

/* Input and output windows of one decode step (as ZSTD_inBuffer/outBuffer). */
typedef struct mc__dstream {
    const uint8_t *in;
    size_t in_len;
    size_t in_pos; /* advanced by decode */
    uint8_t *out;
    size_t out_cap;
    size_t out_pos; /* advanced by decode */
} mc__dstream;

typedef struct mc__decomp_vt {
    const char *name; /* "zstd", for messages */
    const char *unit; /* "frame", "member", for messages */
    mc_compression comp;
    /* Whether the first n bytes of a stream (n >= 4 unless the stream is
     * shorter) are this format. NULL for the fallback (none). */
    bool (*probe)(const uint8_t *p, size_t n);
    /* Allocate a decoder. 0 or MC_ENOMEM. */
    int (*create)(void **ctx);
    /* Consume input and produce output as far as possible. 0, or a negative
     * code (MC_EFORMAT, MC_ELIMIT, MC_ENOMEM) with a reason in msg. */
    int (*decode)(void *ctx, mc__dstream *s, char *msg, size_t msgsz);
    /* True when everything consumed so far ends on a frame/member boundary,
     * i.e. end of input here is clean rather than a truncation. */
    bool (*at_boundary)(const void *ctx);
    void (*destroy)(void *ctx); /* NULL-safe */
} mc__decomp_vt;

extern const mc__decomp_vt mc__decomp_none;
extern const mc__decomp_vt mc__decomp_zstd;
extern const mc__decomp_vt mc__decomp_gzip;
extern const mc__decomp_vt mc__decomp_xz;
extern const mc__decomp_vt mc__decomp_bz2;
extern const mc__decomp_vt mc__decomp_igzip; /* when built with ISA-L */

/* The decoder for a stream starting with the first n bytes (n >= 4 unless the
 * stream is shorter): zstd, gzip, xz, bzip2, or else none. */
const mc__decomp_vt *mc__decomp_probe(const uint8_t *p, size_t n);

/* Decompress a whole in-memory stream: probe the format from the magic bytes
 * (mc__decomp_probe; anything else is copied as is), set *comp, and append
 * the output to `out`, NUL-terminated. Returns 0; MC_ELIMIT when the output
 * would exceed max_out bytes (or out's own cap); MC_EFORMAT when the data is
 * corrupt or ends inside a frame/member, with the byte offset in msg;
 * MC_ENOMEM. On failure out holds what was decoded before the error. */
int mc__decomp_whole(const uint8_t *in, size_t in_len, size_t max_out, mc_buf *out,
                     mc_compression *comp, char *msg, size_t msgsz);

#endif /* MC_IO_DECOMP_H */
