/* SPDX-License-Identifier: MIT */
/* More shard formats: xz and bzip2 (multi-stream, truncation, corruption,
 * the xz memory cap), WARC records (WET conversion records, bad records,
 * offsets, oversized blocks, records split across reads) and the built-in
 * corpus descriptors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bzlib.h>
#include <cmocka.h>
#include <lzma.h>
#include <xxhash.h>
#include <zlib.h>

#include <medcheck/reader.h>

#include "testutil.h"
#include "util/alloc.h"

#define MAXREC 64

typedef struct got {
    size_t n;
    uint64_t index[MAXREC];
    uint64_t offset[MAXREC];
    char *text[MAXREC];
    char *id[MAXREC];
    char *rid[MAXREC];
    int rc;
    char errmsg[512];
    mc_reader_stats st;
    mc_compression comp;
    int warnings;
    char last_warning[1024];
    char all_warnings[4096];
} got;

static void on_log(void *ctx, mc_log_level level, const char *msg)
{
    got *g = ctx;
    size_t n = strlen(g->all_warnings);
    g->warnings++;
    snprintf(g->last_warning, sizeof(g->last_warning), "%s", msg);
    snprintf(g->all_warnings + n, sizeof(g->all_warnings) - n, "%s\n", msg);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->text[i]);
        free(g->id[i]);
        free(g->rid[i]);
    }
}

static void read_path(const char *path, const mc_reader_opts *o, got *g)
{
    mc_reader_opts opts;
    mc_reader *r = NULL;
    mc_record rec;
    memset(g, 0, sizeof(*g));
    if (o) {
        opts = *o;
    } else {
        mc_reader_opts_default(&opts);
    }
    opts.logger.fn = on_log;
    opts.logger.ctx = g;
    assert_int_equal(mc_reader_open(&r, path, &opts), 0);
    while ((g->rc = mc_reader_read(r, &rec)) == 1) {
        assert_int_equal(strlen(rec.text), rec.text_len);
        if (g->n == MAXREC) {
            continue;
        }
        g->comp = mc_reader_compression(r);
        g->index[g->n] = rec.index;
        g->offset[g->n] = rec.offset;
        g->text[g->n] = strndup(rec.text, rec.text_len);
        g->id[g->n] = rec.id ? strndup(rec.id, rec.id_len) : NULL;
        g->rid[g->n] =
            rec.warc_record_id ? strndup(rec.warc_record_id, rec.warc_record_id_len) : NULL;
        g->n++;
    }
    g->comp = mc_reader_compression(r);
    snprintf(g->errmsg, sizeof(g->errmsg), "%s", mc_reader_errmsg(r));
    mc_reader_get_stats(r, &g->st);
    mc_reader_close(&r);
}

static void write_tmp(char *path, const void *data, size_t n)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

static void read_bytes(const void *data, size_t n, const mc_reader_opts *o, got *g)
{
    char path[] = "/tmp/mc_test_formats_XXXXXX";
    write_tmp(path, data, n);
    read_path(path, o, g);
    unlink(path);
}

/* ---- xz and bzip2 ---- */

static size_t xz_stream(uint8_t *dst, size_t cap, const void *s, size_t len)
{
    size_t pos = 0;
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, s, len, dst, &pos, cap),
                     LZMA_OK);
    return pos;
}

static size_t bz2_stream(uint8_t *dst, size_t cap, const void *s, size_t len)
{
    unsigned int n = (unsigned int)cap;
    assert_int_equal(
        BZ2_bzBuffToBuffCompress((char *)dst, &n, (char *)(uintptr_t)s, (unsigned int)len, 9, 0, 0),
        BZ_OK);
    return n;
}

static const char *const parts[] = {
    "{\"id\":1,\"text\":\"a\"}\n{\"text\":\"b",
    "c\"}\n\n{\"id\":\"x\",",
    "\"text\":\"d\"}",
};
#define JOINED "{\"id\":1,\"text\":\"a\"}\n{\"text\":\"bc\"}\n\n{\"id\":\"x\",\"text\":\"d\"}"

