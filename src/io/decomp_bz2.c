/* SPDX-License-Identifier: MIT */
/* bzip2 streams (libbz2): one or more concatenated streams, as `cat a.bz2
 * b.bz2` and pbzip2 write them. The decoder is restarted at each stream
 * end; its memory is bounded by the format (at most about 3.7 MB for
 * 900k blocks). */
#include <stdio.h>

#include <bzlib.h>

#include "io/decomp.h"
#include "util/alloc.h"

#define MAX_STEP ((size_t)1 << 30) /* libbz2 counts in unsigned int */

typedef struct bctx {
    bz_stream s;
    bool active; /* BZ2_bzDecompressInit done, stream not ended */
    bool any;    /* at least one stream ended */
} bctx;

static void *bz_alloc(void *opaque, int n, int size)
{
    return n < 0 || size < 0 ? NULL : mc__reallocarray(NULL, (size_t)n, (size_t)size);
}

static void bz_free(void *opaque, void *p)
{
    mc__free(p);
}

/* "BZh" and a block size digit '1'..'9'. */
static bool bz2_probe(const uint8_t *p, size_t n)
{
    return n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9';
}

static int bz2_start(bctx *b)
{
    b->s.bzalloc = bz_alloc;
    b->s.bzfree = bz_free;
    b->s.opaque = NULL;
    int r = BZ2_bzDecompressInit(&b->s, 0, 0);
    if (r != BZ_OK) {
        return r == BZ_MEM_ERROR ? MC_ENOMEM : MC_EINVAL;
    }
    b->active = true;
    return 0;
}

static int bz2_create(void **out)
{
    bctx *b = mc__calloc(1, sizeof(*b));
    if (!b) {
        return MC_ENOMEM;
    }
    int rc = bz2_start(b);
    if (rc < 0) {
        mc__free(b);
        return rc;
    }
    *out = b;
    return 0;
}

static int bz2_error(int r, char *msg, size_t msgsz)
{
    switch (r) {
    case BZ_MEM_ERROR:
        snprintf(msg, msgsz, "out of memory");
        return MC_ENOMEM;
    case BZ_DATA_ERROR_MAGIC:
        snprintf(msg, msgsz, "not a bzip2 stream (bad magic bytes)");
        return MC_EFORMAT;
    case BZ_DATA_ERROR:
        snprintf(msg, msgsz, "libbz2: the data or its CRC is wrong");
        return MC_EFORMAT;
    default:
        snprintf(msg, msgsz, "bzip2 decoder error %d", r);
        return MC_EFORMAT;
    }
}

static int bz2_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    bctx *b = ctx;
    int rc = 0;
    while (s->out_pos < s->out_cap) {
        if (!b->active) {
            if (s->in_pos == s->in_len) {
                break; /* clean end, or the next stream has not arrived */
            }
            BZ2_bzDecompressEnd(&b->s);
            rc = bz2_start(b);
            if (rc < 0) {
                snprintf(msg, msgsz, "cannot restart the bzip2 decoder");
                break;
            }
        }
        size_t in_n = s->in_len - s->in_pos;
        size_t out_n = s->out_cap - s->out_pos;
        b->s.next_in = (char *)(uintptr_t)(s->in + s->in_pos);
        b->s.avail_in = (unsigned)(in_n > MAX_STEP ? MAX_STEP : in_n);
        b->s.next_out = (char *)(s->out + s->out_pos);
        b->s.avail_out = (unsigned)(out_n > MAX_STEP ? MAX_STEP : out_n);
        unsigned in0 = b->s.avail_in;
        unsigned out0 = b->s.avail_out;
        int r = BZ2_bzDecompress(&b->s);
        s->in_pos += in0 - b->s.avail_in;
        s->out_pos += out0 - b->s.avail_out;
        if (r == BZ_STREAM_END) {
            b->active = false;
            b->any = true;
            continue;
        }
        if (r != BZ_OK) {
            rc = bz2_error(r, msg, msgsz);
            break;
        }
        if (b->s.avail_in == in0 && b->s.avail_out == out0) {
            break; /* needs more input */
        }
    }
    return rc;
}

static bool bz2_at_boundary(const void *ctx)
{
    const bctx *b = ctx;
    return !b->active && b->any;
}

static void bz2_destroy(void *ctx)
{
    bctx *b = ctx;
    if (!b) {
        return;
    }
    BZ2_bzDecompressEnd(&b->s);
    mc__free(b);
}

const mc__decomp_vt mc__decomp_bz2 = {
    .name = "bzip2",
    .unit = "stream",
    .comp = MC_COMP_BZ2,
    .probe = bz2_probe,
    .create = bz2_create,
    .decode = bz2_decode,
    .at_boundary = bz2_at_boundary,
    .destroy = bz2_destroy,
};
