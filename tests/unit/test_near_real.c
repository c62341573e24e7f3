/* SPDX-License-Identifier: MIT */
/* Near-duplicate detector tests on real data (the bundled benchmarks and
 * Common Crawl pages of corpora/): MinHash estimates on real item pairs,
 * real items planted in a long real page in near forms, same-topic hard
 * negatives, clean pages. */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <medcheck/bench.h>
#include <medcheck/reader.h>

#include "near/near.h"
#include "norm/tokens.h"
#include "testutil.h"

/* ---- growable arrays of the tests (plain malloc: not under test) ---- */

typedef struct u64vec {
    uint64_t *v;
    size_t n, cap;
} u64vec;

static void u64_push(u64vec *a, uint64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 256;
        a->v = realloc(a->v, a->cap * sizeof(uint64_t));
        assert_non_null(a->v);
    }
    a->v[a->n++] = x;
}

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void text_add(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = 2 * (t->n + n + 1);
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}

static void text_puts(text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* ---- real data: the bundled benchmarks and Common Crawl pages ---- */

enum { C_STEM = 0, C_STEM_OPTS = 1, C_PASSAGE = 3 };

typedef struct realset {
    mc_bench *bench;
    u64vec words;
    mc_near_input *in;
    mc_near_part *parts;
    size_t nin;
    mc_near *nx;
} realset;

static uint32_t tokenize_words(mc_tokvec *tv, u64vec *out, const char *s)
{
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, s, strlen(s), tv), 0);
    for (size_t i = 0; i < tv->n; i++) {
        u64_push(out, tv->tok[i].hash);
    }
    return (uint32_t)tv->n;
}

/* Entries of every item of the files: the stem, the stem with its options
 * (one part each), the passage. */
static void realset_build(realset *rs, const char *const *files, size_t nfiles)
{
    memset(rs, 0, sizeof(*rs));
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    assert_int_equal(mc_bench_create(&rs->bench), 0);
    for (size_t f = 0; f < nfiles; f++) {
        assert_int_equal(mc_bench_read(rs->bench, tu_src(files[f]), &o), 0);
    }
    size_t n = mc_bench_count(rs->bench);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    /* offsets first: the word array moves while it grows */
    size_t *off = calloc(n * 16 + 1, sizeof(size_t));
    uint32_t *len = calloc(n * 16 + 1, sizeof(uint32_t));
    size_t *part0 = calloc(3 * n + 1, sizeof(size_t));
    rs->in = calloc(3 * n + 1, sizeof(mc_near_input));
    rs->parts = calloc(n * 16 + 1, sizeof(mc_near_part));
    assert_true(off && len && part0 && rs->in && rs->parts);
    size_t np = 0;
    uint32_t group = 0;
    for (size_t i = 0; i < n; i++) {
        const mc_item *it = mc_bench_item(rs->bench, i);
        group += i > 0 && it->index == 0;
        if (it->malformed || it->n_options > 12) {
            continue;
        }
        size_t q = np;
        off[np] = rs->words.n;
        len[np++] = tokenize_words(&tv, &rs->words, it->question);
        for (uint32_t o2 = 0; o2 < it->n_options; o2++) {
            off[np] = rs->words.n;
            len[np++] = tokenize_words(&tv, &rs->words, it->options[o2]);
        }
        part0[rs->nin] = q;
        rs->in[rs->nin++] = (mc_near_input){(uint32_t)i, C_STEM, group, 1, NULL};
        if (it->n_options) {
            part0[rs->nin] = q;
            rs->in[rs->nin++] =
                (mc_near_input){(uint32_t)i, C_STEM_OPTS, group, 1 + it->n_options, NULL};
        }
        if (it->passage && it->passage[0]) {
            off[np] = rs->words.n;
            len[np] = tokenize_words(&tv, &rs->words, it->passage);
            part0[rs->nin] = np++;
            rs->in[rs->nin++] = (mc_near_input){(uint32_t)i, C_PASSAGE, group, 1, NULL};
        }
    }
    for (size_t i = 0; i < np; i++) {
        rs->parts[i] = (mc_near_part){rs->words.v + off[i], 1, len[i]};
    }
    for (size_t e = 0; e < rs->nin; e++) {
        rs->in[e].parts = rs->parts + part0[e];
    }
    free(part0);
    mc_near_params p;
    mc__near_params_default(&p);
    assert_int_equal(mc__near_build(&rs->nx, &p, rs->in, rs->nin), 0);
    free(off);
    free(len);
    mc__tokvec_finish(&tv);
}

