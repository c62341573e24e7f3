/* SPDX-License-Identifier: MIT */
/* The identity "decompressor" for uncompressed shards: a plain copy, so the
 * reader has one code path for every format. */
#include <string.h>

#include "io/decomp.h"

static int none_create(void **ctx)
{
    *ctx = NULL;
    return 0;
}

static int none_decode(void *ctx, mc__dstream *s, char *msg, size_t msgsz)
{
    size_t n = s->in_len - s->in_pos;
    if (n > s->out_cap - s->out_pos) {
        n = s->out_cap - s->out_pos;
    }
    if (n) {
        memcpy(s->out + s->out_pos, s->in + s->in_pos, n);
    }
    s->in_pos += n;
    s->out_pos += n;
    return 0;
}

static bool none_at_boundary(const void *ctx)
{
    return true;
}

static void none_destroy(void *ctx)
{
}

const mc__decomp_vt mc__decomp_none = {
    .name = "none",
    .unit = "byte",
    .comp = MC_COMP_NONE,
    .probe = NULL,
    .create = none_create,
    .decode = none_decode,
    .at_boundary = none_at_boundary,
    .destroy = none_destroy,
};
