/* SPDX-License-Identifier: MIT */
/* Building the exact n-gram index of a benchmark (see index.h). */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <medcheck/normalize.h>

#include "fp/hash.h"
#include "index/index.h"
#include "util/alloc.h"

const char *const mc__comp_names[MC_NCOMP] = {"question", "options", "answer", "passage"};

typedef struct keyent {
    uint64_t hash;
    uint32_t seq;
    uint32_t pos;
    uint32_t len;
} keyent;

typedef struct builder {
    mc_index *idx;
    uint32_t *item_file; /* per item: which benchmark file it came from */
    uint64_t *seq_text;  /* per sequence: hash of its words (distinct texts) */
    mc_tokvec scratch;
    size_t seq_cap;
    keyent *ents;
    size_t nents;
    size_t ents_cap;
} builder;

/* Append the tokens of `text` to idx->tv; *ntok receives their count. */
static int append_text(builder *b, const char *text, uint32_t *ntok)
{
    mc_tokvec *tv = &b->idx->tv;
    int rc = mc__norm_tokenize(b->idx->norm, text ? text : "", text ? strlen(text) : 0,
                               &b->scratch);
    if (rc < 0) {
        return rc;
    }
    size_t need_tok = tv->n + b->scratch.n;
    size_t need_norm = tv->norm_len + b->scratch.norm_len;
    if (need_tok > UINT32_MAX || need_norm > UINT32_MAX) {
        return MC_ELIMIT;
    }
    rc = mc__array_reserve((void **)&tv->tok, &tv->cap, need_tok, sizeof(mc_token), 4096);
    if (rc == 0) {
        rc = mc__array_reserve((void **)&tv->norm, &tv->norm_cap, need_norm, 1, 65536);
    }
    if (rc < 0) {
        return rc;
    }
    memcpy(tv->norm + tv->norm_len, b->scratch.norm, b->scratch.norm_len);
    for (size_t i = 0; i < b->scratch.n; i++) {
        mc_token t = b->scratch.tok[i];
        t.noff += (uint32_t)tv->norm_len;
        tv->tok[tv->n++] = t;
    }
    tv->norm_len += b->scratch.norm_len;
    *ntok = (uint32_t)b->scratch.n;
    return 0;
}

/* Start a new sequence at the current end of idx->tv. */
static int new_seq(builder *b, uint32_t item, uint8_t comp, int32_t *id)
{
    mc_index *idx = b->idx;
    if (idx->nseqs == UINT32_MAX) {
        return MC_ELIMIT;
    }
    int rc = mc__array_reserve((void **)&idx->seqs, &b->seq_cap, (size_t)idx->nseqs + 1,
                               sizeof(mc_seq), 1024);
    if (rc < 0) {
        return rc;
    }
    mc_seq *s = &idx->seqs[idx->nseqs];
    memset(s, 0, sizeof(*s));
    s->item = item;
    s->comp = comp;
    s->tok0 = (uint32_t)idx->tv.n;
    *id = (int32_t)idx->nseqs++;
    return 0;
}

/* A sequence made of one text. */
static int text_seq(builder *b, uint32_t item, uint8_t comp, const char *text, int32_t *id)
{
    int rc = new_seq(b, item, comp, id);
    if (rc == 0) {
        rc = append_text(b, text, &b->idx->seqs[*id].ntok);
    }
    return rc;
}

/* A sequence of the stem followed by every option (palm/llama2 prompts,
 * and medcheck stems too short to stand alone). */
static int prompt_seq(builder *b, uint32_t item, const mc_item *it, int32_t *id)
{
    int rc = new_seq(b, item, MC_C_QUESTION, id);
    uint32_t n = 0;
    if (rc == 0) {
        rc = append_text(b, it->question, &n);
    }
    for (uint32_t o = 0; rc == 0 && o < it->n_options; o++) {
        uint32_t k = 0;
        rc = append_text(b, it->options[o], &k);
        n += k;
    }
    if (rc == 0) {
        b->idx->seqs[*id].ntok = n;
    }
    return rc;
}

