/* SPDX-License-Identifier: MIT */
/* End of a shard: decide which spans count, score each (document, item)
 * pair under the preset, and keep per-item results and evidence. Also the
 * fold of per-shard results, which merging uses too. */
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"
#include "util/alloc.h"

uint32_t mc__bits_len(const mc_index *idx, uint32_t item)
{
    const mc_iitem *ii = &idx->items[item];
    if (ii->seq[MC_C_QUESTION] < 0) {
        return 0;
    }
    uint32_t nt = idx->seqs[ii->seq[MC_C_QUESTION]].ntok;
    if (idx->preset == MC_PRESET_PALM) {
        return nt >= idx->n ? nt - idx->n + 1 : 0;
    }
    return nt;
}

/* Does the n-gram at sequence position p count as evidence on its own?
 * Not when it is a template of the benchmark, nor when it is boilerplate
 * of this shard and its span is short (medcheck only). */
static int key_counts(const mc_shardacc *acc, const mc_seq *sq, uint32_t p, uint32_t span_len)
{
    const mc_index *idx = acc->idx;
    uint32_t slot = idx->seq_keys[sq->key0 + p];
    if (mc__slot_template(idx, slot)) {
        return 0;
    }
    return span_len >= 2 * idx->n || mc__acc_freq(acc, slot) <= acc->par->frequent_docs;
}

static int counts(const mc_shardacc *acc, const mc_cspan *cs)
{
    const mc_index *idx = acc->idx;
    const mc_seq *sq = &idx->seqs[cs->seq];
    if (idx->preset != MC_PRESET_MEDCHECK || sq->whole_key) {
        return 1;
    }
    for (uint32_t p = cs->a; p + idx->n <= cs->a + cs->len; p++) {
        if (key_counts(acc, sq, p, cs->len)) {
            return 1;
        }
    }
    return 0;
}

/* Evidence order: exact before near-duplicate; near ones by similarity;
 * then longer match first, then component, shard, record, offset. */
static int ev_before(const mc_evid *x, const mc_evid *y)
{
    if (x->near != y->near) {
        return !x->near;
    }
    if (x->near && x->similarity != y->similarity) {
        return x->similarity > y->similarity;
    }
    if (x->match_tokens != y->match_tokens) {
        return x->match_tokens > y->match_tokens;
    }
    if (x->comp != y->comp) {
        return x->comp < y->comp;
    }
    if (x->shard != y->shard) {
        return x->shard < y->shard;
    }
    if (x->record != y->record) {
        return x->record < y->record;
    }
    return x->offset < y->offset;
}

static void ev_free(mc_evid *e)
{
    mc__free(e->doc_id);
    mc__free(e->snippet);
    mc__free(e->warc_record_id);
}

/* Insert a copy of *e into r's evidence (kept sorted, at most max). Takes
 * ownership of e's strings either way. */
static int ev_add(mc_itemres *r, uint32_t max, mc_evid *e)
{
    if (max == 0 || (r->nev == max && !ev_before(e, &r->ev[r->nev - 1]))) {
        ev_free(e);
        return 0;
    }
    if (!r->ev) {
        r->ev = mc__calloc(max, sizeof(*r->ev));
        if (!r->ev) {
            ev_free(e);
            return MC_ENOMEM;
        }
    }
    if (r->nev == max) {
        ev_free(&r->ev[--r->nev]);
    }
    uint32_t j = r->nev++;
    while (j > 0 && ev_before(e, &r->ev[j - 1])) {
        r->ev[j] = r->ev[j - 1];
        j--;
    }
    r->ev[j] = *e;
    return 0;
}

