/* SPDX-License-Identifier: MIT */
/* Speed and recall of the near-duplicate detector on real data (not a test:
 * it prints numbers, and timings are never asserted). Items of the
 * benchmark files are indexed (stem, stem with options, passage); the
 * corpus records are scanned with the near pass and with the exact matcher
 * (ns per word, CPU time, best of rounds); with -n, items are planted in
 * nine near forms into 50 KB pages made of the corpus records, and each
 * form's recall is printed next to "reachable": the cases whose form still
 * has the threshold's containment (what a perfect window would find).
 *   bench_near [-k K] [-p PERMS] [-b BANDS] [-r ROWS] [-T TEMPLATE]
 *              [-m MIN] [-t THRESHOLD] [-n PLANT_PER_FILE] [-R ROUNDS]
 *              [-X (no exact pass)] -c CORPUS [-c CORPUS ...] BENCH...
 * Environment: SHOW_HITS=1 lists hits in the corpus, SHOW_MISS=1 and
 * SHOW_OTHER=1 the misses and other items' hits of the planting,
 * FLOOR=1 / FLOOR=2 also time the pass with an empty filter / no lookups.
 * Example (numbers in src/near/near.h):
 *   E=../shared/data/external
 *   build/tests/unit/bench_near -n 60 \
 *       -c $E/dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz \
 *       $E/medqa/US_4_options_phrases_no_exclude_test.jsonl $E/medmcqa/dev.json \
 *       $E/pubmedqa/ori_pqal.json $E/mmlu_hendrycks/test/anatomy_test.csv ... */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <medcheck/bench.h>
#include <medcheck/reader.h>

#include "index/index.h"
#include "match/match.h"
#include "near/near.h"
#include "norm/tokens.h"

enum { C_STEM = 0, C_STEM_OPTS = 1, C_PASSAGE = 3 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_near: %s: %s\n", what, mc_strerror(rc));
    exit(1);
}

/* ---- a deterministic generator ---- */
static uint64_t rng_state = 12345;
static uint64_t rnd(void)
{
    return mc__near_splitmix(&rng_state);
}
static size_t rndn(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

/* ---- growable string ---- */
typedef struct str {
    char *p;
    size_t n, cap;
} str;
static void sadd(str *s, const char *t, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        s->cap = (s->n + n + 1) * 2;
        s->p = realloc(s->p, s->cap);
    }
    memcpy(s->p + s->n, t, n);
    s->n += n;
    s->p[s->n] = 0;
}
static void sputs(str *s, const char *t)
{
    sadd(s, t, strlen(t));
}

/* ---- entries of the benchmark ---- */
typedef struct store {
    uint64_t *h;
    size_t n, cap;
} store;

typedef struct pend {
    uint32_t item, comp, group, part0, nparts;
} pend;

typedef struct corpus {
    char **text;
    size_t *len;
    size_t n;
} corpus;

static uint32_t tokenize_into(mc_tokvec *tv, store *st, const char *text)
{
    int rc = mc__norm_tokenize(MC_NORM_MEDCHECK, text ? text : "", text ? strlen(text) : 0, tv);
    if (rc < 0) {
        die("tokenize", rc);
    }
    if (st->n + tv->n > st->cap) {
        st->cap = (st->n + tv->n) * 2;
        st->h = realloc(st->h, st->cap * sizeof(uint64_t));
    }
    for (size_t i = 0; i < tv->n; i++) {
        st->h[st->n++] = tv->tok[i].hash;
    }
    return (uint32_t)tv->n;
}

typedef struct model {
    mc_bench *bench;
    mc_near *nx;
    uint32_t *first_entry; /* per item: its first entry, or UINT32_MAX */
    uint32_t *nent;        /* per item: entries */
    uint32_t *group;       /* per item: file */
    uint32_t nfiles;
} model;

