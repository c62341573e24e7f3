/* SPDX-License-Identifier: MIT */
/* Allocation wrappers; every allocation of the library goes through here. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/common.h>

#include "util/alloc.h"

static atomic_ulong fail_countdown;

static int should_fail(void)
{
    unsigned long c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (c == 0) {
        return 0;
    }
    if (c == 1) {
        return 1; /* stays at 1: every later allocation fails too */
    }
    atomic_store_explicit(&fail_countdown, c - 1, memory_order_relaxed);
    return 0;
}

void mc__alloc_fail_after(unsigned long n)
{
    atomic_store(&fail_countdown, n);
}

void *mc__malloc(size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return malloc(size ? size : 1);
}

void *mc__calloc(size_t n, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(n ? n : 1, size ? size : 1);
}

void *mc__realloc(void *p, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(p, size ? size : 1);
}

void *mc__reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        return NULL;
    }
    return mc__realloc(p, n * size);
}

void mc__free(void *p)
{
    free(p);
}

char *mc__strndup(const char *s, size_t n)
{
    char *d = mc__malloc(n + 1);
    if (!d) {
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *mc__strdup(const char *s)
{
    return mc__strndup(s, strlen(s));
}

int mc__array_reserve(void **p, size_t *cap, size_t need, size_t size, size_t min)
{
    if (need <= *cap) {
        return 0;
    }
    size_t ncap = *cap ? *cap : (min ? min : 1);
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            return MC_ENOMEM;
        }
        ncap *= 2;
    }
    void *q = mc__reallocarray(*p, ncap, size);
    if (!q) {
        return MC_ENOMEM;
    }
    *p = q;
    *cap = ncap;
    return 0;
}
