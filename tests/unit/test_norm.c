/* SPDX-License-Identifier: MIT */
/* Normaliser tests: the medcheck rule on tricky text, the ASCII fast path
 * against the all-utf8proc path, and the gpt3 rule against lm-eval's
 * janitor and NeMo Curator's task decontamination vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <medcheck/normalize.h>

#include "io/utf8.h"
#include "norm/tokens.h"
#include "testutil.h"

static char *norm(mc_norm_kind k, const char *s)
{
    char *out = NULL;
    assert_int_equal(mc_normalize(k, s, strlen(s), &out), 0);
    return out;
}

static void expect_norm(mc_norm_kind k, const char *in, const char *want)
{
    char *got = norm(k, in);
    assert_string_equal(got, want);
    free(got);
}

static void test_mc_normalize_medcheck_rules(void **state)
{
    (void)state;
    expect_norm(MC_NORM_MEDCHECK, "A 45-year-old man's BP: 120/80 mmHg.",
                "a 45 year old man s bp 120 80 mmhg");
    expect_norm(MC_NORM_MEDCHECK, "Sjögren naïve café", "sjogren naive cafe");
    expect_norm(MC_NORM_MEDCHECK, "Straße ﬁbrosis ＡＢＣ１２３", "strasse fibrosis abc123");
    expect_norm(MC_NORM_MEDCHECK, "hemo\xc2\xadglobin", "hemoglobin");
    expect_norm(MC_NORM_MEDCHECK, "糖尿病 test", "糖 尿 病 test");
    expect_norm(MC_NORM_MEDCHECK, "ΣΑΣ σας", "σασ σασ");
    expect_norm(MC_NORM_MEDCHECK, "bad\xff\xfe utf8", "bad utf8");
    expect_norm(MC_NORM_MEDCHECK, "", "");
    expect_norm(MC_NORM_MEDCHECK, "  ...  ", "");
}

static void test_mc_normalize_gpt3_rules(void **state)
{
    (void)state;
    /* punctuation is deleted, not a separator; only ASCII is lower-cased */
    expect_norm(MC_NORM_GPT3, "Hello, World! a.b @line ÜBER", "hello world ab line Über");
    expect_norm(MC_NORM_GPT3, "tab\tand\u00a0nbsp\u3000ideo", "tab and nbsp ideo");
}

static void test_mc_norm_tokenize_offsets(void **state)
{
    (void)state;
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    const char *s = "  Café, naïve!";
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, s, strlen(s), &tv), 0);
    assert_int_equal(tv.n, 2);
    assert_int_equal(tv.tok[0].start, 2);
    assert_int_equal(tv.tok[0].end, 7); /* "Café" is 5 bytes */
    assert_memory_equal(s + tv.tok[1].start, "naïve", tv.tok[1].end - tv.tok[1].start);
    mc__tokvec_finish(&tv);
}

static void same_tokens(const char *text, size_t len)
{
    mc_tokvec a, b;
    mc__tokvec_init(&a);
    mc__tokvec_init(&b);
    assert_int_equal(mc__norm_tokenize(MC_NORM_MEDCHECK, text, len, &a), 0);
    assert_int_equal(mc__norm_tokenize_slow(text, len, &b), 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_true(mc__token_eq(&a, i, &b, i));
        assert_int_equal(a.tok[i].start, b.tok[i].start);
        assert_int_equal(a.tok[i].end, b.tok[i].end);
    }
    mc__tokvec_finish(&a);
    mc__tokvec_finish(&b);
}

/* Every code point of the Basic Multilingual Plane and of two supplementary
 * planes (words of Hangul syllables, CJK ideographs, letters with marks,
 * expansions, ignorables, separators), each between letters and then all
 * run together: the cached fast path agrees with utf8proc on each. */
static void test_mc_norm_tokenize_every_code_point(void **state)
{
    (void)state;
    size_t cap = (0x30000 - 0x80) * 6;
    char *buf = malloc(cap);
    char *run = malloc(cap);
    assert_non_null(buf);
    assert_non_null(run);
    size_t n = 0, m = 0;
    for (uint32_t cp = 0x80; cp < 0x30000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            continue;
        }
        char enc[4];
        size_t k = mc__utf8_encode(cp, enc);
        buf[n++] = 'x';
        memcpy(buf + n, enc, k);
        n += k;
        buf[n++] = ' ';
        memcpy(run + m, enc, k);
        m += k;
    }
    same_tokens(buf, n);
    same_tokens(run, m);
    /* a second pass over the same vector hits the cache */
    same_tokens(run, m);
    free(buf);
    free(run);
}