static void build_model(model *m, const mc_near_params *par)
{
    size_t nitems = mc_bench_count(m->bench);
    store st = {0};
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    size_t *poff = NULL, *plen = NULL, np = 0, pcap = 0;
    pend *pe = calloc(nitems * 3 + 1, sizeof(*pe));
    size_t npe = 0;
    m->first_entry = calloc(nitems, sizeof(uint32_t));
    m->nent = calloc(nitems, sizeof(uint32_t));
    m->group = calloc(nitems, sizeof(uint32_t));
    uint32_t g = 0;
    for (size_t i = 0; i < nitems; i++) {
        const mc_item *it = mc_bench_item(m->bench, i);
        if (i > 0 &&
            (it->index == 0 || strcmp(it->source, mc_bench_item(m->bench, i - 1)->source))) {
            g++;
        }
        m->group[i] = g;
        m->first_entry[i] = UINT32_MAX;
        if (it->malformed) {
            continue;
        }
        if (np + it->n_options + 2 > pcap) {
            pcap = (np + it->n_options + 2) * 2;
            poff = realloc(poff, pcap * sizeof(size_t));
            plen = realloc(plen, pcap * sizeof(size_t));
        }
        size_t q = np;
        poff[np] = st.n;
        plen[np++] = tokenize_into(&tv, &st, it->question);
        for (uint32_t o = 0; o < it->n_options; o++) {
            poff[np] = st.n;
            plen[np++] = tokenize_into(&tv, &st, it->options[o]);
        }
        m->first_entry[i] = (uint32_t)npe;
        pe[npe++] = (pend){(uint32_t)i, C_STEM, g, (uint32_t)q, 1};
        if (it->n_options) {
            pe[npe++] = (pend){(uint32_t)i, C_STEM_OPTS, g, (uint32_t)q, 1 + it->n_options};
        }
        if (it->passage && it->passage[0]) {
            poff[np] = st.n;
            plen[np] = tokenize_into(&tv, &st, it->passage);
            pe[npe++] = (pend){(uint32_t)i, C_PASSAGE, g, (uint32_t)np++, 1};
        }
        m->nent[i] = (uint32_t)npe - m->first_entry[i];
    }
    m->nfiles = g + 1;
    mc_near_part *parts = calloc(np + 1, sizeof(*parts));
    for (size_t i = 0; i < np; i++) {
        parts[i] = (mc_near_part){st.h + poff[i], 1, (uint32_t)plen[i]};
    }
    mc_near_input *in = calloc(npe + 1, sizeof(*in));
    for (size_t e = 0; e < npe; e++) {
        in[e] =
            (mc_near_input){pe[e].item, pe[e].comp, pe[e].group, pe[e].nparts, parts + pe[e].part0};
    }
    double t0 = now_s();
    int rc = mc__near_build(&m->nx, par, in, npe);
    if (rc < 0) {
        die("build", rc);
    }
    double t1 = now_s();
    const mc_near *nx = m->nx;
    uint32_t status[4] = {0}, bycls[MC_NEAR_MAX_CLASS + 1] = {0};
    for (uint32_t e = 0; e < nx->nentries; e++) {
        status[nx->entries[e].status]++;
        if (nx->entries[e].status == MC_NEAR_OK) {
            bycls[nx->entries[e].cls]++;
        }
    }
    printf("items %zu, entries %u: indexed %u, short %u, template %u, long %u; build %.3f s\n",
           nitems, nx->nentries, status[0], status[1], status[2], status[3], t1 - t0);
    printf("shingles %u (%.1f MB), table %llu slots (%.1f MB), postings %u, filter %.2f MB\n",
           nx->nshingles, nx->nshingles * 8e-6, (unsigned long long)nx->slot_mask + 1,
           (double)(nx->slot_mask + 1) * 16e-6, nx->nposts,
           (double)((size_t)1 << (64 - nx->filter_shift)) * 8e-6);
    size_t unindexed = 0, malformed = 0;
    for (size_t i = 0; i < nitems; i++) {
        int ok = 0;
        for (uint32_t e = 0; m->first_entry[i] != UINT32_MAX && e < m->nent[i]; e++) {
            ok |= nx->entries[m->first_entry[i] + e].status == MC_NEAR_OK;
        }
        unindexed += !ok;
        malformed += m->first_entry[i] == UINT32_MAX;
    }
    printf("items with no indexed entry: %zu (malformed %zu)\n", unindexed, malformed);
    printf("classes:");
    for (uint32_t c = 0; c <= nx->max_class; c++) {
        printf(" %u:%u(need>=%d)", c, bycls[c],
               nx->class_need[c] == UINT32_MAX ? -1 : (int)nx->class_need[c]);
    }
    printf("\n");
    free(in);
    free(parts);
    free(poff);
    free(plen);
    free(pe);
    free(st.h);
    mc__tokvec_finish(&tv);
}

