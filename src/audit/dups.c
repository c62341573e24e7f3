/* SPDX-License-Identifier: MIT */
/* Exact and near-duplicate groups of items. Exact: equal normalised text.
 * Near: Jaccard similarity of word 3-gram sets at or above a threshold,
 * found exactly with prefix filtering (Chaudhuri et al. 2006; Bayardo et
 * al. 2007, "All-Pairs"): order 3-grams from rarest to commonest; two sets
 * with Jaccard >= t share a 3-gram among the first |s| - ceil(t |s|) + 1 of
 * each, so only texts sharing such a prefix 3-gram are compared. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "fp/hash.h"
#include "util/alloc.h"

void mc__groups_finish(mc__groups *g)
{
    mc__free(g->members);
    mc__free(g->start);
    mc__free(g->min_sim);
    mc__free(g->texts);
    memset(g, 0, sizeof(*g));
}

typedef struct keyed {
    uint64_t hash;
    const char *text;
    uint32_t item;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->hash != b->hash) {
        return a->hash < b->hash ? -1 : 1;
    }
    int c = strcmp(a->text, b->text);
    if (c) {
        return c;
    }
    return a->item < b->item ? -1 : a->item > b->item;
}

/* A group under construction: its members' range in a sorted array. */
typedef struct run {
    uint32_t first; /* first item, the order of groups */
    uint32_t at, n;
    uint32_t cluster; /* near: cluster id */
} run;

static int cmp_run(const void *pa, const void *pb)
{
    const run *a = pa, *b = pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Fill g from runs over `order` (item ids, each run sorted by item). */
static int build_groups(mc__groups *g, run *runs, uint32_t nruns, const uint32_t *order)
{
    qsort(runs, nruns, sizeof(*runs), cmp_run);
    uint32_t total = 0;
    for (uint32_t r = 0; r < nruns; r++) {
        total += runs[r].n;
    }
    g->members = mc__malloc((total ? total : 1) * sizeof(*g->members));
    g->start = mc__malloc(((size_t)nruns + 1) * sizeof(*g->start));
    if (!g->members || !g->start) {
        return MC_ENOMEM;
    }
    uint32_t at = 0;
    for (uint32_t r = 0; r < nruns; r++) {
        g->start[r] = at;
        memcpy(g->members + at, order + runs[r].at, runs[r].n * sizeof(*order));
        at += runs[r].n;
    }
    g->start[nruns] = at;
    g->n = nruns;
    g->surplus = total - nruns;
    return 0;
}

int mc__group_exact(const char *const *text, uint32_t n, mc__groups *g, uint32_t *rep)
{
    memset(g, 0, sizeof(*g));
    keyed *k = mc__malloc((n ? n : 1) * sizeof(*k));
    uint32_t *order = mc__malloc((n ? n : 1) * sizeof(*order));
    run *runs = mc__malloc((n ? n : 1) * sizeof(*runs));
    int rc = k && order && runs ? 0 : MC_ENOMEM;
    uint32_t m = 0, nruns = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        if (rep) {
            rep[i] = MC__NONE;
        }
        if (text[i] && text[i][0]) {
            k[m].hash = XXH3_64bits(text[i], strlen(text[i]));
            k[m].text = text[i];
            k[m].item = i;
            m++;
        }
    }
    if (rc == 0) {
        qsort(k, m, sizeof(*k), cmp_keyed);
    }
    for (uint32_t i = 0; rc == 0 && i < m;) {
        uint32_t j = i + 1;
        while (j < m && k[j].hash == k[i].hash && strcmp(k[j].text, k[i].text) == 0) {
            j++;
        }
        for (uint32_t x = i; x < j; x++) {
            order[x] = k[x].item;
            if (rep) {
                rep[k[x].item] = k[i].item;
            }
        }
        if (j - i >= 2) {
            runs[nruns++] = (run){k[i].item, i, j - i, 0};
        }
        i = j;
    }
    if (rc == 0) {
        rc = build_groups(g, runs, nruns, order);
    }
    mc__free(k);
    mc__free(order);
    mc__free(runs);
    if (rc < 0) {
        mc__groups_finish(g);
    }
    return rc;
}

/* ---- near duplicates */

