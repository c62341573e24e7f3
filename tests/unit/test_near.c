/* SPDX-License-Identifier: MIT */
/* Near-duplicate detector tests on constructed data: known answers from the
 * independent Python reference (tests/data/near_ref.py), forced LSH
 * collisions, edge cases, allocation failures, loaded (validated) arrays
 * and threads. The real-data tests are in test_near_real.c. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "near/near.h"
#include "norm/tokens.h"
#include "testutil.h"
#include "util/alloc.h"

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

/* ---- the known-answer vectors ---- */

/* Word hashes of one run "SEED:N" or "edit:SEED:N:EVERY:NSEED" (every
 * EVERY-th word, from the first, replaced by values from NSEED). */
static void run_words(const char *run, u64vec *out)
{
    if (strncmp(run, "edit:", 5) == 0) {
        unsigned long long seed, n, every, nseed;
        assert_int_equal(sscanf(run + 5, "%llu:%llu:%llu:%llu", &seed, &n, &every, &nseed), 4);
        uint64_t st = seed, nst = nseed;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t w = mc__near_splitmix(&st);
            u64_push(out, i % every == 0 ? mc__near_splitmix(&nst) : w);
        }
        return;
    }
    unsigned long long seed, n;
    assert_int_equal(sscanf(run, "%llu:%llu", &seed, &n), 2);
    uint64_t st = seed;
    for (uint64_t i = 0; i < n; i++) {
        u64_push(out, mc__near_splitmix(&st));
    }
}

#define MAXV 16

typedef struct ventry {
    uint32_t item, comp, group;
    u64vec words; /* every part, back to back */
    uint32_t part_len[MAXV];
    uint32_t nparts;
    uint32_t status, cls, ntok, nall, nsh, need;
    u64vec shingles, sig, bands;
} ventry;

typedef struct vhit {
    uint32_t entry, matched, nsh, t0, t1;
} vhit;

typedef struct vdoc {
    char name[32];
    u64vec words;
    vhit hits[MAXV];
    uint32_t nhits;
} vdoc;

typedef struct vectors {
    mc_near_params p;
    uint64_t perm_a[1024], perm_b[1024], band_seed;
    ventry ent[MAXV];
    uint32_t nent;
    uint64_t keys0[8];
    vdoc doc[MAXV];
    uint32_t ndoc;
} vectors;

static vectors *V;

static void parse_list(char *s, u64vec *out)
{
    char *save = NULL;
    for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
        u64_push(out, strtoull(t, NULL, 0));
    }
}

/* "R R | R | R ...": the runs of each part. */
static void parse_parts(char *s, ventry *e)
{
    char *save = NULL;
    e->nparts = 1;
    e->part_len[0] = 0;
    for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
        if (strcmp(t, "|") == 0) {
            assert_true(e->nparts < MAXV);
            e->part_len[e->nparts++] = 0;
            continue;
        }
        size_t before = e->words.n;
        run_words(t, &e->words);
        e->part_len[e->nparts - 1] += (uint32_t)(e->words.n - before);
    }
}