static void read_corpus(corpus *c, const char *path)
{
    mc_reader *r = NULL;
    mc_reader_opts o;
    mc_reader_opts_default(&o);
    int rc = mc_reader_open(&r, path, &o);
    if (rc < 0) {
        die(path, rc);
    }
    mc_record rec;
    while ((rc = mc_reader_read(r, &rec)) == 1) {
        c->text = realloc(c->text, (c->n + 1) * sizeof(char *));
        c->len = realloc(c->len, (c->n + 1) * sizeof(size_t));
        c->text[c->n] = malloc(rec.text_len + 1);
        memcpy(c->text[c->n], rec.text, rec.text_len);
        c->text[c->n][rec.text_len] = 0;
        c->len[c->n++] = rec.text_len;
    }
    mc_reader_close(&r);
}

/* ---- speed ---- */
static double time_tokenize(const corpus *c, mc_tokvec *tv)
{
    double t0 = now_s();
    for (size_t d = 0; d < c->n; d++) {
        mc__norm_tokenize(MC_NORM_MEDCHECK, c->text[d], c->len[d], tv);
    }
    return now_s() - t0;
}

static double time_exact(const corpus *c, mc_matcher *mt)
{
    double t0 = now_s();
    for (size_t d = 0; d < c->n; d++) {
        mc__matcher_doc(mt, c->text[d], c->len[d]);
    }
    return now_s() - t0;
}

static double time_near(mc_near_scratch *s, uint64_t **words, const size_t *nw, size_t n)
{
    double t0 = now_s();
    for (size_t d = 0; d < n; d++) {
        const mc_near_hit *h;
        size_t nh;
        if (mc__near_doc(s, words[d], 1, nw[d], &h, &nh) < 0) {
            die("near_doc", MC_ENOMEM);
        }
    }
    return now_s() - t0;
}

/* Rounds interleave the three measures (tokenize; tokenize + exact match;
 * the near pass alone on the kept word hashes); the best of each is kept,
 * CPU time of this thread, because the machine is shared. */
