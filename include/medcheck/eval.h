/* SPDX-License-Identifier: MIT */
/* Acting on a scan's verdicts: model accuracy on clean versus contaminated
 * items (`medcheck evaluate`), each benchmark file without its
 * contaminated items (`medcheck export --clean`), and an item's evidence
 * read back from the corpus (`medcheck show`). All three read a scan's
 * OUTDIR (summary.json, items.jsonl) and the benchmark files it names. */
#ifndef MC_EVAL_H
#define MC_EVAL_H

#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- evaluate
 *
 * Per-item model results are joined with the scan's items and, per model
 * and benchmark file, the accuracy overall, on clean items (not
 * contaminated: status clean or passage_only, judged), on contaminated
 * items and on each status is computed, with the clean-minus-contaminated
 * difference, a percentile bootstrap interval and a two-sided Fisher exact
 * test. The statistics, the result formats and the join rules are
 * written down in docs/evaluate.md. */

/* Options of mc_eval_run(). Fill with mc_eval_opts_default(). */
typedef struct mc_eval_opts {
    size_t size;                /* sizeof(mc_eval_opts), for growth */
    const char *scan_dir;       /* the scan's OUTDIR */
    const char *const *results; /* results files (lm-evaluation-harness
                                 * samples, JSONL or CSV; zstd or gzip ok) */
    size_t n_results;
    const char *root;        /* relative benchmark paths of the scan are
                              * resolved against it; NULL: the current
                              * directory, as the scan itself did */
    uint32_t resamples;      /* bootstrap resamples; default 10000 */
    uint64_t seed;           /* bootstrap seed; default 1 */
    double level;            /* interval level; default 0.95 */
    uint32_t min_group;      /* a comparison with fewer clean or fewer
                              * contaminated items is too_small; 10 */
    const char *metric;      /* lm-evaluation-harness per-sample metric
                              * that says correct (>= 0.5); NULL: "acc",
                              * else "exact_match" */
    const char *filter;      /* lm-evaluation-harness filter to use
                              * ("none", "strict-match", ...); NULL: the
                              * first one of each file */
    uint32_t max_examples;   /* unjoined results listed; default 20 */
    const char *const *argv; /* recorded as `command` */
    int argc;
    mc_logger logger; /* warnings and errors, with file and line */
    uint8_t reserved[32];
} mc_eval_opts;

MC_API void mc_eval_opts_default(mc_eval_opts *opts);

/* Headline numbers of an evaluation (all also in evaluation.json). */
typedef struct mc_eval_result {
    uint32_t rows;     /* results read (lines or records) */
    uint32_t joined;   /* joined with an item */
    uint32_t unjoined; /* not joined (listed in evaluation.json) */
    uint32_t skipped;  /* lm-evaluation-harness rows of another filter */
    uint32_t models;
    uint32_t groups; /* objects in `results` */
    uint8_t reserved[32];
} mc_eval_result;

/* Read the scan and the results files and write OUTDIR/evaluation.json
 * (format "medcheck-evaluation/1", see the contract) and
 * OUTDIR/evaluation.md (the same as Markdown tables). OUTDIR is written
 * under a temporary name and renamed into place; an existing OUTDIR is
 * replaced only if it is empty or holds an evaluation.json.
 * Returns 0 and fills *res (if not NULL); MC_EINVAL for bad options, a
 * scan directory that is not a complete scan, a benchmark file changed
 * since the scan or an OUTDIR that would not be replaced; MC_ENOENT or
 * MC_EIO for a file that cannot be read or written; MC_EFORMAT for a
 * results file that is not one of the formats; MC_ENOMEM. Every failure
 * is also reported to opts->logger. */
MC_API int mc_eval_run(const mc_eval_opts *opts, const char *outdir, mc_eval_result *res);

/* ---- export */

/* Options of mc_export_run(). Fill with mc_export_opts_default(). */
typedef struct mc_export_opts {
    size_t size;             /* sizeof(mc_export_opts), for growth */
    const char *scan_dir;    /* the scan's OUTDIR */
    const char *root;        /* as in mc_eval_opts */
    const char *const *argv; /* recorded as `command` */
    int argc;
    mc_logger logger;
    uint8_t reserved[32];
} mc_export_opts;

MC_API void mc_export_opts_default(mc_export_opts *opts);

typedef struct mc_export_result {
    uint32_t files;     /* benchmark files written */
    uint32_t unchanged; /* ... of which copied as they were (nothing removed) */
    uint32_t items;     /* items in the scan */
    uint32_t removed;   /* contaminated items left out */
    uint8_t reserved[32];
} mc_export_result;