static void load_vectors(void)
{
    FILE *f = fopen(tu_src("tests/data/near_vectors.txt"), "r");
    assert_non_null(f);
    V = calloc(1, sizeof(*V));
    assert_non_null(V);
    char line[1 << 16];
    ventry *e = NULL;
    vdoc *d = NULL;
    while (fgets(line, sizeof(line), f)) {
        assert_non_null(strchr(line, '\n')); /* no line longer than the buffer */
        char *s = line;
        while (*s == ' ') {
            s++;
        }
        unsigned long long a, b, c, x, y, z, w;
        char thr[32], name[32];
        int off = 0;
        if (*s == '#' || *s == '\n') {
            continue;
        } else if (sscanf(s, "params %llu %llu %llu %llu %llu %llu %31s %llx", &a, &b, &c, &x, &y,
                          &z, thr, &w) == 8) {
            mc__near_params_default(&V->p);
            V->p = (mc_near_params){(uint32_t)a, (uint32_t)b, (uint32_t)c,       (uint32_t)x,
                                    (uint32_t)y, (uint32_t)z, strtod(thr, NULL), w};
        } else if (sscanf(s, "perm %llu %llx %llx", &a, &x, &y) == 3) {
            V->perm_a[a] = x;
            V->perm_b[a] = y;
        } else if (sscanf(s, "band_seed %llx", &x) == 1) {
            V->band_seed = x;
        } else if (sscanf(s, "entry %llu item %llu comp %llu group %llu runs %n", &a, &b, &c, &x,
                          &off) == 4 &&
                   off > 0) {
            assert_int_equal(a, V->nent);
            e = &V->ent[V->nent++];
            e->item = (uint32_t)b;
            e->comp = (uint32_t)c;
            e->group = (uint32_t)x;
            parse_parts(s + off, e);
        } else if (sscanf(s, "status %llu class %llu ntok %llu nall %llu nsh %llu need %llu", &a,
                          &b, &c, &x, &y, &z) == 6) {
            e->status = (uint32_t)a;
            e->cls = (uint32_t)b;
            e->ntok = (uint32_t)c;
            e->nall = (uint32_t)x;
            e->nsh = (uint32_t)y;
            e->need = (uint32_t)z;
        } else if (strncmp(s, "shingles ", 9) == 0) {
            parse_list(s + 9, &e->shingles);
        } else if (strncmp(s, "sig ", 4) == 0) {
            parse_list(s + 4, &e->sig);
        } else if (strncmp(s, "bands ", 6) == 0) {
            parse_list(s + 6, &e->bands);
        } else if (strncmp(s, "shingle_keys entry 0 ", 21) == 0) {
            u64vec k = {0};
            parse_list(s + 21, &k);
            assert_int_equal(k.n, 8);
            memcpy(V->keys0, k.v, sizeof(V->keys0));
            free(k.v);
        } else if (sscanf(s, "doc %31s ntok %llu runs %n", name, &a, &off) == 2 && off > 0) {
            d = &V->doc[V->ndoc++];
            snprintf(d->name, sizeof(d->name), "%s", name);
            ventry tmp = {0};
            parse_parts(s + off, &tmp);
            d->words = tmp.words;
            assert_int_equal(d->words.n, a);
        } else if (sscanf(s, "hit entry %llu matched %llu nsh %llu t0 %llu t1 %llu", &a, &b, &c, &x,
                          &y) == 5) {
            d->hits[d->nhits++] =
                (vhit){(uint32_t)a, (uint32_t)b, (uint32_t)c, (uint32_t)x, (uint32_t)y};
        } else if (strncmp(s, "end", 3) == 0) {
            d = NULL;
        } else {
            fail_msg("near_vectors.txt: unknown line: %s", s);
        }
    }
    fclose(f);
}

static void free_vectors(void)
{
    for (uint32_t i = 0; V && i < V->nent; i++) {
        free(V->ent[i].words.v);
        free(V->ent[i].shingles.v);
        free(V->ent[i].sig.v);
        free(V->ent[i].bands.v);
    }
    for (uint32_t i = 0; V && i < V->ndoc; i++) {
        free(V->doc[i].words.v);
    }
    free(V);
    V = NULL;
}

/* The build inputs of the vectors' entries [0, n). */
static mc_near_input *vector_inputs(uint32_t n, mc_near_part *parts)
{
    mc_near_input *in = calloc(n + 1, sizeof(*in));
    assert_non_null(in);
    size_t np = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ventry *e = &V->ent[i];
        in[i] = (mc_near_input){e->item, e->comp, e->group, e->nparts, parts + np};
        size_t off = 0;
        for (uint32_t j = 0; j < e->nparts; j++) {
            parts[np++] = (mc_near_part){e->words.v + off, 1, e->part_len[j]};
            off += e->part_len[j];
        }
    }
    return in;
}