static void realset_free(realset *rs)
{
    mc__near_destroy(&rs->nx);
    mc_bench_destroy(&rs->bench);
    free(rs->words.v);
    free(rs->in);
    free(rs->parts);
}

/* The entry of item i and component c, or UINT32_MAX. */
static uint32_t entry_of(const realset *rs, uint32_t item, uint32_t comp)
{
    for (uint32_t e = 0; e < rs->nx->nentries; e++) {
        if (rs->nx->entries[e].item == item && rs->nx->entries[e].comp == comp) {
            return e;
        }
    }
    return UINT32_MAX;
}

static const char *const medqa_mmlu[] = {
    "corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst",
    "corpora/benchmarks/anatomy_test.csv.zst",
    "corpora/benchmarks/clinical_knowledge_test.csv.zst",
    "corpora/benchmarks/college_medicine_test.csv.zst",
    "corpora/benchmarks/medical_genetics_test.csv.zst",
    "corpora/benchmarks/professional_medicine_test.csv.zst",
};

/* MinHash: the share of equal signature values estimates the Jaccard
 * similarity. Real pairs of sets: each item's stem against its stem with
 * options, whose similarity ranges from about 0.3 to 1. */
static void test_mc__near_estimate_real_pairs(void **state)
{
    (void)state;
    realset rs;
    realset_build(&rs, medqa_mmlu, 6);
    const mc_near *nx = rs.nx;
    double K = nx->p.perms, sum_err = 0, sum_abs = 0;
    size_t pairs = 0, outside = 0;
    for (uint32_t e = 0; e + 1 < nx->nentries; e++) {
        const mc_near_entry *a = &nx->entries[e], *b = &nx->entries[e + 1];
        if (a->comp != C_STEM || b->comp != C_STEM_OPTS || a->item != b->item ||
            a->status != MC_NEAR_OK || b->status != MC_NEAR_OK) {
            continue;
        }
        double j = mc__near_jaccard(nx, e, e + 1), est = mc__near_estimate(nx, e, e + 1);
        if (j >= 1.0) {
            assert_true(est == 1.0); /* equal sets, equal signatures */
            continue;
        }
        /* the estimate is Binomial(K, J) / K: beyond 4 standard deviations
         * it should (almost) never be */
        double sd = sqrt(j * (1 - j) / K);
        outside += fabs(est - j) > 4 * sd + 1.0 / K;
        sum_err += est - j;
        sum_abs += fabs(est - j);
        pairs++;
    }
    assert_true(pairs >= 1000);
    assert_true(outside <= pairs / 1000 + 1);
    assert_true(fabs(sum_err / (double)pairs) < 0.01); /* unbiased */
    /* E|error| of Binomial(32, J)/32 is at most about 0.07 */
    assert_true(sum_abs / (double)pairs < 0.07);
    print_message("estimate vs exact Jaccard: %zu pairs, mean error %+.4f, mean |error| %.4f\n",
                  pairs, sum_err / (double)pairs, sum_abs / (double)pairs);
    realset_free(&rs);
}

/* Real Common Crawl text: the records of the sample shard that are not
 * planted documents, joined into pages of at least min_bytes. */
static size_t real_pages(char ***pages, size_t min_bytes, size_t max_pages)
{
    mc_reader *r = NULL;
    mc_reader_opts o;
    mc_reader_opts_default(&o);
    assert_int_equal(mc_reader_open(&r, tu_src("corpora/sample/web-000.jsonl.zst"), &o), 0);
    mc_record rec;
    text cur = {0};
    size_t n = 0;
    *pages = calloc(max_pages, sizeof(char *));
    while (n < max_pages && mc_reader_read(r, &rec) == 1) {
        if (rec.id && rec.id_len >= 8 && memcmp(rec.id, "planted-", 8) == 0) {
            continue;
        }
        text_add(&cur, rec.text, rec.text_len);
        text_puts(&cur, "\n");
        if (cur.n >= min_bytes) {
            (*pages)[n++] = cur.p;
            memset(&cur, 0, sizeof(cur));
        }
    }
    free(cur.p);
    mc_reader_close(&r);
    return n;
}

