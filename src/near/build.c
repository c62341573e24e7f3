/* SPDX-License-Identifier: MIT */
/* Building the near-duplicate detector (see near.h): shingles of every
 * entry, templates per group, MinHash signatures, the shingle filter and
 * the LSH band table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/common.h>

#include "near/near.h"
#include "util/alloc.h"

void mc__near_params_default(mc_near_params *p)
{
    memset(p, 0, sizeof(*p));
    p->shingle = 3;
    p->perms = 32;
    p->bands = 16;
    p->rows = 2;
    p->min_shingles = 6;
    p->template_items = 8;
    p->threshold = 0.7;
    p->seed = MC_NEAR_SEED;
}

/* A 64-bit key with a 32-bit payload, sorted by key. */
typedef struct pair {
    uint64_t key;
    uint64_t val;
} pair;

/* Sort by key, stably (LSD radix, 16 bits a pass, four passes). */
static int sort_pairs(pair *a, size_t n)
{
    pair *tmp = mc__reallocarray(NULL, n ? n : 1, sizeof(*tmp));
    size_t *count = mc__calloc(65536, sizeof(size_t));
    if (!tmp || !count) {
        mc__free(tmp);
        mc__free(count);
        return MC_ENOMEM;
    }
    pair *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof(size_t));
        for (size_t i = 0; i < n; i++) {
            count[(src[i].key >> shift) & 0xFFFF]++;
        }
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            dst[count[(src[i].key >> shift) & 0xFFFF]++] = src[i];
        }
        pair *t = src;
        src = dst;
        dst = t;
    }
    mc__free(tmp); /* four passes: the result is back in a */
    mc__free(count);
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x;
    uint64_t b = *(const uint64_t *)y;
    return a < b ? -1 : (a > b);
}

typedef struct builder {
    mc_near *nx;
    uint64_t *pool; /* every entry's distinct shingles, entry by entry */
    size_t npool;
    size_t pool_cap;
    uint32_t *owner;  /* per pool key: its entry */
    uint8_t *tmpl;    /* per pool key: a template */
    size_t ndistinct; /* distinct keys that are not templates */
} builder;

/* Append the distinct shingles of one entry to the pool. */
static int entry_shingles(builder *b, uint32_t e, const mc_near_input *in)
{
    mc_near_entry *ent = &b->nx->entries[e];
    uint32_t k = b->nx->p.shingle;
    uint64_t ntok = 0;
    size_t start = b->npool;
    for (uint32_t j = 0; j < in->nparts; j++) {
        const mc_near_part *pt = &in->parts[j];
        ntok += pt->ntok;
        if (pt->ntok < k) {
            continue;
        }
        size_t npos = (size_t)pt->ntok - k + 1;
        int rc = mc__array_reserve((void **)&b->pool, &b->pool_cap, b->npool + npos,
                                   sizeof(uint64_t), 4096);
        if (rc < 0) {
            return rc;
        }
        for (size_t i = 0; i < npos; i++) {
            b->pool[b->npool++] = mc__near_shingle(pt->hash + i * pt->stride, pt->stride, k);
        }
    }
    size_t n = b->npool - start;
    qsort(b->pool + start, n, sizeof(uint64_t), cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u == 0 || b->pool[start + i] != b->pool[start + u - 1]) {
            b->pool[start + u++] = b->pool[start + i];
        }
    }
    b->npool = start + u;
    if (b->npool > UINT32_MAX) {
        return MC_ELIMIT;
    }
    ent->item = in->item;
    ent->comp = in->comp;
    ent->group = in->group;
    ent->ntok = ntok > UINT32_MAX ? UINT32_MAX : (uint32_t)ntok;
    ent->sh0 = (uint32_t)start;
    ent->nall = (uint32_t)u;
    return 0;
}

/* The largest number of distinct items of one group among the pool keys
 * run[0..n-1] (equal keys); tmp has room for n values. */
