/* SPDX-License-Identifier: MIT */
/* Near-duplicate detection: MinHash signatures of benchmark item parts over
 * word shingles, LSH banding for candidates, and an exact containment check
 * of every candidate against windows of a corpus document. */
#ifndef MC_NEAR_NEAR_H
#define MC_NEAR_NEAR_H

#include <stddef.h>
#include <stdint.h>

#include "fp/hash.h"
#include "norm/tokens.h"

/*
 * What is measured
 * ----------------
 * An entry is one part of one benchmark item, given as one or more runs of
 * word hashes; the caller decides which parts. The intended ones: the stem
 * (one run), the stem with its options (the stem's run, then one run per
 * option) and the passage (one run). Its shingles are the keys of every k
 * consecutive words inside each run, never across runs: shuffled or
 * relettered options cost nothing, and a run shorter than k words (a
 * one-word option) gives no shingle. A shingle in `template_items` or more
 * distinct items of one group (one benchmark file) is a template ("which of
 * the following is", "year old man") and is dropped; the rest are the
 * entry's distinctive shingles, S.
 *
 * The score of an entry against a window W of a document is the containment
 * |S ∩ shingles(W)| / |S|, computed exactly on 64-bit shingle keys for every
 * candidate (never estimated); a hit needs need = ceil(threshold * |S|)
 * matches. Containment, not Jaccard, because an item is short and a page is
 * long; distinctive shingles only, because two different vignettes share
 * their templates.
 *
 * Entries that are not indexed (entry.status, counted in nx->nstatus) never
 * produce hits; the caller judges them by other means (the exact pass):
 * fewer than `min_shingles` shingles at all (MC_NEAR_SHORT: a stem of fewer
 * than min_shingles + k - 1 words, e.g. most MedMCQA stems alone, whose
 * stem-with-options entry usually is indexed), fewer than `min_shingles`
 * distinctive ones (MC_NEAR_TEMPLATE: an item made of boilerplate), or more
 * than MC_NEAR_BLOCK << MC_NEAR_MAX_CLASS tokens (MC_NEAR_LONG).
 *
 * How candidates are found
 * ------------------------
 * MinHash: permutation i maps a shingle key x to
 *     v_i(x) = ((a_i * x + b_i) mod 2^64) >> 32     (a_i odd)
 * (multiply-add-shift: x is already a well-mixed 64-bit hash, so one
 * multiplication per permutation suffices; test_near_real checks on 1,534
 * real pairs that the estimate is unbiased with the binomial spread). A set's
 * signature holds the minimum of each v_i over the set. a_i, b_i and the
 * band seed come from splitmix64 seeded with `seed`: fixed, so signatures,
 * band keys and index files are reproducible. One-permutation hashing was
 * not used: most entries have fewer distinctive shingles (a median of 10 to
 * 100) than a signature has slots, so OPH's densified slots would be copies
 * of a few values, and its saving does not matter here because only the
 * 2-3% of web-text positions that pass the filter below pay for a
 * signature update.
 *
 * Windows: the document's shingle positions are cut into blocks of
 * MC_NEAR_BLOCK << c positions (level c). A window of class c is the union
 * of two consecutive level-c blocks (2 * MC_NEAR_BLOCK << c positions,
 * starting at every multiple of MC_NEAR_BLOCK << c: 50% overlap), and an
 * entry of n tokens belongs to the smallest class with n <= MC_NEAR_BLOCK
 * << c, so an entry copied as one run lies wholly inside a window of its
 * class at most four times its size. Block signatures are merged pairwise
 * up the levels: a window costs one element-wise minimum.
 *
 * Only document shingles that pass two Bloom filters enter the windows: one
 * of all indexed distinctive shingles, one of the pairs (shingle, class of
 * an entry that has it). A shingle no entry has can never be the minimum
 * that a band of an entry has to match, so dropping it loses nothing, and
 * the window's Jaccard with an entry becomes |S ∩ W| / |S ∪ (W ∩ F)| (F:
 * the indexed shingles), near the containment, because other entries'
 * distinctive shingles are rare in any text: 2.4% of the positions of
 * Common Crawl pages, 13% of medical prose (MedMCQA explanations, MedBullets
 * answers, BioASQ snippets) against the 8,250 items of MedQA, MedMCQA dev,
 * PubMedQA and nine MMLU medical subjects.
 *
 * LSH: the signature is cut into `bands` bands of `rows` values; a band key
 * hashes (band number, class, the rows' values). A window of class c is
 * looked up only when it holds at least class_need[c] positions whose
 * shingle an entry of class c has (class_need[c] is the smallest need in
 * the class, so no hit is ever skipped): in medical prose 9% of the
 * windows are looked up (46% if all filtered positions counted). Every
 * entry found under one of the window's band keys is confirmed by the
 * exact containment above, on the window's filtered shingles that the scan
 * kept.
 *
 * Defaults, measured with tests/unit/bench_near on the real data above:
 * - k = 3 words: 2-word shingles pass 15% of web-text positions (noise and
 *   work), 4-word ones lose more to each changed word.
 * - 32 permutations in 16 bands of 2 rows: with items planted in 50 KB
 *   Common Crawl pages in nine near forms, every case whose form keeps the
 *   threshold's containment (4,335 of 4,514) was reported, and on medical
 *   prose it reports the same hits as an exhaustive 32 bands of 1 row; 10
 *   bands of 3 rows lost 6% of those.
 * - threshold 0.7: item pairs of the same benchmark at 0.7 or more are
 *   rewordings of one question (inspected samples); from 0.5 to 0.7 they
 *   mix rewordings and different short questions on one phrase ("Which of
 *   these factors increases the risk for cancer of the oesophagus /
 *   stomach?"). Recall by form at 0.6 / 0.7 / 0.8: three words changed
 *   0.97 / 0.89 / 0.77, first sentence cut 0.84 / 0.74 / 0.62, numbers
 *   reformatted 0.99 / 0.94 / 0.85, verbatim and shuffled options 1.0.
 *   No hit in the 717 clean Common Crawl records of dolma_tests (those of
 *   corpora/sample among them); the hits in medical prose are items that
 *   their own MedMCQA explanations restate.
 * - template_items 8 and min_shingles 6: at 0.7, a distinctive shingle set
 *   of 6 needs 5 matches; smaller sets match by chance.
 */