static void check_joined(const got *g)
{
    assert_int_equal(g->rc, 0);
    assert_int_equal(g->n, 3);
    assert_string_equal(g->text[0], "a");
    assert_string_equal(g->id[0], "1");
    assert_string_equal(g->text[1], "bc");
    assert_string_equal(g->text[2], "d");
    assert_int_equal(g->offset[2], 35);
    assert_null(g->rid[0]);
    assert_int_equal(g->st.bytes_decompressed, strlen(JOINED));
    assert_int_equal(g->st.xxh64, XXH64(JOINED, strlen(JOINED), 0));
}

static void test_reader_read_xz_multistream_padding(void **state)
{
    uint8_t buf[8192];
    size_t n = 0;
    got g;
    for (size_t i = 0; i < 3; i++) {
        n += xz_stream(buf + n, sizeof(buf) - n, parts[i], strlen(parts[i]));
        memset(buf + n, 0, 4 * i); /* stream padding: 0, 4, 8 zero bytes */
        n += 4 * i;
    }
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.comp, MC_COMP_XZ);
    assert_int_equal(g.st.bytes_in, n);
    check_joined(&g);
    got_free(&g);

    /* padding that is not a multiple of four is an error */
    n = xz_stream(buf, sizeof(buf), JOINED, strlen(JOINED));
    memset(buf + n, 0, 3);
    read_bytes(buf, n + 3, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "xz stream at byte offset"));
    got_free(&g);
    /* ... also when another stream follows */
    n = xz_stream(buf, sizeof(buf), parts[0], strlen(parts[0]));
    memset(buf + n, 0, 2);
    n += 2;
    n += xz_stream(buf + n, sizeof(buf) - n, parts[1], strlen(parts[1]));
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "not a multiple of 4"));
    got_free(&g);
}

static void test_reader_read_bz2_multistream(void **state)
{
    uint8_t buf[8192];
    size_t n = 0;
    got g;
    for (size_t i = 0; i < 3; i++) {
        n += bz2_stream(buf + n, sizeof(buf) - n, parts[i], strlen(parts[i]));
    }
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.comp, MC_COMP_BZ2);
    check_joined(&g);
    got_free(&g);

    /* garbage after a complete stream is an error, not silently ignored */
    memcpy(buf + n, "BZx0junk", 8);
    read_bytes(buf, n + 8, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "bzip2"));
    got_free(&g);
}

static char *big_jsonl(size_t lines, size_t *len)
{
    char *s = malloc(lines * 64);
    size_t n = 0;
    for (size_t i = 0; i < lines; i++) {
        n += (size_t)sprintf(s + n, "{\"text\":\"line %zu %08zx\"}\n", i, i * 2654435761u);
    }
    *len = n;
    return s;
}

static void test_reader_read_xz_bz2_truncated_corrupt(void **state)
{
    size_t len;
    char *s = big_jsonl(100000, &len);
    size_t cap = len + 4096;
    uint8_t *c = malloc(cap);
    got g;
    size_t xn = xz_stream(c, cap, s, len);
    read_bytes(c, xn / 2, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "truncated xz stream at byte offset"));
    assert_non_null(strstr(g.errmsg, "mc_test_formats_"));
    assert_non_null(strstr(g.errmsg, "decompressed)"));
    assert_true(g.n > 0); /* the records before the cut were read */
    got_free(&g);
    c[xn / 2] ^= 0x55;
    c[xn / 2 + 1] ^= 0x55;
    read_bytes(c, xn, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "corrupt xz data at byte offset"));
    got_free(&g);

    size_t bn = bz2_stream(c, cap, s, len);
    read_bytes(c, bn - 10, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "truncated bzip2 stream at byte offset"));
    got_free(&g);
    c[bn / 2] ^= 0x55;
    read_bytes(c, bn, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "corrupt bzip2 data at byte offset"));
    got_free(&g);
    free(c);
    free(s);
}

/* An xz block header asking for a 4 GiB dictionary is refused (MC_ELIMIT)
 * before anything is allocated for it. */
