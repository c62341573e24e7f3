/* SPDX-License-Identifier: MIT */
/* Reading evidence documents back for `medcheck show`. A plain file is
 * read at the recorded byte offset (the record is one line, or a block of
 * text up to a blank line, as the shard reader splits them); anything
 * else (zstd, gzip, a URL) cannot seek and is streamed from its start
 * with the shard reader up to the recorded record, whose offset must then
 * be the recorded one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <medcheck/reader.h>

#include "eval/show_int.h"
#include "fp/hash.h"
#include "io/json_field.h"
#include "io/utf8.h"
#include "norm/tokens.h"
#include "util/alloc.h"
#include "util/buf.h"

static int fail(mc__show_entry *e, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Mark an entry unread, with why. Returns 0 (reading goes on). */
static int fail(mc__show_entry *e, int rc, const char *fmt, ...)
{
    char msg[4600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mc__free(e->error);
    e->error = mc__strdup(msg);
    e->pub.rc = rc;
    e->pub.error = e->error ? e->error : "out of memory";
    return 0;
}

static int set_text(mc__show_entry *e, const char *text, size_t len)
{
    e->text = mc__strndup(text, len);
    if (!e->text) {
        return MC_ENOMEM;
    }
    e->pub.text = e->text;
    e->pub.text_len = len;
    return 0;
}

static int is_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strchr(" \t\r\f\v\n", p[i])) {
            return 0;
        }
    }
    return 1;
}

/* JSONL or text, from the first byte that is not white space (as the
 * shard reader decides); 1 for JSONL. *bom: the file starts with a UTF-8
 * byte order mark (its first record starts after it). */
static int jsonl_mode(FILE *f, int *bom)
{
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf), f);
    *bom = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0;
    size_t i = *bom ? 3 : 0;
    while (i < n && strchr(" \t\r\f\v\n", buf[i])) {
        i++;
    }
    return i < n && buf[i] == '{';
}

/* A JSONL line: its text and id at the scan's fields. */
static int jsonl_record(mc__show *sh, mc__show_entry *e, const char *line, size_t n)
{
    mc__json_path tp, ip;
    mc_buf text, id;
    mc__buf_init(&text, 3 * n + 16);
    mc__buf_init(&id, 3 * n + 16);
    int rc = mc__json_path_init(&tp, sh->text_field ? sh->text_field : "text");
    rc = rc ? rc : mc__json_path_init(&ip, sh->id_field ? sh->id_field : "id");
    mc__json_query q[2] = {{&tp, &text, MC__JSON_MISSING}, {&ip, &id, MC__JSON_MISSING}};
    mc__json_error err = {NULL, 0};
    rc = rc ? rc : mc__json_extract(line, n, q, 2, &err);
    if (rc == MC_ENOMEM) {
        goto done;
    }
    if (rc < 0 || q[0].kind != MC__JSON_STRING) {
        rc = fail(e, MC_EFORMAT,
                  "%s: no JSONL record with a text at byte offset %lld (the "
                  "shard changed since the scan?)",
                  e->shard, (long long)e->pub.offset);
    } else if (e->doc_id && q[1].kind != MC__JSON_MISSING &&
               strcmp(id.data ? id.data : "", e->doc_id) != 0) {
        rc = fail(e, MC_EFORMAT,
                  "%s: the record at byte offset %lld has another id (the shard "
                  "changed since the scan)",
                  e->shard, (long long)e->pub.offset);
    } else {
        rc = set_text(e, text.data ? text.data : "", text.len);
    }
done:
    mc__buf_finish(&text);
    mc__buf_finish(&id);
    return rc;
}

/* A text block from the offset to the next blank line. */
static int text_record(mc__show *sh, mc__show_entry *e, FILE *f)
{
    mc_buf raw, out;
    mc__buf_init(&raw, sh->max_record + 2);
    mc__buf_init(&out, 3 * sh->max_record + 16);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0 && !is_blank_line(line, (size_t)n)) {
        rc = mc__buf_append(&raw, line, (size_t)n);
    }
    free(line);
    while (raw.len && (raw.data[raw.len - 1] == '\n' || raw.data[raw.len - 1] == '\r')) {
        raw.len--; /* the block ends before the line end of its last line */
    }
    if (rc == MC_ELIMIT || raw.len == 0) {
        rc = fail(e, MC_EFORMAT, "%s: no text record at byte offset %lld", e->shard,
                  (long long)e->pub.offset);
    } else if (rc == 0) {
        rc = mc__utf8_sanitize(&out, raw.data, raw.len, MC__UTF8_NUL | MC__UTF8_CRLF);
        rc = rc ? rc : set_text(e, out.data ? out.data : "", out.len);
    }
    mc__buf_finish(&raw);
    mc__buf_finish(&out);
    return rc;
}