static int ev_from(const mc_shardacc *acc, const mc_cand *c, const mc_cspan *cs, uint8_t comp,
                   mc_itemres *r)
{
    mc_evid e = {acc->shard, c->record, c->offset, NULL, comp, cs->len, NULL, NULL, c->near,
                 c->near ? c->near_score : 0.0};
    if (c->docid_len >= 0) {
        e.doc_id = mc__strndup(acc->arena.data + c->docid_off, (size_t)c->docid_len);
    }
    if (c->rid_len >= 0) {
        e.warc_record_id = mc__strndup(acc->arena.data + c->rid_off, (size_t)c->rid_len);
        if (!e.warc_record_id) {
            ev_free(&e);
            return MC_ENOMEM;
        }
    }
    if (!acc->par->redact) {
        e.snippet = mc__strndup(acc->arena.data ? acc->arena.data + cs->snip_off : "",
                                cs->snip_len);
    }
    if ((c->docid_len >= 0 && !e.doc_id) || (!acc->par->redact && !e.snippet)) {
        ev_free(&e);
        return MC_ENOMEM;
    }
    return ev_add(r, acc->par->max_evidence, &e);
}

static int bits_alloc(const mc_index *idx, mc_itemres *r)
{
    if (!r->bits) {
        uint32_t nb = mc__bits_len(idx, r->item);
        r->bits = mc__calloc((nb + 63) / 64 + 1, sizeof(uint64_t));
        if (!r->bits) {
            return MC_ENOMEM;
        }
    }
    return 0;
}

static void bits_set(uint64_t *bits, uint32_t from, uint32_t to)
{
    for (uint32_t b = from; b < to; b++) {
        bits[b >> 6] |= UINT64_C(1) << (b & 63);
    }
}

static uint32_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (uint32_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

static uint32_t bits_count(const uint64_t *bits, uint32_t nb)
{
    uint32_t c = 0;
    for (uint32_t w = 0; w < (nb + 63) / 64; w++) {
        c += popcount64(bits[w]);
    }
    return c;
}

typedef struct ival {
    uint32_t lo, hi;
} ival;

static int cmp_ival(const void *x, const void *y)
{
    const ival *a = x;
    const ival *b = y;
    return a->lo < b->lo ? -1 : (a->lo > b->lo);
}

/* Positions of a sequence covered by the union of intervals. */
static uint32_t union_len(ival *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_ival);
    uint32_t tot = 0, end = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t lo = v[i].lo > end ? v[i].lo : end;
        if (v[i].hi > lo) {
            tot += v[i].hi - lo;
            end = v[i].hi;
        }
    }
    return tot;
}

/* The words a counting span covers. Under medcheck only the words inside
 * its distinctive n-grams: a chain of template sentences covers nothing. */
static size_t add_cover(const mc_shardacc *acc, const mc_cspan *cs, uint32_t hi, ival *tmp,
                        size_t n)
{
    const mc_index *idx = acc->idx;
    const mc_seq *sq = &idx->seqs[cs->seq];
    if (idx->preset != MC_PRESET_MEDCHECK || sq->whole_key) {
        tmp[n++] = (ival){cs->a, hi};
        return n;
    }
    size_t first = n;
    for (uint32_t p = cs->a; p + idx->n <= cs->a + cs->len; p++) {
        if (!key_counts(acc, sq, p, cs->len)) {
            continue;
        }
        if (n > first && tmp[n - 1].hi >= p) {
            tmp[n - 1].hi = p + idx->n;
        } else {
            tmp[n++] = (ival){p, p + idx->n};
        }
    }
    return n;
}

/* One component of one candidate: coverage, longest span, evidence, and
 * palm/llama2 position bits. Returns covered positions or a negative code. */
static int64_t eval_comp(const mc_shardacc *acc, const mc_cand *c, int32_t seq, uint8_t comp,
                         mc_itemres *r, ival *tmp, uint32_t *longest)
{
    const mc_index *idx = acc->idx;
    size_t n = 0;
    const mc_cspan *best = NULL;
    int grams = idx->preset == MC_PRESET_GPT3 || idx->preset == MC_PRESET_PALM;
    for (uint32_t s = 0; s < c->nspans; s++) {
        const mc_cspan *cs = &acc->spans[c->span0 + s];
        if ((int32_t)cs->seq != seq || !counts(acc, cs)) {
            continue;
        }
        /* gpt3 and palm count n-gram starts, the others words */
        uint32_t hi = grams ? cs->a + cs->len - idx->n + 1 : cs->a + cs->len;
        if (r->bits && comp == MC_C_QUESTION) {
            bits_set(r->bits, cs->a, hi);
        }
        n = add_cover(acc, cs, hi, tmp, n);
        if (!best || cs->len > best->len) {
            best = cs;
        }
    }
    *longest = best ? best->len : 0;
    if (best) {
        int rc = ev_from(acc, c, best, comp, r);
        if (rc < 0) {
            return rc;
        }
    }
    return union_len(tmp, n);
}

