/* SPDX-License-Identifier: MIT */
/* A scan's OUTDIR read back for evaluate, export and show: the benchmark
 * files of summary.json, every item's verdict from items.jsonl, and (on
 * demand) the benchmark items themselves, read again and checked by
 * SHA-256. */
#ifndef MC_EVAL_SCANRES_H
#define MC_EVAL_SCANRES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <medcheck/bench.h>
#include <medcheck/scan.h>

/* One benchmark file of the scan. */
typedef struct mc__sres_file {
    const char *source; /* as recorded (borrowed from the summary) */
    char *path;         /* source resolved against the root */
    const char *sha256; /* hex, as recorded */
    mc_bench_format format;
    uint32_t items;
    uint32_t first; /* position of its first item in the item list */
} mc__sres_file;

/* One item's verdict. */
typedef struct mc__sres_item {
    uint32_t file;  /* index into files */
    uint32_t index; /* position in its file */
    uint8_t status; /* mc_status */
    uint8_t contaminated;
    uint8_t judged;
    double score;
    char *id; /* the file's own id, or NULL */
} mc__sres_item;

typedef struct mc__sres {
    json_t *summary;
    mc__sres_file *files;
    size_t n_files;
    mc__sres_item *items;
    size_t n_items;
    char *root;      /* NULL: the current directory */
    char *dir;       /* the scan's OUTDIR */
    mc_bench *bench; /* the benchmark items, after mc__sres_bench() */
    char *fields_mem;
    const mc_logger *lg;
} mc__sres;

/* Read OUTDIR/summary.json and OUTDIR/items.jsonl. A scan that is not
 * complete, or whose items do not agree with its summary, is refused.
 * Returns 0; MC_ENOENT (no summary.json), MC_EINVAL (not a usable scan),
 * MC_EIO, MC_ENOMEM; failures are logged. Finish with mc__sres_finish()
 * either way. */
int mc__sres_open(mc__sres *s, const char *dir, const char *root, const mc_logger *lg);
void mc__sres_finish(mc__sres *s);

/* Read the benchmark files again (format and --fields as recorded), each
 * checked by SHA-256 and item count. Idempotent. 0, MC_EINVAL (changed or
 * unreadable: logged), MC_ENOMEM. Items of s->bench are in scan order. */
int mc__sres_bench(mc__sres *s);

/* `path` against the root: a new string (mc__free), or NULL. */
char *mc__sres_resolve(const mc__sres *s, const char *path);

/* The file whose source is `source` exactly, else the only one whose
 * base name is `source`'s base name; -1 when none (or several). */
int mc__sres_find_source(const mc__sres *s, const char *source);

/* The item named by key "source#index": its position, or -1. */
long mc__sres_find_key(const mc__sres *s, const char *key);

/* Status name to mc_status; -1 if unknown. */
int mc__sres_status_parse(const char *name);

/* Write "source#index" of item i into buf[n]. */
void mc__sres_key(const mc__sres *s, size_t i, char *buf, size_t n);

/* Directory helpers shared by the three commands: refuse an OUTDIR that
 * exists and is neither empty nor holds `marker` (0 or MC_EINVAL,
 * logged); make "OUTDIR.tmp-PID" (its path into tmp[n]); remove a tree. */
int mc__eval_check_outdir(const char *outdir, const char *marker, const mc_logger *lg);
int mc__eval_make_tmpdir(const char *outdir, char *tmp, size_t n, const mc_logger *lg);
void mc__eval_remove_tree(const char *dir);

/* Write `len` bytes to dir/name (created), flushed and synced. 0 or
 * MC_EIO. */
int mc__eval_write_file(const char *dir, const char *name, const void *data, size_t len);

#endif /* MC_EVAL_SCANRES_H */
