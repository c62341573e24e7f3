/* SPDX-License-Identifier: MIT */
/* One-shot decompression of a buffer held whole in memory (benchmark files),
 * driving the same registry decoders as the streaming reader. */
#include <stdio.h>

#include <medcheck/common.h>

#include "config.h"
#include "io/decomp.h"

/* Output grows by at least this much per decode step. */
#define STEP ((size_t)64 * 1024)

/* Probed in order; the last entry (none) always matches. */
static const mc__decomp_vt *const decoders[] = {
    &mc__decomp_zstd,
#if HAVE_ISAL
    &mc__decomp_igzip, /* unless MEDCHECK_INFLATE=zlib: then zlib takes gzip */
#endif
    &mc__decomp_gzip,
    &mc__decomp_xz,
    &mc__decomp_bz2,
    &mc__decomp_none,
};

const mc__decomp_vt *mc__decomp_probe(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (decoders[i]->probe && !decoders[i]->probe(p, n)) {
        i++;
    }
    return decoders[i];
}

/* Grow `out` for the next decode step: by its length (so it doubles), at
 * least STEP, at most `left` or out's own cap. 0 room means the cap is
 * reached. 0 or MC_ENOMEM. */
static int out_room(mc_buf *out, size_t left, size_t *room)
{
    size_t want = out->len < STEP ? STEP : out->len;
    if (want > left) {
        want = left;
    }
    if (want > out->max_len - out->len) {
        want = out->max_len - out->len;
    }
    *room = want;
    return mc__buf_reserve(out, want);
}

int mc__decomp_whole(const uint8_t *in, size_t in_len, size_t max_out, mc_buf *out,
                     mc_compression *comp, char *msg, size_t msgsz)
{
    const mc__decomp_vt *vt = mc__decomp_probe(in, in_len);
    void *ctx = NULL;
    char why[160] = "";
    size_t start = out->len;
    mc__dstream s = {in, in_len, 0, NULL, 0, 0};
    uint8_t spare = 0;
    *comp = vt->comp;
    int rc = mc__buf_reserve(out, 0); /* empty output is still a string */
    if (rc < 0) {
        goto fail;
    }
    out->data[out->len] = '\0';
    rc = vt->create(&ctx);
    if (rc < 0) {
        goto fail;
    }
    for (;;) {
        size_t room = 0;
        rc = out_room(out, max_out - (out->len - start), &room);
        if (rc < 0) {
            goto fail;
        }
        /* At the cap, decode into a spare byte: any output is one too many. */
        s.out = room ? (uint8_t *)out->data + out->len : &spare;
        s.out_cap = room ? room : 1;
        s.out_pos = 0;
        size_t in0 = s.in_pos;
        rc = vt->decode(ctx, &s, why, sizeof(why));
        if (room == 0 && s.out_pos > 0) {
            rc = MC_ELIMIT;
            goto fail;
        }
        out->len += s.out_pos;
        out->data[out->len] = '\0';
        if (rc < 0) {
            snprintf(msg, msgsz, "%s %s data at byte offset %zu (compressed; %zu decompressed): %s",
                     rc == MC_ELIMIT ? "over-limit" : "corrupt", vt->name, s.in_pos,
                     out->len - start, why);
            goto fail;
        }
        if (s.in_pos == in_len && s.out_pos < s.out_cap) {
            break; /* all input taken and nothing held back */
        }
        if (s.in_pos == in0 && s.out_pos == 0) {
            snprintf(msg, msgsz, "corrupt %s data at byte offset %zu: decoder made no progress",
                     vt->name, s.in_pos);
            rc = MC_EFORMAT;
            goto fail;
        }
    }
    if (!vt->at_boundary(ctx)) {
        snprintf(msg, msgsz, "truncated %s %s at byte offset %zu (compressed; %zu decompressed)",
                 vt->name, vt->unit, in_len, out->len - start);
        rc = MC_EFORMAT;
        goto fail;
    }
    vt->destroy(ctx);
    return 0;
fail:
    if (rc == MC_ELIMIT && why[0] == '\0') {
        snprintf(msg, msgsz, "decompressed size exceeds %zu bytes", max_out);
    } else if (rc == MC_ENOMEM) {
        snprintf(msg, msgsz, "out of memory");
    }
    vt->destroy(ctx);
    return rc;
}
