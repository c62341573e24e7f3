/* SPDX-License-Identifier: MIT */
/* gzip streams through ISA-L's inflate (igzip), which decodes about four
 * times as fast as zlib on this kind of text (bench/RESULTS.md). Same
 * contract as decomp_gzip.c: one or more members, each header parsed and
 * each trailer (CRC-32 and length) checked by ISA-L, reset at member ends.
 * Chosen over zlib when the library was found at build time, unless the
 * environment sets MEDCHECK_INFLATE=zlib (for comparisons). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

#include "io/decomp.h"
#include "util/alloc.h"

#define MAX_STEP (UINT32_C(1) << 30) /* ISA-L counts in uint32_t */

typedef struct igctx {
    struct inflate_state st;
    bool member_done; /* the last member ended and no new one has begun */
} igctx;

static bool igzip_probe(const uint8_t *p, size_t n)
{
    const char *e = getenv("MEDCHECK_INFLATE");
    if (e && strcmp(e, "zlib") == 0) {
        return false; /* the zlib decoder, next in the registry, takes it */
    }
    return n >= 2 && p[0] == 0x1F && p[1] == 0x8B;
}

static void member_start(igctx *g)
{
    isal_inflate_reset(&g->st);
    g->st.crc_flag = ISAL_GZIP;
}

static int igzip_create(void **out)
{
    igctx *g = mc__calloc(1, sizeof(*g));
    if (!g) {
        return MC_ENOMEM;
    }
    isal_inflate_init(&g->st);
    g->st.crc_flag = ISAL_GZIP;
    *out = g;
    return 0;
}

static const char *isal_reason(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
    case ISAL_NEED_DICT: return "a preset dictionary is needed";
    default: return "inflate error";
    }
}

static int igzip_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    igctx *g = ctx;
    struct inflate_state *st = &g->st;
    for (;;) {
        size_t in_left = s->in_len - s->in_pos;
        size_t room = s->out_cap - s->out_pos;
        if (room == 0) {
            return 0;
        }
        if (g->member_done) {
            if (in_left == 0) {
                return 0; /* clean end so far: more input may start a member */
            }
            member_start(g);
            g->member_done = false;
        }
        st->next_in = (uint8_t *)(uintptr_t)(s->in + s->in_pos);
        st->avail_in = (uint32_t)(in_left > MAX_STEP ? MAX_STEP : in_left);
        st->next_out = s->out + s->out_pos;
        st->avail_out = (uint32_t)(room > MAX_STEP ? MAX_STEP : room);
        uint32_t in0 = st->avail_in;
        uint32_t out0 = st->avail_out;
        int r = isal_inflate(st);
        s->in_pos += in0 - st->avail_in;
        s->out_pos += out0 - st->avail_out;
        if (r < 0 || r == ISAL_NEED_DICT) {
            snprintf(msg, msgsz, "%s", isal_reason(r));
            return MC_EFORMAT;
        }
        if (st->block_state == ISAL_BLOCK_FINISH) {
            g->member_done = true;
            continue; /* the next member, if any input is left */
        }
        if (st->avail_in == in0 && st->avail_out == out0) {
            return 0; /* needs more input */
        }
        if (st->avail_in == 0 && in0 == in_left) {
            return 0; /* all input taken; the caller brings more */
        }
    }
}

static bool igzip_at_boundary(const void *ctx)
{
    const igctx *g = ctx;
    return g->member_done;
}

static void igzip_destroy(void *ctx)
{
    mc__free(ctx);
}

const mc__decomp_vt mc__decomp_igzip = {
    .name = "gzip",
    .unit = "member",
    .comp = MC_COMP_GZIP,
    .probe = igzip_probe,
    .create = igzip_create,
    .decode = igzip_decode,
    .at_boundary = igzip_at_boundary,
    .destroy = igzip_destroy,
};
