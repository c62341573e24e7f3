/* SPDX-License-Identifier: MIT */
/* Test data location helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "testutil.h"

const char *tu_src(const char *rel)
{
    static char path[4096];
    const char *root = getenv("MC_SOURCE_ROOT");
    snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
    return path;
}

const char *tu_ext(const char *rel)
{
    static char path[4096];
    const char *root = getenv("MEDCHECK_EXTERNAL_DATA");
    struct stat st;
    if (!root || !*root) {
        fprintf(stderr, "skip: MEDCHECK_EXTERNAL_DATA is not set (needs %s)\n", rel);
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "skip: %s not found\n", path);
        return NULL;
    }
    return path;
}

char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        if (len) {
            *len = n;
        }
    }
    return b;
}
