/* SPDX-License-Identifier: MIT */
/* The fixed-layout records of index files (docs/index-format.md) and the
 * checks the loader runs on them (index_file_check.c). Shared by the
 * writer, the loader and the tests. */
#ifndef MC_INDEX_INDEX_FILE_INT_H
#define MC_INDEX_INDEX_FILE_INT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "index/index.h"

#define MC_MCX_NONE UINT32_MAX /* a string reference to nothing (NULL) */
#define MC_MCX_MAX_ID 27       /* largest required section id of version 1 */
#define MC_MCX_MAX_KNOWN 40    /* largest section id this reader knows */
#define MC_MCX_NEAR_THRESHOLD 0.7 /* threshold of the stored near detector */

/* File header, at offset 0. */
typedef struct mc_mcx_header {
    char magic[8];        /* MC_MCX_MAGIC */
    uint32_t version;     /* MC_MCX_VERSION */
    uint32_t bom;         /* MC_MCX_BOM in the writer's byte order */
    uint32_t header_size; /* 64 */
    uint32_t nsections;
    uint64_t file_size;
    uint64_t checksum;    /* XXH64, seed 0, of the file with this field as zeros */
    uint8_t reserved[24]; /* zero */
} mc_mcx_header;

/* Section table entry; the table follows the header. */
typedef struct mc_mcx_entry {
    uint32_t id;
    uint32_t flags;  /* MC_MCX_REQUIRED */
    uint64_t offset; /* from the start of the file; a multiple of 64 */
    uint64_t size;   /* bytes, without the padding that follows */
    uint32_t elem;   /* bytes of one element */
    uint32_t reserved;
} mc_mcx_entry;

/* Section META: the index's parameters and scalar members. String
 * references are byte offsets into STRINGS, or MC_MCX_NONE. */
typedef struct mc_mcx_meta {
    uint32_t preset;
    uint32_t norm;
    uint32_t norm_version;
    uint32_t n;
    uint32_t template_items;
    uint32_t nitems;
    uint32_t nseqs;
    uint32_t nseq_keys;
    uint32_t nkeys;
    uint32_t ntemplates;
    uint32_t filter_shift;
    uint32_t nanchors;
    uint32_t anc_shift;
    uint32_t nlengths;
    uint32_t nfiles;
    uint32_t noptions;
    uint32_t fields;  /* --fields spec, or MC_MCX_NONE */
    uint32_t unicode; /* Unicode version of the normaliser's tables */
    uint32_t lengths[16];
    uint64_t ntok;
    uint64_t norm_len;
    uint64_t slot_mask;
    uint64_t anc_mask;
    uint64_t nposts;
    uint64_t fingerprint;
    uint64_t word_seed; /* MC_HASH_WORD_SEED */
    uint64_t poly;      /* MC_HASH_POLY */
    uint64_t hash_kat;  /* known answers of the word and n-gram hashes */
    uint64_t norm_kat;  /* known answer of the normaliser of `norm` */
} mc_mcx_meta;

/* Section FILES: one per benchmark file, in --bench order. */
typedef struct mc_mcx_file {
    uint32_t source; /* string */
    uint32_t format; /* mc_bench_format */
    uint32_t items;
    uint32_t malformed;
    char sha256[64]; /* lower-case hex, no terminator */
} mc_mcx_file;

/* Section ITEMS: every item, file after file; strings as references. */
typedef struct mc_mcx_item {
    uint32_t index;
    uint32_t line;
    uint32_t id;
    uint32_t split;
    uint32_t question;
    uint32_t answer;
    uint32_t passage;
    uint32_t subject;
    uint32_t error;
    uint32_t opt0; /* first entry in OPTIONS */
    uint32_t n_options;
    int32_t answer_index;
    uint32_t malformed;
} mc_mcx_item;

/* Section OPTIONS: option texts and labels of every item, back to back. */
typedef struct mc_mcx_option {
    uint32_t text;
    uint32_t label;
} mc_mcx_option;

/* Section NEAR_META (optional, with the other NEAR_* sections): the
 * near-duplicate detector's parameters (threshold included: the entries'
 * `need` follows from it) and the scalars that size its arrays. */
