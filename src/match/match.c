/* SPDX-License-Identifier: MIT */
/* Exact n-gram matching of a document against the index (see match.h).
 * Each index length L gets a rolling polynomial hash over the document's
 * word hashes, so a position costs O(1) per length plus a prefilter probe. */
#include <stdlib.h>
#include <string.h>

#include "fp/hash.h"
#include "match/match.h"
#include "util/alloc.h"
#include "util/bits.h"

/* How far ahead the filter word of a position is prefetched: the filter
 * of a large benchmark does not fit in cache, and its loads are random. */
#define PREFETCH_AHEAD 16

#define DIAG_MIN_SLOTS 1024

int mc__matcher_init(mc_matcher *m, const mc_index *idx)
{
    memset(m, 0, sizeof(*m));
    m->idx = idx;
    mc__tokvec_init(&m->tv);
    for (uint32_t i = 0; i < idx->nlengths; i++) {
        m->pw[i] = mc__hash_pow(idx->lengths[i] - 1);
    }
    m->dmask = DIAG_MIN_SLOTS - 1;
    m->dkeys = mc__calloc(DIAG_MIN_SLOTS, sizeof(uint64_t));
    m->dvals = mc__calloc(DIAG_MIN_SLOTS, sizeof(int32_t));
    m->dused = mc__calloc(DIAG_MIN_SLOTS, sizeof(uint32_t));
    if (!m->dkeys || !m->dvals || !m->dused) {
        mc__matcher_finish(m);
        return MC_ENOMEM;
    }
    return 0;
}

void mc__matcher_finish(mc_matcher *m)
{
    mc__tokvec_finish(&m->tv);
    mc__free(m->spans);
    mc__free(m->dkeys);
    mc__free(m->dvals);
    mc__free(m->dused);
    mc__free(m->keys);
    memset(m, 0, sizeof(*m));
}

static uint64_t diag_key(uint32_t seq, uint32_t a, uint32_t d)
{
    /* diagonal = d - a, offset so it stays positive; +1 so no key is 0 */
    return ((uint64_t)seq << 33 | (uint64_t)((int64_t)d - a + (INT64_C(1) << 32))) + 1;
}

/* Find the slot of a diagonal key (empty slot if absent). */
static size_t diag_slot(const mc_matcher *m, uint64_t key)
{
    size_t i = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & m->dmask;
    while (m->dkeys[i] != 0 && m->dkeys[i] != key) {
        i = (i + 1) & m->dmask;
    }
    return i;
}

static int diag_grow(mc_matcher *m)
{
    size_t ncap = (m->dmask + 1) * 2;
    uint64_t *ok = m->dkeys;
    int32_t *ov = m->dvals;
    size_t on = m->ndused;
    uint32_t *oused = m->dused;
    m->dkeys = mc__calloc(ncap, sizeof(uint64_t));
    m->dvals = mc__calloc(ncap, sizeof(int32_t));
    m->dused = mc__calloc(ncap, sizeof(uint32_t));
    if (!m->dkeys || !m->dvals || !m->dused) {
        mc__free(m->dkeys);
        mc__free(m->dvals);
        mc__free(m->dused);
        m->dkeys = ok;
        m->dvals = ov;
        m->dused = oused;
        return MC_ENOMEM;
    }
    m->dmask = ncap - 1;
    m->ndused = 0;
    for (size_t k = 0; k < on; k++) {
        size_t s = diag_slot(m, ok[oused[k]]);
        m->dkeys[s] = ok[oused[k]];
        m->dvals[s] = ov[oused[k]];
        m->dused[m->ndused++] = (uint32_t)s;
    }
    mc__free(ok);
    mc__free(ov);
    mc__free(oused);
    return 0;
}

static void diag_clear(mc_matcher *m)
{
    for (size_t k = 0; k < m->ndused; k++) {
        m->dkeys[m->dused[k]] = 0;
    }
    m->ndused = 0;
}

/* Is document position d on this diagonal already inside a found span? */
static int covered(const mc_matcher *m, size_t slot, uint32_t d)
{
    if (m->dkeys[slot] == 0) {
        return 0;
    }
    for (int32_t s = m->dvals[slot]; s >= 0; s = m->spans[s].prev) {
        if (d >= m->spans[s].d && d < m->spans[s].d + m->spans[s].len) {
            return 1;
        }
    }
    return 0;
}

static int add_span(mc_matcher *m, size_t slot, uint64_t key, const mc_span *sp)
{
    if (m->nspans >= INT32_MAX) {
        return MC_ELIMIT; /* span links are 32-bit */
    }
    int rc = mc__array_reserve((void **)&m->spans, &m->cap, m->nspans + 1, sizeof(mc_span), 256);
    if (rc < 0) {
        return rc;
    }
    mc_span *dst = &m->spans[m->nspans];
    *dst = *sp;
    if (m->dkeys[slot] == 0) {
        m->dkeys[slot] = key;
        dst->prev = -1;
        m->dused[m->ndused++] = (uint32_t)slot;
    } else {
        dst->prev = m->dvals[slot];
    }
    m->dvals[slot] = (int32_t)m->nspans++;
    if (m->ndused * 2 > m->dmask) {
        return diag_grow(m);
    }
    return 0;
}

/* Confirm a hit of `post` at document position i (length L) word by word,
 * extend it both ways, and record the span unless already known. */
