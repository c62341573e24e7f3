/* SPDX-License-Identifier: MIT */
/* Index and matcher tests: pinned hash values, templates per file, short
 * stems as whole keys, distinctive words, confirmed and maximal spans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <medcheck/bench.h>

#include "fp/hash.h"
#include "index/index.h"
#include "match/match.h"
#include "testutil.h"

static char tmpdir[256];

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static mc_bench *bench_of(const char *name, const char *jsonl)
{
    mc_bench *b = NULL;
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    assert_int_equal(mc_bench_create(&b), 0);
    assert_int_equal(mc_bench_read(b, write_file(name, jsonl), &o), 0);
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mc_test_index.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Known answers: these values are part of reproducible fingerprints. */
static void test_mc_hash_word_known_answers(void **state)
{
    (void)state;
    /* XXH3_64bits_withSeed("medcheck", 8, MC_HASH_WORD_SEED) */
    assert_true(mc__hash_word("medcheck", 8) == UINT64_C(0x95097a032b44f17d));
    uint64_t h[3] = {mc__hash_word("a", 1), mc__hash_word("b", 1), mc__hash_word("c", 1)};
    /* the n-gram key equals the rolling form used by the matcher */
    uint64_t poly = (h[0] * MC_HASH_POLY + h[1]) * MC_HASH_POLY + h[2];
    assert_true(mc__hash_ngram(h, 1, 3) == mc__hash_finish(poly, 3));
    /* the length is part of the key */
    assert_true(mc__hash_finish(poly, 3) != mc__hash_finish(poly, 4));
    assert_true(mc__hash_pow(0) == 1 && mc__hash_pow(1) == MC_HASH_POLY);
    assert_true(mc__hash_pow(5) == MC_HASH_POLY * MC_HASH_POLY * MC_HASH_POLY *
                                       MC_HASH_POLY * MC_HASH_POLY);
}

/* The branch-free short-word hash gives xxHash's own value at every length,
 * on words followed by arbitrary bytes. */
static void test_mc_hash_word_padded_matches_xxh3(void **state)
{
    (void)state;
    unsigned char buf[64];
    uint64_t x = UINT64_C(0x243f6a8885a308d3);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            x = x * UINT64_C(6364136223846793005) + 1442695040888963407u;
            buf[i] = (unsigned char)(x >> 56);
        }
        for (size_t n = 0; n + 16 <= sizeof(buf); n++) {
            const char *p = (const char *)buf + (size_t)round % 8;
            assert_true(mc__hash_word_padded(p, n) ==
                        XXH3_64bits_withSeed(p, n, MC_HASH_WORD_SEED));
        }
    }
    assert_true(mc__hash_word_padded("medcheck\0\0\0\0\0\0\0\0", 8) ==
                UINT64_C(0x95097a032b44f17d));
}

#define ITEM(q, a, b, ans)                                                   \
    "{\"question\": \"" q "\", \"options\": {\"A\": \"" a "\", \"B\": \"" b \
    "\"}, \"answer_idx\": \"" ans "\", \"meta_info\": \"step1\"}\n"

static void test_mc_index_build_templates_per_file(void **state)
{
    (void)state;
    /* two distinct items share "which of the following is the most likely
     * diagnosis": template n-grams; the third item is an exact duplicate
     * of the first and does not count twice */
    mc_bench *b = bench_of("t.jsonl",
        ITEM("A 45-year-old man has crushing chest pain radiating to the left arm. "
             "Which of the following is the most likely diagnosis?", "Infarction", "Reflux", "A")
        ITEM("A 7-year-old girl has a barking cough and inspiratory stridor at night. "
             "Which of the following is the most likely diagnosis?", "Croup", "Asthma", "A")
        ITEM("A 45-year-old man has crushing chest pain radiating to the left arm. "
             "Which of the following is the most likely diagnosis?", "Infarction", "Reflux", "A"));
    mc_index *idx = NULL;
    assert_int_equal(mc__index_build(&idx, b, MC_PRESET_MEDCHECK, 8, 2), 0);
    assert_int_equal(idx->nitems, 3);
    assert_true(idx->ntemplates > 0);
    const mc_iitem *it = &idx->items[0];
    const mc_seq *q = &idx->seqs[it->seq[MC_C_QUESTION]];
    assert_int_equal(q->ntok, 23);
    /* "which of the following is the most likely diagnosis" = 9 words, two
     * 8-grams, both templates; the rest is distinctive */
    uint32_t tmpl = 0;
    for (uint32_t p = 0; p + 8 <= q->ntok; p++) {
        tmpl += mc__slot_template(idx, idx->seq_keys[q->key0 + p]) != 0;
    }
    assert_int_equal(tmpl, 2);
    assert_int_equal(it->distinct[MC_C_QUESTION], 21);
    assert_false(it->short_q);
    /* template n-grams are not tried: a page of them gives no span, and
     * a real copy is found from its own words and extended over them */
    mc_matcher m;
    assert_int_equal(mc__matcher_init(&m, idx), 0);
    const char *page = "Which of the following is the most likely diagnosis? "
                       "Which of the following is the most likely diagnosis?";
    assert_int_equal(mc__matcher_doc(&m, page, strlen(page)), 0);
    assert_int_equal(m.nspans, 0);
    const char *copy = "A 7-year-old girl has a barking cough and inspiratory stridor at night. "
                       "Which of the following is the most likely diagnosis?";
    assert_int_equal(mc__matcher_doc(&m, copy, strlen(copy)), 0);
    assert_int_equal(m.nspans, 1);
    assert_int_equal(m.spans[0].len, 23);
    mc__matcher_finish(&m);
    mc__index_destroy(&idx);
    assert_null(idx);
    mc_bench_destroy(&b);
}

