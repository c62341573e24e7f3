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

int mc__matcher_init(mc_matcher *m, const mc_index *idx)
{
    memset(m, 0, sizeof(*m));
    m->idx = idx;
    mc__tokvec_init(&m->tv);
    for (uint32_t i = 0; i < idx->nlengths; i++) {
        m->pw[i] = mc__hash_pow(idx->lengths[i] - 1);
    }
    if (mc__u64map_init(&m->diag, 1024) < 0 || mc__u64map_init(&m->seen, 1024) < 0) {
        mc__matcher_finish(m);
        return MC_ENOMEM;
    }
    return 0;
}

void mc__matcher_finish(mc_matcher *m)
{
    mc__tokvec_finish(&m->tv);
    mc__free(m->spans);
    mc__u64map_finish(&m->diag);
    mc__u64map_finish(&m->seen);
    mc__free(m->keys);
    memset(m, 0, sizeof(*m));
}

static uint64_t diag_key(uint32_t seq, uint32_t a, uint32_t d)
{
    /* diagonal = d - a, offset so it stays positive; +1 so no key is 0 */
    return ((uint64_t)seq << 33 | (uint64_t)((int64_t)d - a + (INT64_C(1) << 32))) + 1;
}

/* Is document position d on this diagonal already inside a found span? */
static int covered(const mc_matcher *m, size_t slot, uint32_t d)
{
    if (m->diag.keys[slot] == 0) {
        return 0;
    }
    for (int32_t s = m->diag.vals[slot]; s >= 0; s = m->spans[s].prev) {
        if (d >= m->spans[s].d && d < m->spans[s].d + m->spans[s].len) {
            return 1;
        }
    }
    return 0;
}

/* A document keeps at most this many spans of the same words of the same
 * sequence (a repeated sentence): each occurrence is looked at for its own
 * options and answer, but a page repeating one sentence a million times
 * must not grow memory without bound. */
#define MAX_COPIES 64

/* How many spans of the same (seq, a, len) the document has so far. */
static uint32_t copies_before(mc_matcher *m, const mc_span *sp, size_t *slot, uint64_t *key)
{
    uint64_t k = ((uint64_t)sp->seq * UINT64_C(0x9e3779b97f4a7c15)) ^
                 ((uint64_t)sp->a << 32 | sp->len);
    *key = k ? k : 1;
    *slot = mc__u64map_slot(&m->seen, *key);
    if (m->seen.keys[*slot] == 0) {
        return 0;
    }
    const mc_span *o = &m->spans[m->seen.vals[*slot]];
    if (o->seq != sp->seq || o->a != sp->a || o->len != sp->len) {
        return 0; /* a hash collision: count it apart */
    }
    return o->copy + 1;
}

static int add_span(mc_matcher *m, size_t slot, uint64_t key, const mc_span *sp)
{
    size_t sslot;
    uint64_t skey;
    uint32_t copy = copies_before(m, sp, &sslot, &skey);
    if (copy >= MAX_COPIES) {
        return 0;
    }
    if (m->nspans >= INT32_MAX) {
        return MC_ELIMIT; /* span links are 32-bit */
    }
    int rc = mc__array_reserve((void **)&m->spans, &m->cap, m->nspans + 1, sizeof(mc_span), 256);
    if (rc < 0) {
        return rc;
    }
    int32_t at = (int32_t)m->nspans++;
    m->spans[at] = *sp;
    m->spans[at].prev = m->diag.keys[slot] ? m->diag.vals[slot] : -1;
    m->spans[at].copy = copy;
    rc = mc__u64map_put(&m->diag, slot, key, at);
    if (rc == 0 && (copy > 0 || m->seen.keys[sslot] == 0)) {
        rc = mc__u64map_put(&m->seen, sslot, skey, at);
    }
    return rc;
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
    size_t slot = mc__u64map_slot(&m->diag, key);
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
    mc_span sp = {post->seq, a, d, b - a, -1, 0};
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
        if (ks && mc__slot_template(idx, (uint32_t)(ks - idx->slots))) {
            continue; /* never counts on its own; real copies are found from
                       * their distinctive n-grams and extended over it */
        }
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
    mc__u64map_clear(&m->diag);
    mc__u64map_clear(&m->seen);
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