/* Positions in a level-0 block; windows of class c span 2 * 16 << c. */
#define MC_NEAR_BLOCK 16u
/* Window classes 0 .. MC_NEAR_MAX_CLASS: windows of 32 .. 262144
 * positions, entries of up to MC_NEAR_BLOCK << MC_NEAR_MAX_CLASS (131072)
 * tokens. */
#define MC_NEAR_MAX_CLASS 13u
/* Most bands a signature may be cut into. */
#define MC_NEAR_MAX_BANDS 256u
/* Master seed of the permutations and band keys ("mcnear01"). Part of the
 * index format: changing it changes every signature. */
#define MC_NEAR_SEED UINT64_C(0x6d636e6561723031)
/* Stride of mc_token's hash field, in uint64_t units. */
#define MC_NEAR_TOKEN_STRIDE (sizeof(mc_token) / sizeof(uint64_t))

/* Entry status. */
enum {
    MC_NEAR_OK = 0,       /* indexed */
    MC_NEAR_SHORT = 1,    /* fewer than min_shingles shingles */
    MC_NEAR_TEMPLATE = 2, /* fewer than min_shingles distinctive shingles */
    MC_NEAR_LONG = 3,     /* more tokens than the largest window class holds */
};

/* Parameters; fill with mc__near_params_default() and adjust. Copied into
 * the built detector; all of them are part of an index file. */
typedef struct mc_near_params {
    uint32_t shingle;        /* k: words per shingle, 1..16 (default 3) */
    uint32_t perms;          /* signature length, 1..1024 (default 32) */
    uint32_t bands;          /* LSH bands, 1..MC_NEAR_MAX_BANDS (default 16) */
    uint32_t rows;           /* values per band; bands * rows <= perms (default 2) */
    uint32_t min_shingles;   /* fewer distinctive shingles: not indexed (default 6) */
    uint32_t template_items; /* a shingle in this many distinct items of one
                              * group is a template; 0: keep every shingle
                              * (default 8) */
    double threshold;        /* containment for a hit, in (0, 1] (default 0.7) */
    uint64_t seed;           /* permutations and band keys (MC_NEAR_SEED) */
} mc_near_params;

void mc__near_params_default(mc_near_params *p);
/* 0 if the parameters are in range, else MC_EINVAL. */
int mc__near_params_check(const mc_near_params *p);

/* A run of words: word i has hash hash[i * stride]. Use stride 1 for a
 * plain array and MC_NEAR_TOKEN_STRIDE for &tok[0].hash of mc_token. */
typedef struct mc_near_part {
    const uint64_t *hash;
    size_t stride;
    uint32_t ntok;
} mc_near_part;