static double ratio(uint32_t a, uint32_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void keep_max(mc_itemres *r, int comp, double cov, uint32_t longest)
{
    r->cov[comp] = cov > r->cov[comp] ? cov : r->cov[comp];
    r->longest[comp] = longest > r->longest[comp] ? longest : r->longest[comp];
}

/* Status of one document for one item (medcheck and gpt3). */
static uint8_t doc_status(const mc_shardacc *acc, const mc_cand *c, double qcov, int whole,
                          double pcov, double *score)
{
    const mc_index *idx = acc->idx;
    const mc_iitem *ii = &idx->items[c->item];
    int qfound;
    if (idx->preset == MC_PRESET_GPT3) {
        *score = qcov;
        qfound = qcov > 0;
    } else if (ii->short_q) {
        /* a short stem needs its options or answer near it, or its passage
         * (PubMedQA's contexts) found in the same document */
        qfound = whole && (c->corroborated || pcov >= acc->par->threshold);
        *score = qfound ? qcov : 0.0;
    } else {
        *score = qcov;
        qfound = qcov >= acc->par->threshold;
    }
    if (qfound) {
        return c->answer_found ? MC_STATUS_INPUT_AND_ANSWER : MC_STATUS_INPUT_ONLY;
    }
    return pcov >= acc->par->threshold ? MC_STATUS_PASSAGE_ONLY : MC_STATUS_CLEAN;
}

/* The evidence of candidate c (already in r) was judged by the near pass:
 * mark it so, with the containment, and keep the evidence order. */
static void ev_mark_near(const mc_shardacc *acc, const mc_cand *c, mc_itemres *r)
{
    for (uint32_t e = 0; e < r->nev; e++) {
        mc_evid *ev = &r->ev[e];
        if (ev->shard == acc->shard && ev->record == c->record && ev->offset == c->offset) {
            ev->near = 1;
            ev->similarity = c->near_score;
        }
    }
    for (uint32_t i = 1; i < r->nev; i++) {
        mc_evid v = r->ev[i];
        uint32_t j = i;
        while (j > 0 && ev_before(&v, &r->ev[j - 1])) {
            r->ev[j] = r->ev[j - 1];
            j--;
        }
        r->ev[j] = v;
    }
}

/* A near-duplicate hit: near_duplicate with its containment as the score,
 * and the window as evidence. */
static int eval_near(const mc_shardacc *acc, const mc_cand *c, mc_itemres *r)
{
    int rc = ev_from(acc, c, &acc->spans[c->span0], MC_C_QUESTION, r);
    if (rc == 0 && c->near_score >= acc->par->near_threshold) {
        r->status = r->status > MC_STATUS_NEAR_DUPLICATE ? r->status : MC_STATUS_NEAR_DUPLICATE;
        r->near_score = c->near_score > r->near_score ? c->near_score : r->near_score;
    }
    return rc;
}

static int eval_cand(const mc_shardacc *acc, const mc_cand *c, mc_itemres *r, ival *tmp)
{
    const mc_index *idx = acc->idx;
    const mc_iitem *ii = &idx->items[c->item];
    if (c->near) {
        return eval_near(acc, c, r);
    }
    double cov[MC_NCOMP] = {0};
    uint32_t longest[MC_NCOMP] = {0};
    int whole = 0;
    for (int k = 0; k < MC_NCOMP; k++) {
        int32_t seq = ii->seq[k];
        if (seq < 0 || k == MC_C_OPTIONS || !idx->seqs[seq].keyed) {
            continue;
        }
        int64_t got = eval_comp(acc, c, seq, (uint8_t)k, r, tmp, &longest[k]);
        if (got < 0) {
            return (int)got;
        }
        uint32_t nt = idx->seqs[seq].ntok;
        uint32_t den = nt;
        if (idx->preset == MC_PRESET_GPT3 || idx->preset == MC_PRESET_PALM) {
            den = nt - idx->n + 1; /* n-gram starts */
        } else if (idx->preset == MC_PRESET_MEDCHECK && !idx->seqs[seq].whole_key) {
            den = ii->distinct[k]; /* distinctive words */
        }
        cov[k] = ratio((uint32_t)got, den);
        whole |= k == MC_C_QUESTION && longest[k] == nt;
    }
    int32_t aseq = ii->seq[MC_C_ANSWER];
    if (aseq >= 0 && !idx->seqs[aseq].keyed && c->answer_found) {
        cov[MC_C_ANSWER] = 1.0;
        longest[MC_C_ANSWER] = idx->seqs[aseq].ntok;
    }
    cov[MC_C_OPTIONS] = ratio(c->opt_found, ii->opt_tokens);
    longest[MC_C_OPTIONS] = c->opt_longest;
    for (int k = 0; k < MC_NCOMP; k++) {
        keep_max(r, k, cov[k], longest[k]);
    }
    if (idx->preset == MC_PRESET_PALM || idx->preset == MC_PRESET_LLAMA2) {
        r->answer_any |= c->answer_found && longest[MC_C_QUESTION] > 0;
        return 0;
    }
    double score;
    uint8_t st = doc_status(acc, c, cov[MC_C_QUESTION], whole, cov[MC_C_PASSAGE], &score);
    if (st < MC_STATUS_NEAR_DUPLICATE && c->near_score > 0 &&
        c->near_score >= acc->par->near_threshold) {
        /* too little for the exact rule, a near copy by containment */
        st = MC_STATUS_NEAR_DUPLICATE;
        r->near_score = c->near_score > r->near_score ? c->near_score : r->near_score;
        ev_mark_near(acc, c, r);
    }
    r->status = st > r->status ? st : r->status;
    r->score = score > r->score ? score : r->score;
    return 0;
}

/* Candidates sorted by item, then by document order (a merge sort keyed
 * on the pair, so no shared state between threads). */
static void order_cands(const mc_cand *c, uint32_t *ord, uint32_t *tmp, size_t n)
{
    if (n < 2) {
        return;
    }
    size_t h = n / 2;
    order_cands(c, ord, tmp, h);
    order_cands(c, ord + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int left = c[ord[i]].item < c[ord[j]].item ||
                   (c[ord[i]].item == c[ord[j]].item && ord[i] < ord[j]);
        tmp[k++] = left ? ord[i++] : ord[j++];
    }
    while (i < h) {
        tmp[k++] = ord[i++];
    }
    while (j < n) {
        tmp[k++] = ord[j++];
    }
    memcpy(ord, tmp, n * sizeof(*ord));
}

int mc__acc_finalize(mc_shardacc *acc, mc_shardres *out)
{
    const mc_index *idx = acc->idx;
    size_t n = acc->ncands;
    uint32_t *ord = mc__reallocarray(NULL, n + 1, sizeof(uint32_t));
    uint32_t *tmp = mc__reallocarray(NULL, n + 1, sizeof(uint32_t));
    size_t maxspans = 1; /* intervals a candidate can produce: at most its span words */
    for (size_t i = 0; i < n; i++) {
        size_t w = 0;
        for (uint32_t k = 0; k < acc->cands[i].nspans; k++) {
            w += acc->spans[acc->cands[i].span0 + k].len;
        }
        maxspans = w > maxspans ? w : maxspans;
    }
    ival *iv = mc__reallocarray(NULL, maxspans, sizeof(ival));
    size_t nitems = 0;
    int rc = (ord && tmp && iv) ? 0 : MC_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ord[i] = (uint32_t)i;
    }
    if (rc == 0) {
        order_cands(acc->cands, ord, tmp, n);
        for (size_t i = 0; i < n; i++) {
            nitems += i == 0 || acc->cands[ord[i]].item != acc->cands[ord[i - 1]].item;
        }
        out->items = mc__calloc(nitems + 1, sizeof(*out->items));
        rc = out->items ? 0 : MC_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const mc_cand *c = &acc->cands[ord[i]];
        if (i == 0 || c->item != acc->cands[ord[i - 1]].item) {
            mc_itemres *r = &out->items[out->nitems++];
            r->item = c->item;
            if (idx->preset == MC_PRESET_PALM || idx->preset == MC_PRESET_LLAMA2) {
                rc = bits_alloc(idx, r);
            }
        }
        if (rc == 0) {
            rc = eval_cand(acc, c, &out->items[out->nitems - 1], iv);
        }
    }
    mc__free(ord);
    mc__free(tmp);
    mc__free(iv);
    return rc;
}

