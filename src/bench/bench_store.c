/* SPDX-License-Identifier: MIT */
/* A benchmark set rebuilt from stored items (see bench_store.h): the
 * structs go into the set's arena, the strings stay where they are. */
#include <string.h>

#include "bench/bench_int.h"
#include "bench/bench_store.h"
#include "util/alloc.h"

/* Make room for one more pointer in an array that doubles from `min`. */
static int grow(void **arr, size_t *cap, size_t n, size_t min)
{
    return mc__array_reserve(arr, cap, n + 1, sizeof(void *), min);
}

int mc__bench_store_file(mc_bench *b, const mc_bench_file *f)
{
    mc_bench_file *copy = mc__bench_arena_alloc(&b->arena, sizeof(*copy));
    if (!copy || grow((void **)&b->files, &b->cap_files, b->n_files, 8) < 0) {
        return MC_ENOMEM;
    }
    *copy = *f;
    b->files[b->n_files++] = copy;
    return 0;
}

int mc__bench_store_item(mc_bench *b, const mc_item *it)
{
    mc_item *copy = mc__bench_arena_alloc(&b->arena, sizeof(*copy));
    if (!copy || grow((void **)&b->items, &b->cap_items, b->n_items, 1024) < 0) {
        return MC_ENOMEM;
    }
    *copy = *it;
    if (it->n_options) {
        /* one block for both arrays, as the readers lay them out */
        const char **arr = mc__bench_arena_alloc(&b->arena, 2 * sizeof(*arr) * it->n_options);
        if (!arr) {
            return MC_ENOMEM;
        }
        memcpy(arr, it->options, sizeof(*arr) * it->n_options);
        memcpy(arr + it->n_options, it->option_labels, sizeof(*arr) * it->n_options);
        copy->options = arr;
        copy->option_labels = arr + it->n_options;
    }
    b->items[b->n_items++] = copy;
    return 0;
}
