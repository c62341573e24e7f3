/* SPDX-License-Identifier: MIT */
/* Token vectors: the words of a text after normalisation, with their
 * 64-bit hashes, their normalised bytes and their place in the source. */
#ifndef MC_NORM_TOKENS_H
#define MC_NORM_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <medcheck/normalize.h>

typedef struct mc_token {
    uint64_t hash;  /* XXH3 of the normalised bytes (fp/hash.h seed) */
    uint32_t start; /* byte range of the word in the source text */
    uint32_t end;
    uint32_t noff; /* normalised bytes: tv->norm + noff, nlen bytes */
    uint32_t nlen;
} mc_token;

/* A reusable token vector; the scan keeps one per thread so the hot path
 * does not allocate once it has grown to the largest document. */
typedef struct mc_tokvec {
    mc_token *tok;
    size_t n;
    size_t cap;
    char *norm; /* normalised bytes of all tokens, back to back */
    size_t norm_len;
    size_t norm_cap;
    struct mc_cpcache *cache; /* utf8proc results per code point, made on first use */
} mc_tokvec;

void mc__tokvec_init(mc_tokvec *tv);
void mc__tokvec_finish(mc_tokvec *tv);

/* Tokenise `len` bytes of text into tv (previous content discarded).
 * Texts over 4 GiB are refused with MC_ELIMIT. Returns 0, MC_ENOMEM,
 * MC_ELIMIT or MC_EINVAL. */
int mc__norm_tokenize(mc_norm_kind kind, const char *text, size_t len, mc_tokvec *tv);

/* Same rule as mc__norm_tokenize for MC_NORM_MEDCHECK, but every code point
 * goes through utf8proc (no ASCII fast path). For tests: both must agree. */
int mc__norm_tokenize_slow(const char *text, size_t len, mc_tokvec *tv);

/* Are tokens a and b (of the same or different vectors) the same word? */
static inline int mc__token_eq(const mc_tokvec *va, size_t a, const mc_tokvec *vb, size_t b)
{
    const mc_token *x = &va->tok[a];
    const mc_token *y = &vb->tok[b];
    if (x->hash != y->hash || x->nlen != y->nlen) {
        return 0;
    }
    for (uint32_t i = 0; i < x->nlen; i++) {
        if (va->norm[x->noff + i] != vb->norm[y->noff + i]) {
            return 0;
        }
    }
    return 1;
}

#endif /* MC_NORM_TOKENS_H */
