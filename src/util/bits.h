/* SPDX-License-Identifier: MIT */
/* Bit helpers: the compiler builtins where they exist, portable code
 * elsewhere (the one place compiler extensions are allowed). */
#ifndef MC_UTIL_BITS_H
#define MC_UTIL_BITS_H

#include <stdint.h>

/* Index of the lowest set bit; x must not be 0. */
static inline unsigned mc__ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* Hint that *p will be read soon; no effect where unsupported. */
static inline void mc__prefetch(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 1);
#else
    (void)p;
#endif
}

#endif /* MC_UTIL_BITS_H */
