/* SPDX-License-Identifier: MIT */
/* Index files: the layout (docs/index-format.md), the writer, and the
 * loader that points a mc_index's arrays into the file image. What the
 * loader checks before anything dereferences the arrays is in
 * index_file_check.c. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <medcheck/normalize.h>

#include "bench/bench_store.h"
#include "fp/hash.h"
#include "index/index_file.h"
#include "index/index_file_int.h"
#include "near/near.h"
#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/wfile.h"

/* ---- the mc_index arrays, table-driven --------------------------------- */

/* The structs below are written as their bytes in memory. Their layout is
 * part of the file format: a change to any of them must fail here, and
 * then needs a new format version (and these numbers updated). */
static_assert(sizeof(mc_token) == 24 && offsetof(mc_token, hash) == 0 &&
                  offsetof(mc_token, start) == 8 && offsetof(mc_token, end) == 12 &&
                  offsetof(mc_token, noff) == 16 && offsetof(mc_token, nlen) == 20,
              "mc_token layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_seq) == 20 && offsetof(mc_seq, item) == 0 && offsetof(mc_seq, comp) == 4 &&
                  offsetof(mc_seq, keyed) == 5 && offsetof(mc_seq, whole_key) == 6 &&
                  offsetof(mc_seq, tok0) == 8 && offsetof(mc_seq, ntok) == 12 &&
                  offsetof(mc_seq, key0) == 16,
              "mc_seq layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_iitem) == 56 && offsetof(mc_iitem, seq) == 0 &&
                  offsetof(mc_iitem, opt0) == 16 && offsetof(mc_iitem, nopt) == 20 &&
                  offsetof(mc_iitem, answer_opt) == 24 && offsetof(mc_iitem, opt_tokens) == 28 &&
                  offsetof(mc_iitem, q_tokens) == 32 && offsetof(mc_iitem, distinct) == 36 &&
                  offsetof(mc_iitem, judged) == 52 && offsetof(mc_iitem, short_q) == 53 &&
                  offsetof(mc_iitem, answer_label) == 54 && MC_NCOMP == 4,
              "mc_iitem layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_posting) == 8 && offsetof(mc_posting, seq) == 0 &&
                  offsetof(mc_posting, pos) == 4,
              "mc_posting layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_keyslot) == 16 && offsetof(mc_keyslot, hash) == 0 &&
                  offsetof(mc_keyslot, post0) == 8 && offsetof(mc_keyslot, npost) == 12,
              "mc_keyslot layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_near_entry) == 40 && offsetof(mc_near_entry, item) == 0 &&
                  offsetof(mc_near_entry, comp) == 4 && offsetof(mc_near_entry, group) == 8 &&
                  offsetof(mc_near_entry, status) == 12 && offsetof(mc_near_entry, cls) == 16 &&
                  offsetof(mc_near_entry, ntok) == 20 && offsetof(mc_near_entry, nall) == 24 &&
                  offsetof(mc_near_entry, sh0) == 28 && offsetof(mc_near_entry, nsh) == 32 &&
                  offsetof(mc_near_entry, need) == 36,
              "mc_near_entry layout changed: bump MC_MCX_VERSION and update index_file.c");
static_assert(sizeof(mc_near_slot) == 16 && offsetof(mc_near_slot, key) == 0 &&
                  offsetof(mc_near_slot, post0) == 8 && offsetof(mc_near_slot, npost) == 12,
              "mc_near_slot layout changed: bump MC_MCX_VERSION and update index_file.c");
/* Every member of mc_index is either in the META section or an array of
 * the table below. A new member must be added to one of them (and this
 * size updated), or a loaded index would silently lack it. */
static_assert(sizeof(void *) != 8 || sizeof(mc_index) == 304,
              "mc_index changed: add the new member to index_file.c, then update this size");

/* Bytes of one element that carry data; the rest (padding) is written as
 * zeros, so that files are reproducible. */
#define F(T, m)                                                                                    \
    {                                                                                              \
        offsetof(T, m), sizeof(((T *)0)->m)                                                        \
    }
static const mc_mcx_field seq_fields[] = {F(mc_seq, item),      F(mc_seq, comp), F(mc_seq, keyed),
                                          F(mc_seq, whole_key), F(mc_seq, tok0), F(mc_seq, ntok),
                                          F(mc_seq, key0)};
