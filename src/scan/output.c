/* SPDX-License-Identifier: MIT */
/* Scan result files, written with jansson in a fixed key order, into a
 * temporary directory renamed into place (see the contract). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <xxhash.h>

#include <medcheck/normalize.h>
#include <medcheck/version.h>

#include "config.h"
#include "near/near.h"
#include "scan/output.h"
#include "util/alloc.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/wfile.h"

/* Scores and coverages are written to 6 decimals. */
static double rounded(double x)
{
    return round(x * 1e6) / 1e6;
}

static json_t *jhex64(uint64_t v)
{
    char b[17];
    snprintf(b, sizeof(b), "%016llx", (unsigned long long)v);
    return json_string(b);
}

/* Open OUTDIR's temporary twin for one file. */
static FILE *open_in(const char *dir, const char *name)
{
    char path[4096 + 64];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        return NULL;
    }
    return fopen(path, "wb");
}

/* Flush, sync and close; any failure (a full disk) is MC_EIO. */
static int close_synced(FILE *f, int rc)
{
    if (!f) {
        return MC_EIO;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = MC_EIO;
    }
    if (fclose(f) != 0) {
        rc = MC_EIO;
    }
    return rc;
}

void mc__evidence_json(mc_jsonw *w, const mc_output *o, const mc_itemres *r, int for_merge)
{
    mc__jw_arr(w);
    for (uint32_t e = 0; e < r->nev; e++) {
        const mc_evid *ev = &r->ev[e];
        mc__jw_obj(w);
        mc__jw_key(w, "shard");
        if (for_merge) {
            mc__jw_uint(w, ev->shard);
        } else {
            mc__jw_str(w, o->shards[ev->shard]);
        }
        mc__jw_key(w, "record");
        mc__jw_uint(w, ev->record);
        mc__jw_key(w, "offset");
        mc__jw_uint(w, ev->offset);
        mc__jw_key(w, "doc_id");
        mc__jw_str(w, ev->doc_id);
        if (ev->warc_record_id) { /* WARC shards only (contract: added for WET) */
            mc__jw_key(w, "warc_record_id");
            mc__jw_str(w, ev->warc_record_id);
        }
        mc__jw_key(w, "component");
        if (for_merge) {
            mc__jw_uint(w, ev->comp);
        } else {
            mc__jw_str(w, mc__comp_names[ev->comp]);
        }
        mc__jw_key(w, "match_tokens");
        mc__jw_uint(w, ev->match_tokens);
        if (ev->near) { /* found by the near-duplicate pass */
            mc__jw_key(w, "method");
            mc__jw_str(w, "near");
            mc__jw_key(w, "similarity");
            if (for_merge) {
                mc__jw_real_exact(w, ev->similarity);
            } else {
                mc__jw_real(w, ev->similarity);
            }
        }
        mc__jw_key(w, "snippet");
        mc__jw_str(w, ev->snippet);
        mc__jw_obj_end(w);
    }
    mc__jw_arr_end(w);
}

static void components_json(mc_jsonw *w, const mc_output *o, const mc_itemres *r,
                            const mc_item *it)
{
    const mc_iitem *ii = &o->idx->items[r->item];
    mc__jw_obj(w);
    for (int k = 0; k < MC_NCOMP; k++) {
        uint32_t ntok;
        if (k == MC_C_OPTIONS) {
            if (it->n_options == 0) {
                continue;
            }
            ntok = ii->opt_tokens;
        } else if (ii->seq[k] >= 0) {
            ntok = o->idx->seqs[ii->seq[k]].ntok;
        } else {
            continue;
        }
        mc__jw_key(w, mc__comp_names[k]);
        mc__jw_obj(w);
        mc__jw_key(w, "tokens");
        mc__jw_uint(w, ntok);
        mc__jw_key(w, "longest_match");
        mc__jw_uint(w, r->longest[k]);
        mc__jw_key(w, "coverage");
        mc__jw_real(w, rounded(r->cov[k]));
        mc__jw_obj_end(w);
    }
    mc__jw_obj_end(w);
}

static const char *llama2_bucket(double s)
{
    return s < 0.2 ? "clean" : s < 0.5 ? "not_clean" : s < 0.8 ? "not_dirty" : "dirty";
}

