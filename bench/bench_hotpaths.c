/* SPDX-License-Identifier: MIT */
/* Hot-path micro-benchmarks on a text file: tokenising (medcheck and gpt3
 * rules) and word hashing, each in MB/s of input, best of 5 runs.
 * Usage: bench_hotpaths FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fp/hash.h"
#include "norm/tokens.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Tokenise line by line (one line is one document), as the scan does. */
static double run_tokenize(mc_norm_kind kind, const char *text, size_t len, size_t *ntok)
{
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now_s();
        *ntok = 0;
        for (const char *p = text, *end = text + len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (mc__norm_tokenize(kind, p, l, &tv) == 0) {
                *ntok += tv.n;
            }
            p += l + 1;
        }
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    mc__tokvec_finish(&tv);
    return (double)len / best / 1e6;
}

static double run_hash(const char *text, size_t len)
{
    double best = 1e9;
    volatile uint64_t sink = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now_s();
        uint64_t acc = 0;
        for (size_t i = 0; i + 8 <= len; i += 8) {
            acc ^= mc__hash_word(text + i, 7);
        }
        sink ^= acc;
        double t = now_s() - t0;
        best = t < best ? t : best;
    }
    (void)sink;
    return (double)len / best / 1e6;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_hotpaths FILE\n");
        return 2;
    }
    size_t len, ntok;
    char *text = slurp(argv[1], &len);
    if (!text) {
        perror(argv[1]);
        return 1;
    }
    double mb = run_tokenize(MC_NORM_MEDCHECK, text, len, &ntok);
    printf("tokenize medcheck: %8.1f MB/s  (%zu words, %.1f bytes/word)\n", mb, ntok,
           (double)len / (double)ntok);
    mb = run_tokenize(MC_NORM_GPT3, text, len, &ntok);
    printf("tokenize gpt3:     %8.1f MB/s\n", mb);
    printf("hash 7-byte words: %8.1f MB/s of words\n", run_hash(text, len));
    free(text);
    return 0;
}
