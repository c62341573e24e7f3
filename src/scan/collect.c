/* SPDX-License-Identifier: MIT */
/* From one document's spans to candidates: locate the question match, look
 * for the options and the correct answer around it, keep snippets, and
 * count boilerplate keys for the shard-level decision. */
#include <string.h>

#include "near/near.h"
#include "scan/scan_int.h"
#include "util/alloc.h"

#define SNIPPET_MAX 300

int mc__acc_init(mc_shardacc *acc, const mc_index *idx, const mc_params *par, uint32_t shard)
{
    memset(acc, 0, sizeof(*acc));
    acc->idx = idx;
    acc->par = par;
    acc->shard = shard;
    mc__buf_init(&acc->arena, UINT32_MAX - 1);
    acc->freq_mask = 1023;
    acc->freq = mc__calloc(acc->freq_mask + 1, sizeof(*acc->freq));
    return acc->freq ? 0 : MC_ENOMEM;
}

void mc__acc_finish(mc_shardacc *acc)
{
    mc__free(acc->cands);
    mc__free(acc->spans);
    mc__free(acc->freq);
    mc__buf_finish(&acc->arena);
    memset(acc, 0, sizeof(*acc));
}

static mc_freq *freq_slot(mc_freq *tab, size_t mask, uint32_t slot)
{
    size_t i = (slot * UINT64_C(0x9e3779b97f4a7c15) >> 24) & mask;
    while (tab[i].slot != 0 && tab[i].slot != slot + 1) {
        i = (i + 1) & mask;
    }
    return &tab[i];
}

static int freq_grow(mc_shardacc *acc)
{
    size_t ncap = (acc->freq_mask + 1) * 2;
    mc_freq *n = mc__calloc(ncap, sizeof(*n));
    if (!n) {
        return MC_ENOMEM;
    }
    for (size_t i = 0; i <= acc->freq_mask; i++) {
        if (acc->freq[i].slot) {
            *freq_slot(n, ncap - 1, acc->freq[i].slot - 1) = acc->freq[i];
        }
    }
    mc__free(acc->freq);
    acc->freq = n;
    acc->freq_mask = ncap - 1;
    return 0;
}

/* Count a key once per document in which it is part of a short span. */
static int freq_inc(mc_shardacc *acc, uint32_t slot)
{
    mc_freq *f = freq_slot(acc->freq, acc->freq_mask, slot);
    if (f->slot == 0) {
        f->slot = slot + 1;
        f->count = 1;
        f->last_doc = acc->docno;
        acc->nfreq++;
        return acc->nfreq * 2 > acc->freq_mask ? freq_grow(acc) : 0;
    }
    if (f->last_doc != acc->docno) {
        f->last_doc = acc->docno;
        f->count++;
    }
    return 0;
}

uint32_t mc__acc_freq(const mc_shardacc *acc, uint32_t slot)
{
    const mc_freq *f = freq_slot(acc->freq, acc->freq_mask, slot);
    return f->slot ? f->count : 0;
}

/* Does any key of the span escape the template list? */
static int has_nontemplate(const mc_index *idx, const mc_span *sp)
{
    const mc_seq *sq = &idx->seqs[sp->seq];
    if (idx->preset != MC_PRESET_MEDCHECK || sq->whole_key) {
        return 1;
    }
    for (uint32_t p = sp->a; p + idx->n <= sp->a + sp->len; p++) {
        if (!mc__slot_template(idx, idx->seq_keys[sq->key0 + p])) {
            return 1;
        }
    }
    return 0;
}

/* Does the sequence occur in the document at position j? */
static int seq_at(const mc_index *idx, const mc_seq *sq, const mc_tokvec *dv, uint32_t j)
{
    for (uint32_t k = 0; k < sq->ntok; k++) {
        if (!mc__token_eq(&idx->tv, sq->tok0 + k, dv, j + k)) {
            return 0;
        }
    }
    return 1;
}

/* A window of document words [lo, hi) around one occurrence of a
 * question: what the question's own text holds, wherever it matched
 * (MedXpertQA writes its options into the stem), is not evidence of
 * options or an answer next to it. */
typedef struct window {
    uint32_t lo, hi;
    const mc_span *qs; /* the item's question spans in the document */
    size_t nqs;
} window;

static int in_question(const window *w, uint32_t j, uint32_t n, uint32_t *skip_to)
{
    for (size_t k = 0; k < w->nqs; k++) {
        if (j + n > w->qs[k].d && j < w->qs[k].d + w->qs[k].len) {
            *skip_to = w->qs[k].d + w->qs[k].len;
            return 1;
        }
    }
    return 0;
}

