/* SPDX-License-Identifier: MIT */
/* Internal state of a scan: per-shard candidate matches, per-item results
 * and how they fold together. A verdict is a fixed function of per-shard
 * results, folded in shard-list order. */
#ifndef MC_SCAN_SCAN_INT_H
#define MC_SCAN_SCAN_INT_H

#include <stdint.h>
#include <stdio.h>

#include <medcheck/reader.h>
#include <medcheck/scan.h>

#include "index/index.h"
#include "match/match.h"
#include "util/buf.h"

struct mc_near_hit;
struct mc_near_params;

/* Effective parameters (preset defaults applied). */
typedef struct mc_params {
    mc_preset preset;
    uint32_t n;
    double threshold;
    uint32_t max_evidence;
    uint32_t template_items;
    uint32_t frequent_docs;
    uint32_t answer_window;
    int redact;
    int near;              /* the near-duplicate pass runs */
    double near_threshold; /* containment for a near_duplicate */
} mc_params;

/* A span kept until the end of its shard. */
typedef struct mc_cspan {
    uint32_t seq;
    uint32_t a;
    uint32_t len;
    uint32_t snip_off; /* snippet in the shard arena */
    uint32_t snip_len;
} mc_cspan;

/* One (document, item) pair with spans. */
typedef struct mc_cand {
    uint32_t item;
    uint64_t record;
    uint64_t offset;
    uint32_t docid_off;
    int32_t docid_len; /* -1: no id */
    uint32_t rid_off;  /* WARC-Record-ID (WARC shards) in the arena */
    int32_t rid_len;   /* -1: none */
    uint32_t span0;
    uint32_t nspans;
    uint32_t opt_found;   /* option tokens found near the question */
    uint32_t opt_longest;
    uint8_t answer_found; /* correct answer near the question */
    uint8_t corroborated; /* short stem: options (or answer) found with it */
    uint8_t near;         /* a near-duplicate hit (one span: the window) */
    double near_score;    /* containment from the near pass (0: none) */
} mc_cand;

/* A key's count of documents in which it appeared only in short spans. */
typedef struct mc_freq {
    uint32_t slot;  /* index slot + 1; 0 = empty */
    uint32_t count;
    uint64_t last_doc;
} mc_freq;

typedef struct mc_evid {
    uint32_t shard;
    uint64_t record;
    uint64_t offset;
    char *doc_id;   /* owned, or NULL */
    uint8_t comp;
    uint32_t match_tokens;
    char *snippet;  /* owned, or NULL when redacted */
    char *warc_record_id; /* owned; WARC shards only, else NULL */
    uint8_t near;         /* found by the near-duplicate pass */
    double similarity;    /* near: containment of the item in the window */
} mc_evid;

/* What one shard (or a fold of shards) says about one item. */
typedef struct mc_itemres {
    uint32_t item;
    uint8_t status;      /* per-document statuses, best one (medcheck, gpt3) */
    uint8_t answer_any;  /* palm/llama2: answer found next to a prompt match */
    double score;        /* best document (medcheck, gpt3) */
    double near_score;   /* best near-duplicate containment (the score of a
                          * near_duplicate item) */
    uint32_t longest[MC_NCOMP];
    double cov[MC_NCOMP];
    uint64_t *bits;      /* palm/llama2: union of found positions */
    mc_evid *ev;
    uint32_t nev;
} mc_itemres;

/* Everything one shard produced. */
typedef struct mc_shardres {
    int status_ok;
    char *error;
    mc_reader_stats st;
    mc_itemres *items; /* sorted by item */
    uint32_t nitems;
    uint64_t *canary_hits;   /* per canary */
    uint64_t (*canary_ex)[2]; /* per canary, up to 5 (record, offset) */
    uint32_t *canary_nex;
} mc_shardres;

/* Per-shard accumulator of candidates. */
typedef struct mc_shardacc {
    const mc_index *idx;
    const mc_params *par;
    uint32_t shard;
    mc_cand *cands;
    size_t ncands, cands_cap;
    mc_cspan *spans;
    size_t nspans, spans_cap;
    mc_buf arena;     /* snippets and doc ids */
    mc_freq *freq;
    size_t freq_mask, nfreq;
    uint64_t docno;
    size_t doc_cand0; /* first candidate of the current document */
} mc_shardacc;

