/* SPDX-License-Identifier: MIT */
/* Scanning one document for near-duplicates (see near.h): block signatures
 * merged into windows, band lookups, and the exact containment check of
 * every candidate. */
#include <stdlib.h>
#include <string.h>

#include <medcheck/common.h>

#include "near/near.h"
#include "util/alloc.h"
#include "util/bits.h"

/* Block j of level l lives in slot j & 1 of level l (signature and block
 * record); after the levels, one more signature for a window. */
static uint32_t *sig_at(const mc_near_scratch *s, uint32_t l, uint64_t j)
{
    return s->sig + (size_t)(2 * l + (j & 1)) * s->nx->p.perms;
}

static mc_near_block *blk_at(const mc_near_scratch *s, uint32_t l, uint64_t j)
{
    return &s->blk[2 * l + (j & 1)];
}

static uint32_t *sig_window(const mc_near_scratch *s)
{
    return sig_at(s, s->nx->max_class + 1, 0);
}

int mc__near_scratch_init(mc_near_scratch *s, const mc_near *nx)
{
    memset(s, 0, sizeof(*s));
    s->nx = nx;
    size_t levels = (size_t)nx->max_class + 1;
    size_t ne = nx->nentries ? nx->nentries : 1;
    s->sig = mc__reallocarray(NULL, (2 * levels + 1) * nx->p.perms, sizeof(uint32_t));
    s->blk = mc__calloc(2 * levels, sizeof(mc_near_block));
    s->nblocks = mc__calloc(levels, sizeof(uint64_t));
    s->stamp = mc__calloc(ne, sizeof(uint32_t));
    s->hit_doc = mc__calloc(ne, sizeof(uint32_t));
    s->hit_idx = mc__calloc(ne, sizeof(uint32_t));
    s->cand = mc__calloc(ne, sizeof(uint32_t));
    s->bits = mc__calloc((size_t)nx->max_nsh / 64 + 1, sizeof(uint64_t));
    if (!s->sig || !s->blk || !s->nblocks || !s->stamp || !s->hit_doc || !s->hit_idx || !s->cand ||
        !s->bits) {
        mc__near_scratch_finish(s);
        return MC_ENOMEM;
    }
    return 0;
}

void mc__near_scratch_finish(mc_near_scratch *s)
{
    mc__free(s->sig);
    mc__free(s->blk);
    mc__free(s->nblocks);
    mc__free(s->stamp);
    mc__free(s->hit_doc);
    mc__free(s->hit_idx);
    mc__free(s->cand);
    mc__free(s->bits);
    mc__free(s->fkey);
    mc__free(s->fpos);
    mc__free(s->hits);
    memset(s, 0, sizeof(*s));
}