static void test_mc_norm_tokenize_fast_path_agrees(void **state)
{
    (void)state;
    size_t len;
    char *t = tu_slurp(tu_src("tests/data/norm/multilingual.txt"), &len);
    assert_non_null(t);
    same_tokens(t, len);
    free(t);
    /* every byte value, alone and between letters */
    char buf[3 * 256];
    for (int c = 0; c < 256; c++) {
        buf[3 * c] = 'a';
        buf[3 * c + 1] = (char)c;
        buf[3 * c + 2] = 'Z';
    }
    same_tokens(buf, sizeof(buf));
    const char *rel[] = {"headqa/test_HEAD_es.json",
                         "llm_decontaminator_rephrase/sociology_test_chinese_filtered_question.jsonl",
                         "medmcqa/dev.json"};
    for (size_t i = 0; i < 3; i++) {
        const char *p = tu_ext(rel[i]);
        if (p && (t = tu_slurp(p, &len)) != NULL) {
            same_tokens(t, len);
            free(t);
        }
    }
}

/* --- lm-evaluation-harness janitor, rebuilt on the gpt3 normaliser --- */

typedef struct strset {
    char **v;
    size_t n;
} strset;

static void set_add(strset *s, const char *x)
{
    s->v = realloc(s->v, (s->n + 1) * sizeof(char *));
    s->v[s->n++] = strdup(x);
}

static int set_has(const strset *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], x) == 0) {
            return 1;
        }
    }
    return 0;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i]);
    }
    free(s->v);
}

/* All word n-grams of a normalised string (words joined by one space). */
static void add_ngrams(strset *s, const char *normed, int n, int whole_if_short)
{
    const char *w[4096];
    size_t nw = 0;
    char *dup = strdup(normed), *save = NULL;
    for (char *t = strtok_r(dup, " ", &save); t && nw < 4096; t = strtok_r(NULL, " ", &save)) {
        w[nw++] = t;
    }
    size_t len = nw < (size_t)n && whole_if_short ? nw : (size_t)n;
    for (size_t i = 0; len && i + len <= nw; i++) {
        char buf[8192] = "";
        for (size_t k = 0; k < len; k++) {
            strcat(buf, k ? " " : "");
            strcat(buf, w[i + k]);
        }
        set_add(s, buf);
    }
    free(dup);
}

/* janitor.clean_python + _split_chunks, joined as the test does. */
static char *janitor_clean(const char *in, const strset *dirt, int n, int window, int cutoff,
                           int min_slice)
{
    int ws[4096], we[4096], nw = 0, len = (int)strlen(in);
    for (int i = 0; i < len && nw < 4096;) {
        while (i < len && strchr(" \t\n\r\f\v", in[i])) {
            i++;
        }
        if (i >= len) {
            break;
        }
        ws[nw] = i;
        while (i < len && !strchr(" \t\n\r\f\v", in[i])) {
            i++;
        }
        we[nw++] = i - 1; /* inclusive, like split_indices */
    }
    char *out = calloc((size_t)len + 1, 1);
    int splice = 0, end = -1, hits = 0;
    for (int i = 0; i + n <= nw; i++) {
        char *ng = strndup(in + ws[i], (size_t)(we[i + n - 1] - ws[i] + 1));
        char *normed = norm(MC_NORM_GPT3, ng);
        int dirty = set_has(dirt, normed);
        free(ng);
        free(normed);
        if (!dirty) {
            continue;
        }
        if (hits++ >= cutoff) {
            out[0] = '\0';
            return out;
        }
        int start = ws[i] - window > 0 ? ws[i] - window : 0;
        end = we[i + n - 1] + window < len ? we[i + n - 1] + window : len;
        if (start - splice > min_slice) {
            strncat(out, in + splice, (size_t)(start - splice));
        }
        splice = end;
    }
    if (end < len - min_slice) {
        strcat(out, in + end + 1);
    }
    return out;
}