static uint32_t group_items(const builder *b, const pair *run, size_t n, uint64_t *tmp)
{
    const mc_near_entry *ents = b->nx->entries;
    for (size_t i = 0; i < n; i++) {
        const mc_near_entry *ent = &ents[b->owner[run[i].val]];
        tmp[i] = (uint64_t)ent->group << 32 | ent->item;
    }
    qsort(tmp, n, sizeof(uint64_t), cmp_u64);
    uint32_t best = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || tmp[i] >> 32 != tmp[i - 1] >> 32) {
            d = 0;
        }
        d += i == 0 || tmp[i] != tmp[i - 1];
        best = d > best ? d : best;
    }
    return best;
}

/* Mark the pool keys that are templates: in template_items or more
 * distinct items of one group; count the distinct other keys. */
static int mark_templates(builder *b)
{
    uint32_t T = b->nx->p.template_items;
    b->tmpl = mc__calloc(b->npool ? b->npool : 1, 1);
    if (!b->tmpl) {
        return MC_ENOMEM;
    }
    pair *pr = mc__reallocarray(NULL, b->npool, sizeof(*pr));
    uint64_t *tmp = NULL;
    size_t tmp_cap = 0;
    int rc = pr ? 0 : MC_ENOMEM;
    for (size_t i = 0; rc == 0 && i < b->npool; i++) {
        pr[i] = (pair){b->pool[i], i};
    }
    if (rc == 0) {
        rc = sort_pairs(pr, b->npool);
    }
    for (size_t g = 0, e; rc == 0 && g < b->npool; g = e) {
        for (e = g + 1; e < b->npool && pr[e].key == pr[g].key; e++) {
        }
        if (T == 0 || e - g < T) {
            b->ndistinct++; /* too few keys to be in T distinct items */
            continue;
        }
        rc = mc__array_reserve((void **)&tmp, &tmp_cap, e - g, sizeof(uint64_t), 256);
        if (rc == 0 && group_items(b, pr + g, e - g, tmp) >= T) {
            for (size_t i = g; i < e; i++) {
                b->tmpl[pr[i].val] = 1;
            }
        } else {
            b->ndistinct++;
        }
    }
    mc__free(pr);
    mc__free(tmp);
    return rc;
}

/* Keep the distinctive shingles of every entry (in place: the pool only
 * shrinks) and decide each entry's status, class and need. */
static void compact(builder *b)
{
    mc_near *nx = b->nx;
    uint32_t max_tok = MC_NEAR_BLOCK << MC_NEAR_MAX_CLASS;
    size_t w = 0;
    for (uint32_t e = 0; e < nx->nentries; e++) {
        mc_near_entry *ent = &nx->entries[e];
        uint32_t nsh = 0;
        for (uint32_t i = 0; i < ent->nall; i++) {
            nsh += !b->tmpl[ent->sh0 + i];
        }
        ent->status = ent->ntok > max_tok              ? MC_NEAR_LONG
                      : ent->nall < nx->p.min_shingles ? MC_NEAR_SHORT
                      : nsh < nx->p.min_shingles       ? MC_NEAR_TEMPLATE
                                                       : MC_NEAR_OK;
        uint32_t from = ent->sh0;
        ent->sh0 = (uint32_t)w;
        ent->nsh = 0;
        if (ent->status != MC_NEAR_OK) {
            continue;
        }
        for (uint32_t i = 0; i < ent->nall; i++) {
            if (!b->tmpl[from + i]) {
                b->pool[w++] = b->pool[from + i];
            }
        }
        ent->nsh = nsh;
        /* the smallest count reaching the threshold; the epsilon keeps
         * 0.7 * 10 from becoming 8 through rounding */
        double need = ceil(nx->p.threshold * nsh - 1e-9);
        ent->need = need < 1 ? 1 : (uint32_t)need;
        ent->cls = 0;
        while ((MC_NEAR_BLOCK << ent->cls) < ent->ntok) {
            ent->cls++;
        }
        nx->nindexed++;
    }
    nx->nshingles = (uint32_t)w;
}

void mc__near_signature(const mc_near *nx, const uint64_t *keys, size_t n, uint32_t *sig)
{
    uint32_t K = nx->p.perms;
    for (uint32_t i = 0; i < K; i++) {
        sig[i] = UINT32_MAX;
    }
    for (size_t j = 0; j < n; j++) {
        for (uint32_t i = 0; i < K; i++) {
            uint32_t v = mc__near_perm(nx->perm_a[i], nx->perm_b[i], keys[j]);
            sig[i] = v < sig[i] ? v : sig[i];
        }
    }
}