/* Write every benchmark file of the scan into OUTDIR without its
 * contaminated items, in its own format and compression: every byte that
 * is not part of a removed item is kept (docs/evaluate.md says what that
 * means for each format), and a file with nothing removed is copied as it
 * was. OUTDIR/export_manifest.json lists the files and every removed item
 * (key, status, score). OUTDIR is written under a temporary name and
 * renamed into place; an existing OUTDIR is replaced only if it is empty
 * or holds an export_manifest.json.
 * Returns 0 and fills *res; MC_EINVAL (bad options, not a complete scan,
 * a benchmark file changed since the scan or whose items cannot be
 * located, an OUTDIR that would not be replaced); MC_ENOENT, MC_EIO,
 * MC_ENOMEM. Failures are reported to opts->logger. */
MC_API int mc_export_run(const mc_export_opts *opts, const char *outdir, mc_export_result *res);

/* ---- show */

/* Options of mc_show_open(). Fill with mc_show_opts_default(). */
typedef struct mc_show_opts {
    size_t size;                   /* sizeof(mc_show_opts), for growth */
    const char *scan_dir;          /* the scan's OUTDIR */
    const char *root;              /* relative benchmark and shard paths are
                                    * resolved against it; NULL: the current
                                    * directory */
    uint32_t max_evidence;         /* evidence entries read back; 0: all */
    const volatile int *interrupt; /* if set and nonzero, reading stops with
                                    * MC_EINTR */
    mc_logger logger;
    uint8_t reserved[32];
} mc_show_opts;

MC_API void mc_show_opts_default(mc_show_opts *opts);

/* A byte range [start, end) of a document's text. */
typedef struct mc_show_mark {
    size_t start;
    size_t end;
} mc_show_mark;

/* One evidence entry of items.jsonl with its document read back. Strings
 * are owned by the mc_show and valid until mc_show_close(). */
typedef struct mc_show_evidence {
    const char *shard;     /* as recorded */
    uint64_t record;       /* 0-based record in the shard */
    int64_t offset;        /* byte offset of the record, or -1 (null) */
    const char *doc_id;    /* or NULL */
    const char *component; /* question, options, answer or passage */
    uint32_t match_tokens;
    const char *snippet; /* the item's text that matched, or NULL */
    int rc;              /* 0: the document was read; else why not:
                          * MC_ENOENT (shard missing), MC_EIO,
                          * MC_EFORMAT (corrupt shard, or no record
                          * there: the shard changed since the scan),
                          * MC_EUNSUPPORTED (standard input), MC_EINTR */
    const char *error;   /* rc != 0: a message naming shard and offset */
    const char *text;    /* the document's text as the scan read it
                          * (the --text-field of a JSONL record) */
    size_t text_len;
    const mc_show_mark *marks; /* the words of the document that are in
                                * n-grams of the component, ascending and
                                * disjoint */
    size_t n_marks;
    int streamed; /* 1: read by streaming the shard from its
                   * start (compressed or a URL); 0: by seeking
                   * to the offset (a plain file) */
} mc_show_evidence;

/* The item, from items.jsonl. */
typedef struct mc_show_item {
    const char *key;
    const char *source;
    uint32_t index;
    const char *id; /* or NULL */
    const char *status;
    int contaminated;
    double score;
    double coverage;
    uint32_t longest_match;
    uint32_t n_evidence; /* entries in items.jsonl */
} mc_show_item;

typedef struct mc_show mc_show;

/* Find the item `key` (source#index) in the scan and read the document of
 * each evidence entry (at most opts->max_evidence) back from its shard:
 * a plain file is read at the recorded offset; a zstd or gzip shard (or a
 * URL) is streamed from its start with the shard reader up to the
 * recorded record. The document's words that form n-grams (the scan's
 * n-gram length and normalisation) of the item's component are marked.
 * An entry whose document cannot be read has rc set; the others are
 * still read.
 * Returns 0 and sets *out; MC_ENOENT when the key is not in the scan (or
 * the scan is missing); MC_EINVAL (bad arguments, not a scan); MC_EIO;
 * MC_ENOMEM. On failure *out is unset and the logger is told why. */
MC_API int mc_show_open(mc_show **out, const mc_show_opts *opts, const char *key);

MC_API const mc_show_item *mc_show_get_item(const mc_show *s);
/* Number of evidence entries read back; the i-th (borrowed). */
MC_API size_t mc_show_count(const mc_show *s);
MC_API const mc_show_evidence *mc_show_evidence_at(const mc_show *s, size_t i);

/* Free everything; sets *s to NULL. NULL-safe. */
MC_API void mc_show_close(mc_show **s);

#ifdef __cplusplus
}
#endif

#endif /* MC_EVAL_H */
