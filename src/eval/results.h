/* SPDX-License-Identifier: MIT */
/* Model results files for `medcheck evaluate`: lm-evaluation-harness
 * per-sample logs, plain JSONL and CSV, read into one row form. */
#ifndef MC_EVAL_RESULTS_H
#define MC_EVAL_RESULTS_H

#include <stdint.h>

#include <medcheck/common.h>

#define MC__EVAL_MAX_OPTIONS 16

/* What a row says; every string is borrowed for the callback only. */
typedef struct mc__eval_row {
    uint32_t line;                             /* 1-based line (JSONL), record line (CSV), or
                                                * position in a JSON array (from 1) */
    const char *model;                         /* the row's own `model`, or the file's */
    const char *key;                           /* source#index, or NULL */
    const char *source;                        /* with index >= 0, or NULL */
    int64_t index;                             /* -1 when absent */
    const char *id;                            /* the file's own id (text), or NULL */
    const char *question;                      /* for the join by text, or NULL */
    const char *options[MC__EVAL_MAX_OPTIONS]; /* option texts (disambiguate
                                                * equal questions) */
    uint32_t n_options;
    int correct;            /* 1 or 0; -1 when only a prediction is given */
    const char *prediction; /* an option letter or text, or NULL */
    const char *bad;        /* why the row cannot be used, or NULL */
    int lmeval;             /* from an lm-evaluation-harness log */
} mc__eval_row;

typedef int (*mc__eval_row_fn)(void *ctx, const mc__eval_row *row);

/* How a results file is read. */
typedef struct mc__eval_read_opts {
    const char *metric; /* lm-eval metric; NULL: acc, else exact_match */
    const char *filter; /* lm-eval filter; NULL: the first of the file */
    const mc_logger *lg;
} mc__eval_read_opts;

/* Read `path` (detected by content: lm-evaluation-harness samples as
 * JSONL or as one JSON array, plain JSONL, or CSV with a header; zstd or
 * gzip ok) and call fn for every row, in file order. A row that cannot be
 * parsed is passed with `bad` set. lm-evaluation-harness rows of another
 * filter are counted in *skipped and not passed. Returns 0, the first
 * negative value fn returns, MC_ENOENT / MC_EIO (unreadable), MC_EFORMAT
 * (none of the formats; logged), MC_ENOMEM. */
int mc__eval_read_results(const char *path, const mc__eval_read_opts *o, mc__eval_row_fn fn,
                          void *ctx, uint32_t *skipped);

/* The model name of a file whose rows carry none: for an
 * lm-evaluation-harness "samples_*.jsonl" file the name of its directory
 * (lm-eval's output_path/<model>/ layout), else the file's base name
 * without its extensions. Written into buf[n]. */
void mc__eval_file_model(const char *path, int lmeval, char *buf, size_t n);

#endif /* MC_EVAL_RESULTS_H */
