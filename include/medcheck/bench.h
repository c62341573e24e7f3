/* SPDX-License-Identifier: MIT */
/* Benchmark files: reading MedQA, MedMCQA, PubMedQA, MMLU, HEAD-QA, BioASQ,
 * MedAgentsBench and generic JSONL/CSV into items whose parts (question,
 * options, answer, passage) are kept apart. */
#ifndef MC_BENCH_H
#define MC_BENCH_H

#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Benchmark file formats; MC_FMT_AUTO detects each file by its content. */
typedef enum mc_bench_format {
    MC_FMT_AUTO = 0,
    MC_FMT_MEDQA,    /* jind11 JSONL: question, options{A..}, answer_idx */
    MC_FMT_MEDMCQA,  /* JSONL: question, opa..opd, cop (1-based) */
    MC_FMT_PUBMEDQA, /* ori_pqal.json: {PMID: {QUESTION, CONTEXTS, ...}} */
    MC_FMT_MMLU,     /* headerless CSV: question, A, B, C, D, answer letter */
    MC_FMT_HEADQA,   /* JSON {exams: {NAME: {data: [{qid, qtext, ra, answers}]}}} */
    MC_FMT_BIOASQ,   /* JSON {questions: [{id, body, snippets, ...}]} */
    MC_FMT_JSONL,    /* generic JSONL (MedAgentsBench is read as this) */
    MC_FMT_CSV,      /* generic CSV with a header row */
} mc_bench_format;

/* Parse a format name ("auto", "medqa", ...). Returns the format, or -1. */
MC_API int mc_bench_format_parse(const char *name);
/* Name of a format ("medqa", ...); a static string. */
MC_API const char *mc_bench_format_name(mc_bench_format fmt);

/* Where to find the parts of an item in a generic JSONL/CSV file
 * (`--fields question=K,options=K,answer=K,passage=K,id=K,split=K`).
 * NULL members mean "use the reader's default guess". JSONL keys may be
 * dotted paths. An `options` key may name an object ({A: text, ...}), an
 * array of strings, or, for CSV, a comma-free list of columns joined by
 * '|' ("A|B|C|D"). `answer` may hold a letter, a 0/1-based index or the
 * answer text. */
typedef struct mc_bench_fields {
    const char *question;
    const char *options;
    const char *answer;
    const char *passage;
    const char *id;
    const char *split;
} mc_bench_fields;

/* Options for reading benchmark files. Fill with mc_bench_opts_default(). */
typedef struct mc_bench_opts {
    size_t size; /* sizeof(mc_bench_opts), for growth */
    mc_bench_format format;
    mc_bench_fields fields;
    mc_logger logger; /* warnings about malformed items (file and line) */
    uint8_t reserved[32];
} mc_bench_opts;

MC_API void mc_bench_opts_default(mc_bench_opts *opts);

/* One benchmark item. All strings are UTF-8, NUL-terminated, owned by the
 * mc_bench that holds the item, and valid until mc_bench_destroy(). */
typedef struct mc_item {
    const char *source; /* the benchmark path as given */
    uint32_t index;     /* 0-based position in its file, counting malformed items */
    uint32_t line;      /* 1-based line (or record start line) in the file */
    const char *id;     /* the file's own id, or NULL */
    const char *split;  /* from a field or the file name token, or NULL */
    const char *question; /* stem; "" if none */
    const char *const *options; /* option texts, in file order */
    const char *const *option_labels; /* "A", "B", ... (same count) */
    uint32_t n_options;
    int32_t answer_index; /* index into options of the correct one, or -1 */
    const char *answer;   /* correct answer text (PubMedQA: LONG_ANSWER), or NULL */
    const char *passage;  /* PubMedQA CONTEXTS, BioASQ snippets, joined by "\n"; or NULL */
    const char *subject;  /* subject/specialty field where the file has one, or NULL */
    int malformed;        /* nonzero: could not be read; see `error` */
    const char *error;    /* why it is malformed, or NULL */
} mc_item;

/* One file read into the set. */
typedef struct mc_bench_file {
    const char *source;   /* path as given */
    char sha256[65];      /* hex digest of the file's bytes */
    mc_bench_format format; /* the format used (detected if AUTO) */
    uint32_t items;       /* items read, malformed ones included */
    uint32_t malformed;
} mc_bench_file;

/* An ordered set of benchmark items from one or more files (opaque). */
typedef struct mc_bench mc_bench;

/* Create an empty set. Returns 0 and sets *out, or MC_ENOMEM. */
MC_API int mc_bench_create(mc_bench **out);

/* Read one benchmark file and append its items, in file order.
 * A malformed item is appended with `malformed` set and a warning naming
 * the file and line is sent to opts->logger; reading goes on.
 * Returns 0; MC_ENOENT or MC_EIO if the file cannot be read; MC_EFORMAT if
 * the format cannot be detected or the file as a whole is unreadable in
 * the requested format (nothing is appended then); MC_ENOMEM. On failure a
 * message naming the file is available from mc_bench_errmsg(). */
MC_API int mc_bench_read(mc_bench *b, const char *path, const mc_bench_opts *opts);

/* Number of items; the i-th item (borrowed, valid until destroy). */
MC_API size_t mc_bench_count(const mc_bench *b);
MC_API const mc_item *mc_bench_item(const mc_bench *b, size_t i);

/* Number of files read; the i-th file (borrowed, valid until destroy). */
MC_API size_t mc_bench_file_count(const mc_bench *b);
MC_API const mc_bench_file *mc_bench_file_at(const mc_bench *b, size_t i);

/* Detail of the last failure of mc_bench_read(); never NULL. */
MC_API const char *mc_bench_errmsg(const mc_bench *b);

/* Free the set and everything it owns; sets *b to NULL. NULL-safe. */
MC_API void mc_bench_destroy(mc_bench **b);

#ifdef __cplusplus
}
#endif

#endif /* MC_BENCH_H */