static void speed(const model *m, const corpus *c, int rounds, int exact)
{
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    mc_near_scratch s;
    if (mc__near_scratch_init(&s, m->nx) < 0) {
        die("scratch", MC_ENOMEM);
    }
    uint64_t **words = calloc(c->n, sizeof(uint64_t *));
    size_t *nw = calloc(c->n, sizeof(size_t));
    size_t total = 0, bytes = 0, nhit_docs = 0;
    for (size_t d = 0; d < c->n; d++) {
        mc__norm_tokenize(MC_NORM_MEDCHECK, c->text[d], c->len[d], &tv);
        words[d] = malloc((tv.n + 1) * sizeof(uint64_t));
        for (size_t i = 0; i < tv.n; i++) {
            words[d][i] = tv.tok[i].hash;
        }
        nw[d] = tv.n;
        total += tv.n;
        bytes += c->len[d];
        const mc_near_hit *h;
        size_t n;
        if (mc__near_doc(&s, words[d], 1, nw[d], &h, &n) < 0) {
            die("near_doc", MC_ENOMEM);
        }
        nhit_docs += n > 0;
        for (size_t i = 0; i < n && getenv("SHOW_HITS"); i++) {
            const mc_item *it = mc_bench_item(m->bench, h[i].item);
            printf("  hit: doc %zu item %s#%u comp %u score %.2f (%u/%u) [%u,%u)\n", d, it->source,
                   it->index, h[i].comp, h[i].score, h[i].matched, h[i].nsh, h[i].t0, h[i].t1);
        }
    }
    mc_near_stats st = s.stats;
    mc_index *idx = NULL;
    mc_matcher mt;
    if (exact) {
        int rc = mc__index_build(&idx, m->bench, MC_PRESET_MEDCHECK, 8, 2);
        if (rc < 0 || mc__matcher_init(&mt, idx) < 0) {
            die("index", rc < 0 ? rc : MC_ENOMEM);
        }
    }
    double bt = 1e9, be = 1e9, bn = 1e9;
    for (int r = 0; r < rounds; r++) {
        double t = time_tokenize(c, &tv);
        bt = t < bt ? t : bt;
        if (exact) {
            t = time_exact(c, &mt);
            be = t < be ? t : be;
        }
        t = time_near(&s, words, nw, c->n);
        bn = t < bn ? t : bn;
    }
    printf("corpus: %zu docs, %zu words, %.1f MB; tokenize %.1f ns/word\n", c->n, total,
           (double)bytes / 1e6, bt * 1e9 / (double)total);
    printf("near pass: %.2f ns/word (best of %d); passed %.2f%% of positions; windows %llu, "
           "queried %llu (%.3f/kword), candidates %llu (%.3f/kword), hits %llu in %zu docs\n",
           bn * 1e9 / (double)total, rounds, 100.0 * (double)st.passed / (double)st.positions,
           (unsigned long long)st.windows, (unsigned long long)st.queried,
           1000.0 * (double)st.queried / (double)total, (unsigned long long)st.candidates,
           1000.0 * (double)st.candidates / (double)total, (unsigned long long)st.hits, nhit_docs);
    if (exact) {
        printf("exact pass (tokenize + match): %.2f ns/word, so match alone ~%.2f ns/word\n",
               be * 1e9 / (double)total, (be - bt) * 1e9 / (double)total);
        mc__matcher_finish(&mt);
        mc__index_destroy(&idx);
    }
    if (getenv("FLOOR")) {
        /* FLOOR=1: an empty filter (nothing passes); FLOOR=2: no lookups */
        mc_near copy = *m->nx;
        uint64_t zero[64] = {0};
        if (getenv("FLOOR")[0] == '1') {
            copy.filter = zero;
            copy.filter_shift = 58;
        } else {
            copy.class_mask = 0;
        }
        mc_near_scratch s2;
        mc__near_scratch_init(&s2, &copy);
        double bf = 1e9;
        for (int r = 0; r < rounds; r++) {
            double t = time_near(&s2, words, nw, c->n);
            bf = t < bf ? t : bf;
        }
        printf("floor: %.2f ns/word\n", bf * 1e9 / (double)total);
        mc__near_scratch_finish(&s2);
    }
    for (size_t d = 0; d < c->n; d++) {
        free(words[d]);
    }
    free(words);
    free(nw);
    mc__near_scratch_finish(&s);
    mc__tokvec_finish(&tv);
}

/* ---- near forms of an item ---- */
enum {
    F_VERBATIM,
    F_LAYOUT,
    F_CASEPUNCT,
    F_SHUFFLE,
    F_WORDS1,
    F_WORDS2,
    F_WORDS3,
    F_NUMBERS,
    F_TRUNC_FIRST,
    F_TRUNC_LAST,
    F_NFORMS
};
static const char *form_names[F_NFORMS] = {
    "verbatim",           "quiz layout",      "case+punct",      "options shuffled",
    "1 word changed",     "2 words changed",  "3 words changed", "numbers reformatted",
    "first sentence cut", "last sentence cut"};