typedef struct mc_mcx_near_meta {
    uint32_t shingle;
    uint32_t perms;
    uint32_t bands;
    uint32_t rows;
    uint32_t min_shingles;
    uint32_t template_items;
    double threshold;
    uint64_t seed;
    uint32_t nentries;
    uint32_t nshingles;
    uint32_t nposts;
    uint32_t filter_shift;
    uint32_t cfilter_shift;
    uint32_t band_shift;
    uint64_t slot_mask;
} mc_mcx_near_meta;

static_assert(sizeof(mc_mcx_near_meta) == 72, "near meta layout is fixed");
static_assert(sizeof(mc_mcx_header) == 64, "header is 64 bytes");
static_assert(sizeof(mc_mcx_entry) == 32, "table entries are 32 bytes");
static_assert(sizeof(mc_mcx_meta) == 216, "meta layout is fixed");
static_assert(sizeof(mc_mcx_file) == 80, "file layout is fixed");
static_assert(sizeof(mc_mcx_item) == 52, "item layout is fixed");
static_assert(sizeof(mc_mcx_option) == 8, "option layout is fixed");

/* The bytes of one element that carry data (the rest is padding, written
 * as zeros). */
typedef struct mc_mcx_field {
    uint16_t off, len;
} mc_mcx_field;

/* One array of mc_index as a section: the writer and the loader are
 * driven by this table (index_file.c). */
typedef struct mc_mcx_array {
    uint32_t id;
    const char *name;
    uint32_t elem;                           /* bytes of one element */
    size_t member;                           /* offsetof the array pointer in mc_index */
    uint64_t (*count)(const mc_mcx_meta *m); /* elements, from META */
    const mc_mcx_field *fields;              /* NULL: the element has no padding */
    size_t nfields;
} mc_mcx_array;

extern const mc_mcx_array mc__mcx_arrays[];
extern const size_t mc__mcx_narrays;

/* One array of mc_near as an optional section (ids 33..40), sized from
 * NEAR_META; the element structs have no padding. */
typedef struct mc_mcx_near_array {
    uint32_t id;
    const char *name;
    uint32_t elem;
    size_t member; /* offsetof the array pointer in mc_near */
    uint64_t (*count)(const mc_mcx_near_meta *m);
} mc_mcx_near_array;

extern const mc_mcx_near_array mc__mcx_near_arrays[];
extern const size_t mc__mcx_near_narrays;

/* The array member of idx that a table entry names. */
void **mc__mcx_member(mc_index *idx, const mc_mcx_array *a);

/* Bytes of one element of a known section, or 0 for an unknown id. */
uint32_t mc__mcx_elem_size(uint32_t id);
/* Name of a section id ("seqs"), or "unknown"; a static string. */
const char *mc__mcx_section_name(uint32_t id);

/* Format a message into err and return rc. */
int mc__mcx_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Known answers of this build's hashing and of its normaliser `norm` on a
 * fixed multilingual text. Written into META and compared on load: an
 * index whose keys or tokens this build would compute differently is
 * refused, whatever the version numbers say. 0 or MC_ENOMEM. */
int mc__mcx_kat(uint32_t norm, uint64_t *hash_kat, uint64_t *norm_kat);

/* META: parameters this medcheck can scan with (preset, normalisation and
 * Unicode versions, hash constants) and string references in bounds.
 * strings/nstr: the STRINGS section. 0, MC_EFORMAT or MC_EVERSION, with
 * a message in err. */
int mc__mcx_check_meta(const mc_mcx_meta *m, uint64_t nstr, const char *strings, char *err,
                       size_t errlen);

/* FILES, ITEMS, OPTIONS and STRINGS (p and size indexed by section id):
 * every reference in bounds, files and items consistent. 0 or MC_EFORMAT. */
int mc__mcx_check_bench(const mc_mcx_meta *m, const unsigned char *const *p, const uint64_t *size,
                        char *err, size_t errlen);

/* The index arrays (`nposts` entries in idx->posts): everything a scan
 * dereferences is in range, and every hash table lookup ends. 0 or
 * MC_EFORMAT. */
int mc__mcx_check_index(const mc_index *idx, uint64_t nposts, char *err, size_t errlen);

#endif /* MC_INDEX_INDEX_FILE_INT_H */