static const mc_mcx_field iitem_fields[] = {F(mc_iitem, seq),        F(mc_iitem, opt0),
                                            F(mc_iitem, nopt),       F(mc_iitem, answer_opt),
                                            F(mc_iitem, opt_tokens), F(mc_iitem, q_tokens),
                                            F(mc_iitem, distinct),   F(mc_iitem, judged),
                                            F(mc_iitem, short_q),    F(mc_iitem, answer_label)};
#undef F

static uint64_t cnt_tokens(const mc_mcx_meta *m)
{
    return m->ntok;
}
static uint64_t cnt_norm(const mc_mcx_meta *m)
{
    return m->norm_len;
}
static uint64_t cnt_seqs(const mc_mcx_meta *m)
{
    return m->nseqs;
}
static uint64_t cnt_items(const mc_mcx_meta *m)
{
    return m->nitems;
}
static uint64_t cnt_seq_keys(const mc_mcx_meta *m)
{
    return m->nseq_keys;
}
static uint64_t cnt_slots(const mc_mcx_meta *m)
{
    return m->slot_mask + 1;
}
static uint64_t cnt_posts(const mc_mcx_meta *m)
{
    return m->nposts;
}
/* A filter of shift s holds 2^(64-s) words (index.c, filter_alloc). */
static uint64_t cnt_filter(const mc_mcx_meta *m)
{
    return m->filter_shift >= 8 && m->filter_shift < 64 ? UINT64_C(1) << (64 - m->filter_shift) : 0;
}
static uint64_t cnt_anc_slots(const mc_mcx_meta *m)
{
    return m->nanchors ? m->anc_mask + 1 : 0;
}
static uint64_t cnt_anc_posts(const mc_mcx_meta *m)
{
    return m->nanchors;
}
static uint64_t cnt_anc_filter(const mc_mcx_meta *m)
{
    return m->nanchors && m->anc_shift >= 8 && m->anc_shift < 64
               ? UINT64_C(1) << (64 - m->anc_shift)
               : 0;
}

#define ARR(id, name, T, member, count)                                                            \
    {                                                                                              \
        id, name, sizeof(T), offsetof(mc_index, member), count, NULL, 0                            \
    }
#define ARRF(id, name, T, member, count, f)                                                        \
    {                                                                                              \
        id, name, sizeof(T), offsetof(mc_index, member), count, f, sizeof(f) / sizeof(f[0])        \
    }
const mc_mcx_array mc__mcx_arrays[] = {
    ARR(MC_MCX_TOKENS, "tokens", mc_token, tv.tok, cnt_tokens),
    ARR(MC_MCX_NORM, "norm", char, tv.norm, cnt_norm),
    ARRF(MC_MCX_SEQS, "seqs", mc_seq, seqs, cnt_seqs, seq_fields),
    ARRF(MC_MCX_IITEMS, "iitems", mc_iitem, items, cnt_items, iitem_fields),
    ARR(MC_MCX_SEQ_KEYS, "seq_keys", uint32_t, seq_keys, cnt_seq_keys),
    ARR(MC_MCX_SLOTS, "slots", mc_keyslot, slots, cnt_slots),
    ARR(MC_MCX_SLOT_FLAGS, "slot_flags", uint8_t, slot_flags, cnt_slots),
    ARR(MC_MCX_POSTS, "posts", mc_posting, posts, cnt_posts),
    ARR(MC_MCX_FILTER, "filter", uint64_t, filter, cnt_filter),
    ARR(MC_MCX_ANC_SLOTS, "anc_slots", mc_keyslot, anc_slots, cnt_anc_slots),
    ARR(MC_MCX_ANC_POSTS, "anc_posts", mc_posting, anc_posts, cnt_anc_posts),
    ARR(MC_MCX_ANC_FILTER, "anc_filter", uint64_t, anc_filter, cnt_anc_filter),
};
#undef ARR
#undef ARRF
const size_t mc__mcx_narrays = sizeof(mc__mcx_arrays) / sizeof(mc__mcx_arrays[0]);

/* ---- the near-duplicate detector's arrays (optional sections) ---------- */

