/* SPDX-License-Identifier: MIT */
/* Word-at-a-time scanning of JSON string bodies, shared by the JSONL field
 * extractor (src/io) and the benchmark readers' key scan (src/bench). */
#ifndef MC_UTIL_SWAR_H
#define MC_UTIL_SWAR_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/bits.h"

#define MC_SWAR_ONES UINT64_C(0x0101010101010101)
#define MC_SWAR_HIGH UINT64_C(0x8080808080808080)

/* The first byte at or after p (before end) that is '"', '\\' or >= 0x80,
 * or also < 0x20 when stop_ctrl is set; end if there is none. Eight bytes
 * at a time, then one at a time within the word that holds the stop. */
static inline const uint8_t *mc__swar_skip_plain(const uint8_t *p, const uint8_t *end,
                                                int stop_ctrl)
{
    const uint64_t ones = MC_SWAR_ONES;
#if defined(__SSE2__)
    /* sixteen bytes at a time: signed compares put bytes >= 0x80 below
     * 0x20, so one compare finds both them and control characters */
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(stop_ctrl ? 0x20 : 0);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i t = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
        t = _mm_or_si128(t, _mm_cmplt_epi8(v, space));
        t = _mm_or_si128(t, _mm_cmplt_epi8(v, _mm_setzero_si128()));
        unsigned m = (unsigned)_mm_movemask_epi8(t);
        if (m) {
            return p + mc__ctz64(m);
        }
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t q = v ^ (ones * '"');
        uint64_t b = v ^ (ones * '\\');
        uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | v;
        if (stop_ctrl) {
            t |= (v - ones * 0x20) & ~v;
        }
        if (t & MC_SWAR_HIGH) {
            break;
        }
        p += 8;
    }
    while (p < end && *p != '"' && *p != '\\' && *p < 0x80 && !(stop_ctrl && *p < 0x20)) {
        p++;
    }
    return p;
}

#endif /* MC_UTIL_SWAR_H */
