/* SPDX-License-Identifier: MIT */
/* What the index file loader checks before a scan may touch the arrays:
 * every index stored in them is in range, every hash table lookup ends,
 * and every assumption the matcher and the verdict code make about a
 * built index holds (the rules are listed in docs/index-format.md). The
 * checksum catches accidents; these checks make a crafted file safe. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <medcheck/normalize.h>

#include "fp/hash.h"
#include "norm/tokens.h"
#include "index/index_file.h"
#include "index/index_file_int.h"

static int bad(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return MC_EFORMAT;
}

int mc__mcx_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* A string reference: NONE, or an offset inside STRINGS (which ends with
 * a NUL, so every such offset starts a terminated string). */
/* Words of several scripts, cases, accents, ligatures, digits and
 * punctuation: what the normalisers must keep splitting the same way. */
static const char kat_text[] =
    "A 45-year-old MAN's caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve \xce\xa9mega 2.5mg/dL, "
    "\xef\xac\x81le (\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e) \xd0\x9c\xd0\xbe\xd1\x81"
    "\xd0\xba\xd0\xb2\xd0\xb0; STRASSE stra\xc3\x9f"
    "e \xef\xbc\xa1\xef\xbc\xa2 x\xcc\x81y";

int mc__mcx_kat(uint32_t norm, uint64_t *hash_kat, uint64_t *norm_kat)
{
    uint64_t h[3] = {mc__hash_word("medcheck", 8), mc__hash_word("index", 5),
                     mc__hash_word("file", 4)};
    uint64_t kat[3] = {h[0], mc__hash_ngram(h, 1, 3), mc__hash_pow(7)};
    *hash_kat = XXH64(kat, sizeof(kat), 0);
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    int rc = mc__norm_tokenize((mc_norm_kind)norm, kat_text, sizeof(kat_text) - 1, &tv);
    XXH64_state_t *st = rc == 0 ? XXH64_createState() : NULL;
    if (st) {
        XXH64_reset(st, 0);
        for (size_t t = 0; t < tv.n; t++) {
            uint64_t rec[2] = {tv.tok[t].hash, tv.tok[t].nlen};
            XXH64_update(st, rec, sizeof(rec));
            XXH64_update(st, tv.norm + tv.tok[t].noff, tv.tok[t].nlen);
        }
        *norm_kat = XXH64_digest(st);
        XXH64_freeState(st);
    }
    mc__tokvec_finish(&tv);
    return rc < 0 ? rc : st ? 0 : MC_ENOMEM;
}

static int ref_ok(uint32_t ref, uint64_t nstr, int may_be_none)
{
    return ref == MC_MCX_NONE ? may_be_none : ref < nstr;
}

static int is_pow2_mask(uint64_t mask)
{
    return (mask & (mask + 1)) == 0;
}

int mc__mcx_check_meta(const mc_mcx_meta *m, uint64_t nstr, const char *strings, char *err,
                       size_t errlen)
{
    if (nstr && strings[nstr - 1] != '\0') {
        return bad(err, errlen, "section strings: does not end with a NUL byte");
    }
    if (!ref_ok(m->unicode, nstr, 0) || !ref_ok(m->fields, nstr, 1)) {
        return bad(err, errlen, "section meta: string reference out of range");
    }
    if (m->norm_version != MC_NORM_VERSION || strcmp(strings + m->unicode, mc_unicode_version())) {
        snprintf(err, errlen,
                 "built with normalisation %u / Unicode %.20s; this medcheck has "
                 "%d / %s: rebuild it with medcheck index",
                 m->norm_version, strings + m->unicode, MC_NORM_VERSION, mc_unicode_version());
        return MC_EVERSION;
    }
    mc_norm_kind want = m->preset == MC_PRESET_GPT3 ? MC_NORM_GPT3 : MC_NORM_MEDCHECK;
    if (m->preset > MC_PRESET_LLAMA2 || m->norm != (uint32_t)want || m->n < 2 || m->n > 64 ||
        m->template_items < 1 || m->nitems > UINT32_MAX / 8) {
        return bad(err, errlen,
                   "section meta: bad parameters (preset %u, normaliser %u, n-gram %u, "
                   "template items %u, %u items)",
                   m->preset, m->norm, m->n, m->template_items, m->nitems);
    }
    uint64_t hash_kat = 0, norm_kat = 0;
    int rc = mc__mcx_kat(m->norm, &hash_kat, &norm_kat);
    if (rc < 0) {
        return rc == MC_ENOMEM ? rc : bad(err, errlen, "section meta: normaliser %u", m->norm);
    }
    if (m->word_seed != MC_HASH_WORD_SEED || m->poly != MC_HASH_POLY || m->hash_kat != hash_kat) {
        snprintf(err, errlen, "built with other hash functions: rebuild it with medcheck index");
        return MC_EVERSION;
    }
    if (m->norm_kat != norm_kat) {
        snprintf(err, errlen,
                 "built with a normaliser that splits words differently from this "
                 "medcheck's: rebuild it with medcheck index");
        return MC_EVERSION;
    }
    if (m->nlengths > 16) {
        return bad(err, errlen, "section meta: %u key lengths (at most 16)", m->nlengths);
    }
    for (uint32_t k = 0; k < m->nlengths; k++) {
        if (m->lengths[k] < 1 || m->lengths[k] > 65536) {
            return bad(err, errlen, "section meta: key length %u", m->lengths[k]);
        }
    }
    /* table sizes: a power of two each, filters as index.c sizes them */
    if (m->slot_mask < 1 || !is_pow2_mask(m->slot_mask) || m->filter_shift < 8 ||
        m->filter_shift > 63) {
        return bad(err, errlen, "section meta: bad key table (mask %llx, filter shift %u)",
                   (unsigned long long)m->slot_mask, m->filter_shift);
    }
    if (m->nanchors &&
        (m->anc_mask < 1 || !is_pow2_mask(m->anc_mask) || m->anc_shift < 8 || m->anc_shift > 63)) {
        return bad(err, errlen, "section meta: bad anchor table (mask %llx, filter shift %u)",
                   (unsigned long long)m->anc_mask, m->anc_shift);
    }
    return 0;
}

