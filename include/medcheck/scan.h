/* SPDX-License-Identifier: MIT */
/* Scanning corpus shards for benchmark items: contamination definitions
 * (presets), options, and the scan that writes summary.json, items.jsonl
 * and shards.jsonl. */
#ifndef MC_SCAN_H
#define MC_SCAN_H

#include <medcheck/bench.h>
#include <medcheck/common.h>
#include <medcheck/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Contamination definitions (see the contract and docs/presets.md). */
typedef enum mc_preset {
    MC_PRESET_MEDCHECK = 0, /* component-aware, template- and boilerplate-aware */
    MC_PRESET_GPT3 = 1,     /* question 13-grams, any hit contaminates */
    MC_PRESET_PALM = 2,     /* question+options 8-grams, >= 70% found */
    MC_PRESET_LLAMA2 = 3,   /* tokens in matched spans of >= 10 tokens, dirty >= 80% */
} mc_preset;

/* Parse "medcheck", "gpt3", "palm", "llama2". Returns the preset or -1. */
MC_API int mc_preset_parse(const char *name);
/* Name of a preset; a static string. */
MC_API const char *mc_preset_name(mc_preset p);

/* Item statuses, in increasing precedence. */
typedef enum mc_status {
    MC_STATUS_CLEAN = 0,
    MC_STATUS_PASSAGE_ONLY = 1,
    MC_STATUS_NEAR_DUPLICATE = 2,
    MC_STATUS_INPUT_ONLY = 3,
    MC_STATUS_INPUT_AND_ANSWER = 4,
} mc_status;

/* Name of a status ("input_and_answer", ...); a static string. */
MC_API const char *mc_status_name(mc_status s);

/* Progress report, called at most a few times a second from the thread
 * that read the bytes; serialised by the scan (never two at once). */
typedef struct mc_progress {
    void (*fn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint32_t shards_done,
               uint32_t shards_total);
    void *ctx;
} mc_progress;

/* An index file opened for scanning (`medcheck index`; the layout is in
 * docs/index-format.md): the benchmark items and their n-gram index,
 * loaded without reading the benchmark files again (opaque). */
typedef struct mc_index_file mc_index_file;

/* Scan options. Fill with mc_scan_opts_default(); zero numeric fields
 * (and a negative threshold) mean "the preset's default". Strings are
 * copied by mc_scan_run(). */
typedef struct mc_scan_opts {
    size_t size;               /* sizeof(mc_scan_opts), for growth */
    mc_preset preset;
    uint32_t ngram;            /* n-gram length; medcheck 8, gpt3 13, palm 8, llama2 10 */
    double threshold;          /* score threshold; medcheck 0.5, palm 0.7, llama2 0.8 */
    uint32_t max_evidence;     /* evidence entries kept per item; default 5 */
    uint32_t template_items;   /* medcheck: an n-gram in >= this many distinct items
                                * (by stem) of one file is a template; default 2 */
    uint32_t frequent_docs;    /* medcheck: an n-gram in short matches of more than
                                * this many documents of a shard is boilerplate; default 20 */
    uint32_t answer_window;    /* tokens around the question match searched for
                                * the answer; default 100 */
    const char *text_field;    /* corpus JSONL text field; default "text" */
    const char *id_field;      /* corpus JSONL id field; default "id" */
    size_t max_record_bytes;   /* default 64 MiB */
    unsigned jobs;             /* worker threads; 0 = number of cores */
    const char *const *canaries; /* strings reported wherever they occur */
    size_t n_canaries;
    int redact_snippets;       /* evidence without text */
    const char *const *argv;   /* recorded as `command` in summary.json */
    int argc;
    mc_logger logger;          /* warnings (bad records) and errors (failed shards) */
    mc_progress progress;
    const volatile int *interrupt; /* if set and nonzero, stop early (complete: false) */
    uint32_t task_index;       /* --task I/N: scan only part I of N of the shard list; */
    uint32_t task_count;       /* 0 or 1: all (see mc_scan_run) */
    const char *bench_fields;  /* the --fields mapping the benchmarks were read with, or
                                * NULL; recorded so that a merge can read them again */
    const mc_http_opts *http;  /* http(s) shards (mc_reader_opts.http); NULL: defaults */
    const mc_index_file *index; /* scan with this index file instead of building an
                                 * index (see mc_scan_run); borrowed, never closed */
    int near;                  /* near-duplicate pass: 1 on, 0 off, -1 the preset's
                                * default (on for medcheck, off for the others) */
    double near_threshold;     /* containment for near_duplicate; < 0: default 0.7 */
    uint8_t reserved[16];
} mc_scan_opts;

