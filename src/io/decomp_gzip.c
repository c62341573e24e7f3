/* SPDX-License-Identifier: MIT */
/* gzip streams of one or more members (RFC 1952; multi-member files are what
 * `cat a.gz b.gz` and pigz produce): inflate, reset at each member end. */
#include <stdio.h>

#include <zlib.h>

#include "io/decomp.h"
#include "util/alloc.h"

#define MAX_STEP (UINT32_C(1) << 30) /* zlib counts in uInt */

typedef struct gctx {
    z_stream z;
    bool member_done; /* the last member ended and no new one has begun */
} gctx;

static voidpf gz_alloc(voidpf opaque, uInt items, uInt size)
{
    return mc__reallocarray(NULL, items, size);
}

static void gz_free(voidpf opaque, voidpf p)
{
    mc__free(p);
}

static bool gzip_probe(const uint8_t *p, size_t n)
{
    return n >= 2 && p[0] == 0x1F && p[1] == 0x8B;
}

static int gzip_create(void **out)
{
    gctx *g = mc__calloc(1, sizeof(*g));
    if (!g) {
        return MC_ENOMEM;
    }
    g->z.zalloc = gz_alloc;
    g->z.zfree = gz_free;
    if (inflateInit2(&g->z, 15 + 32) != Z_OK) {
        mc__free(g);
        return MC_ENOMEM;
    }
    *out = g;
    return 0;
}

static int gzip_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    gctx *g = ctx;
    z_stream *z = &g->z;
    int rc = 0;
    z->next_in = (Bytef *)(uintptr_t)(s->in + s->in_pos);
    z->avail_in = (uInt)(s->in_len - s->in_pos);
    z->next_out = s->out + s->out_pos;
    size_t room = s->out_cap - s->out_pos;
    z->avail_out = (uInt)(room > MAX_STEP ? MAX_STEP : room);
    while (z->avail_out > 0) {
        uInt in0 = z->avail_in;
        uInt out0 = z->avail_out;
        int zr = inflate(z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            g->member_done = true;
            inflateReset(z);
        } else if (zr == Z_OK || zr == Z_BUF_ERROR) {
            if (z->avail_in != in0) {
                g->member_done = false;
            }
            if (z->avail_in == in0 && z->avail_out == out0) {
                break; /* needs more input */
            }
        } else {
            snprintf(msg, msgsz, "%s", z->msg ? z->msg : "inflate error");
            rc = zr == Z_MEM_ERROR ? MC_ENOMEM : MC_EFORMAT;
            break;
        }
        if (z->avail_in == 0 && zr == Z_STREAM_END) {
            break;
        }
    }
    s->in_pos = s->in_len - z->avail_in;
    s->out_pos = (size_t)(z->next_out - s->out);
    return rc;
}

static bool gzip_at_boundary(const void *ctx)
{
    const gctx *g = ctx;
    return g->member_done;
}

static void gzip_destroy(void *ctx)
{
    gctx *g = ctx;
    if (!g) {
        return;
    }
    inflateEnd(&g->z);
    mc__free(g);
}

const mc__decomp_vt mc__decomp_gzip = {
    .name = "gzip",
    .unit = "member",
    .comp = MC_COMP_GZIP,
    .probe = gzip_probe,
    .create = gzip_create,
    .decode = gzip_decode,
    .at_boundary = gzip_at_boundary,
    .destroy = gzip_destroy,
};