static int check_item(const mc_mcx_item *x, uint32_t pos, const mc_mcx_option *opts, uint32_t nopt,
                      uint64_t nstr, char *err, size_t errlen)
{
    if (x->index != pos || !ref_ok(x->question, nstr, 0) || !ref_ok(x->id, nstr, 1) ||
        !ref_ok(x->split, nstr, 1) || !ref_ok(x->answer, nstr, 1) || !ref_ok(x->passage, nstr, 1) ||
        !ref_ok(x->subject, nstr, 1) || !ref_ok(x->error, nstr, 1) || x->malformed > 1 ||
        (x->malformed != 0) != (x->error != MC_MCX_NONE)) {
        return 0;
    }
    /* the loader copies options through a 64-entry array; readers keep 32 */
    if (x->n_options > 64 || x->opt0 > nopt || x->n_options > nopt - x->opt0 ||
        x->answer_index < -1 || x->answer_index >= (int32_t)x->n_options) {
        return 0;
    }
    for (uint32_t o = 0; o < x->n_options; o++) {
        const mc_mcx_option *op = &opts[x->opt0 + o];
        if (!ref_ok(op->text, nstr, 0) || !ref_ok(op->label, nstr, 0)) {
            return 0;
        }
    }
    (void)err;
    (void)errlen;
    return 1;
}

