/* SPDX-License-Identifier: MIT */
/* --task I/N: which shards of the list one part scans. Shards are assigned
 * largest first (by file size where known; ties by path), each to the part
 * with the least bytes so far (ties to the lowest part), so parts balance
 * and every machine computes the same split from the same list. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scan/scan_int.h"
#include "util/alloc.h"

typedef struct sized {
    uint64_t size;
    const char *path;
    uint32_t pos;
} sized;

static int cmp_sized(const void *a, const void *b)
{
    const sized *x = a;
    const sized *y = b;
    if (x->size != y->size) {
        return x->size > y->size ? -1 : 1;
    }
    int c = strcmp(x->path, y->path);
    return c ? c : (x->pos < y->pos ? -1 : (x->pos > y->pos));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y);
}

int mc__task_assign(const char *const *shards, size_t n, uint32_t ti, uint32_t tn,
                    uint32_t **mine, size_t *nmine)
{
    uint32_t *out = mc__calloc(n + 1, sizeof(*out));
    sized *v = mc__calloc(n + 1, sizeof(*v));
    uint64_t *load = mc__calloc(tn ? tn : 1, sizeof(*load));
    int rc = out && v && load ? 0 : MC_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct stat st;
        int known = strcmp(shards[i], "-") != 0 && stat(shards[i], &st) == 0;
        v[i] = (sized){known ? (uint64_t)st.st_size : 0, shards[i], (uint32_t)i};
    }
    if (rc == 0 && tn > 1) {
        qsort(v, n, sizeof(*v), cmp_sized);
        for (size_t i = 0; i < n; i++) {
            uint32_t best = 0;
            for (uint32_t p = 1; p < tn; p++) {
                best = load[p] < load[best] ? p : best;
            }
            load[best] += v[i].size ? v[i].size : 1;
            if (best == ti) {
                out[k++] = v[i].pos;
            }
        }
        qsort(out, k, sizeof(*out), cmp_u32); /* back to list order */
    } else {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            out[k++] = (uint32_t)i;
        }
    }
    mc__free(v);
    mc__free(load);
    if (rc < 0) {
        mc__free(out);
        return rc;
    }
    *mine = out;
    *nmine = k;
    return 0;
}