/* The distinct texts' 3-gram sets, as ranks (0 = rarest), ascending. */
typedef struct sets {
    uint32_t m;        /* texts */
    uint32_t *item;    /* text -> its representative item */
    uint32_t *off;     /* m + 1 offsets into rank */
    uint32_t *rank;
} sets;

static void sets_finish(sets *s)
{
    mc__free(s->item);
    mc__free(s->off);
    mc__free(s->rank);
}

/* 3-gram hashes of a space-separated normalised text into out (sorted,
 * unique); texts under 3 words give one "n-gram" of all their words. */
static uint32_t shingles(const char *t, uint64_t *words, uint64_t *out)
{
    uint32_t nw = 0;
    for (const char *p = t; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        words[nw++] = mc__hash_word(p, len);
        p += len + (e != NULL);
    }
    uint32_t len = nw < 3 ? nw : 3;
    uint32_t k = 0;
    for (uint32_t i = 0; i + len <= nw; i++) {
        out[k++] = mc__hash_ngram(words + i, 1, len);
    }
    return k;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* Distinct 3-grams with their frequency, ranked by (frequency, hash). */
typedef struct gram {
    uint64_t hash;
    uint32_t freq;
    uint32_t rank;
} gram;

static int cmp_gram_freq(const void *pa, const void *pb)
{
    const gram *a = pa, *b = pb;
    if (a->freq != b->freq) {
        return a->freq < b->freq ? -1 : 1;
    }
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

static int cmp_gram_hash(const void *pa, const void *pb)
{
    const gram *a = pa, *b = pb;
    return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Hashes of every distinct text's set, back to back (sorted, unique per
 * text); s->off and s->item filled. */
static int collect_hashes(sets *s, const char *const *text, const uint32_t *rep, uint32_t n,
                          uint64_t **hashes_out)
{
    size_t words = 1, total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (rep[i] == i) {
            size_t w = 1;
            for (const char *p = text[i]; *p; p++) {
                w += *p == ' ';
            }
            words = w > words ? w : words;
            total += w;
            s->m++;
        }
    }
    uint64_t *wbuf = mc__malloc(words * sizeof(*wbuf));
    uint64_t *h = mc__malloc((total ? total : 1) * sizeof(*h));
    s->item = mc__malloc((s->m ? s->m : 1) * sizeof(*s->item));
    s->off = mc__malloc(((size_t)s->m + 1) * sizeof(*s->off));
    if (!wbuf || !h || !s->item || !s->off) {
        mc__free(wbuf);
        mc__free(h);
        return MC_ENOMEM;
    }
    uint32_t t = 0, at = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (rep[i] != i) {
            continue;
        }
        uint32_t k = shingles(text[i], wbuf, h + at);
        qsort(h + at, k, sizeof(*h), cmp_u64);
        uint32_t u = 0;
        for (uint32_t j = 0; j < k; j++) {
            if (j == 0 || h[at + j] != h[at + j - 1]) {
                h[at + u++] = h[at + j];
            }
        }
        s->item[t] = i;
        s->off[t++] = at;
        at += u;
    }
    s->off[t] = at;
    mc__free(wbuf);
    *hashes_out = h;
    return 0;
}

/* Replace hashes by ranks (rarest first), each set sorted by rank. */
static int rank_sets(sets *s, uint64_t *h)
{
    size_t total = s->off[s->m];
    uint64_t *sorted = mc__malloc((total ? total : 1) * sizeof(*sorted));
    gram *g = mc__malloc((total ? total : 1) * sizeof(*g));
    s->rank = mc__malloc((total ? total : 1) * sizeof(*s->rank));
    if (!sorted || !g || !s->rank) {
        mc__free(sorted);
        mc__free(g);
        return MC_ENOMEM;
    }
    memcpy(sorted, h, total * sizeof(*h));
    qsort(sorted, total, sizeof(*sorted), cmp_u64);
    size_t ng = 0;
    for (size_t i = 0; i < total; i++) {
        if (ng && g[ng - 1].hash == sorted[i]) {
            g[ng - 1].freq++;
        } else {
            g[ng++] = (gram){sorted[i], 1, 0};
        }
    }
    qsort(g, ng, sizeof(*g), cmp_gram_freq);
    for (size_t i = 0; i < ng; i++) {
        g[i].rank = (uint32_t)i;
    }
    qsort(g, ng, sizeof(*g), cmp_gram_hash);
    for (size_t i = 0; i < total; i++) {
        gram key = {h[i], 0, 0};
        const gram *f = bsearch(&key, g, ng, sizeof(*g), cmp_gram_hash);
        s->rank[i] = f->rank;
    }
    for (uint32_t t = 0; t < s->m; t++) {
        qsort(s->rank + s->off[t], s->off[t + 1] - s->off[t], sizeof(*s->rank), cmp_u32);
    }
    mc__free(sorted);
    mc__free(g);
    return 0;
}