static mc_near *build_vectors(uint32_t n)
{
    mc_near_part parts[MAXV * MAXV];
    mc_near_input *in = vector_inputs(n, parts);
    mc_near *nx = NULL;
    assert_int_equal(mc__near_build(&nx, &V->p, in, n), 0);
    free(in);
    return nx;
}

static int setup(void **state)
{
    (void)state;
    load_vectors();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free_vectors();
    return 0;
}

/* Is key in the band table with entry e among its postings? */
static int table_has(const mc_near *nx, uint64_t key, uint32_t e)
{
    for (uint64_t i = key & nx->slot_mask;; i = (i + 1) & nx->slot_mask) {
        const mc_near_slot *sl = &nx->slots[i];
        if (sl->key == 0) {
            return 0;
        }
        if (sl->key == key) {
            for (uint32_t q = 0; q < sl->npost; q++) {
                if (nx->posts[sl->post0 + q] == e) {
                    return 1;
                }
            }
            return 0;
        }
    }
}

static void test_mc__near_build_known_answers(void **state)
{
    (void)state;
    mc_near *nx = build_vectors(V->nent);
    const mc_near_params *p = &V->p;
    for (uint32_t i = 0; i < p->perms; i++) {
        assert_true(nx->perm_a[i] == V->perm_a[i]);
        assert_true(nx->perm_b[i] == V->perm_b[i]);
    }
    assert_true(nx->band_seed == V->band_seed);
    /* shingle keys, position by position */
    const uint64_t *w0 = V->ent[0].words.v;
    for (int i = 0; i < 8; i++) {
        assert_true(mc__near_shingle(w0 + i, 1, p->shingle) == V->keys0[i]);
    }
    assert_int_equal(nx->nentries, V->nent);
    for (uint32_t e = 0; e < V->nent; e++) {
        const ventry *ve = &V->ent[e];
        const mc_near_entry *ent = &nx->entries[e];
        assert_int_equal(ent->item, ve->item);
        assert_int_equal(ent->comp, ve->comp);
        assert_int_equal(ent->status, ve->status);
        assert_int_equal(ent->ntok, ve->ntok);
        assert_int_equal(ent->nall, ve->nall);
        assert_int_equal(ent->nsh, ve->nsh);
        if (ve->status != MC_NEAR_OK) {
            continue;
        }
        assert_int_equal(ent->cls, ve->cls);
        assert_int_equal(ent->need, ve->need);
        assert_int_equal(ve->shingles.n, ent->nsh);
        for (uint32_t i = 0; i < ent->nsh; i++) {
            assert_true(nx->shingles[ent->sh0 + i] == ve->shingles.v[i]);
        }
        assert_int_equal(ve->sig.n, p->perms);
        const uint32_t *sig = nx->sigs + (size_t)e * p->perms;
        for (uint32_t i = 0; i < p->perms; i++) {
            assert_int_equal(sig[i], ve->sig.v[i]);
        }
        assert_int_equal(ve->bands.n, p->bands);
        for (uint32_t j = 0; j < p->bands; j++) {
            uint64_t key =
                mc__near_band_key(nx->band_seed, j, ent->cls, sig + j * p->rows, p->rows);
            assert_true(key == ve->bands.v[j]);
            assert_true(table_has(nx, key, e));
            assert_true(mc__near_band_filter_test(nx, key));
        }
        /* no false negative in the filters */
        for (uint32_t i = 0; i < ent->nsh; i++) {
            uint64_t key = nx->shingles[ent->sh0 + i];
            assert_true(mc__near_filter_test(nx, key));
            uint64_t cb = mc__near_class_bits(key, ent->cls);
            assert_true((nx->cfilter[key >> nx->cfilter_shift] & cb) == cb);
        }
    }
    mc__near_destroy(&nx);
    assert_null(nx);
}