/* Non-overlapping occurrences of a sequence in the window, outside the
 * question; *first (if not NULL) gets the first one's position. */
static uint32_t count_occ_at(const mc_index *idx, const mc_seq *sq, const mc_tokvec *dv,
                             const window *w, uint32_t *first)
{
    uint32_t c = 0;
    if (sq->ntok == 0) {
        return 0;
    }
    for (uint32_t j = w->lo; j + sq->ntok <= w->hi;) {
        uint32_t skip_to;
        if (in_question(w, j, sq->ntok, &skip_to)) {
            j = skip_to > j ? skip_to : j + 1;
            continue;
        }
        if (seq_at(idx, sq, dv, j)) {
            if (c++ == 0 && first) {
                *first = j;
            }
            j += sq->ntok;
        } else {
            j++;
        }
    }
    return c;
}

static uint32_t count_occ(const mc_index *idx, const mc_seq *sq, const mc_tokvec *dv,
                          const window *w)
{
    return count_occ_at(idx, sq, dv, w, NULL);
}

static int word_is(const mc_tokvec *dv, uint32_t j, const char *w)
{
    const mc_token *t = &dv->tok[j];
    return t->nlen == strlen(w) && memcmp(dv->norm + t->noff, w, t->nlen) == 0;
}

/* Raw byte just after document word j (a line end past the text). */
static char next_char(const mc_tokvec *dv, const char *text, size_t tlen, uint32_t j)
{
    size_t e = dv->tok[j].end;
    return e < tlen ? text[e] : '\n';
}

/* "Answer: B", "Ans. b", "the correct answer is option c": an answer key
 * word, optional filler words, then the correct option's label: the
 * file's own (HEAD-QA numbers its options) or its letter by position (web
 * copies reletter). Short keys ("ans", "key") need punctuation after them,
 * since "ans" is also a word (French "ans"); a label followed by an
 * apostrophe is an elision ("d'existence"), and a bare "a" must be followed
 * by ')', '.', ':', ',', ']', ';', '*' (Markdown bold), '<' (an HTML tag)
 * or a line end, since it is also an article. */
static int label_is(const mc_tokvec *dv, const char *text, size_t tlen, uint32_t k, char label)
{
    char lab[2] = {label, 0};
    if (!label || !word_is(dv, k, lab)) {
        return 0;
    }
    char nx = next_char(dv, text, tlen, k);
    int elided = nx == '\'' || (unsigned char)nx == 0xE2; /* ' or U+2019 */
    return !elided && (label != 'a' || strchr(").:,];*<\r\n", nx));
}

static int label_key(const mc_tokvec *dv, const char *text, size_t tlen, const window *w,
                     const char labels[3])
{
    static const char *const keys[] = {"answer", "correct", "solution", "ans", "key"};
    static const char *const fill[] = {"is", "option", "choice", "the", "correct", "answer"};
    uint32_t lo = w->lo, hi = w->hi;
    for (uint32_t j = lo; j < hi; j++) {
        int key = 0;
        for (size_t k = 0; k < 5 && !key; k++) {
            key = word_is(dv, j, keys[k]) ? (int)k + 1 : 0;
        }
        if (key > 3 && !strchr(".:-)", next_char(dv, text, tlen, j))) {
            key = 0;
        }
        for (uint32_t k = j + 1; key && k < hi && k <= j + 4; k++) {
            if (label_is(dv, text, tlen, k, labels[0]) || label_is(dv, text, tlen, k, labels[1]) ||
                label_is(dv, text, tlen, k, labels[2])) {
                return 1;
            }
            int f = 0;
            for (size_t q = 0; q < 6 && !f; q++) {
                f = word_is(dv, k, fill[q]);
            }
            if (!f) {
                break;
            }
        }
    }
    return 0;
}

/* Coverage of a keyed answer by its spans inside document words [lo, hi). */
static int long_answer_near(const mc_index *idx, const mc_matcher *m, size_t g, size_t e,
                            int32_t aseq, const window *w)
{
    uint32_t covered = 0;
    uint32_t last_end = 0;
    for (size_t s = g; s < e; s++) {
        const mc_span *sp = &m->spans[s];
        /* a long answer counts when it starts in the window */
        if ((int32_t)sp->seq != aseq || sp->d < w->lo || sp->d >= w->hi) {
            continue;
        }
        /* spans of one sequence are sorted by document position; count
         * the sequence positions they cover, overlaps once */
        uint32_t a = sp->a > last_end ? sp->a : last_end;
        if (sp->a + sp->len > a) {
            covered += sp->a + sp->len - a;
            last_end = sp->a + sp->len;
        }
    }
    return 2 * covered >= idx->seqs[aseq].ntok;
}