static const char *const vocab[] = {"house",  "river", "green", "quickly", "table",  "seven",
                                    "window", "music", "paper", "stone",   "garden", "silver"};

/* Replace n random words (runs of letters) of t by vocabulary words. */
static void change_words(str *out, const char *t, int n)
{
    size_t len = strlen(t);
    size_t starts[4096], ns = 0;
    for (size_t i = 0; i < len && ns < 4096; i++) {
        if (isalpha((unsigned char)t[i]) && (i == 0 || !isalnum((unsigned char)t[i - 1]))) {
            starts[ns++] = i;
        }
    }
    size_t pick[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    for (int k = 0; k < n && ns > 0; k++) {
        pick[k] = starts[rndn(ns)];
    }
    for (size_t i = 0; i < len;) {
        if (i == pick[0] || i == pick[1] || i == pick[2]) {
            sputs(out, vocab[rndn(12)]);
            while (i < len && isalpha((unsigned char)t[i])) {
                i++;
            }
            continue;
        }
        sadd(out, t + i, 1);
        i++;
    }
}

/* "2 mg" <-> "2mg", "1,000" -> "1000", "5.0" -> "5"; 0 if nothing changed. */
static int reformat_numbers(str *out, const char *t)
{
    size_t len = strlen(t);
    int changed = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = t[i];
        int prev_digit = i > 0 && isdigit((unsigned char)t[i - 1]);
        if (ch == ' ' && prev_digit && i + 1 < len && isalpha((unsigned char)t[i + 1])) {
            changed = 1; /* "2 mg" -> "2mg" */
            continue;
        }
        if (isalpha((unsigned char)ch) && prev_digit) {
            sputs(out, " "); /* "2mg" -> "2 mg" */
            changed = 1;
        }
        if (ch == ',' && prev_digit && i + 3 < len && isdigit((unsigned char)t[i + 1]) &&
            isdigit((unsigned char)t[i + 2]) && isdigit((unsigned char)t[i + 3])) {
            changed = 1;
            continue;
        }
        if (ch == '.' && prev_digit && i + 1 < len && t[i + 1] == '0' &&
            (i + 2 >= len || !isdigit((unsigned char)t[i + 2]))) {
            changed = 1;
            i++;
            continue;
        }
        sadd(out, &ch, 1);
    }
    return changed;
}

/* Sentence boundaries: ". " followed by an upper-case letter. */
static int cut_sentence(str *out, const char *t, int first)
{
    size_t len = strlen(t);
    size_t b[512], nb = 0;
    for (size_t i = 0; i + 2 < len && nb < 512; i++) {
        if ((t[i] == '.' || t[i] == '?') && t[i + 1] == ' ' && isupper((unsigned char)t[i + 2])) {
            b[nb++] = i + 2;
        }
    }
    if (nb == 0) {
        return 0;
    }
    if (first) {
        sputs(out, t + b[0]);
    } else {
        sadd(out, t, b[nb - 1]);
    }
    return 1;
}

static void casepunct(str *out, const char *t)
{
    for (const char *p = t; *p; p++) {
        if (ispunct((unsigned char)*p)) {
            continue; /* deleted, as lm-eval's normaliser does */
        }
        char c = (char)toupper((unsigned char)*p);
        sadd(out, &c, 1);
    }
}