static int build_item(builder *b, uint32_t i, const mc_item *it)
{
    mc_index *idx = b->idx;
    mc_iitem *ii = &idx->items[i];
    int rc = 0;
    for (int c = 0; c < MC_NCOMP; c++) {
        ii->seq[c] = -1;
    }
    ii->answer_opt = it->malformed ? -1 : it->answer_index;
    if (ii->answer_opt >= 0 && (uint32_t)ii->answer_opt < it->n_options) {
        const char *lab = it->option_labels ? it->option_labels[ii->answer_opt] : NULL;
        if (lab && lab[0] && !lab[1]) {
            ii->answer_label = (char)(lab[0] | 0x20);
        }
    }
    if (it->malformed) {
        return 0;
    }
    /* options first: the prompt and corroboration need their sizes */
    ii->opt0 = idx->nseqs;
    for (uint32_t o = 0; rc == 0 && o < it->n_options; o++) {
        int32_t id;
        rc = text_seq(b, i, MC_C_OPTIONS, it->options[o], &id);
        if (rc == 0) {
            ii->opt_tokens += idx->seqs[id].ntok;
            ii->nopt++;
        }
    }
    int32_t q = -1;
    if (rc == 0) {
        rc = text_seq(b, i, MC_C_QUESTION, it->question, &q);
    }
    if (rc < 0) {
        return rc;
    }
    ii->q_tokens = idx->seqs[q].ntok;
    if (idx->preset == MC_PRESET_PALM || idx->preset == MC_PRESET_LLAMA2) {
        idx->nseqs--; /* replace the bare stem by stem + options */
        idx->tv.n = idx->seqs[q].tok0;
        rc = prompt_seq(b, i, it, &q);
    }
    ii->seq[MC_C_QUESTION] = q;
    if (rc == 0 && it->answer && it->answer[0]) {
        rc = text_seq(b, i, MC_C_ANSWER, it->answer, &ii->seq[MC_C_ANSWER]);
    }
    if (rc == 0 && idx->preset == MC_PRESET_MEDCHECK && it->passage && it->passage[0]) {
        rc = text_seq(b, i, MC_C_PASSAGE, it->passage, &ii->seq[MC_C_PASSAGE]);
    }
    return rc;
}

/* Which sequences go into the table, and which items can be judged. */
static void mark_keyed(mc_index *idx, const mc_bench *bench)
{
    for (uint32_t i = 0; i < idx->nitems; i++) {
        mc_iitem *ii = &idx->items[i];
        const mc_item *it = mc_bench_item(bench, i);
        int32_t q = ii->seq[MC_C_QUESTION];
        if (it->malformed || q < 0 || idx->seqs[q].ntok == 0) {
            continue;
        }
        mc_seq *qs = &idx->seqs[q];
        if (idx->preset == MC_PRESET_MEDCHECK) {
            ii->judged = 1;
            qs->keyed = 1;
            qs->whole_key = qs->ntok < idx->n;
            ii->short_q = qs->ntok < idx->n;
            for (int c = MC_C_ANSWER; c <= MC_C_PASSAGE; c++) {
                if (ii->seq[c] >= 0 && idx->seqs[ii->seq[c]].ntok >= idx->n) {
                    idx->seqs[ii->seq[c]].keyed = 1;
                }
            }
        } else if (qs->ntok >= idx->n) {
            ii->judged = 1;
            qs->keyed = 1;
        }
    }
}

/* For each sequence, the hash of its item's stem: templates are n-grams
 * shared by distinct items, where items with the same stem (duplicates)
 * count once and the parts of one item (a BioASQ answer quoting its own
 * snippet) are one item. */
static int text_hashes(builder *b)
{
    const mc_index *idx = b->idx;
    b->seq_text = mc__reallocarray(NULL, idx->nseqs ? idx->nseqs : 1, sizeof(uint64_t));
    if (!b->seq_text) {
        return MC_ENOMEM;
    }
    for (uint32_t s = 0; s < idx->nseqs; s++) {
        int32_t q = idx->items[idx->seqs[s].item].seq[MC_C_QUESTION];
        const mc_seq *sq = &idx->seqs[q >= 0 ? (uint32_t)q : s];
        b->seq_text[s] = mc__hash_ngram(&idx->tv.tok[sq->tok0].hash,
                                        sizeof(mc_token) / sizeof(uint64_t), sq->ntok);
    }
    return 0;
}

static int push_ent(builder *b, uint64_t h, uint32_t seq, uint32_t pos, uint32_t len)
{
    int rc = mc__array_reserve((void **)&b->ents, &b->ents_cap, b->nents + 1, sizeof(keyent),
                               65536);
    if (rc < 0) {
        return rc;
    }
    b->ents[b->nents++] = (keyent){h ? h : 1, seq, pos, len};
    return 0;
}