/* Near forms of an item's text. */
enum { F_VERBATIM, F_QUIZ_SHUFFLED, F_WORDS_CHANGED, F_NUMBERS, F_FIRST_CUT, F_NFORMS };
static const char *const form_name[F_NFORMS] = {"verbatim", "quiz layout, options shuffled",
                                                "3 words changed", "numbers reformatted",
                                                "first sentence cut"};

/* Words 5, 15 and 25 (runs of letters) replaced. */
static void change_words(text *out, const char *s)
{
    int word = -1;
    for (size_t i = 0; s[i];) {
        if (isalpha((unsigned char)s[i]) && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            word++;
            if (word == 5 || word == 15 || word == 25) {
                text_puts(out, "zebra");
                while (isalpha((unsigned char)s[i])) {
                    i++;
                }
                continue;
            }
        }
        text_add(out, s + i, 1);
        i++;
    }
}

/* "2 mg" -> "2mg", "2mg" -> "2 mg", "1,000" -> "1000", "5.0" -> "5";
 * returns the number of changes. */
static int reformat_numbers(text *out, const char *s)
{
    int changed = 0;
    for (size_t i = 0; s[i]; i++) {
        int after_digit = i > 0 && isdigit((unsigned char)s[i - 1]);
        if (after_digit && s[i] == ' ' && isalpha((unsigned char)s[i + 1])) {
            changed++;
            continue;
        }
        if (after_digit && isalpha((unsigned char)s[i])) {
            text_puts(out, " ");
            changed++;
        }
        if (after_digit && s[i] == ',' && isdigit((unsigned char)s[i + 1]) &&
            isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3])) {
            changed++;
            continue;
        }
        if (after_digit && s[i] == '.' && s[i + 1] == '0' && !isdigit((unsigned char)s[i + 2])) {
            changed++;
            i++;
            continue;
        }
        text_add(out, s + i, 1);
    }
    return changed;
}

static void make_form(text *out, const mc_item *it, int form)
{
    text stem = {0};
    switch (form) {
    case F_WORDS_CHANGED:
        change_words(&stem, it->question);
        break;
    case F_NUMBERS:
        assert_true(reformat_numbers(&stem, it->question) > 0);
        break;
    case F_FIRST_CUT: {
        const char *p = strstr(it->question, ". ");
        assert_non_null(p);
        text_puts(&stem, p + 2);
        break;
    }
    default:
        text_puts(&stem, it->question);
    }
    if (form == F_QUIZ_SHUFFLED) {
        text_puts(out, "Question 7.\n");
    }
    text_add(out, stem.p, stem.n);
    for (uint32_t o = 0; o < it->n_options; o++) {
        char lab[16];
        if (form == F_QUIZ_SHUFFLED) {
            /* reversed and relettered */
            snprintf(lab, sizeof(lab), "\n(%c) ", 'a' + o);
            text_puts(out, lab);
            text_puts(out, it->options[it->n_options - 1 - o]);
        } else {
            text_puts(out, "\n");
            text_puts(out, it->options[o]);
        }
    }
    if (form == F_QUIZ_SHUFFLED) {
        text_puts(out, "\nAnswer: (c)");
    }
    free(stem.p);
}

typedef struct planted {
    const mc_near_hit *hits;
    size_t nhits;
    uint32_t t_begin, t_end; /* tokens of the planted text */
} planted;

/* Plant `form_text` at a paragraph boundary near the middle of `page`,
 * tokenise, scan. */
static void plant_and_scan(mc_near_scratch *s, mc_tokvec *tv, const char *page,
                           const char *form_text, planted *pl)
{
    size_t len = strlen(page), at = len / 2;
    while (at < len && page[at] != '\n') {
        at++;
    }
    text doc = {0};
    text_add(&doc, page, at);
    text_puts(&doc, "\n");
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, doc.p, doc.n, tv), 0);
    pl->t_begin = (uint32_t)tv->n;
    text_puts(&doc, form_text);
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, doc.p, doc.n, tv), 0);
    pl->t_end = (uint32_t)tv->n;
    text_puts(&doc, "\n");
    text_add(&doc, page + at, len - at);
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, doc.p, doc.n, tv), 0);
    assert_int_equal(mc__near_doc_tokens(s, tv, &pl->hits, &pl->nhits), 0);
    free(doc.p);
}

