/* SPDX-License-Identifier: MIT */
/* The one allocator of the library, with a test hook that fails the Nth
 * allocation (allocation-failure tests). */
#ifndef MC_UTIL_ALLOC_H
#define MC_UTIL_ALLOC_H

#include <stddef.h>

void *mc__malloc(size_t size);
void *mc__calloc(size_t n, size_t size);
void *mc__realloc(void *p, size_t size);
void mc__free(void *p);
/* Allocate n elements of `size`, failing (NULL) on overflow. */
void *mc__reallocarray(void *p, size_t n, size_t size);
char *mc__strdup(const char *s);

/* Make the array *p (capacity *cap elements of `size` bytes) hold at least
 * `need` elements, doubling from `min`. 0, or MC_ENOMEM with *p and *cap
 * unchanged. */
int mc__array_reserve(void **p, size_t *cap, size_t need, size_t size, size_t min);
char *mc__strndup(const char *s, size_t n);

/* Test hook: make the nth allocation from now (1-based) and every later
 * one fail; 0 disables. Not thread-safe; for tests only. */
void mc__alloc_fail_after(unsigned long n);

#endif /* MC_UTIL_ALLOC_H */