static int seek_read(mc__show *sh, mc__show_entry *e)
{
    FILE *f = fopen(e->path, "rb");
    if (!f) {
        return fail(e, MC_ENOENT, "%s: cannot open", e->shard);
    }
    int bom = 0;
    int jsonl = jsonl_mode(f, &bom);
    off_t off = (off_t)e->pub.offset;
    int rc = 0;
    /* a record starts at a line start, or right after the byte order mark */
    int at_start = off == 0 || (bom && off == 3);
    if (off < 0 || fseeko(f, at_start ? off : off - 1, SEEK_SET) != 0 ||
        (!at_start && fgetc(f) != '\n')) {
        rc = fail(e, MC_EFORMAT,
                  "%s: no record starts at byte offset %lld (the shard changed "
                  "since the scan?)",
                  e->shard, (long long)e->pub.offset);
    } else if (jsonl) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n = getline(&line, &cap, f);
        if (n <= 0 || (size_t)n > sh->max_record + 1) {
            rc = fail(e, MC_EFORMAT, "%s: no record at byte offset %lld", e->shard,
                      (long long)e->pub.offset);
        } else {
            rc = jsonl_record(sh, e, line, (size_t)n);
        }
        free(line);
    } else {
        rc = text_record(sh, e, f);
    }
    fclose(f);
    return rc;
}

/* Stream the shard of entries[first] and take every entry of that shard. */
static int stream_read(mc__show *sh, size_t first, mc_reader *r)
{
    const char *path = sh->entries[first].path;
    uint64_t last = 0;
    for (size_t k = first; k < sh->n; k++) {
        if (strcmp(sh->entries[k].path, path) == 0 && sh->entries[k].pub.record > last) {
            last = sh->entries[k].pub.record;
        }
    }
    mc_record rec;
    int rc;
    while ((rc = mc_reader_read(r, &rec)) == 1) {
        if (sh->interrupt && *sh->interrupt) {
            rc = MC_EINTR;
            break;
        }
        for (size_t k = first; k < sh->n; k++) {
            mc__show_entry *e = &sh->entries[k];
            if (strcmp(e->path, path) != 0 || e->pub.record != rec.index || e->text) {
                continue;
            }
            e->pub.streamed = 1;
            if (e->pub.offset >= 0 && (uint64_t)e->pub.offset != rec.offset) {
                fail(e, MC_EFORMAT,
                     "%s: record at byte offset %lld, not the recorded one (the "
                     "shard changed since the scan)",
                     e->shard, (long long)rec.offset);
            } else if (set_text(e, rec.text, rec.text_len) < 0) {
                return MC_ENOMEM;
            }
        }
        if (rec.index >= last) {
            break;
        }
    }
    for (size_t k = first; k < sh->n; k++) {
        mc__show_entry *e = &sh->entries[k];
        if (strcmp(e->path, path) == 0 && !e->text && !e->pub.rc) {
            e->pub.streamed = 1;
            if (rc < 0) {
                fail(e, rc, "%s", rc == MC_EINTR ? "interrupted" : mc_reader_errmsg(r));
            } else {
                fail(e, MC_EFORMAT, "%s: no record %lld (the shard changed since the scan?)",
                     e->shard, (long long)e->pub.record);
            }
        }
    }
    return rc == MC_ENOMEM ? rc : 0;
}