static uint64_t ncnt_entries(const mc_mcx_near_meta *m)
{
    return m->nentries;
}
static uint64_t ncnt_shingles(const mc_mcx_near_meta *m)
{
    return m->nshingles;
}
static uint64_t ncnt_sigs(const mc_mcx_near_meta *m)
{
    return (uint64_t)m->nentries * m->perms;
}
static uint64_t ncnt_slots(const mc_mcx_near_meta *m)
{
    return m->slot_mask + 1; /* 0 for a corrupt mask: refused by the validation */
}
static uint64_t ncnt_posts(const mc_mcx_near_meta *m)
{
    return m->nposts;
}
/* 1 << (64 - shift) words; out-of-range shifts are refused before. */
static uint64_t filter_words(uint32_t shift)
{
    return shift >= 1 && shift <= 63 ? (uint64_t)1 << (64 - shift) : UINT64_MAX;
}
static uint64_t ncnt_filter(const mc_mcx_near_meta *m)
{
    return filter_words(m->filter_shift);
}
static uint64_t ncnt_cfilter(const mc_mcx_near_meta *m)
{
    return filter_words(m->cfilter_shift);
}
static uint64_t ncnt_band_filter(const mc_mcx_near_meta *m)
{
    return filter_words(m->band_shift);
}

#define NARR(id, name, T, member, count)                                                           \
    {                                                                                              \
        id, name, sizeof(T), offsetof(mc_near, member), count                                      \
    }
const mc_mcx_near_array mc__mcx_near_arrays[] = {
    NARR(MC_MCX_NEAR_ENTRIES, "near_entries", mc_near_entry, entries, ncnt_entries),
    NARR(MC_MCX_NEAR_SHINGLES, "near_shingles", uint64_t, shingles, ncnt_shingles),
    NARR(MC_MCX_NEAR_SIGS, "near_sigs", uint32_t, sigs, ncnt_sigs),
    NARR(MC_MCX_NEAR_SLOTS, "near_slots", mc_near_slot, slots, ncnt_slots),
    NARR(MC_MCX_NEAR_POSTS, "near_posts", uint32_t, posts, ncnt_posts),
    NARR(MC_MCX_NEAR_FILTER, "near_filter", uint64_t, filter, ncnt_filter),
    NARR(MC_MCX_NEAR_CFILTER, "near_cfilter", uint64_t, cfilter, ncnt_cfilter),
    NARR(MC_MCX_NEAR_BAND_FILTER, "near_band_filter", uint64_t, band_filter, ncnt_band_filter),
};
#undef NARR
const size_t mc__mcx_near_narrays = sizeof(mc__mcx_near_arrays) / sizeof(mc__mcx_near_arrays[0]);
#define NEAR_NARRAYS (sizeof(mc__mcx_near_arrays) / sizeof(mc__mcx_near_arrays[0]))

static void *const *near_member(const mc_near *nx, const mc_mcx_near_array *a)
{
    return (void *const *)((const char *)nx + a->member);
}
#define arrays mc__mcx_arrays
#define NARRAYS (sizeof(mc__mcx_arrays) / sizeof(mc__mcx_arrays[0]))

void **mc__mcx_member(mc_index *idx, const mc_mcx_array *a)
{
    /* every member is an object pointer, and those share one representation */
    return (void **)((char *)idx + a->member);
}

/* ---- sections by id ---------------------------------------------------- */

uint32_t mc__mcx_elem_size(uint32_t id)
{
    switch (id) {
    case MC_MCX_META:
        return sizeof(mc_mcx_meta);
    case MC_MCX_FILES:
        return sizeof(mc_mcx_file);
    case MC_MCX_ITEMS:
        return sizeof(mc_mcx_item);
    case MC_MCX_OPTIONS:
        return sizeof(mc_mcx_option);
    case MC_MCX_STRINGS:
        return 1;
    case MC_MCX_NEAR_META:
        return sizeof(mc_mcx_near_meta);
    default:
        break;
    }
    for (size_t k = 0; k < NARRAYS; k++) {
        if (arrays[k].id == id) {
            return arrays[k].elem;
        }
    }
    for (size_t k = 0; k < NEAR_NARRAYS; k++) {
        if (mc__mcx_near_arrays[k].id == id) {
            return mc__mcx_near_arrays[k].elem;
        }
    }
    return 0;
}

