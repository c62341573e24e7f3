/* SPDX-License-Identifier: MIT */
/* Internals shared by the benchmark readers: the mc_bench set, the string
 * arena, the per-file read context, the raw item handed to the item
 * builder, and the registry of reader vtables. */
#ifndef MC_BENCH_BENCH_INT_H
#define MC_BENCH_BENCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <medcheck/bench.h>

#include "util/buf.h"

/* Hard caps: a benchmark file (stored or decompressed) and an item's
 * option count. Files are small; a 1 GiB one is a mistake. */
#define MC__BENCH_MAX_FILE ((size_t)1 << 30)
#define MC__BENCH_MAX_OPTIONS 32

/* Bump allocator owning every string and item of a set. Blocks are never
 * moved, so pointers into them stay valid until the arena is finished. */
typedef struct mc__bench_block mc__bench_block;
typedef struct mc__bench_arena {
    mc__bench_block *head;
} mc__bench_arena;

void mc__bench_arena_init(mc__bench_arena *a);
void mc__bench_arena_finish(mc__bench_arena *a);
/* Aligned storage of n bytes, or NULL. */
void *mc__bench_arena_alloc(mc__bench_arena *a, size_t n);
/* NUL-terminated copy of n bytes of s, or NULL. */
char *mc__bench_arena_strndup(mc__bench_arena *a, const char *s, size_t n);
char *mc__bench_arena_strdup(mc__bench_arena *a, const char *s);

struct mc_bench {
    mc__bench_arena arena;
    mc_item **items; /* items live in the arena: pointers stay stable */
    size_t n_items;
    size_t cap_items;
    mc_bench_file **files;
    size_t n_files;
    size_t cap_files;
    char errmsg[512];
};

/* State of one mc_bench_read() call, passed to the format's reader. */
typedef struct mc__bench_ctx {
    mc_bench *b;
    mc_bench_file *file;     /* counters updated as items are appended */
    const char *path;        /* as given, for messages */
    const char *source;      /* arena copy of path */
    const char *name_split;  /* split token of the file name, or NULL */
    const char *data;        /* decompressed content, NUL-terminated */
    size_t len;
    const mc_bench_opts *opts;
    json_t *doc; /* whole-document parse (lazy, see mc__bench_doc) */
    int doc_tried;
    mc_buf tmp;      /* scratch for joined passages */
    size_t loc_pos;  /* locator: byte offset and line reached so far */
    uint32_t loc_line;
} mc__bench_ctx;

/* An item as a reader found it, before trimming and answer resolution.
 * Strings are borrowed for the duration of mc__bench_emit(). */
typedef struct mc__bench_raw {
    uint32_t line;
    const char *question; /* NULL: the item has none */
    const char *options[MC__BENCH_MAX_OPTIONS];
    const char *labels[MC__BENCH_MAX_OPTIONS]; /* NULL: "A", "B", ... */
    uint32_t n_options;
    /* The answer: a label, an option text, or digits (an index). */
    const char *answer_str;
    long long answer_num; /* used when has_answer_num */
    int has_answer_num;
    int answer_base;         /* 0 or 1: base of numeric answers */
    const char *answer_text; /* overrides the option text (LONG_ANSWER) */
    const char *passage;
    const char *id;
    const char *split; /* NULL: the file name token */
    const char *subject;
    const char *error; /* set by the reader: the item is malformed */
} mc__bench_raw;

/* Finish a raw item: trim, resolve the answer, validate, copy into the
 * arena and append. A malformed item is appended too and logged.
 * Returns 0, MC_ENOMEM or MC_ELIMIT. */
int mc__bench_emit(mc__bench_ctx *ctx, const mc__bench_raw *raw);
/* Append a malformed item with a printf-style reason. */
int mc__bench_emit_bad(mc__bench_ctx *ctx, uint32_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Set the set's error message (printf-style); returns `rc`. */
int mc__bench_fail(mc__bench_ctx *ctx, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The whole content parsed as one JSON document, or NULL (not JSON or a
 * JSONL file with several values). Owned by ctx. */
json_t *mc__bench_doc(mc__bench_ctx *ctx);
/* 1-based line of the next occurrence of the object key `"key":` after
 * the last one found, or 0. Gives JSON documents their items' lines. */
uint32_t mc__bench_locate_key(mc__bench_ctx *ctx, const char *key);
/* Text of a JSON string or number, copied into the arena; NULL for other
 * types (or out of memory, which the next emit reports). */
const char *mc__bench_json_text(mc__bench_ctx *ctx, const json_t *v);
/* Join an array's strings (or its objects' `member` strings) with "\n"
 * into ctx->tmp; a plain string is returned as is. NULL if none. */
const char *mc__bench_json_join(mc__bench_ctx *ctx, const json_t *v, const char *member);

/* Test hook: when on, the JSONL readers build a jansson tree for every
 * line instead of trying the fast path first (jsonl_fast.c). */
void mc__bench_force_jansson(int on);

/* Split token (train, dev, val, validation, test) of a path's base name,
 * as a static string, or NULL. */
const char *mc__bench_name_split(const char *path);
/* Base name without directories, compression and format suffixes and a
 * trailing "_<split>" (MMLU subject), copied into the arena. */
const char *mc__bench_name_stem(mc__bench_ctx *ctx);

/* Content summary the probes look at (see detect.c). */
typedef struct mc__bench_probe {
    const char *data;
    size_t len;
    int json_like;       /* first non-blank byte is '{' or '[' */
    const json_t *doc;   /* whole-document parse, or NULL */
    const json_t *first; /* first JSON object line of a JSONL file, or NULL */
    uint32_t csv_rows;   /* sampled CSV records (not json_like) */
    uint32_t csv_mmlu;   /* ... with 6 fields, the last one letter A-D */
    int csv_first_mmlu;  /* the first record is such a row (no header) */
    uint32_t csv_multi;  /* ... with 2 or more fields */
} mc__bench_probe;

/* A reader: probe scores content 0 (no) to 100 (sure); read appends the
 * file's items. The dav1d demuxer idea. */
typedef struct mc__bench_reader {
    mc_bench_format format;
    const char *name;
    int (*probe)(const mc__bench_probe *p);
    int (*read)(mc__bench_ctx *ctx);
} mc__bench_reader;

extern const mc__bench_reader mc__bench_reader_medqa;
extern const mc__bench_reader mc__bench_reader_medmcqa;
extern const mc__bench_reader mc__bench_reader_pubmedqa;
extern const mc__bench_reader mc__bench_reader_mmlu;
extern const mc__bench_reader mc__bench_reader_headqa;
extern const mc__bench_reader mc__bench_reader_bioasq;
extern const mc__bench_reader mc__bench_reader_jsonl;
extern const mc__bench_reader mc__bench_reader_csv;

/* The reader of a format (not AUTO), or NULL. */
const mc__bench_reader *mc__bench_reader_find(mc_bench_format fmt);
/* Detect a file's format from its content and set *out. Returns 0,
 * MC_EFORMAT (undetectable, message set) or MC_ENOMEM. */
int mc__bench_detect(mc__bench_ctx *ctx, const mc__bench_reader **out);


/* Field names the generic readers try when --fields does not name them
 * (guess.c). Each list ends with NULL. */
extern const char *const mc__bench_guess_question[];
extern const char *const mc__bench_guess_options[];
extern const char *const mc__bench_guess_answer[];
extern const char *const mc__bench_guess_passage[];
extern const char *const mc__bench_guess_id[];
extern const char *const mc__bench_guess_split[];
extern const char *const mc__bench_guess_subject[];

#endif /* MC_BENCH_BENCH_INT_H */