static int collect_keys(builder *b)
{
    mc_index *idx = b->idx;
    uint32_t total = 0;
    for (uint32_t s = 0; s < idx->nseqs; s++) {
        mc_seq *sq = &idx->seqs[s];
        if (!sq->keyed || sq->whole_key) {
            continue; /* whole keys go to the anchor table */
        }
        const mc_token *t = idx->tv.tok + sq->tok0;
        uint32_t len = idx->n;
        uint32_t nk = sq->ntok - len + 1;
        sq->key0 = total;
        total += nk;
        /* the same rolling form as the matcher's */
        uint64_t pw = mc__hash_pow(len - 1), poly = 0;
        for (uint32_t k = 0; k < len; k++) {
            poly = poly * MC_HASH_POLY + t[k].hash;
        }
        for (uint32_t p = 0; p < nk; p++) {
            int rc = push_ent(b, mc__hash_finish(poly, len), s, p, len);
            if (rc < 0) {
                return rc;
            }
            if (p + 1 < nk) {
                poly = (poly - t[p].hash * pw) * MC_HASH_POLY + t[p + len].hash;
            }
        }
    }
    idx->nseq_keys = total;
    return 0;
}


/* Sort key entries by hash, stably (LSD radix, 16 bits a pass). Entries
 * are made in (sequence, position) order, so equal hashes keep it: the
 * same order as sorting on (hash, sequence, position), without a
 * comparison per step. */
static int sort_ents(builder *b)
{
    size_t n = b->nents;
    keyent *tmp = mc__reallocarray(NULL, n ? n : 1, sizeof(*tmp));
    size_t *count = mc__calloc(65536, sizeof(size_t));
    if (!tmp || !count) {
        mc__free(tmp);
        mc__free(count);
        return MC_ENOMEM;
    }
    keyent *src = b->ents, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof(size_t));
        for (size_t i = 0; i < n; i++) {
            count[(src[i].hash >> shift) & 0xFFFF]++;
        }
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            dst[count[(src[i].hash >> shift) & 0xFFFF]++] = src[i];
        }
        keyent *t = src;
        src = dst;
        dst = t;
    }
    /* four passes: the sorted data is back in b->ents */
    mc__free(tmp);
    mc__free(count);
    return 0;
}

static int cmp_pair(const void *a, const void *b)
{
    const uint64_t *x = a;
    const uint64_t *y = b;
    if (x[0] != y[0]) {
        return x[0] < y[0] ? -1 : 1;
    }
    return x[1] < y[1] ? -1 : (x[1] > y[1]);
}

/* The largest number of distinct items (by stem) that share a key within
 * one benchmark file. Templates are a property of how one benchmark is
 * written; copies of an item across files (MedQA and its re-packagings)
 * must not make each other's n-grams templates. tmp holds (file, text)
 * pairs. */
static uint32_t distinct_texts(const builder *b, const keyent *e, size_t n, uint64_t *tmp)
{
    const mc_index *idx = b->idx;
    for (size_t i = 0; i < n; i++) {
        tmp[2 * i] = b->item_file[idx->seqs[e[i].seq].item];
        tmp[2 * i + 1] = b->seq_text[e[i].seq];
    }
    qsort(tmp, n, 2 * sizeof(*tmp), cmp_pair);
    uint32_t best = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || tmp[2 * i] != tmp[2 * i - 2]) {
            d = 0;
        }
        d += i == 0 || tmp[2 * i] != tmp[2 * i - 2] || tmp[2 * i + 1] != tmp[2 * i - 1];
        best = d > best ? d : best;
    }
    return best;
}

static void filter_set(uint64_t *filter, uint32_t shift, uint64_t key)
{
    filter[key >> shift] |= mc__filter_bits(key);
}

/* A filter of at least 16 bits a key (about 1.5% false positives with two
 * bits in one word); returns its shift, or 0 when out of memory. */
static uint32_t filter_alloc(uint64_t **filter, size_t nkeys)
{
    size_t words = 64;
    uint32_t shift = 58;
    while (words < nkeys / 4 && shift > 20) {
        words *= 2;
        shift--;
    }
    *filter = mc__calloc(words, sizeof(uint64_t));
    return *filter ? shift : 0;
}

static void add_length(mc_index *idx, uint32_t len)
{
    for (uint32_t i = 0; i < idx->nlengths; i++) {
        if (idx->lengths[i] == len) {
            return;
        }
    }
    if (idx->nlengths < 16) {
        idx->lengths[idx->nlengths++] = len;
    }
}

