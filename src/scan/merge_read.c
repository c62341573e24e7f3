/* SPDX-License-Identifier: MIT */
/* Reading scan parts back for `merge`: one line of shards.jsonl and the
 * matching line of shard_results.jsonl become the mc_shardres the scan had
 * for that shard (see parts.c for the writer); the shard list, --fields
 * specs, and the check that parts' summaries agree. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <xxhash.h>

#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/log.h"

int mc__merge_next(FILE *f, void **out)
{
    int c;
    do {
        c = fgetc(f);
    } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    if (c == EOF) {
        return ferror(f) ? MC_EIO : 0;
    }
    ungetc(c, f);
    json_error_t err;
    /* stops right after the value, so the next call starts on the next line */
    json_t *j = json_loadf(f, JSON_DISABLE_EOF_CHECK, &err);
    if (!j) {
        return MC_EFORMAT;
    }
    *out = j;
    return 1;
}

int mc__merge_read_list(const char *dir, int64_t count, const char *xxh64, char **mem, char ***list,
                        size_t *n)
{
    char path[4096 + 64];
    snprintf(path, sizeof(path), "%s/shard_list.txt", dir);
    FILE *f = fopen(path, "rb");
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 34);
    char chunk[65536];
    size_t got;
    int rc = f ? 0 : MC_EIO;
    while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = mc__buf_append(&b, chunk, got);
    }
    if (f) {
        rc = rc == 0 && ferror(f) ? MC_EIO : rc;
        fclose(f);
    }
    char hex[17];
    snprintf(hex, sizeof(hex), "%016llx",
             (unsigned long long)XXH64(b.data ? b.data : "", b.len, 0));
    size_t lines = 0;
    for (size_t i = 0; i < b.len; i++) {
        lines += b.data[i] == '\n';
    }
    if (rc == 0 && (strcmp(xxh64, hex) != 0 || count != (int64_t)lines ||
                    (b.len && b.data[b.len - 1] != '\n'))) {
        rc = MC_EINVAL;
    }
    *list = rc == 0 ? mc__calloc(lines + 1, sizeof(char *)) : NULL;
    rc = rc == 0 && !*list ? MC_ENOMEM : rc;
    for (size_t i = 0, at = 0; rc == 0 && i < b.len; i++) {
        if (i == 0 || b.data[i - 1] == '\0') {
            (*list)[at++] = b.data + i;
        }
        b.data[i] = b.data[i] == '\n' ? '\0' : b.data[i];
    }
    *n = rc == 0 ? lines : 0;
    *mem = b.data; /* the caller's, even on failure */
    return rc;
}

int mc__merge_fields(const char *spec, mc_bench_fields *f, char **mem)
{
    memset(f, 0, sizeof(*f));
    *mem = NULL;
    if (!spec) {
        return 0;
    }
    char *dup = mc__strdup(spec);
    if (!dup) {
        return MC_ENOMEM;
    }
    const char **slot[] = {&f->question, &f->options, &f->answer, &f->passage, &f->id, &f->split};
    static const char *const names[] = {"question", "options", "answer", "passage", "id", "split"};
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(dup, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        rc = MC_EFORMAT;
        for (size_t k = 0; eq && eq[1] && k < sizeof(names) / sizeof(names[0]); k++) {
            if (strncmp(tok, names[k], (size_t)(eq - tok)) == 0 && !names[k][eq - tok]) {
                *slot[k] = eq + 1;
                rc = 0;
            }
        }
    }
    if (rc < 0) {
        mc__free(dup);
        memset(f, 0, sizeof(*f));
        return rc;
    }
    *mem = dup;
    return 0;
}

static int hex64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !isxdigit((unsigned char)s[0])) {
        return MC_EFORMAT;
    }
    *v = strtoull(s, &end, 16);
    return *end || end - s > 16 ? MC_EFORMAT : 0;
}