static int read_shard(mc__show *sh, size_t first)
{
    mc__show_entry *e0 = &sh->entries[first];
    if (strcmp(e0->shard, "-") == 0) {
        for (size_t k = first; k < sh->n; k++) {
            if (strcmp(sh->entries[k].shard, "-") == 0) {
                fail(&sh->entries[k], MC_EUNSUPPORTED, "-: standard input cannot be read again");
            }
        }
        return 0;
    }
    mc_reader_opts ro;
    mc_reader_opts_default(&ro);
    ro.text_field = sh->text_field ? sh->text_field : ro.text_field;
    ro.id_field = sh->id_field ? sh->id_field : ro.id_field;
    ro.max_record_bytes = sh->max_record;
    ro.interrupt = sh->interrupt;
    mc_reader *r = NULL;
    int rc = mc_reader_open(&r, e0->path, &ro);
    if (rc < 0) {
        for (size_t k = first; k < sh->n; k++) {
            if (strcmp(sh->entries[k].path, e0->path) == 0) {
                fail(&sh->entries[k], rc, "%s: cannot open: %s", e0->shard, mc_strerror(rc));
            }
        }
        return rc == MC_ENOMEM ? rc : 0;
    }
    if (!mc_http_is_url(e0->path) && mc_reader_compression(r) == MC_COMP_NONE) {
        mc_reader_close(&r);
        for (size_t k = first; rc >= 0 && k < sh->n; k++) {
            if (strcmp(sh->entries[k].path, e0->path) == 0 && !sh->entries[k].text &&
                !sh->entries[k].pub.rc) {
                rc = seek_read(sh, &sh->entries[k]);
            }
        }
        return rc;
    }
    rc = stream_read(sh, first, r);
    mc_reader_close(&r);
    return rc;
}

int mc__show_read_all(mc__show *sh)
{
    for (size_t k = 0; k < sh->n; k++) {
        mc__show_entry *e = &sh->entries[k];
        if (!e->text && !e->pub.rc) {
            int rc = read_shard(sh, k);
            if (rc < 0) {
                return rc;
            }
        }
    }
    for (size_t k = 0; k < sh->n; k++) {
        mc__show_entry *e = &sh->entries[k];
        const char *item = e->item_text ? e->item_text : e->snippet;
        if (e->text && item) {
            int rc = mc__show_mark(sh->kind, sh->ngram, item, e->text, e->pub.text_len, &e->marks,
                                   &e->pub.n_marks);
            if (rc < 0) {
                return rc;
            }
            e->pub.marks = e->marks;
        }
    }
    return 0;
}

/* ---- marking */

static uint64_t ngram_key(const mc_tokvec *tv, size_t j, uint32_t n)
{
    uint64_t k = 0;
    for (uint32_t t = 0; t < n; t++) {
        k = k * MC_HASH_POLY + tv->tok[j + t].hash;
    }
    return mc__hash_finish(k, n);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int mc__show_mark(mc_norm_kind kind, uint32_t ngram, const char *item_text, const char *text,
                  size_t len, mc_show_mark **marks, size_t *n_marks)
{
    mc_tokvec ti, td;
    mc__tokvec_init(&ti);
    mc__tokvec_init(&td);
    *marks = NULL;
    *n_marks = 0;
    uint64_t *keys = NULL;
    uint8_t *on = NULL;
    int rc = mc__norm_tokenize(kind, item_text, strlen(item_text), &ti);
    rc = rc ? rc : mc__norm_tokenize(kind, text, len, &td);
    uint32_t n = ti.n < ngram ? (uint32_t)ti.n : ngram;
    if (rc < 0 || n == 0 || td.n < n) {
        goto done;
    }
    size_t nk = ti.n - n + 1;
    keys = mc__malloc(nk * sizeof(*keys));
    on = mc__calloc(td.n + 1, 1);
    if (!keys || !on) {
        rc = MC_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < nk; j++) {
        keys[j] = ngram_key(&ti, j, n);
    }
    qsort(keys, nk, sizeof(*keys), cmp_u64);
    for (size_t j = 0; j + n <= td.n; j++) {
        uint64_t k = ngram_key(&td, j, n);
        if (bsearch(&k, keys, nk, sizeof(*keys), cmp_u64)) {
            memset(on + j, 1, n);
        }
    }
    size_t runs = 0;
    for (size_t t = 0; t < td.n; t++) {
        runs += on[t] && (t == 0 || !on[t - 1]);
    }
    *marks = runs ? mc__calloc(runs, sizeof(**marks)) : NULL;
    rc = runs && !*marks ? MC_ENOMEM : 0;
    for (size_t t = 0; rc == 0 && t < td.n; t++) {
        if (on[t] && (t == 0 || !on[t - 1])) {
            (*marks)[*n_marks].start = td.tok[t].start;
        }
        if (on[t] && (t + 1 == td.n || !on[t + 1])) {
            (*marks)[(*n_marks)++].end = td.tok[t].end;
        }
    }
done:
    mc__free(keys);
    mc__free(on);
    mc__tokvec_finish(&ti);
    mc__tokvec_finish(&td);
    return rc == MC_ENOMEM ? rc : 0;
}