static int cmp_len_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x > y ? -1 : (x < y);
}

/* Insert one group of equal keys into the open-addressing table. */
static uint32_t insert_slot(mc_index *idx, const keyent *e, uint32_t post0, uint32_t npost)
{
    uint64_t i = mc__slot_home(e->hash, idx->slot_mask);
    while (idx->slots[i].hash != 0) {
        i = (i + 1) & idx->slot_mask;
    }
    idx->slots[i] = (mc_keyslot){e->hash, post0, npost};
    filter_set(idx->filter, idx->filter_shift, e->hash);
    add_length(idx, e->len);
    return (uint32_t)i;
}

/* A table at most two-thirds full of the distinct keys. */
static int alloc_table(mc_index *idx, size_t nents, size_t nkeys)
{
    size_t nslots = 1024;
    while (nslots < nkeys + nkeys / 2) {
        nslots *= 2;
    }
    idx->slots = mc__calloc(nslots, sizeof(*idx->slots));
    idx->slot_flags = mc__calloc(nslots, 1);
    idx->slot_mask = nslots - 1;
    idx->filter_shift = filter_alloc(&idx->filter, nkeys);
    idx->posts = mc__reallocarray(NULL, nents ? nents : 1, sizeof(*idx->posts));
    idx->seq_keys = mc__reallocarray(NULL, idx->nseq_keys ? idx->nseq_keys : 1, sizeof(uint32_t));
    if (!idx->slots || !idx->slot_flags || !idx->filter || !idx->posts || !idx->seq_keys) {
        return MC_ENOMEM;
    }
    return 0;
}

static int build_table(builder *b)
{
    mc_index *idx = b->idx;
    int rc = sort_ents(b);
    size_t nkeys = 0;
    for (size_t i = 0; rc == 0 && i < b->nents; i++) {
        nkeys += i == 0 || b->ents[i].hash != b->ents[i - 1].hash;
    }
    if (rc == 0) {
        rc = alloc_table(idx, b->nents, nkeys);
    }
    uint64_t *tmp = mc__reallocarray(NULL, b->nents ? 2 * b->nents : 1, sizeof(uint64_t));
    if (rc < 0 || !tmp) {
        mc__free(tmp);
        return MC_ENOMEM;
    }
    size_t g = 0;
    while (g < b->nents) {
        size_t e = g + 1;
        while (e < b->nents && b->ents[e].hash == b->ents[g].hash) {
            e++;
        }
        uint32_t slot = insert_slot(idx, &b->ents[g], (uint32_t)g, (uint32_t)(e - g));
        if (idx->preset == MC_PRESET_MEDCHECK && e - g >= idx->template_items &&
            distinct_texts(b, b->ents + g, e - g, tmp) >= idx->template_items) {
            idx->slot_flags[slot] |= MC_KEY_TEMPLATE;
            idx->ntemplates++;
        }
        for (size_t k = g; k < e; k++) {
            idx->posts[k] = (mc_posting){b->ents[k].seq, b->ents[k].pos};
            idx->seq_keys[idx->seqs[b->ents[k].seq].key0 + b->ents[k].pos] = slot;
        }
        idx->nkeys++;
        g = e;
    }
    mc__free(tmp);
    qsort(idx->lengths, idx->nlengths, sizeof(uint32_t), cmp_len_desc);
    return 0;
}

/* Occurrences of each word in the whole benchmark (open addressing on the
 * word hash), to pick the rarest word of a short stem as its anchor. */
typedef struct wordfreq {
    uint64_t *h;
    uint32_t *n;
    uint64_t mask;
} wordfreq;

static uint32_t *wf_slot(const wordfreq *wf, uint64_t h)
{
    uint64_t i = (h >> 7) & wf->mask;
    while (wf->h[i] != 0 && wf->h[i] != h) {
        i = (i + 1) & wf->mask;
    }
    wf->h[i] = h;
    return &wf->n[i];
}

static int wf_build(wordfreq *wf, const mc_tokvec *tv)
{
    size_t cap = 1024;
    while (cap < tv->n * 2) {
        cap *= 2;
    }
    wf->h = mc__calloc(cap, sizeof(uint64_t));
    wf->n = mc__calloc(cap, sizeof(uint32_t));
    wf->mask = cap - 1;
    if (!wf->h || !wf->n) {
        return MC_ENOMEM;
    }
    for (size_t i = 0; i < tv->n; i++) {
        (*wf_slot(wf, tv->tok[i].hash ? tv->tok[i].hash : 1))++;
    }
    return 0;
}