int mc__acc_init(mc_shardacc *acc, const mc_index *idx, const mc_params *par, uint32_t shard);
void mc__acc_finish(mc_shardacc *acc);

/* The near-duplicate detector's parameters for these scan parameters. */
void mc__near_params_for(const mc_params *par, struct mc_near_params *np);
/* The scan's near-duplicate detector of the index's items at this
 * threshold (also stored in index files by `medcheck index`). 0 or an
 * error of mc__near_build. */
struct mc_near;
int mc__scan_build_near(const mc_index *idx, const mc_bench *bench, double threshold,
                        struct mc_near **out);

/* Turn the matcher's spans for one document into candidates. */
int mc__acc_doc(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec);

/* Add the near-duplicate hits of the same document (after mc__acc_doc):
 * one candidate each, or, for an item the exact pass also has in this
 * document, its containment on that candidate (near_duplicate when the
 * exact spans fall short of the exact rule). */
int mc__acc_near(mc_shardacc *acc, const mc_matcher *m, const mc_record *rec,
                 const struct mc_near_hit *hits, size_t nhits);

/* Documents of the shard in which a key appeared only in short spans. */
uint32_t mc__acc_freq(const mc_shardacc *acc, uint32_t slot);

/* Decide every candidate of the shard into per-item results. */
int mc__acc_finalize(mc_shardacc *acc, mc_shardres *out);

/* Fold shard result `src` into the running per-item results `dst` (an
 * array of idx->nitems entries, dst[i].item == i). */
int mc__fold(const mc_index *idx, const mc_params *par, mc_itemres *dst, const mc_shardres *src);

/* Final status and score of a folded item result. */
void mc__item_verdict(const mc_index *idx, const mc_params *par, mc_itemres *r, double *score,
                      int *contaminated);

void mc__itemres_finish(mc_itemres *r);
void mc__shardres_finish(mc_shardres *s, size_t n_canaries);

/* The shards (positions in the list, ascending) that part ti of tn scans;
 * every shard when tn <= 1. *mine is the caller's to free. */
int mc__task_assign(const char *const *shards, size_t n, uint32_t ti, uint32_t tn,
                    uint32_t **mine, size_t *nmine);

/* Words of the n-gram positions for palm (n-gram starts) or llama2 (tokens). */
uint32_t mc__bits_len(const mc_index *idx, uint32_t item);

/* merge (merge_read.c): read one JSON value from a stream of them (a
 * JSONL file). 1 and *out (a json_t *, the caller's), 0 at the end,
 * MC_EFORMAT or MC_EIO. */
int mc__merge_next(FILE *f, void **out);

/* Log (as errors) every way in which the summary.json (json_t *) of each
 * part dirs[k] differs from that of dirs[0] where parts of one scan must
 * agree: preset, params, benchmark, shard list, canaries, tool version.
 * 0, or MC_EINVAL when any differs. */
int mc__merge_check_same(void *const *summaries, const char *const *dirs, size_t n,
                         const mc_logger *lg);

/* Read DIR/shard_list.txt into *list (*n lines, pointing into *mem; both
 * the caller's to free, also on failure), checking that it has `count`
 * lines whose XXH64 is the hex string `xxh64`. 0, MC_EINVAL (mismatch),
 * MC_EIO or MC_ENOMEM. */
int mc__merge_read_list(const char *dir, int64_t count, const char *xxh64, char **mem,
                        char ***list, size_t *n);

/* Parse a --fields spec into *f, whose strings point into *mem (the
 * caller's to free). NULL spec: no fields. 0, MC_EFORMAT or MC_ENOMEM. */
int mc__merge_fields(const char *spec, mc_bench_fields *f, char **mem);

/* Rebuild the per-shard result of one line of a part's shards.jsonl and
 * the matching line of its shard_results.jsonl (json_t *). `list` is the
 * whole shard list. Sets *pos to the shard's list position. *out is filled
 * even on failure and must be released with mc__shardres_finish().
 * 0, MC_EFORMAT or MC_ENOMEM. */
int mc__merge_shardres(const mc_index *idx, const char *const *list, size_t nshards,
                       size_t ncan, const void *shard_line, const void *result_line,
                       mc_shardres *out, uint32_t *pos);

#endif /* MC_SCAN_SCAN_INT_H */
