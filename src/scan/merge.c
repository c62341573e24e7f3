/* SPDX-License-Identifier: MIT */
/* `merge`: the results of --task parts of one scan, combined into exactly
 * what a single run would have written. The parts must agree on every
 * parameter, the benchmark and the shard list, and cover each shard once;
 * per-shard results are then folded in list order, as the scan does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <medcheck/normalize.h>

#include "index/index_file.h"
#include "scan/output.h"
#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_LISTED 50 /* missing or duplicated shards named one by one */

typedef struct merge {
    const char *const *dirs;
    size_t nparts;
    const mc_logger *lg;
    json_t **sum;   /* summary.json of each part */
    char *list_mem; /* shard_list.txt of the first part */
    char **list;
    size_t nlist;
    mc_scan_opts opts; /* the recorded parameters */
    const char **canaries;
    mc_params par;
    mc_bench *bench;
    char *fields_mem;
    mc_index_file *ixf; /* the index file the parts were scanned with, or NULL */
    mc_index *idx;      /* built from bench, or borrowed from ixf */
    mc_shardres *res; /* by list position */
    uint32_t *owner;  /* part + 1 that gave each position, or 0 */
    uint32_t *mine;
    mc_itemres *items;
} merge;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static FILE *open_part(const merge *m, size_t k, const char *name)
{
    char path[4096 + 64];
    snprintf(path, sizeof(path), "%s/%s", m->dirs[k], name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        mc__log(m->lg, MC_LOG_ERROR, "%s: cannot open", path);
    }
    return f;
}

static int load_summaries(merge *m)
{
    m->sum = mc__calloc(m->nparts, sizeof(*m->sum));
    if (!m->sum) {
        return MC_ENOMEM;
    }
    for (size_t k = 0; k < m->nparts; k++) {
        char path[4096 + 64];
        json_error_t err;
        snprintf(path, sizeof(path), "%s/summary.json", m->dirs[k]);
        m->sum[k] = json_load_file(path, 0, &err);
        const char *fmt = json_string_value(json_object_get(m->sum[k], "format"));
        if (!m->sum[k] || !fmt || strcmp(fmt, "medcheck-scan/1") != 0) {
            mc__log(m->lg, MC_LOG_ERROR, "%s: not a medcheck-scan/1 result (%s)", m->dirs[k],
                    m->sum[k] ? "format" : err.text);
            return MC_EINVAL;
        }
    }
    return 0;
}

/* The --canary strings, in the recorded order. */
static int canaries_from(merge *m)
{
    json_t *can = json_object_get(m->sum[0], "canaries");
    m->opts.n_canaries = json_array_size(can);
    m->canaries = mc__calloc(m->opts.n_canaries + 1, sizeof(*m->canaries));
    if (!m->canaries) {
        return MC_ENOMEM;
    }
    for (size_t c = 0; c < m->opts.n_canaries; c++) {
        m->canaries[c] = json_string_value(json_object_get(json_array_get(can, c), "string"));
        if (!m->canaries[c]) {
            return MC_EINVAL;
        }
    }
    m->opts.canaries = m->canaries;
    return 0;
}

