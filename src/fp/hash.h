/* SPDX-License-Identifier: MIT */
/* Hashing of words and word n-grams. Seeds are fixed so that fingerprints
 * (and index files) are reproducible across runs and machines. */
#ifndef MC_FP_HASH_H
#define MC_FP_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

/* Seed of the per-word XXH3 hash. Part of the index format: never change
 * it without bumping the index format version. */
#define MC_HASH_WORD_SEED UINT64_C(0x6d65646368656b31) /* "medchek1" */

/* Odd multiplier of the polynomial n-gram hash (mod 2^64). */
#define MC_HASH_POLY UINT64_C(0x9e3779b97f4a7c15)

/* Hash of one normalised word (inline: it runs once per corpus word). */
static inline uint64_t mc__hash_word(const char *p, size_t n)
{
    return XXH3_64bits_withSeed(p, n, MC_HASH_WORD_SEED);
}

/* The same value as mc__hash_word(p, n), for a word followed by at least
 * 16 - n readable, initialised bytes (the token vector keeps that slack).
 * Corpus words have every length from 1 to 16, so the length dispatch of
 * XXH3 mispredicts on about one word in three; here xxHash's own three
 * short-input functions are all evaluated on clamped lengths and the
 * right one is selected without a branch. Longer words take the plain
 * call. A unit test checks every length against the library. */
static inline uint64_t mc__hash_word_padded(const char *p, size_t n)
{
#if defined(XXH_INLINE_ALL) && XXH_VERSION_NUMBER >= 800 && XXH_VERSION_NUMBER < 900
    if (n - 1 < 16) {
        const xxh_u8 *in = (const xxh_u8 *)p;
        size_t n3 = n < 3 ? n : 3;
        size_t n8 = n < 4 ? 4 : (n > 8 ? 8 : n);
        size_t n16 = n < 9 ? 9 : n;
        uint64_t h3 = XXH3_len_1to3_64b(in, n3, XXH3_kSecret, MC_HASH_WORD_SEED);
        uint64_t h8 = XXH3_len_4to8_64b(in, n8, XXH3_kSecret, MC_HASH_WORD_SEED);
        uint64_t h16 = XXH3_len_9to16_64b(in, n16, XXH3_kSecret, MC_HASH_WORD_SEED);
        uint64_t h = n > 8 ? h16 : h8;
        return n < 4 ? h3 : h;
    }
#endif
    return XXH3_64bits_withSeed(p, n, MC_HASH_WORD_SEED);
}

/* The n-gram key: a polynomial of the word hashes,
 * H = sum(h[i] * P^(L-1-i)), finished with a mixer that also takes the
 * length, so n-grams of different lengths never share keys. */
static inline uint64_t mc__hash_finish(uint64_t poly, uint32_t len)
{
    uint64_t x = poly ^ ((uint64_t)len * UINT64_C(0xff51afd7ed558ccd));
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 29;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 32;
    return x;
}

/* P^e mod 2^64. */
uint64_t mc__hash_pow(uint32_t e);

/* Key of the n-gram of `len` words whose hashes are h[0..len-1]. */
uint64_t mc__hash_ngram(const uint64_t *h, size_t stride_words, uint32_t len);

#endif /* MC_FP_HASH_H */