/* The text of an item in a form; 0 if the form does not apply. */
static int make_form(str *out, const mc_item *it, int form)
{
    const char *stem = it->question;
    int has_passage = it->passage && it->passage[0];
    uint32_t perm[16];
    uint32_t no = it->n_options < 16 ? it->n_options : 16;
    for (uint32_t i = 0; i < no; i++) {
        perm[i] = i;
    }
    str st = {0};
    int ok = 1;
    switch (form) {
    case F_WORDS1:
    case F_WORDS2:
    case F_WORDS3:
        change_words(&st, has_passage ? it->passage : stem, 1 + form - F_WORDS1);
        break;
    case F_NUMBERS:
        ok = reformat_numbers(&st, has_passage ? it->passage : stem);
        break;
    case F_TRUNC_FIRST:
    case F_TRUNC_LAST:
        ok = cut_sentence(&st, has_passage ? it->passage : stem, form == F_TRUNC_FIRST);
        break;
    case F_CASEPUNCT:
        casepunct(&st, has_passage ? it->passage : stem);
        break;
    default:
        if (form == F_SHUFFLE) {
            ok = no >= 2;
            for (uint32_t i = no; i > 1; i--) {
                uint32_t j = (uint32_t)rndn(i);
                uint32_t t = perm[i - 1];
                perm[i - 1] = perm[j];
                perm[j] = t;
            }
        }
        sputs(&st, has_passage ? it->passage : stem);
    }
    if (!ok) {
        free(st.p);
        return 0;
    }
    if (has_passage) {
        sputs(out, st.p);
        sputs(out, "\n");
        sputs(out, stem);
    } else {
        if (form == F_LAYOUT || form == F_SHUFFLE) {
            sputs(out, "Q12. ");
        }
        sputs(out, st.p);
        for (uint32_t i = 0; i < no; i++) {
            char lab[8];
            if (form == F_LAYOUT || form == F_SHUFFLE) {
                snprintf(lab, sizeof(lab), "\n%c) ", 'a' + i);
            } else {
                snprintf(lab, sizeof(lab), " ");
            }
            sputs(out, lab);
            sputs(out, it->options[perm[i]]);
        }
        if (form == F_LAYOUT) {
            sputs(out, "\nAnswer: b");
        }
    }
    free(st.p);
    return 1;
}

/* Long real pages: consecutive corpus documents joined until >= 50 KB. */
static size_t make_pages(const corpus *c, char ***pages)
{
    size_t np = 0;
    str cur = {0};
    *pages = NULL;
    for (size_t d = 0; d < c->n; d++) {
        sadd(&cur, c->text[d], c->len[d]);
        sputs(&cur, "\n");
        if (cur.n >= 50000) {
            *pages = realloc(*pages, (np + 1) * sizeof(char *));
            (*pages)[np++] = cur.p;
            memset(&cur, 0, sizeof(cur));
        }
    }
    free(cur.p);
    return np;
}

typedef struct tally {
    uint32_t n, found, other, reach, reach_found;
    double score;
} tally;

static int cmp_key(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : (a > b);
}

/* The best containment any indexed entry of item i has in the form's own
 * shingles: what a perfect window would score. */
static double oracle(const model *m, size_t i, const mc_tokvec *tv)
{
    const mc_near *nx = m->nx;
    uint32_t k = nx->p.shingle;
    if (tv->n < k || m->first_entry[i] == UINT32_MAX) {
        return 0;
    }
    size_t n = tv->n - k + 1;
    uint64_t *keys = malloc(n * sizeof(uint64_t));
    for (size_t p = 0; p < n; p++) {
        keys[p] = mc__near_shingle(&tv->tok[p].hash, MC_NEAR_TOKEN_STRIDE, k);
    }
    qsort(keys, n, sizeof(uint64_t), cmp_key);
    double best = 0;
    for (uint32_t e = m->first_entry[i]; e < m->first_entry[i] + m->nent[i]; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        if (ent->status != MC_NEAR_OK) {
            continue;
        }
        uint32_t in = 0;
        for (uint32_t j = 0; j < ent->nsh; j++) {
            in += bsearch(&nx->shingles[ent->sh0 + j], keys, n, sizeof(uint64_t), cmp_key) != NULL;
        }
        double c = (double)in / ent->nsh;
        best = c > best ? c : best;
    }
    free(keys);
    return best;
}

