/* SPDX-License-Identifier: MIT */
/* zstd streams: any number of frames, with skippable frames anywhere
 * (libzstd skips them). The window is capped so a hostile frame header
 * cannot make us allocate more than 128 MiB. */
#include <stdio.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "io/decomp.h"
#include "util/alloc.h"

#define WINDOW_LOG_MAX 27 /* 128 MiB */

typedef struct zctx {
    ZSTD_DCtx *d;
    size_t last; /* last ZSTD_decompressStream hint: 0 = frame complete */
} zctx;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static bool zstd_probe(const uint8_t *p, size_t n)
{
    if (n < 4) {
        return false;
    }
    uint32_t m = le32(p);
    return m == ZSTD_MAGICNUMBER || (m & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START;
}

static int zstd_create(void **out)
{
    zctx *z = mc__calloc(1, sizeof(*z));
    if (!z) {
        return MC_ENOMEM;
    }
    z->d = ZSTD_createDCtx();
    if (!z->d) {
        goto fail;
    }
    if (ZSTD_isError(ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax, WINDOW_LOG_MAX))) {
        goto fail;
    }
    z->last = 1;
    *out = z;
    return 0;
fail:
    ZSTD_freeDCtx(z->d);
    mc__free(z);
    return MC_ENOMEM;
}

static int zstd_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    zctx *z = ctx;
    ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
    ZSTD_outBuffer out = {s->out, s->out_cap, s->out_pos};
    while (out.pos < out.size) {
        size_t in0 = in.pos;
        size_t out0 = out.pos;
        size_t r = ZSTD_decompressStream(z->d, &out, &in);
        if (ZSTD_isError(r)) {
            ZSTD_ErrorCode e = ZSTD_getErrorCode(r);
            snprintf(msg, msgsz, "%s", ZSTD_getErrorName(r));
            s->in_pos = in.pos;
            s->out_pos = out.pos;
            if (e == ZSTD_error_memory_allocation) {
                return MC_ENOMEM;
            }
            if (e == ZSTD_error_frameParameter_windowTooLarge) {
                snprintf(msg, msgsz, "frame window exceeds the %u MiB limit",
                         1u << (WINDOW_LOG_MAX - 20));
                return MC_ELIMIT;
            }
            return MC_EFORMAT;
        }
        if (in.pos == in0 && out.pos == out0) {
            break; /* needs more input; r is only a size hint then */
        }
        z->last = r;
    }
    s->in_pos = in.pos;
    s->out_pos = out.pos;
    return 0;
}

static bool zstd_at_boundary(const void *ctx)
{
    const zctx *z = ctx;
    return z->last == 0;
}

static void zstd_destroy(void *ctx)
{
    zctx *z = ctx;
    if (!z) {
        return;
    }
    ZSTD_freeDCtx(z->d);
    mc__free(z);
}

const mc__decomp_vt mc__decomp_zstd = {
    .name = "zstd",
    .unit = "frame",
    .comp = MC_COMP_ZSTD,
    .probe = zstd_probe,
    .create = zstd_create,
    .decode = zstd_decode,
    .at_boundary = zstd_at_boundary,
    .destroy = zstd_destroy,
};