/* Is the item's answer text one of its options (MedQA, MMLU: the correct
 * option's text), rather than an answer of its own (PubMedQA's long
 * answer next to its yes/no/maybe options)? */
static int answer_is_option(const mc_index *idx, const mc_iitem *ii)
{
    const mc_seq *as = &idx->seqs[ii->seq[MC_C_ANSWER]];
    for (uint32_t o = 0; o < ii->nopt; o++) {
        const mc_seq *os = &idx->seqs[ii->opt0 + o];
        uint32_t k = 0;
        while (k < os->ntok && os->ntok == as->ntok &&
               mc__token_eq(&idx->tv, os->tok0 + k, &idx->tv, as->tok0 + k)) {
            k++;
        }
        if (os->ntok == as->ntok && k == as->ntok) {
            return 1;
        }
    }
    return 0;
}

/* What lies around one occurrence of a question. */
typedef struct nearby {
    uint32_t nfound;   /* options found */
    uint32_t opt_found; /* their words */
    uint32_t opt_longest;
    uint8_t answer_found;
    uint8_t corroborated; /* short stems: enough options (or the answer) */
} nearby;

/* Options and answer of one item in a window around its question. */
static void look_window(const mc_shardacc *acc, const mc_matcher *m, const mc_record *rec,
                        size_t g, size_t e, const mc_iitem *ii, const window *w, nearby *nb)
{
    const mc_index *idx = acc->idx;
    const mc_tokvec *dv = &m->tv;
    memset(nb, 0, sizeof(*nb));
    for (uint32_t o = 0; o < ii->nopt; o++) {
        const mc_seq *os = &idx->seqs[ii->opt0 + o];
        if (os->ntok && count_occ(idx, os, dv, w)) {
            nb->nfound++;
            nb->opt_found += os->ntok;
            nb->opt_longest = os->ntok > nb->opt_longest ? os->ntok : nb->opt_longest;
        }
    }
    if (ii->answer_opt >= 0 && (uint32_t)ii->answer_opt < ii->nopt) {
        /* the answer text once more beyond the option list, or a key */
        int listing = ii->nopt >= 2 && 2 * nb->nfound >= ii->nopt;
        const mc_seq *as = &idx->seqs[ii->opt0 + ii->answer_opt];
        /* an answer of one letter or two ("D.") reads like an option label */
        int tiny = as->ntok == 1 && idx->tv.tok[as->tok0].nlen <= 2;
        uint32_t at = 0;
        uint32_t occ = count_occ_at(idx, as, dv, w, &at);
        /* the labels the correct option may go by: the file's own, its
         * letter by position, and the one this page prints before it (the
         * page may shuffle or reletter the options) */
        char labels[3] = {ii->answer_label, ii->answer_opt < 26 ? (char)('a' + ii->answer_opt) : 0,
                          0};
        if (occ && at > 0 && dv->tok[at - 1].nlen == 1) {
            labels[2] = dv->norm[dv->tok[at - 1].noff];
        }
        nb->answer_found = (!tiny && occ >= (listing ? 2u : 1u)) ||
                           label_key(dv, rec->text, rec->text_len, w, labels);
    }
    /* an answer text of its own (PubMedQA's long answer) counts too */
    if (!nb->answer_found && ii->seq[MC_C_ANSWER] >= 0 &&
        !(ii->answer_opt >= 0 && answer_is_option(idx, ii))) {
        const mc_seq *as = &idx->seqs[ii->seq[MC_C_ANSWER]];
        nb->answer_found = as->keyed ? long_answer_near(idx, m, g, e, ii->seq[MC_C_ANSWER], w)
                                     : count_occ(idx, as, dv, w) > 0;
    }
    /* a short stem is common text unless its options come with it: two
     * of them (three for a stem of one or two words), or all when there
     * are fewer; without options, the answer */
    uint32_t need = ii->q_tokens < 3 ? 3 : 2;
    need = need < ii->nopt ? need : ii->nopt;
    nb->corroborated = !ii->short_q || (ii->nopt >= 2 ? nb->nfound >= need : nb->answer_found);
}

