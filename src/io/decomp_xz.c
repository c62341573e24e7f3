/* SPDX-License-Identifier: MIT */
/* xz streams (liblzma): one or more concatenated streams, with stream
 * padding between them (xz file format 1.x, section 2.2). Each stream is
 * decoded on its own so that a stream boundary, like a zstd frame or a
 * gzip member, is known; the decoder's memory is capped (memlimit). */
#include <stdio.h>
#include <string.h>

#include <lzma.h>

#include "io/decomp.h"
#include "util/alloc.h"

/* xz -9 needs 65 MiB to decode; twice that covers every preset while a
 * hostile block header (dictionaries go up to 1.5 GiB) is refused. */
#define MEMLIMIT ((uint64_t)128 << 20)
#define MAX_STEP ((size_t)1 << 30)

typedef struct xctx {
    lzma_stream s;
    lzma_allocator al;
    bool active;      /* a stream has begun and not yet ended */
    bool any;         /* at least one stream ended */
    uint64_t padding; /* zero bytes seen since the last stream ended */
} xctx;

static void *xz_alloc(void *opaque, size_t n, size_t size)
{
    return mc__reallocarray(NULL, n, size);
}

static void xz_free(void *opaque, void *p)
{
    mc__free(p);
}

static bool xz_probe(const uint8_t *p, size_t n)
{
    static const uint8_t magic[6] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
    return n >= sizeof(magic) && memcmp(p, magic, sizeof(magic)) == 0;
}

/* (Re)start the decoder for the next stream: liblzma reuses its memory. */
static int xz_start(xctx *x, char *msg, size_t msgsz)
{
    lzma_ret lr = lzma_stream_decoder(&x->s, MEMLIMIT, 0);
    if (lr != LZMA_OK) {
        snprintf(msg, msgsz, "cannot start the xz decoder");
        return lr == LZMA_MEM_ERROR ? MC_ENOMEM : MC_EFORMAT;
    }
    x->active = true;
    x->padding = 0;
    return 0;
}

static int xz_create(void **out)
{
    char msg[64];
    xctx *x = mc__calloc(1, sizeof(*x));
    if (!x) {
        return MC_ENOMEM;
    }
    x->s = (lzma_stream)LZMA_STREAM_INIT;
    x->al.alloc = xz_alloc;
    x->al.free = xz_free;
    x->s.allocator = &x->al;
    if (xz_start(x, msg, sizeof(msg)) < 0) {
        lzma_end(&x->s);
        mc__free(x);
        return MC_ENOMEM;
    }
    *out = x;
    return 0;
}

/* Translate a liblzma error; the message says what the user can do. */
static int xz_error(xctx *x, lzma_ret lr, char *msg, size_t msgsz)
{
    switch (lr) {
    case LZMA_MEM_ERROR:
        snprintf(msg, msgsz, "out of memory");
        return MC_ENOMEM;
    case LZMA_MEMLIMIT_ERROR:
        snprintf(msg, msgsz,
                 "the stream needs %llu MiB to decode, over the %llu MiB limit "
                 "(recompress with a smaller dictionary, e.g. xz -6)",
                 (unsigned long long)((lzma_memusage(&x->s) + (1u << 20) - 1) >> 20),
                 (unsigned long long)(MEMLIMIT >> 20));
        return MC_ELIMIT;
    case LZMA_FORMAT_ERROR:
        snprintf(msg, msgsz, "not an xz stream (bad magic bytes)");
        return MC_EFORMAT;
    case LZMA_OPTIONS_ERROR:
        snprintf(msg, msgsz, "unsupported xz options");
        return MC_EFORMAT;
    case LZMA_DATA_ERROR:
        snprintf(msg, msgsz, "liblzma: the data or its integrity check is wrong");
        return MC_EFORMAT;
    default:
        snprintf(msg, msgsz, "xz decoder error %d", (int)lr);
        return MC_EFORMAT;
    }
}

/* Between streams: take zero bytes of padding; a nonzero byte starts the
 * next stream, which is only allowed after a multiple of four. */
static int xz_between(xctx *x, mc__dstream *s, char *msg, size_t msgsz)
{
    while (s->in_pos < s->in_len && s->in[s->in_pos] == 0) {
        s->in_pos++;
        x->padding++;
    }
    if (s->in_pos == s->in_len) {
        return 0;
    }
    if (x->padding % 4 != 0) {
        snprintf(msg, msgsz, "stream padding of %llu bytes is not a multiple of 4",
                 (unsigned long long)x->padding);
        return MC_EFORMAT;
    }
    return xz_start(x, msg, msgsz);
}

static int xz_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    xctx *x = ctx;
    int rc = 0;
    while (s->out_pos < s->out_cap) {
        if (!x->active) {
            rc = xz_between(x, s, msg, msgsz);
            if (rc < 0 || !x->active) {
                break;
            }
        }
        size_t in_n = s->in_len - s->in_pos;
        size_t out_n = s->out_cap - s->out_pos;
        x->s.next_in = s->in + s->in_pos;
        x->s.avail_in = in_n;
        x->s.next_out = s->out + s->out_pos;
        x->s.avail_out = out_n > MAX_STEP ? MAX_STEP : out_n;
        size_t avail_out0 = x->s.avail_out;
        lzma_ret lr = lzma_code(&x->s, LZMA_RUN);
        size_t used_in = in_n - x->s.avail_in;
        size_t used_out = avail_out0 - x->s.avail_out;
        s->in_pos += used_in;
        s->out_pos += used_out;
        if (lr == LZMA_STREAM_END) {
            x->active = false;
            x->any = true;
            continue;
        }
        if (lr != LZMA_OK && lr != LZMA_BUF_ERROR) {
            rc = xz_error(x, lr, msg, msgsz);
            break;
        }
        if (used_in == 0 && used_out == 0) {
            break; /* needs more input */
        }
    }
    return rc;
}

static bool xz_at_boundary(const void *ctx)
{
    const xctx *x = ctx;
    return !x->active && x->any && x->padding % 4 == 0;
}

static void xz_destroy(void *ctx)
{
    xctx *x = ctx;
    if (!x) {
        return;
    }
    lzma_end(&x->s);
    mc__free(x);
}

const mc__decomp_vt mc__decomp_xz = {
    .name = "xz",
    .unit = "stream",
    .comp = MC_COMP_XZ,
    .probe = xz_probe,
    .create = xz_create,
    .decode = xz_decode,
    .at_boundary = xz_at_boundary,
    .destroy = xz_destroy,
};