/* The item's best hit (stem or stem with options), or NULL. */
static const mc_near_hit *item_hit(const planted *pl, uint32_t item)
{
    const mc_near_hit *best = NULL;
    for (size_t i = 0; i < pl->nhits; i++) {
        if (pl->hits[i].item == item && (!best || pl->hits[i].score > best->score)) {
            best = &pl->hits[i];
        }
    }
    return best;
}

/* An item inside a 50 KB real page is found in near forms, with the real
 * containment and the token range of the planted text; nothing else of the
 * benchmarks is reported in those pages. */
static void test_mc__near_doc_planted_real_items(void **state)
{
    (void)state;
    realset rs;
    realset_build(&rs, medqa_mmlu, 6);
    char **pages;
    size_t npages = real_pages(&pages, 50000, 3);
    assert_true(npages >= 2);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, rs.nx), 0);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    /* the first MedQA items with two sentences or more and a number to
     * reformat */
    uint32_t tried = 0;
    for (uint32_t i = 0; tried < 12 && i < 1273; i++) {
        const mc_item *it = mc_bench_item(rs.bench, i);
        text probe = {0};
        int numbers = reformat_numbers(&probe, it->question);
        free(probe.p);
        if (!strstr(it->question, ". ") || numbers == 0) {
            continue;
        }
        tried++;
        for (int f = 0; f < F_NFORMS; f++) {
            text form = {0};
            make_form(&form, it, f);
            planted pl;
            plant_and_scan(&s, &tv, pages[(i + f) % npages], form.p, &pl);
            const mc_near_hit *h = item_hit(&pl, i);
            if (!h) {
                fail_msg("item %u, %s: not found", i, form_name[f]);
            }
            assert_true(h->score >= rs.nx->p.threshold);
            assert_true(h->score == (double)h->matched / h->nsh);
            assert_true(h->t0 >= pl.t_begin && h->t1 <= pl.t_end && h->t0 < h->t1);
            for (size_t j = 0; j < pl.nhits; j++) {
                assert_int_equal(pl.hits[j].item, i); /* nothing else */
            }
            free(form.p);
        }
    }
    assert_int_equal(tried, 12);
    /* the pages alone: no hit */
    for (size_t p = 0; p < npages; p++) {
        const mc_near_hit *h;
        size_t nh;
        assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, pages[p], strlen(pages[p]), &tv), 0);
        assert_true(tv.n > 5000);
        assert_int_equal(mc__near_doc_tokens(&s, &tv, &h, &nh), 0);
        assert_int_equal(nh, 0);
        free(pages[p]);
    }
    free(pages);
    mc__tokvec_finish(&tv);
    mc__near_scratch_finish(&s);
    realset_free(&rs);
}

/* A PubMedQA passage with words changed in a long page is found. */
static void test_mc__near_doc_planted_passage(void **state)
{
    (void)state;
    static const char *const files[] = {"corpora/benchmarks/ori_pqal.json.zst"};
    realset rs;
    realset_build(&rs, files, 1);
    char **pages;
    size_t npages = real_pages(&pages, 50000, 1);
    assert_int_equal(npages, 1);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, rs.nx), 0);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    for (uint32_t i = 0; i < 20; i++) {
        const mc_item *it = mc_bench_item(rs.bench, i * 37);
        text form = {0};
        change_words(&form, it->passage);
        planted pl;
        plant_and_scan(&s, &tv, pages[0], form.p, &pl);
        const mc_near_hit *h = NULL;
        for (size_t j = 0; j < pl.nhits; j++) {
            if (pl.hits[j].item == i * 37 && pl.hits[j].comp == C_PASSAGE) {
                h = &pl.hits[j];
            }
        }
        assert_non_null(h);
        assert_true(h->score >= 0.9 && h->score < 1.0);
        assert_true(h->t0 >= pl.t_begin && h->t1 <= pl.t_end);
        free(form.p);
    }
    free(pages[0]);
    free(pages);
    mc__tokvec_finish(&tv);
    mc__near_scratch_finish(&s);
    realset_free(&rs);
}