/* The options and effective parameters the parts were scanned with. */
static int opts_from(merge *m, const mc_scan_opts *user)
{
    json_t *s = m->sum[0];
    json_t *p = json_object_get(s, "params");
    const char *preset, *norm, *uni;
    json_int_t n, nv, tmpl, freq, win, maxev, maxrec;
    double thr;
    int redact;
    mc_scan_opts *o = &m->opts;
    mc_scan_opts_default(o);
    if (json_unpack(p, "{s:s, s:I, s:F, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:b}",
                    "preset", &preset, "ngram", &n, "threshold", &thr, "unicode_version", &uni,
                    "norm_version", &nv, "template_items", &tmpl, "frequent_docs", &freq,
                    "answer_window", &win, "max_evidence", &maxev, "text_field", &o->text_field,
                    "id_field", &o->id_field, "max_record_bytes", &maxrec, "redact_snippets",
                    &redact) != 0 ||
        mc_preset_parse(preset) < 0 || n < 2 || n > 64 || tmpl < 1 || freq < 1 || win < 1 ||
        maxev < 0 || maxev > UINT32_MAX || maxrec < 1 || tmpl > UINT32_MAX || freq > UINT32_MAX ||
        win > UINT32_MAX) {
        mc__log(m->lg, MC_LOG_ERROR, "%s/summary.json: params are incomplete", m->dirs[0]);
        return MC_EINVAL;
    }
    norm = json_string_value(json_object_get(p, "normalization"));
    if (nv != MC_NORM_VERSION || strcmp(uni, mc_unicode_version()) != 0 || !norm) {
        mc__log(m->lg, MC_LOG_ERROR,
                "%s: scanned with normalisation %d / Unicode %s; this medcheck has %d / %s",
                m->dirs[0], (int)nv, uni, MC_NORM_VERSION, mc_unicode_version());
        return MC_EINVAL;
    }
    o->preset = (mc_preset)mc_preset_parse(preset);
    m->par = (mc_params){o->preset,      (uint32_t)n,    thr,           (uint32_t)maxev,
                         (uint32_t)tmpl, (uint32_t)freq, (uint32_t)win, redact,
                         0,              0.0};
    /* absent in results of versions without the near-duplicate pass: off */
    m->par.near = json_is_true(json_object_get(p, "near"));
    json_t *nt = json_object_get(p, "near_threshold");
    m->par.near_threshold = json_is_number(nt) ? json_number_value(nt) : 0.0;
    o->near = m->par.near;
    o->near_threshold = m->par.near_threshold;
    o->ngram = m->par.n;
    o->threshold = thr;
    o->max_evidence = m->par.max_evidence;
    o->template_items = m->par.template_items;
    o->frequent_docs = m->par.frequent_docs;
    o->answer_window = m->par.answer_window;
    o->max_record_bytes = (size_t)maxrec;
    o->redact_snippets = redact;
    o->argv = user->argv;
    o->argc = user->argc;
    o->logger = user->logger;
    o->bench_fields = json_string_value(json_object_get(json_object_get(s, "benchmark"), "fields"));
    return canaries_from(m);
}

/* shard_list.txt of the first part, checked against the recorded count
 * and XXH64 of its lines (which all parts share). */
static int read_list(merge *m)
{
    json_t *sl = json_object_get(m->sum[0], "shard_list");
    const char *want = json_string_value(json_object_get(sl, "xxh64"));
    int rc = mc__merge_read_list(m->dirs[0], json_integer_value(json_object_get(sl, "count")),
                                 want ? want : "", &m->list_mem, &m->list, &m->nlist);
    if (rc == MC_EINVAL || rc == MC_EIO) {
        mc__log(m->lg, MC_LOG_ERROR, "%s/shard_list.txt: %s", m->dirs[0],
                rc == MC_EIO ? "cannot read" : "does not match its summary.json");
        rc = MC_EINVAL;
    }
    return rc;
}

/* Parts scanned with --index: the same index file again, checked by its
 * XXH64 (the fingerprint and parameters are checked after). */
static int open_index(merge *m, json_t *ixj)
{
    const char *path = json_string_value(json_object_get(ixj, "path"));
    const char *want = json_string_value(json_object_get(ixj, "xxh64"));
    mc_index_file_opts o;
    mc_index_file_opts_default(&o);
    o.logger = *m->lg;
    if (!path || !want || mc_index_file_open(&m->ixf, path, &o) < 0) {
        mc__log(m->lg, MC_LOG_ERROR, "the parts were scanned with index %s, which cannot be "
                "opened", path ? path : "?");
        return MC_EINVAL;
    }
    mc_index_file_info in;
    mc_index_file_get_info(m->ixf, &in);
    char hex[17];
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)in.checksum);
    if (strcmp(hex, want) != 0 || in.preset != m->par.preset || in.ngram != m->par.n ||
        in.template_items != m->par.template_items) {
        mc__log(m->lg, MC_LOG_ERROR, "index %s: changed since the scan (XXH64 %s, the parts %s)",
                path, hex, want);
        return MC_EINVAL;
    }
    m->idx = (mc_index *)mc__index_file_index(m->ixf); /* read only; never destroyed here */
    m->opts.index = m->ixf;
    return 0;
}

/* The benchmark files again, as recorded (source, format, --fields), each
 * checked by SHA-256; then the index, checked by its fingerprint. */