/* One entry to index: an item part made of one or more runs. */
typedef struct mc_near_input {
    uint32_t item;  /* caller's item number, reported back in hits */
    uint32_t comp;  /* caller's component code, reported back in hits */
    uint32_t group; /* benchmark file: templates are counted per group */
    uint32_t nparts;
    const mc_near_part *parts;
} mc_near_input;

/*
 * The built detector. Read-only after mc__near_build(): it may be shared by
 * any number of threads (each with its own scratch) and must outlive them.
 * What an index file must store is plain arrays of fixed-width integers
 * (write them little-endian, in this order) and nx->p:
 *
 *   entries[nentries]        mc_near_entry: 10 x uint32 each, input order
 *   shingles[nshingles]      uint64: entry e's distinctive shingle keys are
 *                            shingles[sh0 .. sh0 + nsh), ascending, distinct
 *   sigs[nentries * perms]   uint32: entry e's signature at e * perms
 *                            (all UINT32_MAX for entries not indexed)
 *   slots[slot_mask + 1]     mc_near_slot {uint64 key; uint32 post0, npost}:
 *                            open addressing on band keys, linear probing
 *                            from key & slot_mask; key 0 = empty; at most
 *                            half full
 *   posts[nposts]            uint32 entry numbers; a slot's entries are
 *                            posts[post0 .. post0 + npost), ascending
 *   filter[1 << (64 - filter_shift)]  uint64: blocked Bloom filter of every
 *                            indexed shingle (mc__near_filter_test)
 *   cfilter[1 << (64 - cfilter_shift)]  uint64: blocked Bloom filter of the
 *                            pairs (shingle, class of an entry that has it);
 *                            the word is chosen by the shingle alone, so one
 *                            load answers for every class (mc__near_class_bits)
 *   band_filter[1 << (64 - band_shift)]  uint64: the same for band keys, so
 *                            that few lookups of keys no entry has reach the
 *                            (larger, uncached) slot table
 *
 * The rest (nindexed, nstatus, max_nsh, max_class, class_mask, class_need,
 * perm_a, perm_b, band_seed) follows from those: a loader fills the arrays
 * and calls mc__near_validate(), which refuses inconsistent ones.
 */
typedef struct mc_near_entry {
    uint32_t item;
    uint32_t comp;
    uint32_t group;
    uint32_t status; /* MC_NEAR_* */
    uint32_t cls;    /* window class (indexed entries) */
    uint32_t ntok;   /* tokens of all its runs */
    uint32_t nall;   /* distinct shingles, templates included */
    uint32_t sh0;    /* first distinctive shingle in shingles[] */
    uint32_t nsh;    /* distinctive shingles (0 when not indexed) */
    uint32_t need;   /* matches for a hit: ceil(threshold * nsh) */
} mc_near_entry;

typedef struct mc_near_slot {
    uint64_t key;
    uint32_t post0;
    uint32_t npost;
} mc_near_slot;

typedef struct mc_near {
    mc_near_params p;
    mc_near_entry *entries;
    uint32_t nentries;
    uint32_t nshingles;
    uint64_t *shingles;
    uint32_t *sigs;
    mc_near_slot *slots;
    uint64_t slot_mask;
    uint32_t *posts;
    uint32_t nposts;
    uint32_t filter_shift;
    uint64_t *filter;
    uint64_t *cfilter;
    uint32_t cfilter_shift;
    uint32_t band_shift;
    uint64_t *band_filter;
    int borrowed; /* the arrays above belong to someone else (a mapped
                   * index file): mc__near_destroy leaves them */
    /* derived (mc__near_validate) */
    uint32_t nindexed;                          /* entries with status MC_NEAR_OK */
    uint32_t nstatus[4];                        /* entries by status */
    uint32_t max_nsh;                           /* largest nsh */
    uint32_t max_class;                         /* largest class of an indexed entry */
    uint32_t class_mask;                        /* bit c: class c has indexed entries */
    uint32_t class_need[MC_NEAR_MAX_CLASS + 1]; /* smallest need in the class
                                                 * (UINT32_MAX: none) */
    uint64_t *perm_a;                           /* permutation multipliers (odd) */
    uint64_t *perm_b;                           /* permutation addends */
    uint64_t band_seed;
} mc_near;

/* Build the detector of n entries. The word hashes are read during the call
 * only. Returns 0 and sets *out (free with mc__near_destroy); MC_EINVAL for
 * bad parameters (or in == NULL with n > 0); MC_ELIMIT past 2^32 - 1
 * entries, shingles or postings; MC_ENOMEM. On failure *out is unchanged and
 * nothing is leaked. n may be 0 (a detector that never reports a hit). */
int mc__near_build(mc_near **out, const mc_near_params *p, const mc_near_input *in, size_t n);