static void check_doc_hits(const vdoc *d, const mc_near_hit *h, size_t nh)
{
    if (nh != d->nhits) {
        fail_msg("doc %s: %zu hits, the reference has %u", d->name, nh, d->nhits);
    }
    for (size_t i = 0; i < nh; i++) {
        const vhit *x = &d->hits[i];
        assert_int_equal(h[i].entry, x->entry);
        assert_int_equal(h[i].item, V->ent[x->entry].item);
        assert_int_equal(h[i].comp, V->ent[x->entry].comp);
        assert_int_equal(h[i].matched, x->matched);
        assert_int_equal(h[i].nsh, x->nsh);
        assert_int_equal(h[i].t0, x->t0);
        assert_int_equal(h[i].t1, x->t1);
        assert_true(h[i].score == (double)x->matched / x->nsh);
    }
}

static void test_mc__near_doc_known_answers(void **state)
{
    (void)state;
    mc_near *nx = build_vectors(V->nent);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, nx), 0);
    /* twice: a reused scratch gives the same answers */
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < V->ndoc; i++) {
            const vdoc *d = &V->doc[i];
            const mc_near_hit *h;
            size_t nh;
            assert_int_equal(mc__near_doc(&s, d->words.v, 1, d->words.n, &h, &nh), 0);
            check_doc_hits(d, h, nh);
        }
    }
    /* the same through mc_token's stride */
    const vdoc *d = &V->doc[0];
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    tv.tok = calloc(d->words.n, sizeof(mc_token));
    assert_non_null(tv.tok);
    for (size_t i = 0; i < d->words.n; i++) {
        tv.tok[i].hash = d->words.v[i];
        tv.tok[i].start = (uint32_t)i;
    }
    tv.n = d->words.n;
    const mc_near_hit *h;
    size_t nh;
    assert_int_equal(mc__near_doc_tokens(&s, &tv, &h, &nh), 0);
    check_doc_hits(d, h, nh);
    free(tv.tok);
    assert_true(s.stats.docs == 2u * V->ndoc + 1);
    mc__near_scratch_finish(&s);
    mc__near_destroy(&nx);
}

/* A band key of a window collides with an entry's, but the window holds
 * only the few shingles that make that band: the candidate is confirmed,
 * found short of the threshold and not reported. */
static void test_mc__near_doc_forced_collision(void **state)
{
    (void)state;
    mc_near *nx = build_vectors(1); /* entry 0 alone */
    const mc_near_entry *ent = &nx->entries[0];
    const uint32_t *sig = nx->sigs;
    uint32_t k = nx->p.shingle, r = nx->p.rows;
    /* the words of the shingles that give band 0's minima */
    const uint64_t *w = V->ent[0].words.v;
    u64vec doc = {0};
    uint64_t st = 77;
    for (int i = 0; i < 40; i++) {
        u64_push(&doc, mc__near_splitmix(&st));
    }
    for (uint32_t row = 0; row < r; row++) {
        for (uint32_t pos = 0; pos + k <= V->ent[0].words.n; pos++) {
            uint64_t key = mc__near_shingle(w + pos, 1, k);
            if (mc__near_perm(nx->perm_a[row], nx->perm_b[row], key) == sig[row]) {
                for (uint32_t t = 0; t < k; t++) {
                    u64_push(&doc, w[pos + t]);
                }
                u64_push(&doc, mc__near_splitmix(&st)); /* a separator word */
                break;
            }
        }
    }
    for (int i = 0; i < 40; i++) {
        u64_push(&doc, mc__near_splitmix(&st));
    }
    /* the need of the window's class must not stop the lookup: lower it */
    mc_near weak = *nx;
    weak.class_need[ent->cls] = 1;
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, &weak), 0);
    const mc_near_hit *h;
    size_t nh;
    assert_int_equal(mc__near_doc(&s, doc.v, 1, doc.n, &h, &nh), 0);
    assert_true(s.stats.candidates >= 1); /* the band collided ... */
    assert_true(s.stats.hits == 0);       /* ... and the check refused it */
    assert_int_equal(nh, 0);
    mc__near_scratch_finish(&s);
    free(doc.v);
    mc__near_destroy(&nx);
}