/* One line of items.jsonl. */
static void item_json(mc_jsonw *w, const mc_output *o, mc_itemres *r, int *contaminated)
{
    const mc_item *it = mc_bench_item(o->bench, r->item);
    const mc_iitem *ii = &o->idx->items[r->item];
    double score;
    mc__item_verdict(o->idx, o->par, r, &score, contaminated);
    char key[4096];
    snprintf(key, sizeof(key), "%s#%u", it->source, it->index);
    uint32_t longest = 0;
    for (int k = 0; k < MC_NCOMP; k++) {
        longest = k != MC_C_OPTIONS && r->longest[k] > longest ? r->longest[k] : longest;
    }
    mc__jw_obj(w);
    mc__jw_key(w, "key");
    mc__jw_str(w, key);
    mc__jw_key(w, "source");
    mc__jw_str(w, it->source);
    mc__jw_key(w, "index");
    mc__jw_uint(w, it->index);
    mc__jw_key(w, "id");
    mc__jw_str(w, it->id);
    mc__jw_key(w, "split");
    mc__jw_str(w, it->split);
    mc__jw_key(w, "status");
    mc__jw_str(w, mc_status_name(r->status));
    mc__jw_key(w, "contaminated");
    mc__jw_bool(w, *contaminated);
    mc__jw_key(w, "judged");
    mc__jw_bool(w, ii->judged);
    mc__jw_key(w, "score");
    mc__jw_real(w, rounded(score));
    if (o->par->preset == MC_PRESET_LLAMA2) {
        mc__jw_key(w, "bucket");
        mc__jw_str(w, llama2_bucket(score));
    }
    mc__jw_key(w, "longest_match");
    mc__jw_uint(w, longest);
    mc__jw_key(w, "coverage");
    mc__jw_real(w, rounded(r->cov[MC_C_QUESTION]));
    mc__jw_key(w, "components");
    components_json(w, o, r, it);
    mc__jw_key(w, "evidence");
    mc__evidence_json(w, o, r, 0);
    if (it->malformed) {
        mc__jw_key(w, "error");
        mc__jw_str(w, it->error);
    }
    mc__jw_obj_end(w);
}

static json_t *status_counts(void)
{
    json_t *c = json_object();
    for (int s = 0; s < 5; s++) {
        json_object_set_new(c, mc_status_name((mc_status)s), json_integer(0));
    }
    return c;
}

static void count_in(json_t *group, const char *name, const char *status)
{
    json_t *c = json_object_get(group, name);
    if (!c) {
        c = status_counts();
        json_object_set_new(group, name, c);
    }
    json_object_set_new(c, status, json_integer(json_integer_value(json_object_get(c, status)) + 1));
}

/* items.jsonl, and the counts that summary.json reports. */
static int write_items(const mc_output *o, const char *dir, json_t *counts, mc_scan_result *res)
{
    FILE *f = open_in(dir, "items.jsonl");
    int rc = f ? 0 : MC_EIO;
    json_t *by_source = json_object();
    json_t *by_split = json_object();
    mc_buf line;
    mc__buf_init(&line, (size_t)1 << 30);
    for (uint32_t i = 0; rc == 0 && i < o->idx->nitems; i++) {
        int cont = 0;
        mc_jsonw w;
        mc__jw_init(&w, &line);
        item_json(&w, o, &o->items[i], &cont);
        rc = mc__buf_write_line(&line, f, w.rc);
        const mc_item *it = mc_bench_item(o->bench, i);
        const char *st = mc_status_name(o->items[i].status);
        json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
        count_in(by_source, it->source, st);
        count_in(by_split, it->split ? it->split : "null", st);
        res->by_status[o->items[i].status]++;
        res->items_contaminated += (uint32_t)cont;
        res->items_unjudged += !o->idx->items[i].judged;
    }
    mc__buf_finish(&line);
    json_object_set_new(counts, "by_source", by_source);
    json_object_set_new(counts, "by_split", by_split);
    return close_synced(f, rc);
}

static void shard_json(mc_jsonw *w, const mc_output *o, size_t s)
{
    const mc_shardres *r = &o->res[s];
    int ok = r->status_ok;
    mc__jw_obj(w);
    mc__jw_key(w, "shard");
    mc__jw_str(w, o->shards[s]);
    mc__jw_key(w, "status");
    mc__jw_str(w, ok ? "ok" : "failed");
    mc__jw_key(w, "error");
    mc__jw_str(w, ok ? NULL : (r->error ? r->error : "not scanned"));
    mc__jw_key(w, "records");
    mc__jw_uint(w, r->st.records);
    mc__jw_key(w, "records_skipped");
    mc__jw_uint(w, r->st.records_skipped);
    mc__jw_key(w, "bytes_in");
    mc__jw_uint(w, r->st.bytes_in);
    mc__jw_key(w, "bytes_decompressed");
    mc__jw_uint(w, r->st.bytes_decompressed);
    mc__jw_key(w, "bytes_text");
    mc__jw_uint(w, r->st.bytes_text);
    mc__jw_key(w, "xxh64");
    if (ok) {
        char hex[17];
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)r->st.xxh64);
        mc__jw_str(w, hex);
    } else {
        mc__jw_null(w);
    }
    mc__jw_obj_end(w);
}