static void test_reader_read_xz_memlimit(void **state)
{
    const char *s = "{\"text\":\"small\"}\n";
    uint8_t buf[512];
    size_t n = xz_stream(buf, sizeof(buf), s, strlen(s));
    size_t hs = ((size_t)buf[12] + 1) * 4; /* block header after the 12-byte stream header */
    size_t i = 14;
    for (int f = 0x40; f <= 0x80; f <<= 1) { /* skip the optional size fields */
        if (buf[13] & f) {
            while (buf[i] & 0x80) {
                i++;
            }
            i++;
        }
    }
    assert_int_equal(buf[i], 0x21); /* LZMA2 filter, one property byte */
    assert_int_equal(buf[i + 1], 1);
    buf[i + 2] = 40; /* dictionary 4 GiB - 1 */
    uint32_t crc = lzma_crc32(buf + 12, hs - 4, 0);
    for (int k = 0; k < 4; k++) {
        buf[12 + hs - 4 + (size_t)k] = (uint8_t)(crc >> (8 * k));
    }
    got g;
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.rc, MC_ELIMIT);
    assert_non_null(strstr(g.errmsg, "over the 128 MiB limit"));
    got_free(&g);
}

/* ---- WARC ---- */

typedef struct wet {
    char *data;
    size_t len, cap;
    uint64_t block_off[MAXREC]; /* offsets of the blocks written */
    size_t nblocks;
    size_t rec_start[MAXREC]; /* offsets of the records written */
    size_t nrec;
} wet;

static void wet_put(wet *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        w->data = realloc(w->data, w->cap);
        assert_non_null(w->data);
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

/* One record; clen < 0: the block's own length, else written as given. */
static void wet_rec(wet *w, const char *type, const char *uri, const char *rid, const char *block,
                    long clen, const char *eol)
{
    char h[1024];
    size_t bl = strlen(block);
    int n = snprintf(h, sizeof(h), "WARC/1.0%sWARC-Type: %s%s", eol, type, eol);
    if (uri) {
        n += snprintf(h + n, sizeof(h) - (size_t)n, "WARC-Target-URI: %s%s", uri, eol);
    }
    if (rid) {
        n += snprintf(h + n, sizeof(h) - (size_t)n, "WARC-Record-ID: %s%s", rid, eol);
    }
    n += snprintf(h + n, sizeof(h) - (size_t)n, "Content-Type: text/plain%sContent-Length: %ld%s%s",
                  eol, clen < 0 ? (long)bl : clen, eol, eol);
    if (w->nrec < MAXREC) {
        w->rec_start[w->nrec++] = w->len;
    }
    wet_put(w, h, (size_t)n);
    if (w->nblocks < MAXREC) {
        w->block_off[w->nblocks++] = w->len;
    }
    wet_put(w, block, bl);
    wet_put(w, eol, strlen(eol));
    wet_put(w, eol, strlen(eol));
}

static void wet_puts(wet *w, const char *s)
{
    wet_put(w, s, strlen(s));
}

static void wet_info(wet *w)
{
    wet_rec(w, "warcinfo", NULL, "<urn:uuid:info>", "software: test\r\n", -1, "\r\n");
    w->nblocks = 0;
}

static void test_reader_read_warc_records(void **state)
{
    wet w = {0};
    got g;
    wet_info(&w);
    wet_rec(&w, "conversion", "http://a.example/", "<urn:uuid:1>", "First page\r\ntext \xFF.", -1,
            "\r\n");
    wet_rec(&w, "response", "http://a.example/", "<urn:uuid:2>", "HTTP/1.1 200\r\n\r\nx", -1,
            "\r\n");
    wet_rec(&w, "conversion", "http://b.example/p?q=1", "<urn:uuid:3>", "Second\npage", -1, "\r\n");
    wet_rec(&w, "Conversion", NULL, NULL, "no uri", -1, "\r\n");
    read_bytes(w.data, w.len, NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.comp, MC_COMP_NONE);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text[0], "First page\ntext \xEF\xBF\xBD.");
    assert_string_equal(g.id[0], "http://a.example/");
    assert_string_equal(g.rid[0], "<urn:uuid:1>");
    assert_int_equal(g.index[0], 1);
    assert_int_equal(g.offset[0], w.block_off[0]);
    assert_string_equal(g.text[1], "Second\npage");
    assert_string_equal(g.id[1], "http://b.example/p?q=1");
    assert_int_equal(g.index[1], 3);
    assert_int_equal(g.offset[1], w.block_off[2]);
    assert_null(g.id[2]);
    assert_null(g.rid[2]);
    assert_int_equal(g.index[2], 4);
    assert_int_equal(g.st.records, 3);
    assert_int_equal(g.st.records_skipped, 0);
    assert_int_equal(g.warnings, 1); /* the response record, once */
    assert_non_null(strstr(g.last_warning, "WARC-Type 'response'"));
    assert_int_equal(g.st.xxh64, XXH64(w.data, w.len, 0));
    got_free(&g);

    /* one gzip member per record, as Common Crawl writes them */
    size_t cap = w.len * 2 + 4096;
    uint8_t *gz = malloc(cap);
    size_t gn = 0;
    for (size_t i = 0; i < w.nrec; i++) {
        size_t a = w.rec_start[i];
        size_t e = i + 1 < w.nrec ? w.rec_start[i + 1] : w.len;
        z_stream z;
        memset(&z, 0, sizeof(z));
        assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *)w.data + a;
        z.avail_in = (uInt)(e - a);
        z.next_out = gz + gn;
        z.avail_out = (uInt)(cap - gn);
        assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
        gn += z.total_out;
        deflateEnd(&z);
    }
    read_bytes(gz, gn, NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.comp, MC_COMP_GZIP);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.offset[1], w.block_off[2]);
    assert_string_equal(g.rid[1], "<urn:uuid:3>");
    got_free(&g);
    free(gz);
    free(w.data);
}