static void test_mc_index_build_short_stem_whole_key(void **state)
{
    (void)state;
    mc_bench *b = bench_of("s.jsonl", ITEM("Drug of choice for syphilis:", "Penicillin",
                                           "Doxycycline", "A"));
    mc_index *idx = NULL;
    assert_int_equal(mc__index_build(&idx, b, MC_PRESET_MEDCHECK, 8, 2), 0);
    const mc_iitem *it = &idx->items[0];
    const mc_seq *q = &idx->seqs[it->seq[MC_C_QUESTION]];
    assert_true(it->judged && it->short_q && q->whole_key && q->keyed);
    assert_int_equal(q->ntok, 5);
    /* not in the n-gram table: anchored on its rarest, longest word */
    assert_int_equal(idx->nlengths, 0);
    assert_int_equal(idx->nanchors, 1);
    assert_int_equal(idx->anc_posts[0].pos, 4); /* "syphilis" */
    assert_int_equal(it->nopt, 2);
    assert_int_equal(it->answer_label, 'a');
    mc__index_destroy(&idx);
    /* under gpt3 a 5-word stem cannot be judged */
    assert_int_equal(mc__index_build(&idx, b, MC_PRESET_GPT3, 13, 2), 0);
    assert_false(idx->items[0].judged);
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
}

static void test_mc_index_build_templates_not_across_files(void **state)
{
    (void)state;
    mc_bench *b = bench_of("f1.jsonl",
        ITEM("A 45-year-old man has crushing chest pain radiating to the left arm. "
             "Which of the following is the most likely diagnosis?", "Infarction", "Reflux", "A"));
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    assert_int_equal(mc_bench_read(b, write_file("f2.jsonl",
        ITEM("A 7-year-old girl has a barking cough and inspiratory stridor at night. "
             "Which of the following is the most likely diagnosis?", "Croup", "Asthma", "A")), &o), 0);
    mc_index *idx = NULL;
    assert_int_equal(mc__index_build(&idx, b, MC_PRESET_MEDCHECK, 8, 2), 0);
    assert_int_equal(idx->ntemplates, 0);
    assert_int_equal(idx->items[0].distinct[MC_C_QUESTION], 23);
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
}

static void test_mc_matcher_doc_maximal_confirmed_spans(void **state)
{
    (void)state;
    mc_bench *b = bench_of("m.jsonl",
        ITEM("A 45-year-old man has crushing chest pain radiating to the left arm "
             "for two hours after climbing stairs in the cold morning air.",
             "Infarction", "Reflux", "A"));
    mc_index *idx = NULL;
    assert_int_equal(mc__index_build(&idx, b, MC_PRESET_MEDCHECK, 8, 2), 0);
    uint32_t nq = idx->seqs[idx->items[0].seq[MC_C_QUESTION]].ntok;
    assert_int_equal(nq, 25);
    mc_matcher m;
    assert_int_equal(mc__matcher_init(&m, idx), 0);
    /* re-wrapped, other case and punctuation, inside other text */
    const char *doc = "Quiz of the day!\nA 45 YEAR OLD MAN has crushing chest-pain,\n"
                      "radiating to the left arm for two hours after climbing stairs\n"
                      "in the cold morning air?? Thanks for reading.";
    assert_int_equal(mc__matcher_doc(&m, doc, strlen(doc)), 0);
    assert_int_equal(m.nspans, 1);
    assert_int_equal(m.spans[0].a, 0);
    assert_int_equal(m.spans[0].len, nq);
    assert_int_equal(m.spans[0].d, 4);
    /* one changed word in the middle: two spans, neither crossing it */
    const char *doc2 = "A 45-year-old man has crushing chest pain radiating to the RIGHT arm "
                       "for two hours after climbing stairs in the cold morning air.";
    assert_int_equal(mc__matcher_doc(&m, doc2, strlen(doc2)), 0);
    assert_int_equal(m.nspans, 2);
    assert_int_equal(m.spans[0].a, 0);
    assert_int_equal(m.spans[0].len, 12); /* "a 45 year ... to the" */
    assert_int_equal(m.spans[1].a, 13);   /* after "left" */
    assert_int_equal(m.spans[1].len, nq - 13);
    /* seven shared words in a row are below n: nothing */
    const char *doc3 = "crushing chest pain radiating to the left leg";
    assert_int_equal(mc__matcher_doc(&m, doc3, strlen(doc3)), 0);
    assert_int_equal(m.nspans, 0);
    /* the same passage twice: two spans on different diagonals */
    char twice[1024];
    snprintf(twice, sizeof(twice), "%s %s", doc2 + 0, doc2);
    assert_int_equal(mc__matcher_doc(&m, twice, strlen(twice)), 0);
    assert_int_equal(m.nspans, 4);
    /* a page repeating it 1000 times keeps a bounded number of copies */
    size_t big_len = 1000 * (strlen(doc2) + 1) + 1;
    char *big = malloc(big_len);
    assert_non_null(big);
    big[0] = '\0';
    for (int r = 0; r < 1000; r++) {
        strcat(big, doc2);
        strcat(big, " ");
    }
    assert_int_equal(mc__matcher_doc(&m, big, strlen(big)), 0);
    assert_int_equal(m.nspans, 2 * 64);
    free(big);
    mc__matcher_finish(&m);
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_hash_word_known_answers),
        cmocka_unit_test(test_mc_hash_word_padded_matches_xxh3),
        cmocka_unit_test(test_mc_index_build_templates_per_file),
        cmocka_unit_test(test_mc_index_build_templates_not_across_files),
        cmocka_unit_test(test_mc_index_build_short_stem_whole_key),
        cmocka_unit_test(test_mc_matcher_doc_maximal_confirmed_spans),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