static int write_shards(const mc_output *o, const char *dir, mc_scan_result *res)
{
    FILE *f = open_in(dir, "shards.jsonl");
    int rc = f ? 0 : MC_EIO;
    mc_buf line;
    mc__buf_init(&line, (size_t)1 << 30);
    for (size_t k = 0; rc == 0 && k < o->nmine; k++) {
        size_t s = o->mine[k];
        const mc_shardres *r = &o->res[s];
        mc_jsonw w;
        mc__jw_init(&w, &line);
        shard_json(&w, o, s);
        rc = mc__buf_write_line(&line, f, w.rc);
        if (r->status_ok) {
            res->shards_ok++;
            res->records += r->st.records;
            res->bytes_decompressed += r->st.bytes_decompressed;
        } else {
            res->shards_failed++;
        }
    }
    mc__buf_finish(&line);
    return close_synced(f, rc);
}

static json_t *params_json(const mc_output *o)
{
    const mc_params *p = o->par;
    const mc_scan_opts *so = o->opts;
    json_t *j = json_object();
    json_object_set_new(j, "preset", json_string(mc_preset_name(p->preset)));
    json_object_set_new(j, "ngram", json_integer(p->n));
    json_object_set_new(j, "threshold", json_real(p->threshold));
    json_object_set_new(j, "normalization",
                        json_string(p->preset == MC_PRESET_GPT3 ? "gpt3" : "medcheck"));
    json_object_set_new(j, "norm_version", json_integer(MC_NORM_VERSION));
    json_object_set_new(j, "unicode_version", json_string(mc_unicode_version()));
    json_object_set_new(j, "template_items", json_integer(p->template_items));
    json_object_set_new(j, "frequent_docs", json_integer(p->frequent_docs));
    json_object_set_new(j, "short_span_tokens", json_integer(2 * p->n));
    json_object_set_new(j, "answer_window", json_integer(p->answer_window));
    json_object_set_new(j, "max_evidence", json_integer(p->max_evidence));
    json_object_set_new(j, "near", json_boolean(p->near));
    if (p->near) {
        mc_near_params np;
        mc__near_params_for(p, &np);
        json_object_set_new(j, "near_threshold", json_real(p->near_threshold));
        json_t *nj = json_object();
        json_object_set_new(nj, "measure", json_string("containment of the item's distinctive "
                                                       "word shingles in a document window"));
        json_object_set_new(nj, "shingle_words", json_integer(np.shingle));
        json_object_set_new(nj, "permutations", json_integer(np.perms));
        json_object_set_new(nj, "bands", json_integer(np.bands));
        json_object_set_new(nj, "rows", json_integer(np.rows));
        json_object_set_new(nj, "min_shingles", json_integer(np.min_shingles));
        json_object_set_new(nj, "template_items", json_integer(np.template_items));
        json_object_set_new(nj, "parts", json_string("question"));
        json_object_set_new(j, "near_params", nj);
    }
    json_object_set_new(j, "text_field", json_string(so->text_field ? so->text_field : "text"));
    json_object_set_new(j, "id_field", json_string(so->id_field ? so->id_field : "id"));
    json_object_set_new(j, "max_record_bytes",
                        json_integer((json_int_t)(so->max_record_bytes ? so->max_record_bytes
                                                                       : (size_t)64 << 20)));
    json_object_set_new(j, "redact_snippets", json_boolean(p->redact));
    return j;
}

static json_t *benchmark_json(const mc_output *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "items", json_integer(o->idx->nitems));
    json_object_set_new(j, "fingerprint", jhex64(o->idx->fingerprint));
    json_t *files = json_array();
    for (size_t i = 0; i < mc_bench_file_count(o->bench); i++) {
        const mc_bench_file *bf = mc_bench_file_at(o->bench, i);
        json_t *f = json_object();
        json_object_set_new(f, "source", json_string(bf->source));
        json_object_set_new(f, "sha256", json_string(bf->sha256));
        json_object_set_new(f, "format", json_string(mc_bench_format_name(bf->format)));
        json_object_set_new(f, "items", json_integer(bf->items));
        json_object_set_new(f, "malformed", json_integer(bf->malformed));
        json_array_append_new(files, f);
    }
    json_object_set_new(j, "files", files);
    json_object_set_new(j, "fields", o->opts->bench_fields ? json_string(o->opts->bench_fields)
                                                           : json_null());
    json_t *ix = json_null();
    if (o->opts->index) {
        /* the index file the scan loaded instead of the benchmark files */
        mc_index_file_info in;
        mc_index_file_get_info(o->opts->index, &in);
        ix = json_object();
        json_object_set_new(ix, "path", json_string(in.path));
        json_object_set_new(ix, "xxh64", jhex64(in.checksum));
    }
    json_object_set_new(j, "index", ix);
    return j;
}