const char *mc__mcx_section_name(uint32_t id)
{
    static const char *const bench_names[] = {"", "meta", "files", "items", "options", "strings"};
    if (id <= MC_MCX_STRINGS) {
        return bench_names[id];
    }
    for (size_t k = 0; k < NARRAYS; k++) {
        if (arrays[k].id == id) {
            return arrays[k].name;
        }
    }
    if (id == MC_MCX_NEAR_META) {
        return "near_meta";
    }
    for (size_t k = 0; k < NEAR_NARRAYS; k++) {
        if (mc__mcx_near_arrays[k].id == id) {
            return mc__mcx_near_arrays[k].name;
        }
    }
    return "unknown";
}

/* ---- writing ------------------------------------------------------------- */

static uint64_t align_up(uint64_t x)
{
    return (x + MC_MCX_ALIGN - 1) & ~(uint64_t)(MC_MCX_ALIGN - 1);
}

uint64_t mc__index_file_checksum(const void *data, size_t size)
{
    static const unsigned char zeros[8];
    const size_t at = offsetof(mc_mcx_header, checksum);
    XXH64_state_t st;
    if (size < MC_MCX_HEADER_SIZE) {
        return 0;
    }
    /* the whole file, with the checksum field read as zeros */
    XXH64_reset(&st, 0);
    XXH64_update(&st, data, at);
    XXH64_update(&st, zeros, sizeof(zeros));
    XXH64_update(&st, (const char *)data + at + 8, size - at - 8);
    return XXH64_digest(&st);
}

/* The benchmark sections, built in memory before anything is written. */
typedef struct benchsec {
    mc_buf strings;
    mc_mcx_file *files;
    mc_mcx_item *items;
    mc_mcx_option *options;
    uint32_t nfiles, nitems, noptions;
} benchsec;

static int put_str(mc_buf *s, const char *str, uint32_t *ref)
{
    if (!str) {
        *ref = MC_MCX_NONE;
        return 0;
    }
    size_t at = s->len;
    int rc = mc__buf_append(s, str, strlen(str) + 1);
    *ref = (uint32_t)at;
    return rc;
}

static int put_item(benchsec *bs, const mc_item *it, mc_mcx_item *out)
{
    mc_buf *s = &bs->strings;
    memset(out, 0, sizeof(*out));
    out->index = it->index;
    out->line = it->line;
    out->answer_index = it->answer_index;
    out->malformed = it->malformed ? 1 : 0;
    out->opt0 = bs->noptions;
    out->n_options = it->n_options;
    int rc = put_str(s, it->id, &out->id);
    rc = rc ? rc : put_str(s, it->split, &out->split);
    rc = rc ? rc : put_str(s, it->question, &out->question);
    rc = rc ? rc : put_str(s, it->passage, &out->passage);
    rc = rc ? rc : put_str(s, it->subject, &out->subject);
    rc = rc ? rc : put_str(s, it->error, &out->error);
    int shared = 0;
    for (uint32_t o = 0; rc == 0 && o < it->n_options; o++) {
        mc_mcx_option *op = &bs->options[bs->noptions++];
        rc = put_str(s, it->options[o], &op->text);
        rc = rc ? rc : put_str(s, it->option_labels[o], &op->label);
        if (rc == 0 && !shared && it->answer && it->answer == it->options[o]) {
            out->answer = op->text; /* the readers share the option's string */
            shared = 1;
        }
    }
    if (rc == 0 && !shared) {
        rc = put_str(s, it->answer, &out->answer);
    }
    return rc;
}