static void test_mc__near_build_edge_cases(void **state)
{
    (void)state;
    mc_near_params p;
    mc__near_params_default(&p);
    mc_near *nx = NULL;
    /* bad parameters and arguments */
    mc_near_params bad = p;
    bad.rows = 5;
    bad.bands = 7; /* 35 > 32 permutations */
    assert_int_equal(mc__near_build(&nx, &bad, NULL, 0), MC_EINVAL);
    bad = p;
    bad.threshold = 0;
    assert_int_equal(mc__near_build(&nx, &bad, NULL, 0), MC_EINVAL);
    bad = p;
    bad.shingle = 0;
    assert_int_equal(mc__near_build(&nx, &bad, NULL, 0), MC_EINVAL);
    assert_int_equal(mc__near_build(&nx, &p, NULL, 1), MC_EINVAL);
    assert_int_equal(mc__near_build(NULL, &p, NULL, 0), MC_EINVAL);
    assert_null(nx);
    /* no entry: a detector that never reports */
    assert_int_equal(mc__near_build(&nx, &p, NULL, 0), 0);
    assert_int_equal(nx->nentries, 0);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, nx), 0);
    uint64_t words[100];
    uint64_t st = 5;
    for (int i = 0; i < 100; i++) {
        words[i] = mc__near_splitmix(&st);
    }
    const mc_near_hit *h;
    size_t nh = 99;
    assert_int_equal(mc__near_doc(&s, words, 1, 100, &h, &nh), 0);
    assert_int_equal(nh, 0);
    mc__near_scratch_finish(&s);
    mc__near_destroy(&nx);
    /* entries too short, or empty, only */
    mc_near_part parts[3] = {{words, 1, 5}, {words + 5, 1, 0}, {words + 10, 1, 2}};
    mc_near_input in[3] = {{0, 0, 0, 1, &parts[0]}, {1, 0, 0, 1, &parts[1]}, {2, 0, 0, 0, NULL}};
    assert_int_equal(mc__near_build(&nx, &p, in, 3), 0);
    assert_int_equal(nx->nindexed, 0);
    assert_int_equal(nx->entries[0].status, MC_NEAR_SHORT);
    assert_int_equal(nx->entries[1].status, MC_NEAR_SHORT);
    assert_int_equal(nx->entries[2].status, MC_NEAR_SHORT);
    assert_int_equal(mc__near_scratch_init(&s, nx), 0);
    assert_int_equal(mc__near_doc(&s, words, 1, 100, &h, &nh), 0);
    assert_int_equal(nh, 0);
    mc__near_scratch_finish(&s);
    mc__near_destroy(&nx);
    /* documents shorter than a shingle, and empty ones */
    nx = build_vectors(4);
    assert_int_equal(mc__near_scratch_init(&s, nx), 0);
    assert_int_equal(mc__near_doc(&s, V->ent[0].words.v, 1, 2, &h, &nh), 0);
    assert_int_equal(nh, 0);
    assert_int_equal(mc__near_doc(&s, NULL, 1, 0, &h, &nh), 0);
    assert_int_equal(nh, 0);
    /* a document that is exactly the entry */
    assert_int_equal(mc__near_doc(&s, V->ent[0].words.v, 1, V->ent[0].words.n, &h, &nh), 0);
    assert_true(nh >= 1);
    assert_int_equal(h[0].entry, 0);
    assert_true(h[0].score == 1.0);
    assert_int_equal(h[0].t0, 0);
    assert_int_equal(h[0].t1, V->ent[0].words.n);
    mc__near_scratch_finish(&s);
    mc__near_scratch_finish(&s); /* finishing twice is harmless */
    mc__near_destroy(&nx);
    mc__near_destroy(&nx);
    mc__near_destroy(NULL);
}