static void plant(const model *m, const corpus *c, int per_file)
{
    char **pages;
    size_t npages = make_pages(c, &pages);
    if (npages == 0) {
        printf("no page of 50 KB in the corpus: planting skipped\n");
        return;
    }
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    mc_near_scratch s;
    if (mc__near_scratch_init(&s, m->nx) < 0) {
        die("scratch", MC_ENOMEM);
    }
    size_t nitems = mc_bench_count(m->bench);
    tally *tl = calloc((size_t)m->nfiles * F_NFORMS, sizeof(tally));
    str doc = {0}, form = {0};
    /* per file: per_file items at random, with an indexed entry */
    for (uint32_t g = 0; g < m->nfiles; g++) {
        size_t lo = SIZE_MAX, hi = 0;
        for (size_t i = 0; i < nitems; i++) {
            if (m->group[i] == g) {
                lo = i < lo ? i : lo;
                hi = i + 1;
            }
        }
        for (int k = 0; k < per_file && lo < hi; k++) {
            size_t i = lo + rndn(hi - lo);
            const mc_item *it = mc_bench_item(m->bench, i);
            int indexed = 0;
            for (uint32_t e = 0; m->first_entry[i] != UINT32_MAX && e < m->nent[i]; e++) {
                indexed |= m->nx->entries[m->first_entry[i] + e].status == MC_NEAR_OK;
            }
            if (!indexed) {
                k--;
                continue; /* judged by the exact pass only */
            }
            for (int f = 0; f < F_NFORMS; f++) {
                form.n = 0;
                if (!make_form(&form, it, f)) {
                    continue;
                }
                if ((f == F_WORDS1 || f == F_WORDS2 || f == F_WORDS3) &&
                    !(it->passage && it->passage[0])) {
                    mc__norm_tokenize(MC_NORM_MEDCHECK, it->question, strlen(it->question), &tv);
                    if (tv.n < 20) {
                        continue; /* the target is for items of 20 tokens or more */
                    }
                }
                mc__norm_tokenize(MC_NORM_MEDCHECK, form.p, form.n, &tv);
                double orc = oracle(m, i, &tv);
                const char *page = pages[rndn(npages)];
                size_t plen = strlen(page), at = rndn(plen);
                while (at < plen && page[at] != ' ' && page[at] != '\n') {
                    at++;
                }
                doc.n = 0;
                sadd(&doc, page, at);
                sputs(&doc, " ");
                sadd(&doc, form.p, form.n);
                sputs(&doc, " ");
                sadd(&doc, page + at, plen - at);
                mc__norm_tokenize(MC_NORM_MEDCHECK, doc.p, doc.n, &tv);
                const mc_near_hit *h;
                size_t nh;
                if (mc__near_doc_tokens(&s, &tv, &h, &nh) < 0) {
                    die("near_doc", MC_ENOMEM);
                }
                tally *t = &tl[g * F_NFORMS + f];
                t->n++;
                double best = 0;
                int other = 0;
                for (size_t j = 0; j < nh; j++) {
                    if (h[j].item == i) {
                        best = h[j].score > best ? h[j].score : best;
                    } else {
                        other = 1;
                        const mc_item *o = mc_bench_item(m->bench, h[j].item);
                        if (getenv("SHOW_OTHER")) {
                            printf("  other: %s#%u planted, %s#%u hit %.2f: %.80s | %.80s\n",
                                   it->source, it->index, o->source, o->index, h[j].score,
                                   it->question, o->question);
                        }
                    }
                }
                t->found += best > 0;
                t->reach += orc >= m->nx->p.threshold;
                t->reach_found += orc >= m->nx->p.threshold && best > 0;
                t->score += best;
                t->other += other;
                if (best == 0 && getenv("SHOW_MISS")) {
                    printf("  miss %s (oracle %.2f): %s#%u: %.200s\n", form_names[f], orc,
                           it->source, it->index, form.p);
                }
            }
        }
    }
    printf("\n%-22s", "form \\ file");
    for (uint32_t g = 0; g < m->nfiles; g++) {
        printf(" %10u", g);
    }
    printf(" %10s\n", "all");
    for (int f = 0; f < F_NFORMS; f++) {
        printf("%-22s", form_names[f]);
        tally all = {0};
        for (uint32_t g = 0; g < m->nfiles; g++) {
            tally *t = &tl[g * F_NFORMS + f];
            printf(" %4u/%-5u", t->found, t->n);
            all.n += t->n;
            all.found += t->found;
            all.other += t->other;
            all.score += t->score;
            all.reach += t->reach;
            all.reach_found += t->reach_found;
        }
        printf(" %5.3f  reachable %u, found %u; mean score %.2f; docs with another item's "
               "hit %u\n",
               all.n ? (double)all.found / all.n : 0, all.reach, all.reach_found,
               all.found ? all.score / all.found : 0, all.other);
    }
    for (uint32_t g = 0; g < m->nfiles; g++) {
        for (size_t i = 0; i < nitems; i++) {
            if (m->group[i] == g) {
                printf("file %u: %s\n", g, mc_bench_item(m->bench, i)->source);
                break;
            }
        }
    }
    free(tl);
    free(doc.p);
    free(form.p);
    for (size_t p = 0; p < npages; p++) {
        free(pages[p]);
    }
    free(pages);
    mc__near_scratch_finish(&s);
    mc__tokvec_finish(&tv);
}