static int nearby_better(const nearby *a, const nearby *b)
{
    if (a->corroborated != b->corroborated) {
        return a->corroborated > b->corroborated;
    }
    if (a->answer_found != b->answer_found) {
        return a->answer_found > b->answer_found;
    }
    return a->opt_found > b->opt_found;
}

/* Options and answer around each occurrence of the question in the
 * document (W words before it, W plus the options' length after it); the
 * best occurrence decides: a stem repeated on a page counts where its own
 * options follow it. */
static void look_around(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec, size_t g,
                        size_t e, mc_cand *c)
{
    const mc_index *idx = acc->idx;
    const mc_iitem *ii = &idx->items[c->item];
    int32_t q = ii->seq[MC_C_QUESTION];
    uint32_t W = acc->par->answer_window;
    nearby best = {0}, nb;
    int any = 0;
    size_t q0 = g, q1;
    while (q0 < e && (int32_t)m->spans[q0].seq != q) {
        q0++;
    }
    for (q1 = q0; q1 < e && (int32_t)m->spans[q1].seq == q; q1++) {
    }
    for (size_t s = q0; s < q1; s++) {
        const mc_span *sp = &m->spans[s];
        if (!has_nontemplate(idx, sp)) {
            continue;
        }
        uint64_t h = (uint64_t)sp->d + sp->len + W + ii->opt_tokens;
        window w = {sp->d > W ? sp->d - W : 0, h < m->tv.n ? (uint32_t)h : (uint32_t)m->tv.n,
                    &m->spans[q0], q1 - q0};
        look_window(acc, m, rec, g, e, ii, &w, &nb);
        if (!any || nearby_better(&nb, &best)) {
            best = nb;
            any = 1;
        }
    }
    c->corroborated = !ii->short_q;
    if (any) {
        c->opt_found = best.opt_found;
        c->opt_longest = best.opt_longest;
        c->answer_found = best.answer_found;
        c->corroborated = best.corroborated;
    }
}

static int push_snippet(mc_shardacc *acc, const mc_tokvec *dv, const mc_record *rec,
                        const mc_span *sp, mc_cspan *cs)
{
    cs->snip_off = (uint32_t)acc->arena.len;
    cs->snip_len = 0;
    if (acc->par->redact || sp->len == 0) {
        return 0;
    }
    size_t s = dv->tok[sp->d].start;
    size_t e = dv->tok[sp->d + sp->len - 1].end;
    if (e - s > SNIPPET_MAX) {
        e = s + SNIPPET_MAX;
        while (e > s && ((unsigned char)rec->text[e] & 0xC0) == 0x80) {
            e--; /* do not cut a UTF-8 sequence */
        }
    }
    cs->snip_len = (uint32_t)(e - s);
    return mc__buf_append(&acc->arena, rec->text + s, e - s);
}