MC_API void mc_scan_opts_default(mc_scan_opts *opts);

/* What a scan found, for the caller's summary. */
typedef struct mc_scan_result {
    uint32_t items;
    uint32_t items_contaminated;
    uint32_t items_unjudged;
    uint32_t by_status[5];   /* indexed by mc_status */
    uint32_t shards_ok;
    uint32_t shards_failed;
    uint64_t records;
    uint64_t bytes_decompressed;
    double elapsed_s;
    int complete;            /* 0 when interrupted */
} mc_scan_result;

/* Scan `n_shards` corpus shards (paths, or "-" for standard input) for the
 * items of `bench`, and write OUTDIR/summary.json, items.jsonl,
 * shards.jsonl and shard_results.jsonl (the per-shard data a merge needs).
 * With opts->task_count N > 1, only part opts->task_index of the list is
 * scanned: shards are assigned largest first (by size where known, ties by
 * path), each to the part with the fewest bytes so far; evidence still
 * names positions in the whole list, so parts merge exactly. The directory is written under a temporary name and
 * renamed into place, replacing an existing OUTDIR, so it appears complete
 * or not at all.
 * Returns 0 when every shard was read; 1 when some shard failed (the
 * outputs say which; everything else is complete); MC_EINTR when
 * interrupted (outputs written with complete: false); a negative code when
 * nothing could be written (MC_EIO: output error, MC_ENOMEM, MC_EINVAL).
 * `res`, if not NULL, is filled whenever outputs were written. */
MC_API int mc_scan_run(const mc_bench *bench, const char *const *shards, size_t n_shards,
                       const mc_scan_opts *opts, const char *outdir, mc_scan_result *res);

/* Scanning with an index file: with opts->index set, mc_scan_run() uses
 * that file's index and benchmark set, and `bench` must be NULL or
 * mc_index_file_bench(opts->index). The preset and its n-gram length and
 * template_items (after the preset defaults) must be those the index was
 * built with, else MC_EINVAL (logged); the file's recorded --fields
 * replace opts->bench_fields; summary.json names the file under
 * benchmark.index. Everything else (items.jsonl, shards.jsonl, the rest
 * of summary.json) is byte for byte what a scan of the same benchmark
 * files with the same options writes. */

/* Build the index of `bench` under the preset, ngram and template_items of
 * `opts` (zero: the preset's default) and write it, with every item and
 * file record of the set and opts->bench_fields, to `path`. The file is
 * written under a temporary name in the same directory, synced and
 * renamed into place: `path` is complete or unchanged. Failures are
 * logged to opts->logger naming the file. Returns 0; MC_EINVAL (bad
 * options); MC_EIO (cannot write); MC_ELIMIT (a benchmark too large for
 * the format's 32-bit offsets); MC_ENOMEM. Nothing is retained. */
MC_API int mc_index_file_write(const mc_bench *bench, const mc_scan_opts *opts, const char *path);

/* Options of mc_index_file_open(). Fill with mc_index_file_opts_default(). */
typedef struct mc_index_file_opts {
    size_t size;      /* sizeof(mc_index_file_opts), for growth */
    mc_logger logger; /* why a file was refused, naming it */
    int no_mmap;      /* nonzero: read the file into memory instead of mapping it
                       * (the default maps it read-only: about 3 times faster, and
                       * the pages are shared by scans on one machine; a mapped file
                       * must not be truncated in place while it is open) */
    uint8_t reserved[16];
} mc_index_file_opts;