/* A blocked Bloom filter of at least `bits` bits a key: the number of
 * 64-bit words is a power of two, chosen by the key's top bits. */
static int filter_alloc(uint64_t **filter, uint32_t *shift, size_t nkeys, unsigned bits)
{
    size_t words = 64;
    uint32_t sh = 58;
    while (words * 64 < nkeys * bits && sh > 20) {
        words *= 2;
        sh--;
    }
    *filter = mc__calloc(words, sizeof(uint64_t));
    *shift = sh;
    return *filter ? 0 : MC_ENOMEM;
}

static void filter_add(uint64_t *filter, uint32_t shift, uint64_t key)
{
    filter[key >> shift] |= mc__near_filter_bits(key);
}

/* The shingle filter (16 to 32 bits a key, three bits in one word: about
 * 0.3% false positives) and the class filter (the same for the pairs of a
 * shingle and the class of an entry that has it). */
static int build_filters(mc_near *nx, size_t nkeys)
{
    int rc = filter_alloc(&nx->filter, &nx->filter_shift, nkeys, 16);
    if (rc == 0) {
        rc = filter_alloc(&nx->cfilter, &nx->cfilter_shift, nkeys, 16);
    }
    for (uint32_t e = 0; rc == 0 && e < nx->nentries; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        for (uint32_t i = 0; i < ent->nsh; i++) {
            uint64_t key = nx->shingles[ent->sh0 + i];
            filter_add(nx->filter, nx->filter_shift, key);
            nx->cfilter[key >> nx->cfilter_shift] |= mc__near_class_bits(key, ent->cls);
        }
    }
    return rc;
}

/* Band keys of every indexed entry into the open-addressing table. */
static int build_bands(mc_near *nx)
{
    uint32_t nb = nx->p.bands, r = nx->p.rows, K = nx->p.perms;
    size_t n = (size_t)nx->nindexed * nb;
    if (n > UINT32_MAX) {
        return MC_ELIMIT;
    }
    pair *pr = mc__reallocarray(NULL, n ? n : 1, sizeof(*pr));
    if (!pr) {
        return MC_ENOMEM;
    }
    size_t m = 0;
    for (uint32_t e = 0; e < nx->nentries; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        for (uint32_t j = 0; ent->status == MC_NEAR_OK && j < nb; j++) {
            const uint32_t *v = nx->sigs + (size_t)e * K + (size_t)j * r;
            pr[m++] = (pair){mc__near_band_key(nx->band_seed, j, ent->cls, v, r), e};
        }
    }
    int rc = sort_pairs(pr, m);
    size_t nslots = 64;
    size_t nkeys = 0;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        nkeys += i == 0 || pr[i].key != pr[i - 1].key;
    }
    while (rc == 0 && nslots < 2 * nkeys) {
        nslots *= 2;
    }
    if (rc == 0) {
        nx->slots = mc__calloc(nslots, sizeof(*nx->slots));
        nx->posts = mc__reallocarray(NULL, m ? m : 1, sizeof(uint32_t));
        rc = nx->slots && nx->posts ? 0 : MC_ENOMEM;
    }
    nx->slot_mask = nslots - 1;
    if (rc == 0) {
        rc = filter_alloc(&nx->band_filter, &nx->band_shift, nkeys, 8);
    }
    for (size_t g = 0, e; rc == 0 && g < m; g = e) {
        for (e = g + 1; e < m && pr[e].key == pr[g].key; e++) {
        }
        uint64_t i = pr[g].key & nx->slot_mask;
        while (nx->slots[i].key != 0) {
            i = (i + 1) & nx->slot_mask;
        }
        nx->slots[i] = (mc_near_slot){pr[g].key, (uint32_t)g, (uint32_t)(e - g)};
        filter_add(nx->band_filter, nx->band_shift, pr[g].key);
        for (size_t k = g; k < e; k++) {
            nx->posts[k] = (uint32_t)pr[k].val;
        }
    }
    nx->nposts = (uint32_t)m;
    mc__free(pr);
    return rc;
}