static void test_reader_read_warc_bad_records(void **state)
{
    wet w = {0};
    got g;
    wet_info(&w);
    wet_rec(&w, "conversion", "http://1/", "<r1>", "good one", -1, "\r\n");          /* 1 */
    wet_rec(&w, "conversion", "http://2/", "<r2>", "declared too long", 40, "\r\n"); /* 2 */
    wet_rec(&w, "conversion", "http://3/", "<r3>", "good three", -1, "\r\n");        /* 3 */
    wet_puts(&w, "garbage line\r\n\r\n");                                            /* 4 */
    wet_puts(&w, "WARC/1.0\r\nWARC-Type: conversion\r\n\r\nno length\r\n\r\n");      /* 5 */
    wet_rec(&w, "conversion", "http://6/", "<r6>", "declared too short", 5, "\r\n"); /* 6 */
    wet_rec(&w, "conversion", "http://7/", "<r7>", "lf only", -1, "\n");             /* 7 */
    wet_puts(&w, "WARC/1.0\r\nContent-Length: 2\r\n\r\nab\r\n\r\n");                 /* 8 */
    wet_puts(&w, "WARC/1.0\r\nWARC-Type conversion\r\n\r\n");                        /* 9 */
    wet_rec(&w, "conversion", "http://10/", "<r10>", "good ten", -1, "\r\n");        /* 10 */
    wet_rec(&w, "conversion", "http://11/", "<r11>", "cut short here", 100, "\r\n"); /* 11 */
    read_bytes(w.data, w.len, NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.id[0], "http://1/");
    assert_string_equal(g.id[1], "http://3/");
    assert_string_equal(g.text[2], "lf only");
    assert_string_equal(g.id[2], "http://7/");
    assert_string_equal(g.id[3], "http://10/");
    assert_string_equal(g.text[3], "good ten");
    assert_int_equal(g.index[3], 10);
    assert_int_equal(g.st.records_skipped, 7);
    assert_non_null(strstr(g.all_warnings, "WARC record 2 at byte offset"));
    assert_non_null(strstr(g.all_warnings, "Content-Length 40 does not match the data"));
    assert_non_null(strstr(g.all_warnings, ": no Content-Length"));
    assert_non_null(strstr(g.all_warnings, "WARC record 4 at byte offset"));
    assert_non_null(strstr(g.all_warnings, "not a WARC record"));
    assert_non_null(strstr(g.all_warnings, "no WARC-Type"));
    assert_non_null(strstr(g.all_warnings, "header line without ':'"));
    assert_non_null(strstr(g.last_warning, "truncated: Content-Length 100"));
    got_free(&g);
    free(w.data);
}

/* A conversion block over the record limit is streamed past; a record
 * whose block is far larger than the window still resynchronises. */
