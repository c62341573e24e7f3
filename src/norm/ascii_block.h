/* SPDX-License-Identifier: MIT */
/* Classifying 64 bytes of text at once: which bytes are ASCII letters or
 * digits (word bytes) and which are not ASCII. SSE2 where the compiler
 * targets it (every x86-64), a scalar loop elsewhere: same results. */
#ifndef MC_NORM_ASCII_BLOCK_H
#define MC_NORM_ASCII_BLOCK_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>

static inline void mc__ascii_classify16(const unsigned char *p, uint64_t *word, uint64_t *high,
                                        unsigned shift)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* signed compares: bytes >= 0x80 are negative and fall outside both */
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    *word |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(alpha, digit)) << shift;
    *high |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << shift;
}

/* Bit k of *word: p[k] is an ASCII letter or digit; of *high: p[k] >= 0x80. */
static inline void mc__ascii_classify64(const unsigned char *p, uint64_t *word, uint64_t *high)
{
    *word = 0;
    *high = 0;
    for (unsigned k = 0; k < 64; k += 16) {
        mc__ascii_classify16(p + k, word, high, k);
    }
}

/* Copy n (<= 16) word bytes lower-cased; may write up to 16 bytes. */
static inline void mc__ascii_lower16(char *dst, const unsigned char *src)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)src);
    _mm_storeu_si128((__m128i *)(void *)dst, _mm_or_si128(v, _mm_set1_epi8(0x20)));
}
#define MC_HAVE_LOWER16 1

#else

static inline void mc__ascii_classify64(const unsigned char *p, uint64_t *word, uint64_t *high)
{
    *word = 0;
    *high = 0;
    for (unsigned k = 0; k < 64; k++) {
        unsigned char c = p[k];
        unsigned char l = (unsigned char)(c | 0x20);
        int w = (l >= 'a' && l <= 'z') || (c >= '0' && c <= '9');
        *word |= (uint64_t)w << k;
        *high |= (uint64_t)(c >= 0x80) << k;
    }
}
#define MC_HAVE_LOWER16 0

#endif

#endif /* MC_NORM_ASCII_BLOCK_H */
