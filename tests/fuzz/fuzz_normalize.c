/* SPDX-License-Identifier: MIT */
/* Fuzz target: both normalisers on the input, and a differential check of
 * the medcheck tokenizer: the fast path (ASCII blocks, code point cache)
 * and the slow one (utf8proc for every code point) must give the same
 * tokens, byte for byte, with the same source ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/normalize.h>

#include "io/utf8.h"
#include "norm/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tokens lie in the text, in order, and their bytes are in the vector.
 * Ranges may repeat: one code point can give several words ("½": 1, 2). */
static void check_tokens(const mc_tokvec *tv, size_t size)
{
    uint32_t prev_start = 0;
    uint32_t prev_end = 0;
    for (size_t i = 0; i < tv->n; i++) {
        const mc_token *t = &tv->tok[i];
        if (t->start < prev_start || t->end < prev_end || t->end <= t->start ||
            t->end > size || t->nlen == 0 || (size_t)t->noff + t->nlen > tv->norm_len) {
            abort();
        }
        prev_start = t->start;
        prev_end = t->end;
    }
}

static void check_output(const char *s)
{
    size_t n = strlen(s);
    /* words are UTF-8 (invalid input became U+FFFD separators), joined by
     * single spaces */
    if (mc__utf8_valid_prefix(s, n) != n || (n && (s[0] == ' ' || s[n - 1] == ' ')) ||
        strstr(s, "  ")) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *out = NULL;
    for (int kind = MC_NORM_MEDCHECK; kind <= MC_NORM_GPT3; kind++) {
        if (mc_normalize((mc_norm_kind)kind, text, size, &out) == 0) {
            if (kind == MC_NORM_MEDCHECK) {
                check_output(out);
            }
            free(out);
            out = NULL;
        }
    }
    mc_tokvec fast, slow;
    mc__tokvec_init(&fast);
    mc__tokvec_init(&slow);
    int rf = mc__norm_tokenize(MC_NORM_MEDCHECK, text, size, &fast);
    int rs = mc__norm_tokenize_slow(text, size, &slow);
    if (rf != rs) {
        abort();
    }
    if (rf == 0) {
        check_tokens(&fast, size);
        check_tokens(&slow, size);
        if (fast.n != slow.n) {
            abort();
        }
        for (size_t i = 0; i < fast.n; i++) {
            const mc_token *a = &fast.tok[i];
            const mc_token *b = &slow.tok[i];
            if (a->start != b->start || a->end != b->end || a->hash != b->hash ||
                !mc__token_eq(&fast, i, &slow, i)) {
                abort();
            }
        }
    }
    /* the gpt3 tokens too: in the text, in order */
    if (mc__norm_tokenize(MC_NORM_GPT3, text, size, &fast) == 0) {
        check_tokens(&fast, size);
    }
    mc__tokvec_finish(&fast);
    mc__tokvec_finish(&slow);
    return 0;
}
