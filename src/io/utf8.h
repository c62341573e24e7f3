/* SPDX-License-Identifier: MIT */
/* UTF-8 validation and repair: ill-formed sequences become U+FFFD (one per
 * maximal subpart, the Unicode/WHATWG convention). Shared by the reader and
 * anyone else who must turn untrusted bytes into valid UTF-8. */
#ifndef MC_IO_UTF8_H
#define MC_IO_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* U+FFFD REPLACEMENT CHARACTER, encoded. */
#define MC__UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* mc__utf8_sanitize flags. */
enum {
    MC__UTF8_NUL = 1 << 0,  /* replace NUL bytes with U+FFFD (keep C strings) */
    MC__UTF8_CRLF = 1 << 1, /* drop a CR that directly precedes LF */
};

/* Length (1..4) of the well-formed UTF-8 sequence that starts at p (n > 0
 * bytes available), or the negated length (-1..-3) of the maximal ill-formed
 * subpart that one U+FFFD replaces (Unicode 15, table 3-7). Inline: it runs
 * once per non-ASCII character on the hot path. */
static inline int mc__utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    uint8_t lo = 0x80;
    uint8_t hi = 0xBF;
    int len;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
        hi = c == 0xED ? 0x9F : 0xBF; /* no encoded surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else {
        return -1;
    }
    if (n < 2 || p[1] < lo || p[1] > hi) {
        return -1;
    }
    for (int i = 2; i < len; i++) {
        if ((size_t)i >= n || (p[i] & 0xC0) != 0x80) {
            return -i;
        }
    }
    return len;
}

/* Encode code point cp (<= 0x10FFFF, not a surrogate) into out; returns the
 * number of bytes written (1..4). */
size_t mc__utf8_encode(uint32_t cp, char out[4]);

/* Append s[0..n) to b, replacing ill-formed UTF-8 with U+FFFD (and applying
 * the MC__UTF8_* flags). Returns 0, MC_ENOMEM or MC_ELIMIT; on failure b may
 * hold a prefix of the output. The output is at most 3 * n bytes. */
int mc__utf8_sanitize(mc_buf *b, const char *s, size_t n, unsigned flags);

/* Number of leading bytes of s[0..n) that form well-formed UTF-8. */
size_t mc__utf8_valid_prefix(const char *s, size_t n);

#endif /* MC_IO_UTF8_H */