static void test_mc__near_alloc_failure(void **state)
{
    (void)state;
    /* the vectors without the very long entry, so that each try is quick */
    mc_near_part parts[MAXV * MAXV];
    uint32_t n = V->nent - 1;
    mc_near_input *in = vector_inputs(n, parts);
    mc_near *nx = NULL;
    int rc = MC_ENOMEM;
    unsigned long fails = 0;
    for (unsigned long k = 1; rc == MC_ENOMEM && k < 10000; k++) {
        mc__alloc_fail_after(k);
        rc = mc__near_build(&nx, &V->p, in, n);
        mc__alloc_fail_after(0);
        if (rc == MC_ENOMEM) {
            assert_null(nx); /* *out untouched, nothing leaked (valgrind, ASan) */
            fails++;
        }
    }
    assert_int_equal(rc, 0);
    assert_true(fails > 5);
    /* scratch and documents: every allocation may fail too */
    const vdoc *d = &V->doc[0];
    rc = MC_ENOMEM;
    for (unsigned long k = 1; rc == MC_ENOMEM && k < 10000; k++) {
        mc_near_scratch s;
        mc__alloc_fail_after(k);
        rc = mc__near_scratch_init(&s, nx);
        const mc_near_hit *h;
        size_t nh = 1;
        if (rc == 0) {
            rc = mc__near_doc(&s, d->words.v, 1, d->words.n, &h, &nh);
            if (rc == MC_ENOMEM) {
                assert_int_equal(nh, 0);
            }
        }
        mc__alloc_fail_after(0);
        if (rc == 0) {
            check_doc_hits(d, h, nh);
        } else {
            assert_int_equal(rc, MC_ENOMEM);
        }
        mc__near_scratch_finish(&s);
    }
    assert_int_equal(rc, 0);
    mc__near_destroy(&nx);
    free(in);
}

/* A detector "loaded" from the arrays of a built one (as from an index
 * file: the arrays are borrowed) scans the same; corrupt arrays are
 * refused with MC_EFORMAT. */
static mc_near *loaded_copy(const mc_near *nx)
{
    mc_near *ld = mc__calloc(1, sizeof(*ld));
    assert_non_null(ld);
    ld->p = nx->p;
    ld->entries = nx->entries;
    ld->nentries = nx->nentries;
    ld->shingles = nx->shingles;
    ld->nshingles = nx->nshingles;
    ld->sigs = nx->sigs;
    ld->slots = nx->slots;
    ld->slot_mask = nx->slot_mask;
    ld->posts = nx->posts;
    ld->nposts = nx->nposts;
    ld->filter = nx->filter;
    ld->filter_shift = nx->filter_shift;
    ld->cfilter = nx->cfilter;
    ld->cfilter_shift = nx->cfilter_shift;
    ld->band_filter = nx->band_filter;
    ld->band_shift = nx->band_shift;
    ld->borrowed = 1;
    return ld;
}