static int bench_sections(benchsec *bs, const mc_bench *bench, uint32_t nitems)
{
    size_t nfiles = mc_bench_file_count(bench);
    size_t nopt = 0, total = 0;
    for (size_t i = 0; i < mc_bench_count(bench); i++) {
        nopt += mc_bench_item(bench, i)->n_options;
    }
    for (size_t k = 0; k < nfiles; k++) {
        total += mc_bench_file_at(bench, k)->items;
    }
    if (total != mc_bench_count(bench) || total != nitems) {
        return MC_EINVAL;
    }
    if (nfiles > UINT32_MAX || nopt > UINT32_MAX) {
        return MC_ELIMIT;
    }
    bs->files = mc__calloc(nfiles + 1, sizeof(*bs->files));
    bs->items = mc__calloc((size_t)nitems + 1, sizeof(*bs->items));
    bs->options = mc__calloc(nopt + 1, sizeof(*bs->options));
    if (!bs->files || !bs->items || !bs->options) {
        return MC_ENOMEM;
    }
    int rc = 0;
    size_t at = 0;
    for (size_t k = 0; rc == 0 && k < nfiles; k++) {
        const mc_bench_file *bf = mc_bench_file_at(bench, k);
        mc_mcx_file *f = &bs->files[bs->nfiles++];
        f->format = (uint32_t)bf->format;
        f->items = bf->items;
        f->malformed = bf->malformed;
        memcpy(f->sha256, bf->sha256, sizeof(f->sha256));
        rc = put_str(&bs->strings, bf->source, &f->source);
        for (uint32_t i = 0; rc == 0 && i < bf->items; i++) {
            rc = put_item(bs, mc_bench_item(bench, at++), &bs->items[bs->nitems++]);
        }
    }
    return rc;
}

static void bench_sections_finish(benchsec *bs)
{
    mc__buf_finish(&bs->strings);
    mc__free(bs->files);
    mc__free(bs->items);
    mc__free(bs->options);
}

/* One section of the file being written. */
typedef struct wsec {
    uint32_t id;
    uint32_t elem;
    uint64_t count;
    const void *data;
    const mc_mcx_array *arr; /* index arrays: padding cleared on the way out */
} wsec;

#define NSECTIONS (5 + NARRAYS)
#define NNEAR (1 + NEAR_NARRAYS)

typedef struct writer {
    FILE *f;
    XXH64_state_t *xx;
    uint64_t pos;
    int rc;
    unsigned char chunk[1 << 16];
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->rc == 0 && n) {
        w->rc = mc__wfile_write(w->f, p, n);
        XXH64_update(w->xx, p, n);
        w->pos += n;
    }
}

static void pad(writer *w)
{
    static const unsigned char zeros[MC_MCX_ALIGN];
    put(w, zeros, (size_t)(align_up(w->pos) - w->pos));
}

/* An index array, element by element where the element has padding. */
static void put_array(writer *w, const wsec *s)
{
    const mc_mcx_array *a = s->arr;
    const unsigned char *src = s->data;
    if (!a || !a->fields) {
        put(w, src, (size_t)(s->count * s->elem));
        return;
    }
    size_t per = sizeof(w->chunk) / a->elem;
    for (uint64_t done = 0; done < s->count && w->rc == 0;) {
        size_t n = s->count - done < per ? (size_t)(s->count - done) : per;
        memset(w->chunk, 0, n * a->elem);
        for (size_t e = 0; e < n; e++) {
            for (size_t k = 0; k < a->nfields; k++) {
                const mc_mcx_field *fl = &a->fields[k];
                memcpy(w->chunk + e * a->elem + fl->off, src + (done + e) * a->elem + fl->off,
                       fl->len);
            }
        }
        put(w, w->chunk, n * a->elem);
        done += n;
    }
}

static void meta_from(mc_mcx_meta *m, const mc_index *idx, const benchsec *bs)
{
    memset(m, 0, sizeof(*m));
    m->preset = (uint32_t)idx->preset;
    m->norm = (uint32_t)idx->norm;
    m->norm_version = MC_NORM_VERSION;
    m->n = idx->n;
    m->template_items = idx->template_items;
    m->nitems = idx->nitems;
    m->nseqs = idx->nseqs;
    m->nseq_keys = idx->nseq_keys;
    m->nkeys = idx->nkeys;
    m->ntemplates = idx->ntemplates;
    m->filter_shift = idx->filter_shift;
    m->nanchors = idx->nanchors;
    m->anc_shift = idx->anc_shift;
    m->nlengths = idx->nlengths;
    m->nfiles = bs->nfiles;
    m->noptions = bs->noptions;
    memcpy(m->lengths, idx->lengths, sizeof(m->lengths));
    m->ntok = idx->tv.n;
    m->norm_len = idx->tv.norm_len;
    m->slot_mask = idx->slot_mask;
    m->anc_mask = idx->anc_mask;
    /* the postings the slots refer to (all of them, in a built index) */
    for (uint64_t s = 0; idx->slots && s <= idx->slot_mask; s++) {
        uint64_t end = (uint64_t)idx->slots[s].post0 + idx->slots[s].npost;
        m->nposts = end > m->nposts ? end : m->nposts;
    }
    m->fingerprint = idx->fingerprint;
    m->word_seed = MC_HASH_WORD_SEED;
    m->poly = MC_HASH_POLY;
}