static int build_all(builder *b, const mc_near_input *in)
{
    mc_near *nx = b->nx;
    int rc = mc__near_derive_perms(nx);
    for (uint32_t e = 0; rc == 0 && e < nx->nentries; e++) {
        rc = entry_shingles(b, e, &in[e]);
    }
    if (rc == 0) {
        b->owner = mc__reallocarray(NULL, b->npool ? b->npool : 1, sizeof(uint32_t));
        rc = b->owner ? 0 : MC_ENOMEM;
    }
    for (uint32_t e = 0; rc == 0 && e < nx->nentries; e++) {
        for (uint32_t i = 0; i < nx->entries[e].nall; i++) {
            b->owner[nx->entries[e].sh0 + i] = e;
        }
    }
    if (rc == 0) {
        rc = mark_templates(b);
    }
    if (rc < 0) {
        return rc;
    }
    compact(b);
    nx->shingles = b->pool; /* the detector owns the pool from here */
    b->pool = NULL;
    nx->sigs = mc__reallocarray(NULL, (size_t)nx->nentries * nx->p.perms + 1, sizeof(uint32_t));
    if (!nx->sigs) {
        return MC_ENOMEM;
    }
    for (uint32_t e = 0; e < nx->nentries; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        mc__near_signature(nx, nx->shingles + ent->sh0, ent->nsh,
                           nx->sigs + (size_t)e * nx->p.perms);
    }
    rc = build_filters(nx, b->ndistinct);
    if (rc == 0) {
        rc = build_bands(nx);
    }
    /* derives the counts and checks what was built, as a loaded index */
    return rc == 0 ? mc__near_validate(nx) : rc;
}

int mc__near_build(mc_near **out, const mc_near_params *p, const mc_near_input *in, size_t n)
{
    if (!out || !p || mc__near_params_check(p) < 0 || (n > 0 && !in)) {
        return MC_EINVAL;
    }
    if (n >= UINT32_MAX) {
        return MC_ELIMIT;
    }
    builder b = {0};
    mc_near *nx = mc__calloc(1, sizeof(*nx));
    int rc = MC_ENOMEM;
    if (!nx) {
        return rc;
    }
    b.nx = nx;
    nx->p = *p;
    nx->nentries = (uint32_t)n;
    nx->entries = mc__calloc(n ? n : 1, sizeof(*nx->entries));
    if (nx->entries) {
        rc = build_all(&b, in);
    }
    mc__free(b.pool);
    mc__free(b.owner);
    mc__free(b.tmpl);
    if (rc < 0) {
        mc__near_destroy(&nx);
        return rc;
    }
    *out = nx;
    return 0;
}

void mc__near_destroy(mc_near **pnx)
{
    mc_near *nx = pnx ? *pnx : NULL;
    if (!nx) {
        return;
    }
    if (!nx->borrowed) {
        mc__free(nx->entries);
        mc__free(nx->shingles);
        mc__free(nx->sigs);
        mc__free(nx->slots);
        mc__free(nx->posts);
        mc__free(nx->filter);
        mc__free(nx->cfilter);
        mc__free(nx->band_filter);
    }
    mc__free(nx->perm_a);
    mc__free(nx->perm_b);
    mc__free(nx);
    *pnx = NULL;
}

double mc__near_estimate(const mc_near *nx, uint32_t e1, uint32_t e2)
{
    uint32_t K = nx->p.perms, same = 0;
    const uint32_t *a = nx->sigs + (size_t)e1 * K;
    const uint32_t *b = nx->sigs + (size_t)e2 * K;
    for (uint32_t i = 0; i < K; i++) {
        same += a[i] == b[i];
    }
    return (double)same / K;
}

double mc__near_jaccard(const mc_near *nx, uint32_t e1, uint32_t e2)
{
    const mc_near_entry *x = &nx->entries[e1];
    const mc_near_entry *y = &nx->entries[e2];
    const uint64_t *a = nx->shingles + x->sh0;
    const uint64_t *b = nx->shingles + y->sh0;
    size_t i = 0, j = 0, common = 0;
    while (i < x->nsh && j < y->nsh) {
        if (a[i] == b[j]) {
            common++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    size_t uni = (size_t)x->nsh + y->nsh - common;
    return uni ? (double)common / (double)uni : 0.0;
}