static void test_mc__near_validate_loaded(void **state)
{
    (void)state;
    mc_near *nx = build_vectors(V->nent);
    mc_near *ld = loaded_copy(nx);
    assert_int_equal(mc__near_validate(ld), 0);
    assert_int_equal(ld->nindexed, nx->nindexed);
    assert_int_equal(ld->max_class, nx->max_class);
    assert_int_equal(ld->class_mask, nx->class_mask);
    assert_memory_equal(ld->class_need, nx->class_need, sizeof(nx->class_need));
    assert_memory_equal(ld->nstatus, nx->nstatus, sizeof(nx->nstatus));
    assert_int_equal(nx->nstatus[MC_NEAR_OK] + nx->nstatus[MC_NEAR_SHORT] +
                         nx->nstatus[MC_NEAR_TEMPLATE] + nx->nstatus[MC_NEAR_LONG],
                     nx->nentries);
    assert_int_equal(nx->nstatus[MC_NEAR_LONG], 1);
    mc_near_scratch s;
    assert_int_equal(mc__near_scratch_init(&s, ld), 0);
    for (uint32_t i = 0; i < V->ndoc; i++) {
        const mc_near_hit *h;
        size_t nh;
        assert_int_equal(mc__near_doc(&s, V->doc[i].words.v, 1, V->doc[i].words.n, &h, &nh), 0);
        check_doc_hits(&V->doc[i], h, nh);
    }
    mc__near_scratch_finish(&s);
    mc__near_destroy(&ld); /* borrowed: nx's arrays stay */
    /* corruptions, one at a time, each undone */
    mc_near_entry saved = nx->entries[0];
    ld = loaded_copy(nx);
    nx->entries[0].sh0 = nx->nshingles;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    nx->entries[0] = saved;
    nx->entries[0].need = nx->entries[0].nsh + 1;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    nx->entries[0] = saved;
    nx->entries[0].status = 9;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    nx->entries[0] = saved;
    uint64_t k0 = nx->shingles[saved.sh0];
    nx->shingles[saved.sh0] = nx->shingles[saved.sh0 + 1]; /* not ascending */
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    nx->shingles[saved.sh0] = k0;
    uint32_t p0 = nx->posts[0];
    nx->posts[0] = nx->nentries;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    nx->posts[0] = p0;
    ld->nposts = 0; /* slots point past the postings */
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    ld->nposts = nx->nposts;
    ld->filter_shift = 3;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    ld->filter_shift = nx->filter_shift;
    ld->p.rows = 1000;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    ld->p = nx->p;
    ld->slot_mask = 6; /* not a power of two minus one */
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    /* a full slot table: a probe would never stop */
    mc_near_slot full[4] = {{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0}};
    ld->slots = full;
    ld->slot_mask = 3;
    assert_int_equal(mc__near_validate(ld), MC_EFORMAT);
    ld->slots = nx->slots;
    ld->slot_mask = nx->slot_mask;
    assert_int_equal(mc__near_validate(ld), 0); /* all undone */
    mc__near_destroy(&ld);
    mc__near_destroy(&nx);
}

/* One detector, two threads with a scratch each: the same hits as one. */
typedef struct job {
    const mc_near *nx;
    size_t nhits[MAXV];
    int rc;
} job;

static void *scan_all(void *arg)
{
    job *j = arg;
    mc_near_scratch s;
    j->rc = mc__near_scratch_init(&s, j->nx);
    for (int round = 0; j->rc == 0 && round < 20; round++) {
        for (uint32_t d = 0; j->rc == 0 && d < V->ndoc; d++) {
            const mc_near_hit *h;
            j->rc = mc__near_doc(&s, V->doc[d].words.v, 1, V->doc[d].words.n, &h, &j->nhits[d]);
        }
    }
    mc__near_scratch_finish(&s);
    return NULL;
}

static void test_mc__near_doc_threads(void **state)
{
    (void)state;
    mc_near *nx = build_vectors(V->nent);
    job jobs[2] = {{nx, {0}, 0}, {nx, {0}, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, scan_all, &jobs[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(jobs[i].rc, 0);
        for (uint32_t d = 0; d < V->ndoc; d++) {
            assert_int_equal(jobs[i].nhits[d], V->doc[d].nhits);
        }
    }
    mc__near_destroy(&nx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc__near_build_known_answers),
        cmocka_unit_test(test_mc__near_doc_known_answers),
        cmocka_unit_test(test_mc__near_doc_forced_collision),
        cmocka_unit_test(test_mc__near_build_edge_cases),
        cmocka_unit_test(test_mc__near_alloc_failure),
        cmocka_unit_test(test_mc__near_validate_loaded),
        cmocka_unit_test(test_mc__near_doc_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