/* Count the keys of short spans for the boilerplate rule (medcheck). */
static int count_short(mc_shardacc *acc, const mc_span *sp)
{
    const mc_index *idx = acc->idx;
    const mc_seq *sq = &idx->seqs[sp->seq];
    if (idx->preset != MC_PRESET_MEDCHECK || sq->whole_key || sp->len >= 2 * idx->n) {
        return 0;
    }
    for (uint32_t p = sp->a; p + idx->n <= sp->a + sp->len; p++) {
        int rc = freq_inc(acc, idx->seq_keys[sq->key0 + p]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int push_cand(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec, size_t g,
                     size_t e, uint32_t item)
{
    int rc = mc__array_reserve((void **)&acc->cands, &acc->cands_cap, acc->ncands + 1,
                               sizeof(mc_cand), 256);
    if (rc == 0) {
        rc = mc__array_reserve((void **)&acc->spans, &acc->spans_cap, acc->nspans + (e - g),
                               sizeof(mc_cspan), 256);
    }
    if (rc < 0) {
        return rc;
    }
    mc_cand *c = &acc->cands[acc->ncands];
    memset(c, 0, sizeof(*c));
    c->item = item;
    c->record = rec->index;
    c->offset = rec->offset;
    c->docid_len = -1;
    c->span0 = (uint32_t)acc->nspans;
    if (rec->id) {
        c->docid_off = (uint32_t)acc->arena.len;
        c->docid_len = (int32_t)(rec->id_len > 256 ? 256 : rec->id_len);
        rc = mc__buf_append(&acc->arena, rec->id, (size_t)c->docid_len);
    }
    c->rid_len = -1;
    if (rc == 0 && rec->warc_record_id) {
        c->rid_off = (uint32_t)acc->arena.len;
        c->rid_len = (int32_t)(rec->warc_record_id_len > 256 ? 256 : rec->warc_record_id_len);
        rc = mc__buf_append(&acc->arena, rec->warc_record_id, (size_t)c->rid_len);
    }
    look_around(acc, m, rec, g, e, c);
    for (size_t s = g; rc == 0 && s < e; s++) {
        const mc_span *sp = &m->spans[s];
        mc_cspan *cs = &acc->spans[acc->nspans++];
        cs->seq = sp->seq;
        cs->a = sp->a;
        cs->len = sp->len;
        rc = push_snippet(acc, &m->tv, rec, sp, cs);
        if (rc == 0) {
            rc = count_short(acc, sp);
        }
    }
    c->nspans = (uint32_t)(acc->nspans - c->span0);
    acc->ncands++;
    return rc;
}

int mc__acc_doc(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec)
{
    acc->docno++;
    acc->doc_cand0 = acc->ncands;
    size_t g = 0;
    while (g < m->nspans) {
        uint32_t item = acc->idx->seqs[m->spans[g].seq].item;
        size_t e = g + 1;
        while (e < m->nspans && acc->idx->seqs[m->spans[e].seq].item == item) {
            e++;
        }
        int rc = push_cand(acc, m, rec, g, e, item);
        if (rc < 0) {
            return rc;
        }
        g = e;
    }
    return 0;
}

int mc__acc_near(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec,
                 const mc_near_hit *hits, size_t nhits)
{
    const mc_index *idx = acc->idx;
    const mc_tokvec *dv = &m->tv;
    size_t exact_end = acc->ncands;
    for (size_t h = 0; h < nhits; h++) {
        const mc_near_hit *nh = &hits[h];
        int32_t q = nh->item < idx->nitems ? idx->items[nh->item].seq[MC_C_QUESTION] : -1;
        if (q < 0 || nh->t1 <= nh->t0 || nh->t1 > dv->n) {
            continue;
        }
        /* the exact pass has this item in this document: its candidate
         * carries the containment, and its spans stay the evidence */
        mc_cand *ex = NULL;
        for (size_t k = acc->doc_cand0; k < exact_end && !ex; k++) {
            ex = acc->cands[k].item == nh->item ? &acc->cands[k] : NULL;
        }
        if (ex) {
            ex->near_score = nh->score > ex->near_score ? nh->score : ex->near_score;
            continue;
        }
        int rc = mc__array_reserve((void **)&acc->cands, &acc->cands_cap, acc->ncands + 1,
                                   sizeof(mc_cand), 256);
        if (rc == 0) {
            rc = mc__array_reserve((void **)&acc->spans, &acc->spans_cap, acc->nspans + 1,
                                   sizeof(mc_cspan), 256);
        }
        if (rc < 0) {
            return rc;
        }
        mc_cand *c = &acc->cands[acc->ncands];
        memset(c, 0, sizeof(*c));
        c->item = nh->item;
        c->record = rec->index;
        c->offset = rec->offset;
        c->docid_len = -1;
        c->rid_len = -1;
        c->near = 1;
        c->near_score = nh->score;
        c->corroborated = 1;
        c->span0 = (uint32_t)acc->nspans;
        c->nspans = 1;
        if (rec->id) {
            c->docid_off = (uint32_t)acc->arena.len;
            c->docid_len = (int32_t)(rec->id_len > 256 ? 256 : rec->id_len);
            rc = mc__buf_append(&acc->arena, rec->id, (size_t)c->docid_len);
        }
        if (rc == 0 && rec->warc_record_id) {
            c->rid_off = (uint32_t)acc->arena.len;
            c->rid_len = (int32_t)(rec->warc_record_id_len > 256 ? 256 : rec->warc_record_id_len);
            rc = mc__buf_append(&acc->arena, rec->warc_record_id, (size_t)c->rid_len);
        }
        /* the window as a span of the question sequence: its words are
         * the evidence's match_tokens, its bytes the snippet */
        mc_span win = {(uint32_t)q, 0, nh->t0, nh->t1 - nh->t0, -1, 0};
        mc_cspan *cs = &acc->spans[acc->nspans++];
        cs->seq = (uint32_t)q;
        cs->a = 0;
        cs->len = win.len;
        if (rc == 0) {
            rc = push_snippet(acc, dv, rec, &win, cs);
        }
        acc->ncands++;
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