/* The detector's sections after the index's (optional: flags 0). */
static void near_meta_from(mc_mcx_near_meta *m, const mc_near *nx)
{
    memset(m, 0, sizeof(*m));
    m->shingle = nx->p.shingle;
    m->perms = nx->p.perms;
    m->bands = nx->p.bands;
    m->rows = nx->p.rows;
    m->min_shingles = nx->p.min_shingles;
    m->template_items = nx->p.template_items;
    m->threshold = nx->p.threshold;
    m->seed = nx->p.seed;
    m->nentries = nx->nentries;
    m->nshingles = nx->nshingles;
    m->nposts = nx->nposts;
    m->filter_shift = nx->filter_shift;
    m->cfilter_shift = nx->cfilter_shift;
    m->band_shift = nx->band_shift;
    m->slot_mask = nx->slot_mask;
}

static void plan_near(wsec *s, const mc_mcx_near_meta *m, const mc_near *nx)
{
    s[0] = (wsec){MC_MCX_NEAR_META, sizeof(*m), 1, m, NULL};
    for (size_t k = 0; k < NEAR_NARRAYS; k++) {
        const mc_mcx_near_array *a = &mc__mcx_near_arrays[k];
        s[1 + k] = (wsec){a->id, a->elem, a->count(m), *near_member(nx, a), NULL};
    }
}

static void plan(wsec *s, const mc_mcx_meta *m, const benchsec *bs, const mc_index *idx)
{
    s[0] = (wsec){MC_MCX_META, sizeof(*m), 1, m, NULL};
    s[1] = (wsec){MC_MCX_FILES, sizeof(mc_mcx_file), bs->nfiles, bs->files, NULL};
    s[2] = (wsec){MC_MCX_ITEMS, sizeof(mc_mcx_item), bs->nitems, bs->items, NULL};
    s[3] = (wsec){MC_MCX_OPTIONS, sizeof(mc_mcx_option), bs->noptions, bs->options, NULL};
    s[4] = (wsec){MC_MCX_STRINGS, 1, bs->strings.len, bs->strings.data, NULL};
    for (size_t k = 0; k < NARRAYS; k++) {
        const mc_mcx_array *a = &arrays[k];
        s[5 + k] = (wsec){a->id, a->elem, a->count(m), *mc__mcx_member((mc_index *)idx, a), a};
    }
}

/* Header, table and sections; the header last, once the checksum is known. */
static int write_image(FILE *f, const wsec *s, size_t n)
{
    writer *w = mc__calloc(1, sizeof(*w));
    XXH64_state_t *xx = XXH64_createState();
    if (!w || !xx) {
        mc__free(w);
        XXH64_freeState(xx);
        return MC_ENOMEM;
    }
    w->f = f;
    w->xx = xx;
    XXH64_reset(xx, 0);
    uint64_t end = align_up(MC_MCX_HEADER_SIZE + (uint64_t)n * MC_MCX_ENTRY_SIZE);
    for (size_t k = 0; k < n; k++) {
        end = align_up(end + s[k].count * s[k].elem);
    }
    /* the header with a zero checksum, which is filled in at the end */
    mc_mcx_header h;
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, MC_MCX_MAGIC, sizeof(h.magic));
    h.version = MC_MCX_VERSION;
    h.bom = MC_MCX_BOM;
    h.header_size = MC_MCX_HEADER_SIZE;
    h.nsections = (uint32_t)n;
    h.file_size = end;
    put(w, &h, sizeof(h));
    uint64_t off = align_up(MC_MCX_HEADER_SIZE + (uint64_t)n * MC_MCX_ENTRY_SIZE);
    for (size_t k = 0; k < n; k++) {
        uint32_t flags = s[k].id >= MC_MCX_NEAR_META ? 0 : MC_MCX_REQUIRED;
        mc_mcx_entry e = {s[k].id, flags, off, s[k].count * s[k].elem, s[k].elem, 0};
        put(w, &e, sizeof(e));
        off = align_up(off + e.size);
    }
    for (size_t k = 0; k < n; k++) {
        pad(w);
        put_array(w, &s[k]);
    }
    pad(w);
    h.checksum = XXH64_digest(xx);
    int rc = w->rc;
    if (rc == 0 && (w->pos != end || fseek(f, 0, SEEK_SET) != 0)) {
        rc = MC_EIO;
    }
    if (rc == 0) {
        rc = mc__wfile_write(f, &h, sizeof(h));
    }
    XXH64_freeState(xx);
    mc__free(w);
    return rc;
}

