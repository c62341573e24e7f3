/* SPDX-License-Identifier: MIT */
/* A small open-addressing map from nonzero 64-bit keys to 32-bit values,
 * cleared between documents in time proportional to what was used. */
#ifndef MC_MATCH_U64MAP_H
#define MC_MATCH_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mc_u64map {
    uint64_t *keys; /* 0: empty */
    int32_t *vals;
    uint32_t *used; /* slots in use, for clearing */
    size_t nused;
    size_t mask;
} mc_u64map;

int mc__u64map_init(mc_u64map *m, size_t min_slots);
void mc__u64map_finish(mc_u64map *m);
void mc__u64map_clear(mc_u64map *m);

/* The slot holding key, or the empty slot where it would go. */
static inline size_t mc__u64map_slot(const mc_u64map *m, uint64_t key)
{
    size_t i = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & m->mask;
    while (m->keys[i] != 0 && m->keys[i] != key) {
        i = (i + 1) & m->mask;
    }
    return i;
}

/* Set key's value at the slot mc__u64map_slot() gave (which must not have
 * been invalidated by another put). 0 or MC_ENOMEM (when growing). */
int mc__u64map_put(mc_u64map *m, size_t slot, uint64_t key, int32_t val);

#endif /* MC_MATCH_U64MAP_H */
