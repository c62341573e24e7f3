/* SPDX-License-Identifier: MIT */
/* Writing scan results (summary.json, items.jsonl, shards.jsonl) into a
 * temporary directory that is renamed into place when complete. */
#ifndef MC_SCAN_OUTPUT_H
#define MC_SCAN_OUTPUT_H

#include <stdio.h>

#include "scan/scan_int.h"
#include "util/jsonw.h"

typedef struct mc_output {
    const mc_bench *bench;
    const mc_index *idx;
    const mc_params *par;
    const mc_scan_opts *opts;
    const char *const *shards; /* the whole list */
    size_t nshards;
    const uint32_t *mine;      /* positions written, ascending */
    size_t nmine;
    const mc_shardres *res;    /* indexed by list position */
    mc_itemres *items; /* folded, one per item */
    int complete;
    double elapsed_s;
} mc_output;

/* Refuse an OUTDIR that exists and is neither empty nor a directory of
 * this kind of result (one that holds `marker`, e.g. "summary.json"): it
 * would be replaced. 0, or MC_EINVAL with the reason in err (naming
 * `what`, e.g. "result", "audit"). */
int mc__outdir_check(const char *outdir, const char *marker, const char *what, char *err,
                     size_t errlen);

/* mc__outdir_check() for scan results, the reason logged. */
int mc__output_check_dir(const char *outdir, const mc_logger *lg);

/* Write everything; fills *res if not NULL. 0, MC_EIO or MC_ENOMEM. */
int mc__output_write(const mc_output *o, const char *outdir, mc_scan_result *res);

/* Replace `outdir` by the complete directory `tmpdir`. 0 or MC_EIO. */
int mc__output_commit_dir(const char *tmpdir, const char *outdir);

/* An item's evidence as a JSON array: in items.jsonl (shard paths and
 * component names), or for_merge in shard_results.jsonl (list positions
 * and component numbers, as merge reads them back). */
void mc__evidence_json(mc_jsonw *w, const mc_output *o, const mc_itemres *r, int for_merge);

/* shard_results.jsonl and shard_list.txt (see parts.c); 0 or MC_EIO. */
int mc__parts_write(const mc_output *o, FILE *results, FILE *list);

#endif /* MC_SCAN_OUTPUT_H */
