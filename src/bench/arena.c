/* SPDX-License-Identifier: MIT */
/* Bump allocator that owns the strings and items of a benchmark set; freed
 * all at once by mc_bench_destroy(). */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "bench/bench_int.h"
#include "util/alloc.h"

#define BLOCK_SIZE ((size_t)64 * 1024)

struct mc__bench_block {
    mc__bench_block *next;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

void mc__bench_arena_init(mc__bench_arena *a)
{
    a->head = NULL;
}

void mc__bench_arena_finish(mc__bench_arena *a)
{
    mc__bench_block *blk = a->head;
    while (blk) {
        mc__bench_block *next = blk->next;
        mc__free(blk);
        blk = next;
    }
    a->head = NULL;
}

static mc__bench_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(mc__bench_block)) {
        return NULL;
    }
    mc__bench_block *blk = mc__malloc(sizeof(*blk) + size);
    if (!blk) {
        return NULL;
    }
    blk->next = NULL;
    blk->used = 0;
    blk->size = size;
    return blk;
}

void *mc__bench_arena_alloc(mc__bench_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - align) {
        return NULL;
    }
    n = (n + align - 1) & ~(align - 1);
    mc__bench_block *blk = a->head;
    if (!blk || blk->size - blk->used < n) {
        if (n > BLOCK_SIZE / 4) {
            /* Large strings get a block of their own, linked behind the
             * current one so its free space is not lost. */
            mc__bench_block *big = block_new(n);
            if (!big) {
                return NULL;
            }
            big->used = n;
            if (blk) {
                big->next = blk->next;
                blk->next = big;
            } else {
                a->head = big;
            }
            return big->data;
        }
        blk = block_new(BLOCK_SIZE);
        if (!blk) {
            return NULL;
        }
        blk->next = a->head;
        a->head = blk;
    }
    void *p = blk->data + blk->used;
    blk->used += n;
    return p;
}

char *mc__bench_arena_strndup(mc__bench_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    char *p = mc__bench_arena_alloc(a, n + 1);
    if (!p) {
        return NULL;
    }
    if (n) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

char *mc__bench_arena_strdup(mc__bench_arena *a, const char *s)
{
    return mc__bench_arena_strndup(a, s, strlen(s));
}