static void test_mc_normalize_gpt3_janitor_vectors(void **state)
{
    (void)state;
    json_error_t err;
    json_t *d = json_load_file(tu_src("tests/data/norm/lm_eval_janitor.json"), 0, &err);
    assert_non_null(d);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(d, "cases"), i, c)
    {
        json_t *p = json_object_get(c, "params");
        int n = (int)json_integer_value(json_object_get(p, "ngram_n"));
        strset dirt = {0};
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(c, "contaminants"), k, s)
        {
            char *normed = norm(MC_NORM_GPT3, json_string_value(s));
            add_ngrams(&dirt, normed, n, 0);
            free(normed);
        }
        char *got = janitor_clean(
            json_string_value(json_object_get(c, "input")), &dirt, n,
            (int)json_integer_value(json_object_get(p, "window_to_remove")),
            (int)json_integer_value(json_object_get(p, "too_dirty_cutoff")),
            (int)json_integer_value(json_object_get(p, "minimum_slice_length")));
        assert_string_equal(got, json_string_value(json_object_get(c, "expected")));
        free(got);
        set_free(&dirt);
    }
    assert_int_equal(i, 7);
    json_decref(d);
}

/* --- NeMo Curator task decontamination --- */

static size_t count_words(const char *s)
{
    size_t n = 0;
    for (int in = 0; *s; s++) {
        n += !in && *s != ' ';
        in = *s != ' ';
    }
    return n;
}

/* Occurrences of the words of `ng` in the words of `doc`. */
static int occurrences(const char *doc, const char *ng)
{
    int c = 0;
    size_t l = strlen(ng);
    for (const char *p = doc; (p = strstr(p, ng)) != NULL; p++) {
        c += (p == doc || p[-1] == ' ') && (p[l] == '\0' || p[l] == ' ');
    }
    return c;
}

static void test_mc_normalize_gpt3_nemo_vectors(void **state)
{
    (void)state;
    json_error_t err;
    json_t *d = json_load_file(tu_src("tests/data/norm/nemo_curator_task_decontamination.json"),
                               0, &err);
    assert_non_null(d);
    json_t *task = json_object_get(json_object_get(d, "tasks"), "simple");
    int mx = (int)json_integer_value(json_object_get(task, "max_ngram_size"));
    int mn = (int)json_integer_value(json_object_get(task, "min_ngram_size"));
    strset ngrams = {0};
    size_t i, k;
    json_t *v;
    json_array_foreach(json_object_get(task, "documents"), i, v)
    {
        char *normed = norm(MC_NORM_GPT3, json_string_value(v));
        if (count_words(normed) >= (size_t)mn) {
            add_ngrams(&ngrams, normed, mx, 1);
        }
        free(normed);
    }
    json_t *exp = json_object_get(d, "expected");
    json_t *want = json_object_get(exp, "task_ngrams_simple");
    assert_int_equal(ngrams.n, json_array_size(want));
    json_array_foreach(want, i, v)
    {
        assert_true(set_has(&ngrams, json_string_value(v)));
    }
    /* every task n-gram found in the corpus, with its count */
    json_t *matched = json_object_get(exp, "matched_ngrams_simple");
    size_t nmatched = 0;
    for (i = 0; i < ngrams.n; i++) {
        int c = 0;
        json_array_foreach(json_object_get(d, "corpus"), k, v)
        {
            char *normed = norm(MC_NORM_GPT3, json_string_value(v));
            c += occurrences(normed, ngrams.v[i]);
            free(normed);
        }
        json_t *w = json_object_get(matched, ngrams.v[i]);
        assert_int_equal(c, w ? json_integer_value(w) : 0);
        nmatched += c > 0;
    }
    assert_int_equal(nmatched, json_object_size(matched));
    set_free(&ngrams);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_normalize_medcheck_rules),
        cmocka_unit_test(test_mc_normalize_gpt3_rules),
        cmocka_unit_test(test_mc_norm_tokenize_offsets),
        cmocka_unit_test(test_mc_norm_tokenize_fast_path_agrees),
        cmocka_unit_test(test_mc_norm_tokenize_every_code_point),
        cmocka_unit_test(test_mc_normalize_gpt3_janitor_vectors),
        cmocka_unit_test(test_mc_normalize_gpt3_nemo_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