static int rebuild_index(merge *m)
{
    json_t *bj = json_object_get(m->sum[0], "benchmark");
    json_t *files = json_object_get(bj, "files");
    mc_bench_opts bo;
    mc_bench_opts_default(&bo);
    int rc = mc__merge_fields(m->opts.bench_fields, &bo.fields, &m->fields_mem);
    if (rc == 0 && json_is_object(json_object_get(bj, "index"))) {
        files = NULL; /* the index file holds the benchmark */
        rc = open_index(m, json_object_get(bj, "index"));
    }
    rc = rc == 0 ? mc_bench_create(&m->bench) : rc;
    for (size_t i = 0; rc == 0 && i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        const char *src = json_string_value(json_object_get(f, "source"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        int fmt = mc_bench_format_parse(json_string_value(json_object_get(f, "format")));
        bo.format = (mc_bench_format)fmt;
        rc = src && sha && fmt >= 0 ? mc_bench_read(m->bench, src, &bo) : MC_EINVAL;
        if (rc < 0 || strcmp(mc_bench_file_at(m->bench, i)->sha256, sha) != 0) {
            mc__log(m->lg, MC_LOG_ERROR, "benchmark %s: %s", src ? src : "?",
                    rc < 0 ? mc_bench_errmsg(m->bench) : "changed since the scan (SHA-256)");
            rc = rc == MC_ENOMEM ? rc : MC_EINVAL;
        }
    }
    if (rc == 0 && !m->ixf) {
        rc = mc__index_build(&m->idx, m->bench, m->par.preset, m->par.n, m->par.template_items);
    }
    if (rc == 0) {
        char hex[17];
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)m->idx->fingerprint);
        const char *want = json_string_value(json_object_get(bj, "fingerprint"));
        if (!want || strcmp(want, hex) != 0) {
            mc__log(m->lg, MC_LOG_ERROR, "the rebuilt index has fingerprint %s, the parts %s", hex,
                    want ? want : "none");
            rc = MC_EINVAL;
        }
    }
    return rc;
}

/* Keep the shard result at its position, unless another part had it. */
static void place(merge *m, size_t k, uint32_t pos, mc_shardres *r, size_t *dups)
{
    if (m->owner[pos]) {
        if (++*dups <= MAX_LISTED) {
            mc__log(m->lg, MC_LOG_ERROR, "duplicated shard %s (list position %u): in %s and %s",
                    m->list[pos], pos, m->dirs[m->owner[pos] - 1], m->dirs[k]);
        }
        mc__shardres_finish(r, m->opts.n_canaries);
        return;
    }
    m->owner[pos] = (uint32_t)k + 1;
    m->res[pos] = *r;
}

/* One part: shards.jsonl and shard_results.jsonl, line by line together. */
static int read_part(merge *m, size_t k, size_t *dups)
{
    FILE *fs = open_part(m, k, "shards.jsonl");
    FILE *fr = open_part(m, k, "shard_results.jsonl");
    int rc = fs && fr ? 0 : MC_EINVAL;
    for (size_t line = 1; rc == 0; line++) {
        void *js = NULL, *jr = NULL;
        int a = mc__merge_next(fs, &js);
        int b = mc__merge_next(fr, &jr);
        mc_shardres r;
        uint32_t pos = 0;
        memset(&r, 0, sizeof(r));
        rc = a < 0 || b < 0 || a != b ? MC_EFORMAT : 0;
        if (rc == 0 && a == 1) {
            rc = mc__merge_shardres(m->idx, (const char *const *)m->list, m->nlist,
                                    m->opts.n_canaries, js, jr, &r, &pos);
        }
        json_decref(js);
        json_decref(jr);
        if (rc < 0) {
            mc__shardres_finish(&r, m->opts.n_canaries);
            mc__log(m->lg, MC_LOG_ERROR, "%s: shards.jsonl / shard_results.jsonl line %zu: %s",
                    m->dirs[k], line, mc_strerror(rc));
            rc = rc == MC_ENOMEM ? rc : MC_EINVAL;
        } else if (a == 0) {
            break;
        } else {
            place(m, k, pos, &r, dups);
        }
    }
    if (fs) {
        fclose(fs);
    }
    if (fr) {
        fclose(fr);
    }
    return rc;
}