static uint32_t prefix_len(uint32_t size, double t)
{
    uint32_t need = (uint32_t)ceil(t * size - 1e-9);
    need = need < 1 ? 1 : need;
    return size - need + 1 > size ? size : size - need + 1;
}

static uint32_t overlap(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    uint32_t i = 0, j = 0, k = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            k++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return k;
}

/* Union-find over texts, with the lowest link similarity per root. */
static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void link_texts(uint32_t *parent, double *low, uint32_t a, uint32_t b, double sim)
{
    uint32_t ra = find(parent, a), rb = find(parent, b);
    uint32_t lo = ra < rb ? ra : rb, hi = ra < rb ? rb : ra;
    double m = low[ra] < low[rb] ? low[ra] : low[rb];
    parent[hi] = lo;
    low[lo] = sim < m ? sim : m;
}

/* Every pair of texts with Jaccard >= t, linked in parent/low. */
static int join(const sets *s, double t, uint32_t *parent, double *low)
{
    uint32_t nranks = 0;
    for (size_t i = 0; i < s->off[s->m]; i++) {
        nranks = s->rank[i] + 1 > nranks ? s->rank[i] + 1 : nranks;
    }
    uint32_t *head = mc__calloc((size_t)nranks + 1, sizeof(*head));
    uint32_t *mark = mc__malloc((s->m ? s->m : 1) * sizeof(*mark));
    size_t npre = 0;
    for (uint32_t x = 0; x < s->m; x++) {
        npre += prefix_len(s->off[x + 1] - s->off[x], t);
    }
    uint32_t *list = mc__malloc((npre ? npre : 1) * sizeof(*list));
    if (!head || !mark || !list) {
        mc__free(head);
        mc__free(mark);
        mc__free(list);
        return MC_ENOMEM;
    }
    for (uint32_t x = 0; x < s->m; x++) {
        uint32_t p = prefix_len(s->off[x + 1] - s->off[x], t);
        for (uint32_t j = 0; j < p; j++) {
            head[s->rank[s->off[x] + j] + 1]++;
        }
        mark[x] = MC__NONE;
    }
    for (uint32_t r = 0; r < nranks; r++) {
        head[r + 1] += head[r];
    }
    for (uint32_t x = 0; x < s->m; x++) { /* texts ascending within each list */
        uint32_t p = prefix_len(s->off[x + 1] - s->off[x], t);
        for (uint32_t j = 0; j < p; j++) {
            list[head[s->rank[s->off[x] + j]]++] = x;
        }
    }
    for (uint32_t r = nranks; r > 0; r--) {
        head[r] = head[r - 1];
    }
    head[0] = 0;
    for (uint32_t x = 0; x < s->m; x++) {
        const uint32_t *sx = s->rank + s->off[x];
        uint32_t nx = s->off[x + 1] - s->off[x];
        uint32_t p = prefix_len(nx, t);
        for (uint32_t j = 0; j < p; j++) {
            for (uint32_t q = head[sx[j]]; q < head[sx[j] + 1]; q++) {
                uint32_t y = list[q];
                if (y <= x || mark[y] == x) {
                    continue;
                }
                mark[y] = x;
                uint32_t ny = s->off[y + 1] - s->off[y];
                if ((double)(nx < ny ? nx : ny) < t * (nx > ny ? nx : ny) - 1e-9) {
                    continue;
                }
                uint32_t k = overlap(sx, nx, s->rank + s->off[y], ny);
                double sim = (double)k / (double)(nx + ny - k);
                if (sim >= t - 1e-12) {
                    link_texts(parent, low, x, y, sim);
                }
            }
        }
    }
    mc__free(head);
    mc__free(mark);
    mc__free(list);
    return 0;
}