/* The anchor of a short stem: its rarest word, the longest among equals. */
static uint32_t pick_anchor(const mc_index *idx, const wordfreq *wf, const mc_seq *sq)
{
    uint32_t best = 0, best_n = UINT32_MAX, best_len = 0;
    for (uint32_t k = 0; k < sq->ntok; k++) {
        const mc_token *t = &idx->tv.tok[sq->tok0 + k];
        uint32_t n = *wf_slot(wf, t->hash ? t->hash : 1);
        if (n < best_n || (n == best_n && t->nlen > best_len)) {
            best = k;
            best_n = n;
            best_len = t->nlen;
        }
    }
    return best;
}

static int build_anchors(builder *b)
{
    mc_index *idx = b->idx;
    wordfreq wf = {0};
    b->nents = 0;
    int rc = wf_build(&wf, &idx->tv);
    for (uint32_t s = 0; rc == 0 && s < idx->nseqs; s++) {
        const mc_seq *sq = &idx->seqs[s];
        if (sq->keyed && sq->whole_key) {
            uint32_t o = pick_anchor(idx, &wf, sq);
            uint64_t h = idx->tv.tok[sq->tok0 + o].hash;
            rc = push_ent(b, h, s, o, sq->ntok);
        }
    }
    mc__free(wf.h);
    mc__free(wf.n);
    if (rc < 0 || b->nents == 0) {
        return rc;
    }
    rc = sort_ents(b);
    if (rc < 0) {
        return rc;
    }
    size_t nslots = 64;
    while (nslots < b->nents * 2) {
        nslots *= 2;
    }
    idx->anc_slots = mc__calloc(nslots, sizeof(*idx->anc_slots));
    idx->anc_posts = mc__calloc(b->nents, sizeof(*idx->anc_posts));
    idx->anc_mask = nslots - 1;
    idx->anc_shift = filter_alloc(&idx->anc_filter, b->nents * 4);
    if (!idx->anc_slots || !idx->anc_posts || !idx->anc_shift) {
        return MC_ENOMEM;
    }
    for (size_t g = 0, e; g < b->nents; g = e) {
        for (e = g + 1; e < b->nents && b->ents[e].hash == b->ents[g].hash; e++) {
        }
        uint64_t i = mc__slot_home(b->ents[g].hash, idx->anc_mask);
        while (idx->anc_slots[i].hash != 0) {
            i = (i + 1) & idx->anc_mask;
        }
        idx->anc_slots[i] = (mc_keyslot){b->ents[g].hash, (uint32_t)g, (uint32_t)(e - g)};
        filter_set(idx->anc_filter, idx->anc_shift, b->ents[g].hash);
        for (size_t k = g; k < e; k++) {
            idx->anc_posts[k] = (mc_posting){b->ents[k].seq, b->ents[k].pos};
        }
    }
    idx->nanchors = (uint32_t)b->nents;
    return 0;
}

/* Words of a sequence inside at least one non-template n-gram. */
static uint32_t distinct_words(const mc_index *idx, const mc_seq *sq)
{
    uint32_t words = 0, end = 0;
    for (uint32_t p = 0; p + idx->n <= sq->ntok; p++) {
        if (mc__slot_template(idx, idx->seq_keys[sq->key0 + p])) {
            continue;
        }
        uint32_t lo = p > end ? p : end;
        words += p + idx->n - lo;
        end = p + idx->n;
    }
    return words;
}

/* medcheck: a stem is scored on its distinctive words; one with none is
 * judged like a short stem. */
static void mark_distinct(mc_index *idx)
{
    for (uint32_t i = 0; idx->preset == MC_PRESET_MEDCHECK && i < idx->nitems; i++) {
        mc_iitem *ii = &idx->items[i];
        for (int c = 0; c < MC_NCOMP; c++) {
            const mc_seq *sq = ii->seq[c] >= 0 ? &idx->seqs[ii->seq[c]] : NULL;
            if (sq && sq->keyed && !sq->whole_key) {
                ii->distinct[c] = distinct_words(idx, sq);
            }
        }
        if (ii->judged && ii->distinct[MC_C_QUESTION] == 0) {
            /* only template n-grams: found as a whole stem, through an
             * anchor, like a short stem (template postings are not tried) */
            ii->short_q = 1;
            idx->seqs[ii->seq[MC_C_QUESTION]].whole_key = 1;
        }
    }
}