/* Check the stored arrays of a detector filled from an index file (a
 * mc_near from mc__calloc with p and the stored arrays set) and derive the
 * other fields. Returns 0; MC_EFORMAT when an array is missing or
 * inconsistent (an entry's shingles out of range or unsorted, a posting out
 * of range, a full slot table, ...), so that the scanner can trust them;
 * MC_ENOMEM. Signatures and filter contents are not recomputed: the file's
 * checksum covers them. */
int mc__near_validate(mc_near *nx);

/* Fill perm_a, perm_b and band_seed from p.seed (replacing them). 0 or
 * MC_ENOMEM. */
int mc__near_derive_perms(mc_near *nx);

/* Free a detector (its arrays unless borrowed); sets *nx to NULL.
 * NULL-safe. */
void mc__near_destroy(mc_near **nx);

/* A confirmed near-duplicate of one entry in one document: the best window
 * of the entry's class (most matches; the earliest among equals). t0 and
 * t1 index the document's words, so with a token vector the bytes are
 * tok[t0].start .. tok[t1 - 1].end. */
typedef struct mc_near_hit {
    uint32_t entry;   /* index into nx->entries (input order) */
    uint32_t item;    /* entries[entry].item */
    uint32_t comp;    /* entries[entry].comp */
    uint32_t matched; /* distinctive shingles of the entry in the window */
    uint32_t nsh;     /* distinctive shingles of the entry */
    uint32_t t0;      /* document tokens [t0, t1): from the first shingle */
    uint32_t t1;      /* of the window that matched to the end of the last
                       * one that added a match */
    double score;     /* matched / nsh: the real containment, not an estimate */
} mc_near_hit;

/* Counters of the work done, summed over the documents of a scratch. */
typedef struct mc_near_stats {
    uint64_t docs;
    uint64_t positions;  /* shingle positions */
    uint64_t passed;     /* positions that passed both filters */
    uint64_t windows;    /* windows formed (of classes that have entries) */
    uint64_t queried;    /* windows looked up in the LSH table */
    uint64_t candidates; /* (window, entry) pairs confirmed */
    uint64_t hits;       /* confirmations that reached the threshold */
} mc_near_stats;

/* What the scan knows of a block of positions besides its signature. */
typedef struct mc_near_block {
    uint32_t n;                           /* filtered positions */
    uint32_t start;                       /* first position */
    uint32_t ncls[MC_NEAR_MAX_CLASS + 1]; /* filtered positions whose shingle
                                           * an entry of class c has */
} mc_near_block;

/* Per-thread state, reused across documents: mc__near_doc allocates only
 * when a document has more hits or more filtered shingles than any before.
 * Storage is the caller's (init/finish). */
typedef struct mc_near_scratch {
    const mc_near *nx;
    uint32_t *sig;      /* per level two block signatures (block j in
                         * slot j & 1), then one for a window */
    mc_near_block *blk; /* per level and slot, as sig */
    uint64_t *nblocks;  /* per level: blocks completed in this document */
    uint32_t *stamp;    /* per entry: last window that listed it */
    uint32_t *hit_doc;  /* per entry: document of its hit in hit_idx */
    uint32_t *hit_idx;  /* per entry: index of its hit in hits */
    uint32_t *cand;     /* candidates of one window */
    uint64_t *bits;     /* confirmation: matched shingles of one entry */
    uint64_t *fkey;     /* the document's filtered shingles: keys ... */
    uint32_t *fpos;     /* ... and positions, ascending */
    size_t nf;
    size_t fkey_cap;
    size_t fpos_cap;
    mc_near_hit *hits;
    size_t nhits;
    size_t hits_cap;
    uint32_t window_id;
    uint32_t doc_id;
    const uint64_t *words; /* the document being scanned */
    size_t stride;
    mc_near_stats stats;
} mc_near_scratch;

/* Prepare a scratch for nx (which must outlive it). 0 or MC_ENOMEM (then s
 * holds nothing to free, but mc__near_scratch_finish is still safe). */
int mc__near_scratch_init(mc_near_scratch *s, const mc_near *nx);
void mc__near_scratch_finish(mc_near_scratch *s);

/* Find the entries whose near-duplicates occur in a document of ntok words
 * (word i's hash at words[i * stride]; stride 1 for an array of hashes,
 * MC_NEAR_TOKEN_STRIDE for &tv->tok[0].hash; the words are read during the
 * call only). *hits receives at most one hit per entry, in entry order,
 * borrowed from s: valid until the next call with s or
 * mc__near_scratch_finish. Returns 0; MC_ELIMIT for documents of 2^31 words
 * or more; MC_ENOMEM (no hits for this document, s still usable). Costs
 * about 9 ns a word on web text and 20 on dense medical prose (2-core AMD
 * EPYC, default parameters, 8,250 items; bench_near). */
