/* SPDX-License-Identifier: MIT */
/* Open-addressing u64 -> i32 map (see u64map.h). */
#include <string.h>

#include <medcheck/common.h>

#include "match/u64map.h"
#include "util/alloc.h"

static int alloc_slots(mc_u64map *m, size_t n)
{
    m->keys = mc__calloc(n, sizeof(uint64_t));
    m->vals = mc__calloc(n, sizeof(int32_t));
    m->used = mc__calloc(n, sizeof(uint32_t));
    m->mask = n - 1;
    m->nused = 0;
    return m->keys && m->vals && m->used ? 0 : MC_ENOMEM;
}

int mc__u64map_init(mc_u64map *m, size_t min_slots)
{
    size_t n = 64;
    while (n < min_slots) {
        n *= 2;
    }
    int rc = alloc_slots(m, n);
    if (rc < 0) {
        mc__u64map_finish(m);
    }
    return rc;
}

void mc__u64map_finish(mc_u64map *m)
{
    mc__free(m->keys);
    mc__free(m->vals);
    mc__free(m->used);
    memset(m, 0, sizeof(*m));
}

void mc__u64map_clear(mc_u64map *m)
{
    for (size_t k = 0; k < m->nused; k++) {
        m->keys[m->used[k]] = 0;
    }
    m->nused = 0;
}

static int grow(mc_u64map *m)
{
    mc_u64map old = *m;
    if (alloc_slots(m, (old.mask + 1) * 2) < 0) {
        mc__u64map_finish(m);
        *m = old;
        return MC_ENOMEM;
    }
    for (size_t k = 0; k < old.nused; k++) {
        size_t s = mc__u64map_slot(m, old.keys[old.used[k]]);
        m->keys[s] = old.keys[old.used[k]];
        m->vals[s] = old.vals[old.used[k]];
        m->used[m->nused++] = (uint32_t)s;
    }
    mc__u64map_finish(&old);
    return 0;
}

int mc__u64map_put(mc_u64map *m, size_t slot, uint64_t key, int32_t val)
{
    if (m->keys[slot] == 0) {
        m->keys[slot] = key;
        m->used[m->nused++] = (uint32_t)slot;
    }
    m->vals[slot] = val;
    return m->nused * 2 > m->mask ? grow(m) : 0;
}