MC_API void mc_index_file_opts_default(mc_index_file_opts *opts);

/* Open an index file written by mc_index_file_write() and check all of it:
 * magic bytes, format version, byte order, size, XXH64 checksum, the
 * section table, and every index stored in the arrays (a crafted file is
 * refused, never dereferenced out of bounds).
 * Returns 0 and sets *out (close it with mc_index_file_close()); MC_ENOENT
 * or MC_EIO (cannot read); MC_EFORMAT (not an index file, truncated,
 * corrupt or inconsistent); MC_EVERSION (another format version, or built
 * with another normalisation or Unicode version: rebuild it); MC_ENOMEM;
 * MC_EINVAL (NULL argument). On failure *out is untouched and the reason,
 * naming the file, goes to opts->logger. */
MC_API int mc_index_file_open(mc_index_file **out, const char *path,
                              const mc_index_file_opts *opts);

/* Close the file and free everything it owns (its benchmark set too);
 * sets *f to NULL. NULL-safe. It must outlive every scan using it. */
MC_API void mc_index_file_close(mc_index_file **f);

/* The benchmark set stored in the file: items and file records (source,
 * SHA-256, format) as they were when the index was written. Borrowed,
 * valid until mc_index_file_close(). */
MC_API const mc_bench *mc_index_file_bench(const mc_index_file *f);

/* What an index file was built with. */
typedef struct mc_index_file_info {
    const char *path;        /* as given to mc_index_file_open() */
    mc_preset preset;
    uint32_t ngram;
    uint32_t template_items;
    uint32_t items;
    uint64_t fingerprint;    /* summary.json's benchmark.fingerprint */
    uint64_t checksum;       /* XXH64 of the file's contents (its header's) */
    uint64_t file_size;
    const char *fields;      /* --fields of the benchmark files, or NULL */
} mc_index_file_info;

/* Fill *info; its strings are valid until mc_index_file_close(). */
MC_API void mc_index_file_get_info(const mc_index_file *f, mc_index_file_info *info);

/* Merge the results of the --task parts of one scan (`medcheck merge`):
 * read OUTDIR/summary.json, shards.jsonl, shard_results.jsonl and
 * shard_list.txt of each of the `n_dirs` directories `dirs`, and write
 * `outdir` exactly as a single mc_scan_run() over the whole shard list
 * would have (byte for byte, apart from `elapsed_s` and `command`).
 * The parts must come from the same scan: same preset, params, benchmark
 * (fingerprint and files), shard list (count and XXH64), canary strings
 * and tool version, and must hold every shard of the list exactly once.
 * The benchmark files recorded in summary.json are read again from their
 * recorded paths (relative ones from the current directory), with the
 * recorded format and --fields; each must still have its recorded SHA-256,
 * and the index rebuilt from them must have the recorded fingerprint.
 * Of `opts` only `logger`, `argv` and `argc` are used: every parameter
 * comes from the parts. Each refusal (a difference, a missing or
 * duplicated shard, named by path) is sent to opts->logger as an error.
 * `outdir` is written under a temporary name and renamed into place.
 * Returns 0; 1 when a shard failed in some part (the outputs say which;
 * a part that was interrupted has such shards); MC_EINVAL when the parts
 * cannot be merged (nothing is written); MC_EIO when the output cannot be
 * written; MC_ENOMEM. `res`, if not NULL, is filled whenever outputs were
 * written. Nothing is retained from the arguments after the call. */
MC_API int mc_scan_merge(const char *const *dirs, size_t n_dirs, const mc_scan_opts *opts,
                         const char *outdir, mc_scan_result *res);

#ifdef __cplusplus
}
#endif

#endif /* MC_SCAN_H */