int mc__near_doc(mc_near_scratch *s, const uint64_t *words, size_t stride, size_t ntok,
                 const mc_near_hit **hits, size_t *nhits);

/* The same for a token vector of the tokenizer. */
static inline int mc__near_doc_tokens(mc_near_scratch *s, const mc_tokvec *tv,
                                      const mc_near_hit **hits, size_t *nhits)
{
    return mc__near_doc(s, tv->n ? &tv->tok[0].hash : NULL, MC_NEAR_TOKEN_STRIDE, tv->n, hits,
                        nhits);
}

/* The MinHash signature (nx->p.perms values) of a set of shingle keys. */
void mc__near_signature(const mc_near *nx, const uint64_t *keys, size_t n, uint32_t *sig);

/* The Jaccard similarity estimated from two entries' signatures (share of
 * equal values), and the exact one of their distinctive shingle sets. */
double mc__near_estimate(const mc_near *nx, uint32_t e1, uint32_t e2);
double mc__near_jaccard(const mc_near *nx, uint32_t e1, uint32_t e2);

/* ---- hashing, shared by the builder, the scanner and the tests ---- */

/* The 64-bit mixer of splitmix64 / MurmurHash3's fmix64 variant. */
static inline uint64_t mc__near_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* splitmix64: advance *state and return the next value. */
static inline uint64_t mc__near_splitmix(uint64_t *state)
{
    *state += UINT64_C(0x9e3779b97f4a7c15);
    return mc__near_mix(*state);
}

/* Permutation value of a shingle key. */
static inline uint32_t mc__near_perm(uint64_t a, uint64_t b, uint64_t key)
{
    return (uint32_t)((a * key + b) >> 32);
}

/* Key of band j of class cls over its rows' values v[0..rows-1]; never 0.
 * Rows are mixed two at a time (v[i] in the low half, v[i+1] in the high
 * half of one 64-bit word). */
static inline uint64_t mc__near_band_key(uint64_t band_seed, uint32_t j, uint32_t cls,
                                         const uint32_t *v, uint32_t rows)
{
    uint64_t h = band_seed ^ (((uint64_t)cls << 32 | j) * UINT64_C(0x9e3779b97f4a7c15));
    for (uint32_t i = 0; i < rows; i += 2) {
        uint64_t x = v[i];
        if (i + 1 < rows) {
            x |= (uint64_t)v[i + 1] << 32;
        }
        h = mc__near_mix(h ^ x);
    }
    return h ? h : 1;
}

/* The bits of a key in its filter word: three of 64, from bits 0..17
 * (the word is chosen by the top bits). */
static inline uint64_t mc__near_filter_bits(uint64_t key)
{
    return (UINT64_C(1) << (key & 63)) | (UINT64_C(1) << ((key >> 6) & 63)) |
           (UINT64_C(1) << ((key >> 12) & 63));
}

static inline int mc__near_filter_test(const mc_near *nx, uint64_t key)
{
    uint64_t b = mc__near_filter_bits(key);
    return (nx->filter[key >> nx->filter_shift] & b) == b;
}

/* The bits of (key, class) in the key's word of the class filter: two of
 * 64 (a false positive only adds one to a window's count for a class). */
static inline uint64_t mc__near_class_bits(uint64_t key, uint32_t cls)
{
    uint64_t y = key + (cls + 1) * UINT64_C(0x9e3779b97f4a7c15);
    return (UINT64_C(1) << (y & 63)) | (UINT64_C(1) << ((y >> 6) & 63));
}

static inline int mc__near_band_filter_test(const mc_near *nx, uint64_t key)
{
    uint64_t b = mc__near_filter_bits(key);
    return (nx->band_filter[key >> nx->band_shift] & b) == b;
}

/* Shingle key of k words: the project's n-gram key (fp/hash.h) of length k,
 * sum(h[i] * P^(k-1-i)) mixed with k, so shingles and the exact pass's
 * n-grams of the same length agree. */
static inline uint64_t mc__near_shingle(const uint64_t *h, size_t stride, uint32_t k)
{
    uint64_t poly = 0;
    for (uint32_t i = 0; i < k; i++) {
        poly = poly * MC_HASH_POLY + h[i * stride];
    }
    return mc__hash_finish(poly, k);
}

#endif /* MC_NEAR_NEAR_H */
