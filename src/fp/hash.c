/* SPDX-License-Identifier: MIT */
/* Word and n-gram hashing (xxHash XXH3 for words, a rolling polynomial
 * over word hashes for n-grams so a scan updates it in O(1) per word). */
#include "fp/hash.h"

uint64_t mc__hash_pow(uint32_t e)
{
    uint64_t r = 1;
    uint64_t b = MC_HASH_POLY;
    while (e) {
        if (e & 1) {
            r *= b;
        }
        b *= b;
        e >>= 1;
    }
    return r;
}

uint64_t mc__hash_ngram(const uint64_t *h, size_t stride_words, uint32_t len)
{
    uint64_t poly = 0;
    for (uint32_t i = 0; i < len; i++) {
        poly = poly * MC_HASH_POLY + h[i * stride_words];
    }
    return mc__hash_finish(poly, len);
}