/* Hard negatives: MedQA items on the same topic as another (the same
 * complaint, the same kind of patient) but another vignette and question.
 * Planting one must not report the other. The pairs share 24-51% of their
 * distinctive shingles. */
static void test_mc__near_doc_same_topic_negatives(void **state)
{
    (void)state;
    static const uint32_t pairs[][2] = {
        {485, 1169}, {1196, 1246}, {649, 819}, {517, 1022}, {131, 158}};
    realset rs;
    realset_build(&rs, medqa_mmlu, 1);
    char **pages;
    size_t npages = real_pages(&pages, 50000, 1);
    assert_int_equal(npages, 1);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, rs.nx), 0);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        for (int dir = 0; dir < 2; dir++) {
            uint32_t a = pairs[k][dir], b = pairs[k][!dir];
            text form = {0};
            make_form(&form, mc_bench_item(rs.bench, b), F_VERBATIM);
            planted pl;
            plant_and_scan(&s, &tv, pages[0], form.p, &pl);
            assert_non_null(item_hit(&pl, b));
            if (item_hit(&pl, a)) {
                fail_msg("item %u reported for item %u (score %.2f)", a, b,
                         item_hit(&pl, a)->score);
            }
            /* the real overlap is there, below the threshold */
            uint32_t ea = entry_of(&rs, a, C_STEM), eb = entry_of(&rs, b, C_STEM);
            double j = mc__near_jaccard(rs.nx, ea, eb);
            assert_true(j > 0.05 && j < 0.5);
            free(form.p);
        }
    }
    free(pages[0]);
    free(pages);
    mc__tokvec_finish(&tv);
    mc__near_scratch_finish(&s);
    realset_free(&rs);
}

/* The clean Common Crawl records of both web shards against all bundled
 * benchmark files: no hit. */
static void test_mc__near_doc_clean_web(void **state)
{
    (void)state;
    static const char *const all[] = {
        "corpora/benchmarks/US_4_options_phrases_no_exclude_test.jsonl.zst",
        "corpora/benchmarks/dev.json.zst",
        "corpora/benchmarks/ori_pqal.json.zst",
        "corpora/benchmarks/anatomy_test.csv.zst",
        "corpora/benchmarks/clinical_knowledge_test.csv.zst",
        "corpora/benchmarks/college_medicine_test.csv.zst",
        "corpora/benchmarks/medical_genetics_test.csv.zst",
        "corpora/benchmarks/professional_medicine_test.csv.zst",
    };
    static const char *const shards[] = {"corpora/sample/web-000.jsonl.zst",
                                         "corpora/sample/web-001.json.gz"};
    realset rs;
    realset_build(&rs, all, 8);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, rs.nx), 0);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    size_t docs = 0;
    for (int f = 0; f < 2; f++) {
        mc_reader *r = NULL;
        mc_reader_opts o;
        mc_reader_opts_default(&o);
        assert_int_equal(mc_reader_open(&r, tu_src(shards[f]), &o), 0);
        mc_record rec;
        while (mc_reader_read(r, &rec) == 1) {
            if (rec.id && rec.id_len >= 8 && memcmp(rec.id, "planted-", 8) == 0) {
                continue;
            }
            const mc_near_hit *h;
            size_t nh;
            assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, rec.text, rec.text_len, &tv), 0);
            assert_int_equal(mc__near_doc_tokens(&s, &tv, &h, &nh), 0);
            if (nh) {
                fail_msg("%s record %llu: %zu hits (item %u, score %.2f)", shards[f],
                         (unsigned long long)rec.index, nh, h[0].item, h[0].score);
            }
            docs++;
        }
        mc_reader_close(&r);
    }
    assert_true(docs > 250);
    print_message("clean web records scanned: %zu\n", docs);
    mc__tokvec_finish(&tv);
    mc__near_scratch_finish(&s);
    realset_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc__near_estimate_real_pairs),
        cmocka_unit_test(test_mc__near_doc_planted_real_items),
        cmocka_unit_test(test_mc__near_doc_planted_passage),
        cmocka_unit_test(test_mc__near_doc_same_topic_negatives),
        cmocka_unit_test(test_mc__near_doc_clean_web),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