static int try_posting(mc_matcher *m, const mc_posting *post, uint32_t i, uint32_t L)
{
    const mc_index *idx = m->idx;
    const mc_seq *sq = &idx->seqs[post->seq];
    uint32_t plen = sq->whole_key ? sq->ntok : idx->n;
    if (plen != L) {
        return 0;
    }
    uint64_t key = diag_key(post->seq, post->pos, i);
    size_t slot = diag_slot(m, key);
    if (covered(m, slot, i)) {
        return 0;
    }
    const mc_tokvec *iv = &idx->tv;
    uint32_t t0 = sq->tok0;
    for (uint32_t k = 0; k < L; k++) {
        if (!mc__token_eq(iv, t0 + post->pos + k, &m->tv, i + k)) {
            return 0;
        }
    }
    m->hits++;
    uint32_t a = post->pos;
    uint32_t d = i;
    while (a > 0 && d > 0 && mc__token_eq(iv, t0 + a - 1, &m->tv, d - 1)) {
        a--;
        d--;
    }
    uint32_t b = post->pos + L;
    uint32_t e = i + L;
    while (b < sq->ntok && e < m->tv.n && mc__token_eq(iv, t0 + b, &m->tv, e)) {
        b++;
        e++;
    }
    mc_span sp = {post->seq, a, d, b - a, -1};
    return add_span(m, slot, key, &sp);
}

/* The keys of every n-gram of length L of the document, in order. */
static int compute_keys(mc_matcher *m, uint32_t L, uint64_t pw, size_t nk)
{
    int rc = mc__array_reserve((void **)&m->keys, &m->keys_cap, nk, sizeof(uint64_t), 4096);
    if (rc < 0) {
        return rc;
    }
    const mc_token *t = m->tv.tok;
    uint64_t poly = 0;
    for (uint32_t k = 0; k < L; k++) {
        poly = poly * MC_HASH_POLY + t[k].hash;
    }
    for (size_t i = 0;; i++) {
        uint64_t key = mc__hash_finish(poly, L);
        m->keys[i] = key ? key : 1;
        if (i + 1 == nk) {
            break;
        }
        poly = (poly - t[i].hash * pw) * MC_HASH_POLY + t[i + L].hash;
    }
    return 0;
}

static int scan_length(mc_matcher *m, uint32_t L, uint64_t pw)
{
    const mc_index *idx = m->idx;
    if (m->tv.n < L) {
        return 0;
    }
    size_t nk = m->tv.n - L + 1;
    int rc = compute_keys(m, L, pw, nk);
    for (size_t i = 0; rc == 0 && i < nk; i++) {
        if (i + PREFETCH_AHEAD < nk) {
            mc__prefetch(&idx->filter[m->keys[i + PREFETCH_AHEAD] >> idx->filter_shift]);
        }
        const mc_keyslot *ks = mc__index_find(idx, m->keys[i]);
        for (uint32_t p = 0; ks && rc == 0 && p < ks->npost; p++) {
            rc = try_posting(m, &idx->posts[ks->post0 + p], (uint32_t)i, L);
        }
    }
    return rc;
}

static int cmp_span(const void *x, const void *y)
{
    const mc_span *a = x;
    const mc_span *b = y;
    if (a->seq != b->seq) {
        return a->seq < b->seq ? -1 : 1;
    }
    if (a->d != b->d) {
        return a->d < b->d ? -1 : 1;
    }
    return a->a < b->a ? -1 : (a->a > b->a);
}

/* Insertion sort keyed like cmp_span; span lists are short. */
static void sort_spans(mc_matcher *m)
{
    for (size_t i = 1; i < m->nspans; i++) {
        mc_span v = m->spans[i];
        size_t j = i;
        while (j > 0 && cmp_span(&m->spans[j - 1], &v) > 0) {
            m->spans[j] = m->spans[j - 1];
            j--;
        }
        m->spans[j] = v;
    }
}

/* Short stems: at each word that anchors some, confirm the whole stem
 * around it. */
static int scan_anchors(mc_matcher *m)
{
    const mc_index *idx = m->idx;
    const mc_token *t = m->tv.tok;
    for (size_t i = 0; i < m->tv.n; i++) {
        const mc_keyslot *ks = mc__index_find_anchor(idx, t[i].hash);
        for (uint32_t p = 0; ks && p < ks->npost; p++) {
            const mc_posting *ap = &idx->anc_posts[ks->post0 + p];
            const mc_seq *sq = &idx->seqs[ap->seq];
            if (i < ap->pos || i - ap->pos + sq->ntok > m->tv.n) {
                continue;
            }
            mc_posting whole = {ap->seq, 0};
            int rc = try_posting(m, &whole, (uint32_t)(i - ap->pos), sq->ntok);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

int mc__matcher_doc(mc_matcher *m, const char *text, size_t len)
{
    diag_clear(m);
    m->nspans = 0;
    int rc = mc__norm_tokenize(m->idx->norm, text, len, &m->tv);
    if (rc < 0 || m->tv.n > UINT32_MAX / 2) {
        return rc < 0 ? rc : MC_ELIMIT;
    }
    for (uint32_t l = 0; l < m->idx->nlengths && rc == 0; l++) {
        rc = scan_length(m, m->idx->lengths[l], m->pw[l]);
    }
    if (rc == 0 && m->idx->nanchors) {
        rc = scan_anchors(m);
    }
    if (rc == 0 && m->nspans > 1) {
        /* sequences are numbered item by item, so this groups items */
        if (m->nspans > 64) {
            qsort(m->spans, m->nspans, sizeof(*m->spans), cmp_span);
        } else {
            sort_spans(m);
        }
    }
    return rc;
}