static uint64_t fingerprint(const mc_index *idx)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st); /* a state on the stack must be initialised first */
    XXH3_64bits_reset_withSeed(&st, MC_HASH_WORD_SEED);
    uint32_t params[5] = {MC_NORM_VERSION, (uint32_t)idx->preset, idx->n, idx->template_items,
                          idx->nitems};
    XXH3_64bits_update(&st, params, sizeof(params));
    for (uint32_t s = 0; s < idx->nseqs; s++) {
        const mc_seq *sq = &idx->seqs[s];
        uint32_t hdr[4] = {sq->item, sq->comp, sq->keyed, sq->ntok};
        XXH3_64bits_update(&st, hdr, sizeof(hdr));
        for (uint32_t t = 0; t < sq->ntok; t++) {
            const mc_token *tk = &idx->tv.tok[sq->tok0 + t];
            XXH3_64bits_update(&st, &tk->nlen, sizeof(tk->nlen));
            XXH3_64bits_update(&st, idx->tv.norm + tk->noff, tk->nlen);
        }
    }
    return XXH3_64bits_digest(&st);
}

int mc__index_build(mc_index **out, const mc_bench *bench, mc_preset preset, uint32_t n,
                    uint32_t template_items)
{
    size_t nitems = mc_bench_count(bench);
    if (nitems > UINT32_MAX / 8 || n == 0) {
        return nitems ? MC_ELIMIT : MC_EINVAL;
    }
    builder b = {0};
    mc__tokvec_init(&b.scratch);
    mc_index *idx = mc__calloc(1, sizeof(*idx));
    int rc = MC_ENOMEM;
    if (!idx) {
        goto fail;
    }
    b.idx = idx;
    idx->preset = preset;
    idx->norm = preset == MC_PRESET_GPT3 ? MC_NORM_GPT3 : MC_NORM_MEDCHECK;
    idx->n = n;
    idx->template_items = template_items;
    idx->nitems = (uint32_t)nitems;
    idx->items = mc__calloc(nitems ? nitems : 1, sizeof(*idx->items));
    b.item_file = mc__calloc(nitems ? nitems : 1, sizeof(uint32_t));
    if (!idx->items || !b.item_file) {
        goto fail;
    }
    for (uint32_t i = 1; i < idx->nitems; i++) {
        const char *prev = mc_bench_item(bench, i - 1)->source;
        const char *cur = mc_bench_item(bench, i)->source;
        b.item_file[i] = b.item_file[i - 1] + (mc_bench_item(bench, i)->index == 0 ||
                                               strcmp(prev, cur) != 0);
    }
    for (uint32_t i = 0; i < idx->nitems; i++) {
        rc = build_item(&b, i, mc_bench_item(bench, i));
        if (rc < 0) {
            goto fail;
        }
    }
    mark_keyed(idx, bench);
    rc = collect_keys(&b);
    if (rc == 0) {
        rc = text_hashes(&b);
    }
    if (rc == 0) {
        rc = build_table(&b);
    }
    if (rc == 0) {
        mark_distinct(idx);
        rc = build_anchors(&b);
    }
    if (rc < 0) {
        goto fail;
    }
    idx->fingerprint = fingerprint(idx);
    mc__free(b.item_file);
    mc__free(b.seq_text);
    mc__free(b.ents);
    mc__tokvec_finish(&b.scratch);
    *out = idx;
    return 0;
fail:
    mc__free(b.item_file);
    mc__free(b.seq_text);
    mc__free(b.ents);
    mc__tokvec_finish(&b.scratch);
    mc__index_destroy(&idx);
    return rc;
}

void mc__index_destroy(mc_index **pidx)
{
    mc_index *idx = pidx ? *pidx : NULL;
    if (!idx) {
        return;
    }
    if (!idx->borrowed) {
        mc__tokvec_finish(&idx->tv);
        mc__free(idx->seqs);
        mc__free(idx->items);
        mc__free(idx->seq_keys);
        mc__free(idx->slots);
        mc__free(idx->slot_flags);
        mc__free(idx->posts);
        mc__free(idx->filter);
        mc__free(idx->anc_slots);
        mc__free(idx->anc_posts);
        mc__free(idx->anc_filter);
    }
    mc__free(idx);
    *pidx = NULL;
}