static int bits_from(const mc_index *idx, json_t *j, mc_itemres *r)
{
    if (json_is_null(j)) {
        return 0;
    }
    uint32_t nw = (mc__bits_len(idx, r->item) + 63) / 64;
    if (!json_is_array(j) || json_array_size(j) != nw ||
        (idx->preset != MC_PRESET_PALM && idx->preset != MC_PRESET_LLAMA2)) {
        return MC_EFORMAT;
    }
    r->bits = mc__calloc(nw + 1, sizeof(uint64_t)); /* as bits_alloc in finalize.c */
    if (!r->bits) {
        return MC_ENOMEM;
    }
    for (uint32_t w = 0; w < nw; w++) {
        if (hex64(json_string_value(json_array_get(j, w)), &r->bits[w]) < 0) {
            return MC_EFORMAT;
        }
    }
    return 0;
}

/* A string, or null (NULL); json_unpack has no format for that. */
static int opt_str(json_t *v, const char **out)
{
    *out = json_string_value(v);
    return *out || json_is_null(v) ? 0 : MC_EFORMAT;
}

static int dup_or_null(const char *s, char **out)
{
    *out = s ? mc__strdup(s) : NULL;
    return s && !*out ? MC_ENOMEM : 0;
}

static int evid_from(json_t *j, size_t nshards, mc_evid *e)
{
    json_int_t shard, record, offset, comp, tokens;
    const char *doc_id, *snippet;
    json_t *jd, *js;
    if (json_unpack(j, "{s:I, s:I, s:I, s:o, s:I, s:I, s:o}", "shard", &shard, "record", &record,
                    "offset", &offset, "doc_id", &jd, "component", &comp, "match_tokens", &tokens,
                    "snippet", &js) != 0 ||
        opt_str(jd, &doc_id) < 0 || opt_str(js, &snippet) < 0 || shard < 0 ||
        (size_t)shard >= nshards || record < 0 || offset < 0 || comp < 0 || comp >= MC_NCOMP ||
        tokens < 0 || tokens > UINT32_MAX) {
        return MC_EFORMAT;
    }
    *e = (mc_evid){(uint32_t)shard,
                   (uint64_t)record,
                   (uint64_t)offset,
                   NULL,
                   (uint8_t)comp,
                   (uint32_t)tokens,
                   NULL,
                   NULL,
                   0,
                   0.0};
    json_t *jsim = json_object_get(j, "similarity"); /* optional: near-duplicate evidence */
    if (jsim) {
        if (!json_is_number(jsim) || json_number_value(jsim) < 0 || json_number_value(jsim) > 1) {
            return MC_EFORMAT;
        }
        e->near = 1;
        e->similarity = json_number_value(jsim);
    }
    const char *rid = NULL; /* optional: WARC shards only */
    json_t *jr = json_object_get(j, "warc_record_id");
    if (jr && opt_str(jr, &rid) < 0) {
        return MC_EFORMAT;
    }
    int rc = dup_or_null(doc_id, &e->doc_id);
    rc = rc < 0 ? rc : dup_or_null(rid, &e->warc_record_id);
    return rc < 0 ? rc : dup_or_null(snippet, &e->snippet);
}