int main(int argc, char **argv)
{
    mc_near_params par;
    mc__near_params_default(&par);
    int per_file = 0, rounds = 3, opt, exact = 1;
    corpus c = {0};
    char *corpora[64];
    int ncorpora = 0;
    while ((opt = getopt(argc, argv, "k:p:b:r:T:m:t:n:R:c:X")) != -1) {
        switch (opt) {
        case 'k':
            par.shingle = (uint32_t)atoi(optarg);
            break;
        case 'p':
            par.perms = (uint32_t)atoi(optarg);
            break;
        case 'b':
            par.bands = (uint32_t)atoi(optarg);
            break;
        case 'r':
            par.rows = (uint32_t)atoi(optarg);
            break;
        case 'T':
            par.template_items = (uint32_t)atoi(optarg);
            break;
        case 'm':
            par.min_shingles = (uint32_t)atoi(optarg);
            break;
        case 't':
            par.threshold = atof(optarg);
            break;
        case 'n':
            per_file = atoi(optarg);
            break;
        case 'R':
            rounds = atoi(optarg);
            break;
        case 'X':
            exact = 0;
            break;
        case 'c':
            if (ncorpora < 64) {
                corpora[ncorpora++] = optarg;
            }
            break;
        default:
            fprintf(stderr, "usage: see the comment at the top of bench_near.c\n");
            return 2;
        }
    }
    model m = {0};
    mc_bench_opts bo;
    mc_bench_opts_default(&bo);
    if (mc_bench_create(&m.bench) < 0) {
        die("bench", MC_ENOMEM);
    }
    for (int i = optind; i < argc; i++) {
        int rc = mc_bench_read(m.bench, argv[i], &bo);
        if (rc < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], mc_bench_errmsg(m.bench));
            return 1;
        }
    }
    printf("params: k=%u perms=%u bands=%u rows=%u template_items=%u min_shingles=%u "
           "threshold=%.2f\n",
           par.shingle, par.perms, par.bands, par.rows, par.template_items, par.min_shingles,
           par.threshold);
    build_model(&m, &par);
    for (int i = 0; i < ncorpora; i++) {
        read_corpus(&c, corpora[i]);
    }
    if (c.n) {
        speed(&m, &c, rounds, exact);
    }
    if (per_file > 0 && c.n) {
        plant(&m, &c, per_file);
    }
    mc__near_destroy(&m.nx);
    mc_bench_destroy(&m.bench);
    for (size_t d = 0; d < c.n; d++) {
        free(c.text[d]);
    }
    free(c.text);
    free(c.len);
    free(m.first_entry);
    free(m.nent);
    free(m.group);
    return 0;
}