static json_t *corpus_json(const mc_output *o, const mc_scan_result *res)
{
    uint64_t skipped = 0, in = 0, text = 0;
    for (size_t k = 0; k < o->nmine; k++) {
        size_t s = o->mine[k];
        if (o->res[s].status_ok) {
            skipped += o->res[s].st.records_skipped;
            in += o->res[s].st.bytes_in;
            text += o->res[s].st.bytes_text;
        }
    }
    json_t *j = json_object();
    json_object_set_new(j, "shards_ok", json_integer(res->shards_ok));
    json_object_set_new(j, "shards_failed", json_integer(res->shards_failed));
    json_object_set_new(j, "records", json_integer((json_int_t)res->records));
    json_object_set_new(j, "records_skipped", json_integer((json_int_t)skipped));
    json_object_set_new(j, "bytes_in", json_integer((json_int_t)in));
    json_object_set_new(j, "bytes_decompressed", json_integer((json_int_t)res->bytes_decompressed));
    json_object_set_new(j, "bytes_text", json_integer((json_int_t)text));
    return j;
}

static json_t *canaries_json(const mc_output *o)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < o->opts->n_canaries; k++) {
        uint64_t hits = 0;
        json_t *ex = json_array();
        for (size_t k2 = 0; k2 < o->nmine; k2++) {
            size_t s = o->mine[k2];
            const mc_shardres *r = &o->res[s];
            if (!r->status_ok || !r->canary_hits) {
                continue;
            }
            hits += r->canary_hits[k];
            for (uint32_t e = 0; e < r->canary_nex[k] && json_array_size(ex) < 5; e++) {
                json_t *x = json_object();
                json_object_set_new(x, "shard", json_string(o->shards[s]));
                json_object_set_new(x, "record", json_integer((json_int_t)r->canary_ex[k * 5 + e][0]));
                json_object_set_new(x, "offset", json_integer((json_int_t)r->canary_ex[k * 5 + e][1]));
                json_array_append_new(ex, x);
            }
        }
        json_t *c = json_object();
        json_object_set_new(c, "string", json_string(o->opts->canaries[k]));
        json_object_set_new(c, "hits", json_integer((json_int_t)hits));
        json_object_set_new(c, "examples", ex);
        json_array_append_new(arr, c);
    }
    return arr;
}

/* The whole shard list, by count and XXH64 of its lines: parts of one scan
 * share it, and merge checks that they do. */
static json_t *shard_list_json(const mc_output *o)
{
    XXH64_state_t *st = XXH64_createState();
    if (!st) {
        return NULL;
    }
    XXH64_reset(st, 0);
    for (size_t s = 0; s < o->nshards; s++) {
        XXH64_update(st, o->shards[s], strlen(o->shards[s]));
        XXH64_update(st, "\n", 1);
    }
    json_t *j = json_object();
    json_object_set_new(j, "count", json_integer((json_int_t)o->nshards));
    json_object_set_new(j, "xxh64", jhex64(XXH64_digest(st)));
    XXH64_freeState(st);
    return j;
}

static int write_summary(const mc_output *o, const char *dir, json_t *counts,
                         const mc_scan_result *res)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("medcheck-scan/1"));
    json_object_set_new(j, "complete", json_boolean(o->complete));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("medcheck"));
    json_object_set_new(tool, "version", json_string(mc_version()));
    json_object_set_new(tool, "commit", json_string(MC_COMMIT));
    json_object_set_new(j, "tool", tool);
    json_t *cmd = json_array();
    for (int a = 0; o->opts->argv && a < o->opts->argc; a++) {
        json_array_append_new(cmd, json_string(o->opts->argv[a]));
    }
    json_object_set_new(j, "command", cmd);
    json_object_set_new(j, "preset", json_string(mc_preset_name(o->par->preset)));
    json_object_set_new(j, "params", params_json(o));
    json_object_set_new(j, "benchmark", benchmark_json(o));
    json_object_set_new(j, "corpus", corpus_json(o, res));
    json_object_set_new(j, "shard_list", shard_list_json(o));
    if (o->opts->task_count > 1) {
        json_t *t = json_object();
        json_object_set_new(t, "index", json_integer(o->opts->task_index));
        json_object_set_new(t, "count", json_integer(o->opts->task_count));
        json_object_set_new(j, "task", t);
    } else {
        json_object_set_new(j, "task", json_null());
    }
    json_object_set(j, "counts", counts);
    json_object_set_new(j, "items_contaminated", json_integer(res->items_contaminated));
    json_object_set_new(j, "items_unjudged", json_integer(res->items_unjudged));
    json_object_set_new(j, "canaries", canaries_json(o));
    json_object_set_new(j, "elapsed_s", json_real(round(o->elapsed_s * 1000) / 1000));
    FILE *f = open_in(dir, "summary.json");
    int rc = f ? 0 : MC_EIO;
    /* 15 significant digits: a threshold given in decimal reads back the
     * same, so a merge applies exactly the scan's value */
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (rc == 0) {
        rc = text ? mc__wfile_write(f, text, strlen(text)) : MC_ENOMEM;
    }
    if (rc == 0) {
        rc = mc__wfile_write(f, "\n", 1);
    }
    free(text);
    json_decref(j);
    return close_synced(f, rc);
}