static int read_results(merge *m)
{
    m->res = mc__calloc(m->nlist + 1, sizeof(*m->res));
    m->owner = mc__calloc(m->nlist + 1, sizeof(*m->owner));
    m->mine = mc__calloc(m->nlist + 1, sizeof(*m->mine));
    if (!m->res || !m->owner || !m->mine) {
        return MC_ENOMEM;
    }
    size_t dups = 0, missing = 0;
    for (size_t k = 0; k < m->nparts; k++) {
        int rc = read_part(m, k, &dups);
        if (rc < 0) {
            return rc;
        }
    }
    for (size_t s = 0; s < m->nlist; s++) {
        m->mine[s] = (uint32_t)s;
        if (!m->owner[s] && ++missing <= MAX_LISTED) {
            mc__log(m->lg, MC_LOG_ERROR, "missing shard %s (list position %zu): in no part",
                    m->list[s], s);
        }
    }
    if (dups || missing) {
        mc__log(m->lg, MC_LOG_ERROR, "not merging: %zu shard(s) missing, %zu duplicated%s", missing,
                dups, missing + dups > 2 * MAX_LISTED ? " (not all listed)" : "");
        return MC_EINVAL;
    }
    return 0;
}

/* Fold in list order and write OUTDIR, as mc_scan_run does. */
static int fold_and_write(merge *m, const char *outdir, double t0, mc_scan_result *res)
{
    m->items = mc__calloc(m->idx->nitems + 1, sizeof(*m->items));
    if (!m->items) {
        return MC_ENOMEM;
    }
    int complete = 1;
    for (size_t k = 0; k < m->nparts; k++) {
        complete &= json_is_true(json_object_get(m->sum[k], "complete"));
    }
    for (uint32_t i = 0; i < m->idx->nitems; i++) {
        m->items[i].item = i;
    }
    for (size_t s = 0; s < m->nlist; s++) {
        int rc = mc__fold(m->idx, &m->par, m->items, &m->res[s]);
        if (rc < 0) {
            return rc;
        }
    }
    const mc_bench *bench = m->ixf ? mc_index_file_bench(m->ixf) : m->bench;
    mc_output out = {bench,    m->idx,      &m->par,  &m->opts, (const char *const *)m->list,
                     m->nlist, m->mine,     m->nlist, m->res,   m->items,
                     complete, now_s() - t0};
    mc_scan_result local;
    res = res ? res : &local;
    int rc = mc__output_write(&out, outdir, res);
    return rc == 0 && res->shards_failed ? 1 : rc;
}

static void merge_finish(merge *m)
{
    for (size_t s = 0; m->res && s < m->nlist; s++) {
        mc__shardres_finish(&m->res[s], m->opts.n_canaries);
    }
    for (uint32_t i = 0; m->items && i < m->idx->nitems; i++) {
        mc__itemres_finish(&m->items[i]);
    }
    mc__free(m->items);
    mc__free(m->res);
    mc__free(m->owner);
    mc__free(m->mine);
    if (m->ixf) {
        m->idx = NULL; /* borrowed from the file */
    }
    mc__index_destroy(&m->idx);
    mc_index_file_close(&m->ixf);
    mc_bench_destroy(&m->bench);
    mc__free(m->fields_mem);
    mc__free(m->canaries);
    mc__free(m->list);
    mc__free(m->list_mem);
    for (size_t k = 0; m->sum && k < m->nparts; k++) {
        json_decref(m->sum[k]);
    }
    mc__free(m->sum);
}

int mc_scan_merge(const char *const *dirs, size_t n_dirs, const mc_scan_opts *opts,
                  const char *outdir, mc_scan_result *res)
{
    if (!dirs || n_dirs == 0 || !opts || !outdir) {
        return MC_EINVAL;
    }
    for (size_t k = 0; k < n_dirs; k++) {
        if (!dirs[k]) {
            return MC_EINVAL;
        }
    }
    double t0 = now_s();
    merge m = {.dirs = dirs, .nparts = n_dirs, .lg = &opts->logger};
    int rc = mc__output_check_dir(outdir, m.lg);
    if (rc == 0) {
        rc = load_summaries(&m);
    }
    if (rc == 0) {
        rc = mc__merge_check_same((void *const *)m.sum, dirs, n_dirs, m.lg);
    }
    if (rc == 0) {
        rc = opts_from(&m, opts);
    }
    if (rc == 0) {
        rc = read_list(&m);
    }
    if (rc == 0) {
        rc = rebuild_index(&m);
    }
    if (rc == 0) {
        rc = read_results(&m);
    }
    if (rc == 0) {
        rc = fold_and_write(&m, outdir, t0, res);
    }
    merge_finish(&m);
    return rc;
}