/* Index of the first key >= x in a[0..n-1] (ascending). */
static uint32_t lower_bound(const uint64_t *a, uint32_t n, uint64_t x)
{
    uint32_t lo = 0;
    while (n > 0) {
        uint32_t half = n / 2;
        if (a[lo + half] < x) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return lo;
}

/* Index of the first filtered shingle at position >= p. */
static size_t first_at(const mc_near_scratch *s, uint32_t p)
{
    size_t lo = 0, n = s->nf;
    while (n > 0) {
        size_t half = n / 2;
        if (s->fpos[lo + half] < p) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    return lo;
}

static int record_hit(mc_near_scratch *s, uint32_t e, uint32_t matched, uint32_t first,
                      uint32_t last)
{
    const mc_near_entry *ent = &s->nx->entries[e];
    mc_near_hit h = {e,
                     ent->item,
                     ent->comp,
                     matched,
                     ent->nsh,
                     first,
                     last + s->nx->p.shingle,
                     (double)matched / ent->nsh};
    if (s->hit_doc[e] == s->doc_id) {
        mc_near_hit *old = &s->hits[s->hit_idx[e]];
        if (matched > old->matched) {
            *old = h; /* a better window; the earliest stays among equals */
        }
        return 0;
    }
    int rc =
        mc__array_reserve((void **)&s->hits, &s->hits_cap, s->nhits + 1, sizeof(mc_near_hit), 16);
    if (rc < 0) {
        return rc;
    }
    s->hit_doc[e] = s->doc_id;
    s->hit_idx[e] = (uint32_t)s->nhits;
    s->hits[s->nhits++] = h;
    return 0;
}

/* The exact containment of entry e's distinctive shingles in the window
 * of positions [ws, we); records a hit when it reaches the threshold. Only
 * the window's filtered shingles can be the entry's: the scan kept them,
 * so no key is computed twice. */
static int confirm(mc_near_scratch *s, uint32_t e, uint32_t ws, uint32_t we)
{
    const mc_near *nx = s->nx;
    const mc_near_entry *ent = &nx->entries[e];
    if (s->hit_doc[e] == s->doc_id && s->hits[s->hit_idx[e]].matched == ent->nsh) {
        return 0; /* already whole in an earlier window */
    }
    s->stats.candidates++;
    const uint64_t *keys = nx->shingles + ent->sh0;
    size_t f = first_at(s, ws), fe = f;
    while (fe < s->nf && s->fpos[fe] < we) {
        fe++;
    }
    memset(s->bits, 0, ((size_t)ent->nsh / 64 + 1) * sizeof(uint64_t));
    uint32_t matched = 0, first = 0, last = 0;
    for (; f < fe; f++) {
        if (matched + (fe - f) < ent->need) {
            return 0; /* cannot reach the threshold any more */
        }
        uint32_t i = lower_bound(keys, ent->nsh, s->fkey[f]);
        if (i == ent->nsh || keys[i] != s->fkey[f] || (s->bits[i / 64] >> (i % 64) & 1)) {
            continue;
        }
        s->bits[i / 64] |= UINT64_C(1) << (i % 64);
        first = matched ? first : s->fpos[f];
        last = s->fpos[f];
        matched++;
    }
    if (matched < ent->need) {
        return 0;
    }
    s->stats.hits++;
    return record_hit(s, e, matched, first, last);
}

/* Look a window of class c (signature u, positions [ws, we)) up in the
 * band table and confirm each entry found. The band keys are computed and
 * their filter words fetched first, so that the cache misses overlap. */
static int query(mc_near_scratch *s, uint32_t c, const uint32_t *u, uint32_t ws, uint32_t we)
{
    const mc_near *nx = s->nx;
    uint32_t r = nx->p.rows, ncand = 0, nk = 0;
    uint64_t keys[MC_NEAR_MAX_BANDS];
    s->stats.queried++;
    if (++s->window_id == 0) {
        memset(s->stamp, 0, (size_t)nx->nentries * sizeof(uint32_t));
        s->window_id = 1;
    }
    for (uint32_t j = 0; j < nx->p.bands; j++) {
        keys[j] = mc__near_band_key(nx->band_seed, j, c, u + (size_t)j * r, r);
        mc__prefetch(&nx->band_filter[keys[j] >> nx->band_shift]);
    }
    for (uint32_t j = 0; j < nx->p.bands; j++) {
        if (mc__near_band_filter_test(nx, keys[j])) {
            mc__prefetch(&nx->slots[keys[j] & nx->slot_mask]);
            keys[nk++] = keys[j];
        }
    }
    for (uint32_t j = 0; j < nk; j++) {
        for (uint64_t i = keys[j] & nx->slot_mask;; i = (i + 1) & nx->slot_mask) {
            const mc_near_slot *sl = &nx->slots[i];
            if (sl->key == keys[j]) {
                for (uint32_t q = 0; q < sl->npost; q++) {
                    uint32_t e = nx->posts[sl->post0 + q];
                    if (s->stamp[e] != s->window_id) {
                        s->stamp[e] = s->window_id;
                        s->cand[ncand++] = e;
                    }
                }
                break;
            }
            if (sl->key == 0) {
                break;
            }
        }
    }
    for (uint32_t i = 0; i < ncand; i++) {
        int rc = confirm(s, s->cand[i], ws, we);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* out = the signature of the union of blocks a (na filtered positions)
 * and b (nb); at least one of them is not empty. */
static const uint32_t *sig_union(uint32_t *restrict out, const uint32_t *a, uint32_t na,
                                 const uint32_t *b, uint32_t nb, uint32_t K)
{
    if (na == 0 || nb == 0) {
        memcpy(out, na ? a : b, (size_t)K * sizeof(uint32_t));
        return out;
    }
    for (uint32_t i = 0; i < K; i++) {
        out[i] = a[i] < b[i] ? a[i] : b[i];
    }
    return out;
}

/* The record of the union of two blocks. */
static void blk_union(mc_near_block *out, const mc_near_block *a, const mc_near_block *b)
{
    out->n = a->n + b->n;
    out->start = a->start;
    for (uint32_t c = 0; c <= MC_NEAR_MAX_CLASS; c++) {
        out->ncls[c] = a->ncls[c] + b->ncls[c];
    }
}

static const mc_near_block empty_block;

/* Block j = nblocks[l] of level l is complete (its slot holds signature
 * and record; it ends at position end). Form the window of class l with
 * block j - 1 and query it; when j is odd, blocks j - 1 and j are block
 * j / 2 of level l + 1: carry it up. */
static int block_done(mc_near_scratch *s, uint32_t l, uint32_t end)
{
    const mc_near *nx = s->nx;
    uint32_t K = nx->p.perms;
    for (;;) {
        uint64_t j = s->nblocks[l];
        const mc_near_block *cb = blk_at(s, l, j);
        const mc_near_block *pb = j ? blk_at(s, l, j + 1) : &empty_block;
        const uint32_t *cur = sig_at(s, l, j), *prev = sig_at(s, l, j + 1);
        uint32_t ws = j ? pb->start : cb->start;
        const uint32_t *u = NULL;
        int carry = (j & 1) && l < nx->max_class;
        if (carry) {
            uint64_t up = s->nblocks[l + 1];
            mc_near_block *ub = blk_at(s, l + 1, up);
            blk_union(ub, pb, cb);
            if (ub->n > 0) {
                u = sig_union(sig_at(s, l + 1, up), prev, pb->n, cur, cb->n, K);
            }
        }
        s->stats.windows += nx->class_mask >> l & 1;
        if ((nx->class_mask >> l & 1) && pb->ncls[l] + cb->ncls[l] >= nx->class_need[l]) {
            if (!u) {
                u = pb->n == 0   ? cur
                    : cb->n == 0 ? prev
                                 : sig_union(sig_window(s), prev, pb->n, cur, cb->n, K);
            }
            int rc = query(s, l, u, ws, end);
            if (rc < 0) {
                return rc;
            }
        }
        s->nblocks[l]++;
        if (!carry) {
            return 0;
        }
        l++;
    }
}

/* Fold one filtered shingle into a block signature. */
static void add_shingle(const mc_near *nx, uint32_t *acc, uint64_t key, int first)
{
    const uint64_t *a = nx->perm_a, *b = nx->perm_b;
    uint32_t K = nx->p.perms;
    if (first) {
        for (uint32_t i = 0; i < K; i++) {
            acc[i] = mc__near_perm(a[i], b[i], key);
        }
        return;
    }
    for (uint32_t i = 0; i < K; i++) {
        uint32_t v = mc__near_perm(a[i], b[i], key);
        acc[i] = v < acc[i] ? v : acc[i];
    }
}

/* Room for n more filtered shingles. */
static int reserve_filtered(mc_near_scratch *s, size_t n)
{
    int rc = mc__array_reserve((void **)&s->fkey, &s->fkey_cap, s->nf + n, sizeof(uint64_t), 1024);
    if (rc == 0) {
        rc = mc__array_reserve((void **)&s->fpos, &s->fpos_cap, s->nf + n, sizeof(uint32_t), 1024);
    }
    return rc;
}

/* Shingle keys are computed a chunk ahead and their filter words
 * prefetched: the filters do not fit in the L2 cache. */
#define CHUNK 64

/* Keys of the chunk's positions; each on its own (no rolling), so that
 * positions do not wait on each other's multiplications. */
static void chunk_keys(const mc_near_scratch *s, uint32_t p0, uint32_t n, uint64_t *keys)
{
    const mc_near *nx = s->nx;
    const uint64_t *filter = nx->filter;
    uint32_t shift = nx->filter_shift, k = nx->p.shingle;
    size_t st = s->stride;
    const uint64_t *x = s->words + (size_t)p0 * st;
    if (k == 3) {
        for (uint32_t i = 0; i < n; i++, x += st) {
            uint64_t poly = (x[0] * MC_HASH_POLY + x[st]) * MC_HASH_POLY + x[2 * st];
            keys[i] = mc__hash_finish(poly, 3);
            mc__prefetch(&filter[keys[i] >> shift]);
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++, x += st) {
        keys[i] = mc__near_shingle(x, st, k);
        mc__prefetch(&filter[keys[i] >> shift]);
    }
}

/* The classes whose entries may have the shingle (0: none has it). */
static uint32_t key_classes(const mc_near *nx, uint64_t key)
{
    uint64_t w = nx->cfilter[key >> nx->cfilter_shift];
    uint32_t m = 0;
    for (uint32_t cm = nx->class_mask; cm; cm &= cm - 1) {
        uint32_t c = mc__ctz64(cm);
        uint64_t b = mc__near_class_bits(key, c);
        m |= (uint32_t)((w & b) == b) << c;
    }
    return m;
}

/* Fold the chunk's filtered positions (pass[], ascending, then the
 * sentinel CHUNK) into level-0 blocks. */
static int chunk_blocks(mc_near_scratch *s, uint32_t p0, uint32_t n, const uint64_t *keys,
                        const uint32_t *pass)
{
    const mc_near *nx = s->nx;
    uint32_t q = 0;
    /* CHUNK is a multiple of MC_NEAR_BLOCK: blocks start at i % 16 == 0 */
    for (uint32_t b0 = 0; b0 < n; b0 += MC_NEAR_BLOCK) {
        uint32_t bn = n - b0 < MC_NEAR_BLOCK ? n - b0 : MC_NEAR_BLOCK;
        uint64_t j = s->nblocks[0];
        uint32_t *acc = sig_at(s, 0, j);
        mc_near_block *b = blk_at(s, 0, j);
        memset(b, 0, sizeof(*b));
        b->start = p0 + b0;
        for (; pass[q] < b0 + bn; q++) {
            uint32_t i = pass[q];
            uint32_t m = key_classes(nx, keys[i]);
            if (m == 0) {
                continue; /* a false positive of the first filter */
            }
            add_shingle(nx, acc, keys[i], b->n == 0);
            b->n++;
            for (; m; m &= m - 1) {
                b->ncls[mc__ctz64(m)]++;
            }
            s->fkey[s->nf] = keys[i];
            s->fpos[s->nf++] = p0 + i;
        }
        s->stats.passed += b->n;
        int rc = block_done(s, 0, p0 + b0 + bn);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* The tail: a level whose last block has no partner still forms a block
 * of the level above, so that every class sees the end of the document. */
static int flush(mc_near_scratch *s, uint32_t npos)
{
    const mc_near *nx = s->nx;
    for (uint32_t l = 0; l < nx->max_class; l++) {
        uint64_t j = s->nblocks[l];
        if (!(j & 1)) {
            continue;
        }
        uint64_t up = s->nblocks[l + 1];
        const mc_near_block *last = blk_at(s, l, j + 1);
        *blk_at(s, l + 1, up) = *last;
        if (last->n > 0) {
            memcpy(sig_at(s, l + 1, up), sig_at(s, l, j + 1),
                   (size_t)nx->p.perms * sizeof(uint32_t));
        }
        int rc = block_done(s, l + 1, npos);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int scan(mc_near_scratch *s, uint32_t npos)
{
    const mc_near *nx = s->nx;
    const uint64_t *filter = nx->filter;
    uint32_t shift = nx->filter_shift;
    uint64_t keys[CHUNK];
    uint32_t pass[CHUNK + 1];
    s->nf = 0;
    for (uint32_t p0 = 0; p0 < npos; p0 += CHUNK) {
        uint32_t n = npos - p0 < CHUNK ? npos - p0 : CHUNK;
        chunk_keys(s, p0, n, keys);
        /* the positions that pass the filter, without a branch each */
        uint32_t np = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t bits = mc__near_filter_bits(keys[i]);
            pass[np] = i;
            np += (filter[keys[i] >> shift] & bits) == bits;
        }
        pass[np] = CHUNK;
        for (uint32_t q = 0; q < np; q++) {
            mc__prefetch(&nx->cfilter[keys[pass[q]] >> nx->cfilter_shift]);
        }
        int rc = reserve_filtered(s, np);
        if (rc == 0) {
            rc = chunk_blocks(s, p0, n, keys, pass);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return flush(s, npos);
}

static int cmp_hit(const void *x, const void *y)
{
    const mc_near_hit *a = x;
    const mc_near_hit *b = y;
    return a->entry < b->entry ? -1 : (a->entry > b->entry);
}

int mc__near_doc(mc_near_scratch *s, const uint64_t *words, size_t stride, size_t ntok,
                 const mc_near_hit **hits, size_t *nhits)
{
    const mc_near *nx = s->nx;
    s->nhits = 0;
    *hits = s->hits;
    *nhits = 0;
    if (ntok >= (size_t)1 << 31) {
        return MC_ELIMIT;
    }
    s->stats.docs++;
    if (ntok < nx->p.shingle || nx->nindexed == 0) {
        return 0;
    }
    if (++s->doc_id == 0) {
        memset(s->hit_doc, 0, (size_t)nx->nentries * sizeof(uint32_t));
        s->doc_id = 1;
    }
    s->words = words;
    s->stride = stride;
    memset(s->nblocks, 0, ((size_t)nx->max_class + 1) * sizeof(uint64_t));
    uint32_t npos = (uint32_t)(ntok - nx->p.shingle + 1);
    s->stats.positions += npos;
    int rc = scan(s, npos);
    s->words = NULL;
    if (rc < 0) {
        s->nhits = 0;
        return rc;
    }
    if (s->nhits > 1) {
        qsort(s->hits, s->nhits, sizeof(*s->hits), cmp_hit);
    }
    *hits = s->hits;
    *nhits = s->nhits;
    return 0;
}