/* Index of the text whose representative is `item` (s->item ascends). */
static uint32_t text_of(const sets *s, uint32_t item)
{
    uint32_t lo = 0, hi = s->m;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->item[mid] < item) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Clusters of two or more texts into groups of their items. */
static int clusters_to_groups(const sets *s, const uint32_t *rep, uint32_t n, uint32_t *parent,
                              const double *low, mc__groups *g)
{
    uint32_t *tsize = mc__calloc(s->m ? s->m : 1, sizeof(*tsize));
    uint32_t *slot = mc__malloc((s->m ? s->m : 1) * sizeof(*slot)); /* root -> run */
    uint32_t *cl = mc__malloc((n ? n : 1) * sizeof(*cl));            /* item -> run */
    run *runs = mc__calloc(s->m ? s->m : 1, sizeof(*runs));
    uint32_t *order = mc__malloc((n ? n : 1) * sizeof(*order));
    int rc = tsize && slot && cl && runs && order ? 0 : MC_ENOMEM;
    uint32_t nruns = 0;
    for (uint32_t x = 0; rc == 0 && x < s->m; x++) {
        tsize[find(parent, x)]++;
        slot[x] = MC__NONE;
    }
    /* runs are opened in item order, so they come sorted by first item */
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        cl[i] = MC__NONE;
        if (rep[i] == MC__NONE) {
            continue;
        }
        uint32_t root = find(parent, text_of(s, rep[i]));
        if (tsize[root] < 2) {
            continue;
        }
        if (slot[root] == MC__NONE) {
            slot[root] = nruns;
            runs[nruns++] = (run){i, 0, 0, root};
        }
        cl[i] = slot[root];
        runs[slot[root]].n++;
    }
    uint32_t at = 0;
    for (uint32_t r = 0; rc == 0 && r < nruns; r++) {
        runs[r].at = at;
        at += runs[r].n;
        runs[r].n = 0;
    }
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        if (cl[i] != MC__NONE) {
            order[runs[cl[i]].at + runs[cl[i]].n++] = i;
        }
    }
    if (rc == 0) {
        rc = build_groups(g, runs, nruns, order);
    }
    if (rc == 0) {
        g->min_sim = mc__malloc((nruns ? nruns : 1) * sizeof(*g->min_sim));
        g->texts = mc__malloc((nruns ? nruns : 1) * sizeof(*g->texts));
        rc = g->min_sim && g->texts ? 0 : MC_ENOMEM;
    }
    if (rc == 0) {
        g->surplus = 0;
        for (uint32_t r = 0; r < nruns; r++) {
            g->min_sim[r] = low[runs[r].cluster];
            g->texts[r] = tsize[runs[r].cluster];
            g->surplus += g->texts[r] - 1;
        }
    }
    mc__free(tsize);
    mc__free(slot);
    mc__free(cl);
    mc__free(runs);
    mc__free(order);
    return rc;
}

int mc__group_near(const char *const *text, const uint32_t *rep, uint32_t n, double threshold,
                   mc__groups *g)
{
    memset(g, 0, sizeof(*g));
    sets s;
    memset(&s, 0, sizeof(s));
    uint64_t *h = NULL;
    uint32_t *parent = NULL;
    double *low = NULL;
    int rc = collect_hashes(&s, text, rep, n, &h);
    if (rc == 0) {
        rc = rank_sets(&s, h);
    }
    if (rc == 0) {
        parent = mc__malloc((s.m ? s.m : 1) * sizeof(*parent));
        low = mc__malloc((s.m ? s.m : 1) * sizeof(*low));
        rc = parent && low ? 0 : MC_ENOMEM;
    }
    for (uint32_t x = 0; rc == 0 && x < s.m; x++) {
        parent[x] = x;
        low[x] = 1.0;
    }
    if (rc == 0) {
        rc = join(&s, threshold, parent, low);
    }
    if (rc == 0) {
        rc = clusters_to_groups(&s, rep, n, parent, low, g);
    }
    mc__free(h);
    mc__free(parent);
    mc__free(low);
    sets_finish(&s);
    if (rc < 0) {
        mc__groups_finish(g);
    }
    return rc;
}
