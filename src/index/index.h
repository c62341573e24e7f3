/* SPDX-License-Identifier: MIT */
/* The exact n-gram index of a benchmark: every item's parts as token
 * sequences, and a table from n-gram keys to the places they occur.
 * Built once, then read-only: it may be shared by any number of scanning
 * threads, and must outlive them. */
#ifndef MC_INDEX_INDEX_H
#define MC_INDEX_INDEX_H

#include <stdint.h>

#include <medcheck/bench.h>
#include <medcheck/scan.h>

#include "norm/tokens.h"
#include "util/bits.h"

/* Components of an item, in evidence order. */
enum {
    MC_C_QUESTION = 0,
    MC_C_OPTIONS = 1,
    MC_C_ANSWER = 2,
    MC_C_PASSAGE = 3,
    MC_NCOMP = 4,
};
extern const char *const mc__comp_names[MC_NCOMP];

/* A token sequence of one item part. Keyed sequences are in the table; the
 * others (options, short answers) are searched near a question match. */
typedef struct mc_seq {
    uint32_t item;
    uint8_t comp;      /* MC_C_*; palm/llama2 "prompt" sequences use QUESTION */
    uint8_t keyed;     /* its n-grams are in the table */
    uint8_t whole_key; /* shorter than n: the whole sequence is one key */
    uint32_t tok0;     /* first token in idx->tv */
    uint32_t ntok;
    uint32_t key0;     /* first entry in idx->seq_keys (one per n-gram start) */
} mc_seq;

/* Per item: which sequences hold its parts (-1: none). */
typedef struct mc_iitem {
    int32_t seq[MC_NCOMP]; /* QUESTION (or prompt), ANSWER, PASSAGE; OPTIONS unused */
    uint32_t opt0;         /* option sequences: opt0 .. opt0+nopt-1 */
    uint32_t nopt;
    int32_t answer_opt;    /* index of the correct option, or -1 */
    uint32_t opt_tokens;   /* total tokens of all options */
    uint32_t q_tokens;     /* tokens of the stem */
    uint32_t distinct[MC_NCOMP]; /* medcheck: words inside non-template n-grams */
    uint8_t judged;
    uint8_t short_q;       /* medcheck: stem shorter than n, or made only of template
                            * n-grams: matched whole, with its options */
    char answer_label;     /* lower-case letter of the correct option, or 0 */
} mc_iitem;

typedef struct mc_posting {
    uint32_t seq;
    uint32_t pos;
} mc_posting;

#define MC_KEY_TEMPLATE 1u /* shared by many distinct item texts */

typedef struct mc_keyslot {
    uint64_t hash; /* 0 marks an empty slot (real keys never hash to 0) */
    uint32_t post0;
    uint32_t npost;
} mc_keyslot;

typedef struct mc_index {
    mc_preset preset;
    mc_norm_kind norm;
    uint32_t n;
    uint32_t template_items;
    mc_tokvec tv;        /* tokens of every sequence, back to back */
    mc_seq *seqs;
    uint32_t nseqs;
    mc_iitem *items;
    uint32_t nitems;
    uint32_t *seq_keys;  /* key slot of the n-gram starting at each position */
    uint32_t nseq_keys;
    mc_keyslot *slots;
    uint8_t *slot_flags; /* MC_KEY_* per slot */
    uint64_t slot_mask;
    mc_posting *posts;
    uint32_t nkeys;
    uint32_t ntemplates;
    uint64_t *filter;    /* blocked Bloom prefilter: two bits in one word a key */
    uint32_t filter_shift;
    /* Short stems (whole keys) are found through an anchor: their rarest
     * word, looked up once per document word in a small table. */
    mc_keyslot *anc_slots;
    uint64_t anc_mask;
    mc_posting *anc_posts; /* pos = the anchor word's place in the stem */
    uint32_t nanchors;
    uint64_t *anc_filter;
    uint32_t anc_shift;
    uint32_t lengths[16]; /* distinct key lengths, longest first */
    uint32_t nlengths;
    uint64_t fingerprint; /* of the index contents (tokens and parameters) */
    int borrowed; /* the arrays belong to an index file (index/index_file.c):
                   * mc__index_destroy() frees only this struct */
} mc_index;

/* Build the index of `bench` under a preset. n and template_items must
 * already hold the preset's effective values. Returns 0 and sets *out;
 * MC_ENOMEM; MC_ELIMIT for a benchmark too large for 32-bit offsets. */
int mc__index_build(mc_index **out, const mc_bench *bench, mc_preset preset, uint32_t n,
                    uint32_t template_items);
void mc__index_destroy(mc_index **idx);

/* Is the key in this slot a template of the benchmark? */
static inline int mc__slot_template(const mc_index *idx, uint32_t slot)
{
    return (idx->slot_flags[slot] & MC_KEY_TEMPLATE) != 0;
}

/* The two bits of a key in its filter word. */
static inline uint64_t mc__filter_bits(uint64_t key)
{
    return (UINT64_C(1) << (key & 63)) | (UINT64_C(1) << ((key >> 6) & 63));
}

/* May the key be in the table? (Never false for a key that is.) */
static inline int mc__filter_test(const uint64_t *filter, uint32_t shift, uint64_t key)
{
    uint64_t b = mc__filter_bits(key);
    return (filter[key >> shift] & b) == b;
}

/* The first slot probed for a key in a table of mask + 1 (a power of two,
 * at least 2) slots: the key's top bits, so that keys inserted in sorted
 * order (as the build does) fill the table front to back. */
static inline uint64_t mc__slot_home(uint64_t key, uint64_t mask)
{
    return key >> (64 - mc__ctz64(mask + 1));
}

static inline const mc_keyslot *mc__slot_find(const mc_keyslot *slots, uint64_t mask,
                                              uint64_t key)
{
    for (uint64_t i = mc__slot_home(key, mask);; i = (i + 1) & mask) {
        const mc_keyslot *s = &slots[i];
        if (s->hash == key) {
            return s;
        }
        if (s->hash == 0) {
            return NULL;
        }
    }
}

/* Look an n-gram key up; returns the slot or NULL. */
static inline const mc_keyslot *mc__index_find(const mc_index *idx, uint64_t key)
{
    if (!mc__filter_test(idx->filter, idx->filter_shift, key)) {
        return NULL;
    }
    return mc__slot_find(idx->slots, idx->slot_mask, key);
}

/* Look up the short stems anchored on a word hash; the slot or NULL. */
static inline const mc_keyslot *mc__index_find_anchor(const mc_index *idx, uint64_t word)
{
    if (!idx->nanchors || !mc__filter_test(idx->anc_filter, idx->anc_shift, word)) {
        return NULL;
    }
    return mc__slot_find(idx->anc_slots, idx->anc_mask, word);
}

#endif /* MC_INDEX_INDEX_H */