static int hex64(const char *s)
{
    for (int k = 0; k < 64; k++) {
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

int mc__mcx_check_bench(const mc_mcx_meta *m, const unsigned char *const *p, const uint64_t *size,
                        char *err, size_t errlen)
{
    const mc_mcx_file *files = (const mc_mcx_file *)p[MC_MCX_FILES];
    const mc_mcx_item *items = (const mc_mcx_item *)p[MC_MCX_ITEMS];
    const mc_mcx_option *opts = (const mc_mcx_option *)p[MC_MCX_OPTIONS];
    uint64_t nstr = size[MC_MCX_STRINGS];
    if (size[MC_MCX_FILES] / sizeof(*files) != m->nfiles ||
        size[MC_MCX_ITEMS] / sizeof(*items) != m->nitems ||
        size[MC_MCX_OPTIONS] / sizeof(*opts) != m->noptions) {
        return bad(err, errlen,
                   "sections files, items, options: sizes differ from meta "
                   "(%u files, %u items, %u options)",
                   m->nfiles, m->nitems, m->noptions);
    }
    uint64_t at = 0;
    for (uint32_t k = 0; k < m->nfiles; k++) {
        const mc_mcx_file *f = &files[k];
        if (!ref_ok(f->source, nstr, 0) || f->format < 1 || f->format > MC_FMT_CSV ||
            !hex64(f->sha256) || f->malformed > f->items || f->items > m->nitems - at) {
            return bad(err, errlen, "section files: file %u is inconsistent", k);
        }
        uint32_t malformed = 0;
        for (uint32_t i = 0; i < f->items; i++) {
            const mc_mcx_item *x = &items[at + i];
            if (!check_item(x, i, opts, m->noptions, nstr, err, errlen)) {
                return bad(err, errlen,
                           "section items: item %llu (%u of file %u) is "
                           "inconsistent",
                           (unsigned long long)(at + i), i, k);
            }
            malformed += x->malformed;
        }
        if (malformed != f->malformed) {
            return bad(err, errlen,
                       "section files: file %u counts %u malformed items, its items "
                       "%u",
                       k, f->malformed, malformed);
        }
        at += f->items;
    }
    if (at != m->nitems) {
        return bad(err, errlen, "section files: %llu items in files, %u in the index",
                   (unsigned long long)at, m->nitems);
    }
    return 0;
}

static int check_tokens(const mc_index *idx, char *err, size_t errlen)
{
    const mc_tokvec *tv = &idx->tv;
    for (size_t t = 0; t < tv->n; t++) {
        const mc_token *tk = &tv->tok[t];
        if (tk->noff > tv->norm_len || tk->nlen > tv->norm_len - tk->noff) {
            return bad(err, errlen, "section tokens: token %zu: bytes %u+%u out of range (%zu)", t,
                       tk->noff, tk->nlen, tv->norm_len);
        }
    }
    return 0;
}

/* One sequence: its tokens, its item, and for keyed ones its n-gram keys
 * (the matcher confirms keys word by word; the verdict code reads one
 * seq_keys entry per n-gram start of a span). */
static int check_seq(const mc_index *idx, uint32_t s, uint32_t prev_item, char *err, size_t errlen)
{
    const mc_seq *sq = &idx->seqs[s];
    if (sq->item >= idx->nitems || sq->item < prev_item || sq->comp >= MC_NCOMP || sq->keyed > 1 ||
        sq->whole_key > 1 || sq->tok0 > idx->tv.n || sq->ntok > idx->tv.n - sq->tok0) {
        return bad(err, errlen,
                   "section seqs: sequence %u: item, component or tokens out of "
                   "range",
                   s);
    }
    if (sq->whole_key && (!sq->keyed || idx->preset != MC_PRESET_MEDCHECK)) {
        return bad(err, errlen,
                   "section seqs: sequence %u: a whole key that is not keyed, or "
                   "under preset %s",
                   s, mc_preset_name(idx->preset));
    }
    if (sq->keyed && sq->ntok == 0) {
        return bad(err, errlen, "section seqs: sequence %u: keyed but empty", s);
    }
    if (sq->keyed && !sq->whole_key &&
        (sq->ntok < idx->n || sq->key0 > idx->nseq_keys ||
         sq->ntok - idx->n + 1 > idx->nseq_keys - sq->key0)) {
        return bad(err, errlen, "section seqs: sequence %u: keys %u+%u out of range (%u)", s,
                   sq->key0, sq->ntok >= idx->n ? sq->ntok - idx->n + 1 : 0, idx->nseq_keys);
    }
    return 0;
}

static int seq_of_item(const mc_index *idx, int32_t s, uint32_t item)
{
    return s == -1 || (s >= 0 && (uint32_t)s < idx->nseqs && idx->seqs[s].item == item);
}

static int check_items(const mc_index *idx, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < idx->nitems; i++) {
        const mc_iitem *ii = &idx->items[i];
        for (int c = 0; c < MC_NCOMP; c++) {
            if (!seq_of_item(idx, ii->seq[c], i)) {
                return bad(err, errlen, "section iitems: item %u: %s sequence %d out of range", i,
                           mc__comp_names[c], ii->seq[c]);
            }
        }
        if (ii->opt0 > idx->nseqs || ii->nopt > idx->nseqs - ii->opt0 || ii->judged > 1 ||
            ii->short_q > 1) {
            return bad(err, errlen, "section iitems: item %u: options %u+%u out of range (%u)", i,
                       ii->opt0, ii->nopt, idx->nseqs);
        }
        /* seqs are in item order, so the ranges of distinct items are
         * disjoint and this loop is linear overall */
        for (uint32_t o = 0; o < ii->nopt; o++) {
            if (idx->seqs[ii->opt0 + o].item != i) {
                return bad(err, errlen, "section iitems: item %u: option %u is another item's", i,
                           o);
            }
        }
    }
    return 0;
}

/* Longest run of occupied slots a lookup may have to walk; at the load
 * the build uses (at most 2/3) a run of this length is beyond belief. */
#define MAX_RUN 4096

/* Slots: postings in range; an empty slot, and no run of occupied slots
 * longer than MAX_RUN, so that every probe stops soon; then every key is
 * looked up as a scan would (mc__slot_find, and the filter in front of
 * it) and must be found in its own slot. That last part also refuses a
 * file written by a build that places keys or sets filter bits another
 * way. */
static int check_slots(const mc_keyslot *slots, uint64_t mask, const uint64_t *filter,
                       uint32_t shift, uint64_t nposts, const char *what, char *err, size_t errlen)
{
    uint64_t run = 0, longest = 0, first_empty = UINT64_MAX;
    for (uint64_t k = 0; k <= mask; k++) {
        const mc_keyslot *s = &slots[k];
        if (s->post0 > nposts || s->npost > nposts - s->post0) {
            return bad(err, errlen, "section %s: slot %llu: postings %u+%u out of range (%llu)",
                       what, (unsigned long long)k, s->post0, s->npost, (unsigned long long)nposts);
        }
        run = s->hash ? run + 1 : 0;
        longest = run > longest ? run : longest;
        first_empty = !s->hash && first_empty == UINT64_MAX ? k : first_empty;
    }
    if (first_empty == UINT64_MAX || longest + first_empty > MAX_RUN) {
        return bad(err, errlen, "section %s: %s", what,
                   first_empty == UINT64_MAX ? "no empty slot"
                                             : "a run of occupied slots is "
                                               "too long");
    }
    for (uint64_t k = 0; k <= mask; k++) {
        uint64_t h = slots[k].hash;
        if (h &&
            (!mc__filter_test(filter, shift, h) || mc__slot_find(slots, mask, h) != &slots[k])) {
            return bad(err, errlen,
                       "section %s: the key in slot %llu is not found where this "
                       "medcheck looks for it: rebuild the index",
                       what, (unsigned long long)k);
        }
    }
    return 0;
}

static int is_length(const mc_index *idx, uint32_t len)
{
    for (uint32_t k = 0; k < idx->nlengths; k++) {
        if (idx->lengths[k] == len) {
            return 1;
        }
    }
    return 0;
}

/* A posting of the key table: a keyed sequence, and when the matcher can
 * try it (its key length is one of the index's), an n-gram inside it. */
static int posting_ok(const mc_index *idx, const mc_posting *p)
{
    if (p->seq >= idx->nseqs || !idx->seqs[p->seq].keyed) {
        return 0;
    }
    const mc_seq *sq = &idx->seqs[p->seq];
    uint32_t plen = sq->whole_key ? sq->ntok : idx->n;
    return !is_length(idx, plen) || (plen <= sq->ntok && p->pos <= sq->ntok - plen);
}

static int check_tables(const mc_index *idx, uint64_t nposts, char *err, size_t errlen)
{
    uint64_t nslots = idx->slot_mask + 1;
    for (uint32_t k = 0; k < idx->nseq_keys; k++) {
        if (idx->seq_keys[k] >= nslots) {
            return bad(err, errlen, "section seq_keys: entry %u: slot %u out of range", k,
                       idx->seq_keys[k]);
        }
    }
    int rc = check_slots(idx->slots, idx->slot_mask, idx->filter, idx->filter_shift, nposts,
                         "slots", err, errlen);
    for (uint64_t k = 0; rc == 0 && k < nposts; k++) {
        if (!posting_ok(idx, &idx->posts[k])) {
            rc =
                bad(err, errlen, "section posts: posting %llu out of range", (unsigned long long)k);
        }
    }
    if (rc < 0 || idx->nanchors == 0) {
        return rc;
    }
    rc = check_slots(idx->anc_slots, idx->anc_mask, idx->anc_filter, idx->anc_shift, idx->nanchors,
                     "anc_slots", err, errlen);
    for (uint32_t k = 0; rc == 0 && k < idx->nanchors; k++) {
        const mc_posting *p = &idx->anc_posts[k];
        if (p->seq >= idx->nseqs || !idx->seqs[p->seq].keyed || !idx->seqs[p->seq].whole_key) {
            rc = bad(err, errlen, "section anc_posts: posting %u out of range", k);
        }
    }
    return rc;
}

int mc__mcx_check_index(const mc_index *idx, uint64_t nposts, char *err, size_t errlen)
{
    int rc = check_tokens(idx, err, errlen);
    uint32_t prev = 0;
    for (uint32_t s = 0; rc == 0 && s < idx->nseqs; s++) {
        rc = check_seq(idx, s, prev, err, errlen);
        prev = idx->seqs[s].item;
    }
    if (rc == 0) {
        rc = check_items(idx, err, errlen);
    }
    if (rc == 0) {
        rc = check_tables(idx, nposts, err, errlen);
    }
    return rc;
}
