/* SPDX-License-Identifier: MIT */
/* Index files (`medcheck index`, docs/index-format.md): the benchmark items
 * and the built n-gram index in one versioned, checksummed binary file,
 * loaded without a rebuild: the index arrays point into the file image. */
#ifndef MC_INDEX_INDEX_FILE_H
#define MC_INDEX_INDEX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <medcheck/bench.h>
#include <medcheck/scan.h>

#include "index/index.h"

/* Format constants (docs/index-format.md). */
#define MC_MCX_MAGIC "\x89MCX\r\n\x1a\n"
#define MC_MCX_VERSION 1u
#define MC_MCX_BOM UINT32_C(0x0A0B0C0D)
#define MC_MCX_HEADER_SIZE 64u
#define MC_MCX_ALIGN 64u
#define MC_MCX_ENTRY_SIZE 32u
#define MC_MCX_MAX_SECTIONS 256u
#define MC_MCX_REQUIRED 1u /* section flag: a reader that does not know the id refuses */

/* Section ids of version 1. Ids 32..63 are kept for the near-duplicate
 * index (MinHash signatures, LSH bands); 32..40 hold the detector, as
 * optional sections (all of them or none). */
enum {
    MC_MCX_META = 1,
    MC_MCX_FILES = 2,
    MC_MCX_ITEMS = 3,
    MC_MCX_OPTIONS = 4,
    MC_MCX_STRINGS = 5,
    MC_MCX_TOKENS = 16,
    MC_MCX_NORM = 17,
    MC_MCX_SEQS = 18,
    MC_MCX_IITEMS = 19,
    MC_MCX_SEQ_KEYS = 20,
    MC_MCX_SLOTS = 21,
    MC_MCX_SLOT_FLAGS = 22,
    MC_MCX_POSTS = 23,
    MC_MCX_FILTER = 24,
    MC_MCX_ANC_SLOTS = 25,
    MC_MCX_ANC_POSTS = 26,
    MC_MCX_ANC_FILTER = 27,
    MC_MCX_NEAR_META = 32,
    MC_MCX_NEAR_ENTRIES = 33,
    MC_MCX_NEAR_SHINGLES = 34,
    MC_MCX_NEAR_SIGS = 35,
    MC_MCX_NEAR_SLOTS = 36,
    MC_MCX_NEAR_POSTS = 37,
    MC_MCX_NEAR_FILTER = 38,
    MC_MCX_NEAR_CFILTER = 39,
    MC_MCX_NEAR_BAND_FILTER = 40,
};

struct mc_near;
struct mc_near_params;

/* An opened index file: the file image and what points into it. */
struct mc_index_file {
    char *path;         /* as given */
    unsigned char *mem; /* the whole file: mapped read-only, or read */
    size_t size;
    int mapped;         /* mem is an mmap() (else mc__malloc'ed) */
    mc_index *idx;      /* arrays borrowed from mem */
    mc_bench *bench;    /* strings borrowed from mem */
    const char *fields; /* --fields the benchmarks were read with, or NULL */
    uint64_t checksum;  /* XXH64 of the contents, from the header */
    struct mc_near *near; /* the stored near-duplicate detector (arrays
                           * borrowed from mem, validated), or NULL */
};

/* How mc__index_file_load() gets the file into memory. */
typedef enum mc_mcx_load {
    MC_MCX_LOAD_MMAP = 0, /* map it read-only (the default) */
    MC_MCX_LOAD_READ = 1, /* read() into an allocated buffer */
} mc_mcx_load;

/* Write `idx` and the benchmark set it was built from to `path`: a
 * temporary file in the same directory, fsync'ed, then renamed into place
 * (and the directory fsync'ed), so `path` is complete or untouched.
 * `fields` is the --fields spec the benchmarks were read with, or NULL.
 * Returns 0; MC_EIO (message naming the file in err); MC_EINVAL (the set
 * does not match the index); MC_ELIMIT (strings over 4 GiB); MC_ENOMEM. */
int mc__index_file_write(const mc_index *idx, const mc_bench *bench, const char *fields,
                         const char *path, char *err, size_t errlen);

/* Open `path` the given way and check everything (see the format doc).
 * Returns 0 and sets *out; MC_ENOENT or MC_EIO (cannot read); MC_EFORMAT
 * (not an index file, truncated, corrupt, inconsistent); MC_EVERSION
 * (another format version, or another normalisation or Unicode version);
 * MC_ENOMEM. On failure err holds a message naming the file. */
int mc__index_file_load(mc_index_file **out, const char *path, mc_mcx_load how, char *err,
                        size_t errlen);

/* The same checks on an image in memory (copied; `name` names it in
 * messages). For tests and the fuzz target. */
int mc__index_file_from_memory(mc_index_file **out, const void *data, size_t size, const char *name,
                               char *err, size_t errlen);

/* XXH64 of an image (its checksum field read as zeros), as the header
 * holds it; for tests that patch a file and want only the structure
 * checked. 0 for an image shorter than the header. */
uint64_t mc__index_file_checksum(const void *data, size_t size);

/* The stored near-duplicate detector for parameters np: if the file holds
 * one built with exactly these parameters (threshold included), *out gets
 * a detector whose arrays are borrowed from the file (free it with
 * mc__near_destroy; the file must outlive it); else *out = NULL (build
 * one). 0 or MC_ENOMEM. */
int mc__index_file_near(const mc_index_file *f, const struct mc_near_params *np,
                        struct mc_near **out);

/* The index of an opened file (borrowed; valid until the file is closed). */
const mc_index *mc__index_file_index(const mc_index_file *f);

#endif /* MC_INDEX_INDEX_FILE_H */