static void sync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    } else {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Write the image to a temporary file next to `path`, then rename it. */
static int write_atomic(const char *path, const wsec *s, size_t n, char *err, size_t errlen)
{
    char tmp[4096 + 32];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
        return mc__mcx_fail(err, errlen, MC_EIO, "%s: path too long", path);
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        return mc__mcx_fail(err, errlen, MC_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    }
    int rc = write_image(f, s, n);
    int e = errno;
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
        rc = MC_EIO;
        e = errno;
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = MC_EIO;
        e = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = MC_EIO;
        e = errno;
    }
    if (rc < 0) {
        unlink(tmp);
        return rc == MC_EIO
                   ? mc__mcx_fail(err, errlen, rc, "%s: cannot write: %s", path, strerror(e))
                   : mc__mcx_fail(err, errlen, rc, "%s: %s", path, mc_strerror(rc));
    }
    sync_dir_of(path);
    return 0;
}

int mc__index_file_write(const mc_index *idx, const mc_bench *bench, const char *fields,
                         const char *path, char *err, size_t errlen)
{
    benchsec bs;
    memset(&bs, 0, sizeof(bs));
    mc__buf_init(&bs.strings, (size_t)UINT32_MAX - 1); /* references are 32-bit */
    mc_mcx_meta m;
    mc_mcx_near_meta nm;
    mc_near *nx = NULL;
    wsec s[NSECTIONS + NNEAR];
    uint32_t fields_ref = MC_MCX_NONE, unicode_ref = MC_MCX_NONE;
    int rc = bench_sections(&bs, bench, idx->nitems);
    if (rc == 0) {
        rc = put_str(&bs.strings, fields, &fields_ref);
    }
    if (rc == 0) {
        rc = put_str(&bs.strings, mc_unicode_version(), &unicode_ref);
    }
    if (rc < 0) {
        bench_sections_finish(&bs);
        return rc == MC_EINVAL ? mc__mcx_fail(err, errlen, rc,
                                              "%s: the benchmark set does not match "
                                              "the index",
                                              path)
                               : mc__mcx_fail(err, errlen, rc, "%s: %s", path, mc_strerror(rc));
    }
    meta_from(&m, idx, &bs);
    m.fields = fields_ref;
    m.unicode = unicode_ref;
    rc = mc__mcx_kat(m.norm, &m.hash_kat, &m.norm_kat);
    if (rc < 0) {
        bench_sections_finish(&bs);
        return mc__mcx_fail(err, errlen, rc, "%s: %s", path, mc_strerror(rc));
    }
    /* the near-duplicate detector, for the presets whose scans can run
     * the near pass, at the default threshold (a scan at another one
     * builds its own) */
    if (idx->preset == MC_PRESET_MEDCHECK || idx->preset == MC_PRESET_GPT3) {
        rc = mc__scan_build_near(idx, bench, MC_MCX_NEAR_THRESHOLD, &nx);
        if (rc < 0) {
            bench_sections_finish(&bs);
            return mc__mcx_fail(err, errlen, rc, "%s: cannot build the near-duplicate index: %s",
                                path, mc_strerror(rc));
        }
    }
    plan(s, &m, &bs, idx);
    size_t n = NSECTIONS;
    if (nx) {
        near_meta_from(&nm, nx);
        plan_near(s + n, &nm, nx);
        n += NNEAR;
    }
    rc = write_atomic(path, s, n, err, errlen);
    mc__near_destroy(&nx);
    bench_sections_finish(&bs);
    return rc;
}
