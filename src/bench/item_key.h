/* SPDX-License-Identifier: MIT */
/* The key that names an item in every result file: "source#index" (see
 * the contract, "Items"). One definition for the scan and the audit. */
#ifndef MC_BENCH_ITEM_KEY_H
#define MC_BENCH_ITEM_KEY_H

#include <stdio.h>

#include <medcheck/bench.h>

/* Write the key of `it` into buf[n]; returns snprintf's count (the key is
 * cut if it is n or more). */
static inline int mc__item_key(const mc_item *it, char *buf, size_t n)
{
    return snprintf(buf, n, "%s#%u", it->source, it->index);
}

#endif /* MC_BENCH_ITEM_KEY_H */