static void test_reader_read_warc_oversize(void **state)
{
    wet w = {0};
    size_t big = 3u << 20;
    char *block = malloc(big + 1);
    memset(block, 'x', big);
    block[big] = '\0';
    for (size_t i = 80; i < big; i += 81) {
        block[i] = '\n';
    }
    wet_info(&w);
    wet_rec(&w, "conversion", "http://big/", "<big>", block, -1, "\r\n");
    wet_rec(&w, "conversion", "http://after/", "<after>", "after", -1, "\r\n");
    wet_rec(&w, "resource", "http://res/", "<res>", block, -1, "\r\n");
    wet_rec(&w, "conversion", "http://last/", "<last>", "last", -1, "\r\n");
    mc_reader_opts o;
    got g;
    mc_reader_opts_default(&o);
    o.max_record_bytes = 1000;
    read_bytes(w.data, w.len, &o, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[0], "after");
    assert_int_equal(g.offset[0], w.block_off[1]);
    assert_string_equal(g.text[1], "last");
    assert_int_equal(g.index[1], 4);
    assert_int_equal(g.st.records_skipped, 1);
    assert_non_null(strstr(g.all_warnings, "exceeds --max-record-bytes"));
    got_free(&g);
    /* under the default limit the big block is a document */
    read_bytes(w.data, w.len, NULL, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(strlen(g.text[0]), big);
    got_free(&g);
    free(block);
    free(w.data);
}

/* Many records over several window refills: every offset is right. */
static void test_reader_read_warc_many(void **state)
{
    wet w = {0};
    char block[1200];
    char uri[64];
    wet_info(&w);
    for (int i = 0; i < 4000; i++) {
        int n = snprintf(block, sizeof(block), "page %d ", i);
        memset(block + n, 'a' + i % 26, (size_t)(200 + i % 900));
        block[n + 200 + i % 900] = '\0';
        snprintf(uri, sizeof(uri), "http://e.example/%d", i);
        wet_rec(&w, "conversion", uri, "<id>", block, -1, "\r\n");
    }
    /* the offsets of the first MAXREC blocks were kept */
    mc_reader *r = NULL;
    mc_record rec;
    char path[] = "/tmp/mc_test_formats_XXXXXX";
    write_tmp(path, w.data, w.len);
    assert_int_equal(mc_reader_open(&r, path, NULL), 0);
    int k = 0;
    int rc;
    while ((rc = mc_reader_read(r, &rec)) == 1) {
        char want[32];
        snprintf(want, sizeof(want), "page %d ", k);
        assert_memory_equal(rec.text, want, strlen(want));
        assert_int_equal(rec.index, (uint64_t)k + 1);
        assert_memory_equal(w.data + rec.offset, want, strlen(want));
        if (k < MAXREC) {
            assert_int_equal(rec.offset, w.block_off[k]);
        }
        k++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(k, 4000);
    mc_reader_close(&r);
    unlink(path);
    free(w.data);
}

/* Records that arrive a few bytes at a time (a pipe): detection and the
 * header, block and trailer checks all wait for more data. */
static void test_reader_read_warc_trickle(void **state)
{
    wet w = {0};
    wet_info(&w);
    wet_rec(&w, "conversion", "http://t/1", "<t1>", "one two three", -1, "\r\n");
    wet_rec(&w, "conversion", "http://t/2", "<t2>", "four", 2, "\r\n");
    wet_rec(&w, "conversion", "http://t/3", "<t3>", "five six", -1, "\r\n");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < w.len; i += 3) {
            size_t n = w.len - i < 3 ? w.len - i : 3;
            if (write(fds[1], w.data + i, n) != (ssize_t)n) {
                _exit(1);
            }
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    got g;
    read_path("-", NULL, &g);
    dup2(saved, STDIN_FILENO);
    close(saved);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[0], "one two three");
    assert_string_equal(g.text[1], "five six");
    assert_int_equal(g.offset[1], w.block_off[2]);
    assert_int_equal(g.st.records_skipped, 1);
    got_free(&g);
    free(w.data);
}

/* "WARC/1.0" only counts at the very start; other versions are text. */
static void test_reader_read_warc_detection(void **state)
{
    got g;
    const char *t = "WARC/2.0\r\nnot a warc\r\n\r\nsecond block\r\n";
    read_bytes(t, strlen(t), NULL, &g);
    assert_int_equal(g.n, 2); /* plain-text blocks */
    assert_null(g.rid[0]);
    got_free(&g);
    const char *b = "\xEF\xBB\xBFWARC/1.0\r\n";
    read_bytes(b, strlen(b), NULL, &g);
    assert_int_equal(g.n, 1);
    got_free(&g);
    read_bytes("WARC/1.", 7, NULL, &g); /* too short to be WARC */
    assert_int_equal(g.n, 1);
    got_free(&g);
    read_bytes("WARC/1.1", 8, NULL, &g); /* WARC, but no record */
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.st.records_skipped, 1);
    got_free(&g);
}