static int evidence_from(json_t *j, size_t nshards, mc_itemres *r)
{
    size_t n = json_array_size(j);
    if (!json_is_array(j) || n > UINT32_MAX) {
        return MC_EFORMAT;
    }
    r->ev = n ? mc__calloc(n, sizeof(*r->ev)) : NULL;
    if (n && !r->ev) {
        return MC_ENOMEM;
    }
    for (size_t e = 0; e < n; e++) {
        r->nev++;
        int rc = evid_from(json_array_get(j, e), nshards, &r->ev[e]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int item_from(const mc_index *idx, size_t nshards, json_t *j, mc_itemres *r)
{
    json_int_t item, status, lg[MC_NCOMP];
    int answer_any;
    json_t *bits, *ev;
    if (json_unpack(j, "{s:I, s:I, s:b, s:F, s:[IIII], s:[FFFF], s:o, s:o}", "item", &item,
                    "status", &status, "answer_any", &answer_any, "score", &r->score, "longest",
                    &lg[0], &lg[1], &lg[2], &lg[3], "cov", &r->cov[0], &r->cov[1], &r->cov[2],
                    &r->cov[3], "bits", &bits, "evidence", &ev) != 0 ||
        item < 0 || (uint64_t)item >= idx->nitems || status < 0 ||
        status > MC_STATUS_INPUT_AND_ANSWER) {
        return MC_EFORMAT;
    }
    r->item = (uint32_t)item;
    r->status = (uint8_t)status;
    r->answer_any = (uint8_t)(answer_any != 0);
    json_t *ns = json_object_get(j, "near_score");
    if (ns) {
        if (!json_is_number(ns) || json_number_value(ns) < 0 || json_number_value(ns) > 1) {
            return MC_EFORMAT;
        }
        r->near_score = json_number_value(ns);
    }
    for (int k = 0; k < MC_NCOMP; k++) {
        if (lg[k] < 0 || lg[k] > UINT32_MAX) {
            return MC_EFORMAT;
        }
        r->longest[k] = (uint32_t)lg[k];
    }
    int rc = bits_from(idx, bits, r);
    return rc < 0 ? rc : evidence_from(ev, nshards, r);
}

static int items_from(const mc_index *idx, size_t nshards, json_t *j, mc_shardres *s)
{
    size_t n = json_array_size(j);
    if (!json_is_array(j) || n > UINT32_MAX) {
        return MC_EFORMAT;
    }
    s->items = mc__calloc(n + 1, sizeof(*s->items));
    if (!s->items) {
        return MC_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        s->nitems++;
        int rc = item_from(idx, nshards, json_array_get(j, i), &s->items[i]);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Per-canary hits and up to 5 (record, offset) examples; an empty array
 * for a shard that was never opened (the scan then had none either). */
static int canaries_from(json_t *j, size_t ncan, mc_shardres *s)
{
    size_t n = json_array_size(j);
    if (!json_is_array(j) || (n != 0 && n != ncan)) {
        return MC_EFORMAT;
    }
    if (n == 0) {
        return 0;
    }
    s->canary_hits = mc__calloc(n, sizeof(uint64_t));
    s->canary_ex = mc__calloc(n * 5, sizeof(*s->canary_ex));
    s->canary_nex = mc__calloc(n, sizeof(uint32_t));
    if (!s->canary_hits || !s->canary_ex || !s->canary_nex) {
        return MC_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        json_int_t hits;
        json_t *ex;
        if (json_unpack(json_array_get(j, k), "{s:I, s:o}", "hits", &hits, "examples", &ex) != 0 ||
            hits < 0 || !json_is_array(ex) || json_array_size(ex) > 5) {
            return MC_EFORMAT;
        }
        s->canary_hits[k] = (uint64_t)hits;
        for (size_t e = 0; e < json_array_size(ex); e++) {
            json_int_t rec, off;
            if (json_unpack(json_array_get(ex, e), "[II]", &rec, &off) != 0 || rec < 0 || off < 0) {
                return MC_EFORMAT;
            }
            s->canary_ex[k * 5 + e][0] = (uint64_t)rec;
            s->canary_ex[k * 5 + e][1] = (uint64_t)off;
            s->canary_nex[k]++;
        }
    }
    return 0;
}

/* The counters of a shards.jsonl line. */
static int stats_from(json_t *j, const char **path, mc_shardres *s)
{
    json_int_t v[5];
    const char *status, *error, *xxh;
    json_t *je, *jx;
    if (json_unpack(j, "{s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "shard", path, "status",
                    &status, "error", &je, "records", &v[0], "records_skipped", &v[1], "bytes_in",
                    &v[2], "bytes_decompressed", &v[3], "bytes_text", &v[4], "xxh64", &jx) != 0 ||
        opt_str(je, &error) < 0 || opt_str(jx, &xxh) < 0 || v[0] < 0 || v[1] < 0 || v[2] < 0 ||
        v[3] < 0 || v[4] < 0) {
        return MC_EFORMAT;
    }
    s->status_ok = strcmp(status, "ok") == 0;
    if (s->status_ok ? (error || !xxh || hex64(xxh, &s->st.xxh64) < 0)
                     : strcmp(status, "failed") != 0) {
        return MC_EFORMAT;
    }
    s->st = (mc_reader_stats){(uint64_t)v[0], (uint64_t)v[1], (uint64_t)v[2],
                              (uint64_t)v[3], (uint64_t)v[4], s->st.xxh64};
    return dup_or_null(s->status_ok ? NULL : error, &s->error);
}

int mc__merge_shardres(const mc_index *idx, const char *const *list, size_t nshards, size_t ncan,
                       const void *shard_line, const void *result_line, mc_shardres *out,
                       uint32_t *pos)
{
    json_t *sl = (json_t *)shard_line;
    json_t *rl = (json_t *)result_line;
    const char *path, *rpath;
    json_int_t at;
    int ok;
    json_t *items, *canaries;
    memset(out, 0, sizeof(*out));
    int rc = stats_from(sl, &path, out);
    if (rc < 0) {
        return rc;
    }
    if (json_unpack(rl, "{s:I, s:s, s:b, s:o, s:o}", "list_index", &at, "shard", &rpath, "ok", &ok,
                    "items", &items, "canaries", &canaries) != 0 ||
        at < 0 || (size_t)at >= nshards || strcmp(path, rpath) != 0 ||
        strcmp(list[at], path) != 0 || !ok != !out->status_ok) {
        return MC_EFORMAT;
    }
    *pos = (uint32_t)at;
    rc = items_from(idx, nshards, items, out);
    return rc < 0 ? rc : canaries_from(canaries, ncan, out);
}

/* Log how member `key` of `what` differs between part k and part 0. */
static int differs(json_t *const *sum, const char *const *dirs, size_t k, const mc_logger *lg,
                   const char *what, const char *key)
{
    json_t *a = json_object_get(sum[0], what);
    json_t *b = json_object_get(sum[k], what);
    if (key) {
        a = json_object_get(a, key);
        b = json_object_get(b, key);
    }
    if (json_equal(a, b) || (!a && !b)) {
        return 0;
    }
    char *va = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *vb = b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    mc__log(lg, MC_LOG_ERROR, "cannot merge %s with %s: %s%s%s differs (%.200s vs %.200s)", dirs[k],
            dirs[0], what, key ? "." : "", key ? key : "", vb ? vb : "missing",
            va ? va : "missing");
    free(va);
    free(vb);
    return 1;
}

/* The same --canary strings in the same order? */
static int same_canaries(json_t *a, json_t *b)
{
    size_t n = json_array_size(a);
    int same = n == json_array_size(b);
    for (size_t c = 0; same && c < n; c++) {
        same = json_equal(json_object_get(json_array_get(a, c), "string"),
                          json_object_get(json_array_get(b, c), "string"));
    }
    return same;
}

int mc__merge_check_same(void *const *summaries, const char *const *dirs, size_t nparts,
                         const mc_logger *lg)
{
    json_t *const *sum = (json_t *const *)summaries;
    static const char *const bench_keys[] = {"fingerprint", "items", "files", "fields", "index"};
    int bad = 0;
    for (size_t k = 1; k < nparts; k++) {
        const char *key;
        json_t *v;
        bad += differs(sum, dirs, k, lg, "preset", NULL);
        json_object_foreach(json_object_get(sum[0], "params"), key, v)
        {
            bad += differs(sum, dirs, k, lg, "params", key);
        }
        json_object_foreach(json_object_get(sum[k], "params"), key, v)
        {
            if (!json_object_get(json_object_get(sum[0], "params"), key)) {
                bad += differs(sum, dirs, k, lg, "params", key);
            }
        }
        for (size_t b = 0; b < sizeof(bench_keys) / sizeof(bench_keys[0]); b++) {
            bad += differs(sum, dirs, k, lg, "benchmark", bench_keys[b]);
        }
        bad += differs(sum, dirs, k, lg, "shard_list", "count");
        bad += differs(sum, dirs, k, lg, "shard_list", "xxh64");
        bad += differs(sum, dirs, k, lg, "tool", "version");
        if (!same_canaries(json_object_get(sum[0], "canaries"),
                           json_object_get(sum[k], "canaries"))) {
            mc__log(lg, MC_LOG_ERROR, "cannot merge %s with %s: the --canary strings differ",
                    dirs[k], dirs[0]);
            bad++;
        }
    }
    return bad ? MC_EINVAL : 0;
}