int mc__fold(const mc_index *idx, const mc_params *par, mc_itemres *dst, const mc_shardres *src)
{
    for (uint32_t i = 0; i < src->nitems; i++) {
        const mc_itemres *s = &src->items[i];
        mc_itemres *d = &dst[s->item];
        d->status = s->status > d->status ? s->status : d->status;
        d->score = s->score > d->score ? s->score : d->score;
        d->near_score = s->near_score > d->near_score ? s->near_score : d->near_score;
        d->answer_any |= s->answer_any;
        for (int k = 0; k < MC_NCOMP; k++) {
            keep_max(d, k, s->cov[k], s->longest[k]);
        }
        if (s->bits) {
            int rc = bits_alloc(idx, d);
            if (rc < 0) {
                return rc;
            }
            uint32_t nb = mc__bits_len(idx, s->item);
            for (uint32_t w = 0; w < (nb + 63) / 64; w++) {
                d->bits[w] |= s->bits[w];
            }
        }
        for (uint32_t e = 0; e < s->nev; e++) {
            mc_evid c = s->ev[e];
            c.doc_id = s->ev[e].doc_id ? mc__strdup(s->ev[e].doc_id) : NULL;
            c.snippet = s->ev[e].snippet ? mc__strdup(s->ev[e].snippet) : NULL;
            c.warc_record_id = s->ev[e].warc_record_id ? mc__strdup(s->ev[e].warc_record_id)
                                                       : NULL;
            if ((s->ev[e].doc_id && !c.doc_id) || (s->ev[e].snippet && !c.snippet) ||
                (s->ev[e].warc_record_id && !c.warc_record_id)) {
                ev_free(&c);
                return MC_ENOMEM;
            }
            int rc = ev_add(d, par->max_evidence, &c);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

void mc__item_verdict(const mc_index *idx, const mc_params *par, mc_itemres *r, double *score,
                      int *contaminated)
{
    if (idx->preset == MC_PRESET_PALM || idx->preset == MC_PRESET_LLAMA2) {
        uint32_t nb = mc__bits_len(idx, r->item);
        *score = r->bits ? ratio(bits_count(r->bits, nb), nb) : 0.0;
        r->cov[MC_C_QUESTION] = *score;
        int dirty = nb > 0 && *score >= par->threshold;
        r->status = dirty ? (r->answer_any ? MC_STATUS_INPUT_AND_ANSWER : MC_STATUS_INPUT_ONLY)
                          : MC_STATUS_CLEAN;
    } else {
        /* a near_duplicate is scored by its containment, the others by
         * the exact pass */
        *score = r->status == MC_STATUS_NEAR_DUPLICATE ? r->near_score : r->score;
    }
    *contaminated = r->status >= MC_STATUS_NEAR_DUPLICATE;
}

void mc__itemres_finish(mc_itemres *r)
{
    for (uint32_t e = 0; e < r->nev; e++) {
        ev_free(&r->ev[e]);
    }
    mc__free(r->ev);
    mc__free(r->bits);
    memset(r, 0, sizeof(*r));
}

void mc__shardres_finish(mc_shardres *s, size_t n_canaries)
{
    (void)n_canaries;
    for (uint32_t i = 0; i < s->nitems; i++) {
        mc__itemres_finish(&s->items[i]);
    }
    mc__free(s->items);
    mc__free(s->error);
    mc__free(s->canary_hits);
    mc__free(s->canary_ex);
    mc__free(s->canary_nex);
    memset(s, 0, sizeof(*s));
}