/* Every allocation failure on the WARC path ends in MC_ENOMEM, no leak. */
static void test_reader_read_warc_alloc_failure(void **state)
{
    wet w = {0};
    char path[] = "/tmp/mc_test_formats_XXXXXX";
    wet_info(&w);
    wet_rec(&w, "conversion", "http://a/", "<a>", "alpha", -1, "\r\n");
    wet_rec(&w, "conversion", "http://b/", "<b>", "beta", 3, "\r\n");
    wet_rec(&w, "conversion", "http://c/", "<c>", "gamma", -1, "\r\n");
    write_tmp(path, w.data, w.len);
    for (unsigned long k = 1; k < 40; k++) {
        mc_reader *r = NULL;
        mc_record rec;
        int rc;
        mc__alloc_fail_after(k);
        rc = mc_reader_open(&r, path, NULL);
        if (rc == 0) {
            while ((rc = mc_reader_read(r, &rec)) == 1) {
            }
            mc_reader_close(&r);
        }
        mc__alloc_fail_after(0);
        assert_true(rc == 0 || rc == MC_ENOMEM);
    }
    unlink(path);
    free(w.data);
}

/* The committed WET sample: 100 real Common Crawl documents. */
static void test_reader_read_wet_sample(void **state)
{
    got g;
    read_path(tu_src("corpora/wet/dolma-cc-00140.warc.wet.gz"), NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.comp, MC_COMP_GZIP);
    assert_int_equal(g.st.records, 100);
    assert_int_equal(g.st.records_skipped, 0);
    assert_int_equal(g.warnings, 0);
    assert_int_equal(g.index[0], 1);
    assert_non_null(strstr(g.id[0], "http"));
    assert_int_equal(strncmp(g.rid[0], "<urn:uuid:", 10), 0);
    got_free(&g);
}

/* ---- corpus descriptors ---- */

static void test_corpus_find_all(void **state)
{
    static const char *const names[] = {"c4",          "cc-wet",  "dclm-baseline", "dolma",
                                        "fineweb-edu", "fineweb", "pes2o",         "redpajama-v2",
                                        "slimpajama",  "the-pile"};
    assert_int_equal(mc_corpus_count(), 10);
    for (size_t i = 0; i < 10; i++) {
        const mc_corpus_desc *d = mc_corpus_find(names[i]);
        assert_non_null(d);
        assert_string_equal(d->name, names[i]);
        assert_int_equal(strncmp(d->source, "https://", 8), 0);
        assert_non_null(strstr(d->sources, d->source));
        assert_true(strcmp(d->container, "jsonl") == 0 || strcmp(d->container, "parquet") == 0 ||
                    strcmp(d->container, "warc") == 0);
        assert_true(d->readable == (strcmp(d->container, "parquet") != 0));
        assert_true((d->text_field == NULL) == (strcmp(d->container, "warc") == 0));
    }
    for (size_t i = 1; i < mc_corpus_count(); i++) {
        assert_true(strcmp(mc_corpus_get(i - 1)->name, mc_corpus_get(i)->name) < 0);
    }
    assert_null(mc_corpus_get(mc_corpus_count()));
    assert_null(mc_corpus_find("nope"));
    assert_null(mc_corpus_find(NULL));
    assert_string_equal(mc_corpus_find("redpajama-v2")->text_field, "raw_content");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_read_xz_multistream_padding),
        cmocka_unit_test(test_reader_read_bz2_multistream),
        cmocka_unit_test(test_reader_read_xz_bz2_truncated_corrupt),
        cmocka_unit_test(test_reader_read_xz_memlimit),
        cmocka_unit_test(test_reader_read_warc_records),
        cmocka_unit_test(test_reader_read_warc_bad_records),
        cmocka_unit_test(test_reader_read_warc_oversize),
        cmocka_unit_test(test_reader_read_warc_many),
        cmocka_unit_test(test_reader_read_warc_trickle),
        cmocka_unit_test(test_reader_read_warc_detection),
        cmocka_unit_test(test_reader_read_warc_alloc_failure),
        cmocka_unit_test(test_reader_read_wet_sample),
        cmocka_unit_test(test_corpus_find_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