static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return errno == ENOENT ? 0 : MC_EIO;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc |= remove_tree(path);
        } else if (unlink(path) != 0) {
            rc = MC_EIO;
        }
    }
    closedir(d);
    return rmdir(dir) == 0 ? rc : MC_EIO;
}

int mc__outdir_check(const char *outdir, const char *marker, const char *what, char *err,
                     size_t errlen)
{
    struct stat st;
    if (stat(outdir, &st) != 0) {
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: exists and is not a directory", outdir);
        return MC_EINVAL;
    }
    DIR *d = opendir(outdir);
    int entries = 0, ours = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            entries++;
            ours |= strcmp(e->d_name, marker) == 0;
        }
    }
    if (d) {
        closedir(d);
    }
    if (entries && !ours) {
        snprintf(err, errlen, "%s: exists and is not a medcheck %s directory; not replacing it",
                 outdir, what);
        return MC_EINVAL;
    }
    return 0;
}

int mc__output_check_dir(const char *outdir, const mc_logger *lg)
{
    char err[4400];
    int rc = mc__outdir_check(outdir, "summary.json", "result", err, sizeof(err));
    if (rc < 0) {
        mc__log(lg, MC_LOG_ERROR, "%s", err);
    }
    return rc;
}

static void sync_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = slash == dir ? '/' : '\0';
        if (slash == dir) {
            slash[1] = '\0';
        }
    } else {
        snprintf(dir, sizeof(dir), ".");
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int mc__output_commit_dir(const char *tmpdir, const char *outdir)
{
    char old[4096];
    snprintf(old, sizeof(old), "%s.old-%ld", outdir, (long)getpid());
    int had_old = rename(outdir, old) == 0;
    if (!had_old && errno != ENOENT) {
        return MC_EIO;
    }
    if (rename(tmpdir, outdir) != 0) {
        if (had_old) {
            rename(old, outdir);
        }
        return MC_EIO;
    }
    sync_parent(outdir);
    return had_old ? remove_tree(old) : 0;
}

int mc__output_write(const mc_output *o, const char *outdir, mc_scan_result *res)
{
    mc_scan_result local;
    res = res ? res : &local;
    memset(res, 0, sizeof(*res));
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", outdir, (long)getpid());
    remove_tree(tmp);
    if (mkdir(tmp, 0777) != 0) {
        mc__log(&o->opts->logger, MC_LOG_ERROR, "%s: cannot create: %s", tmp, strerror(errno));
        return MC_EIO;
    }
    json_t *counts = status_counts();
    int rc = write_shards(o, tmp, res);
    if (rc == 0) {
        FILE *fr = open_in(tmp, "shard_results.jsonl");
        FILE *fl = open_in(tmp, "shard_list.txt");
        rc = fr && fl ? mc__parts_write(o, fr, fl) : MC_EIO;
        rc = close_synced(fr, rc);
        rc = close_synced(fl, rc);
    }
    if (rc == 0) {
        rc = write_items(o, tmp, counts, res);
    }
    res->items = o->idx->nitems;
    res->elapsed_s = o->elapsed_s;
    res->complete = o->complete;
    if (rc == 0) {
        rc = write_summary(o, tmp, counts, res);
    }
    json_decref(counts);
    if (rc == 0) {
        rc = mc__output_commit_dir(tmp, outdir);
    }
    if (rc < 0) {
        mc__log(&o->opts->logger, MC_LOG_ERROR, "%s: cannot write results: %s", outdir,
                mc_strerror(rc));
        remove_tree(tmp);
    }
    return rc;
}
