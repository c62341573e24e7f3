/* SPDX-License-Identifier: MIT */
/* Reader: compression probing, multi-frame/member streams, truncation,
 * record splitting (JSONL, text, CRLF), skipped records and offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

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
    int rc;             /* final read result */
    char errmsg[512];
    mc_reader_stats st;
    mc_compression comp;
    int warnings;
    char last_warning[1024];
} got;

static void on_log(void *ctx, mc_log_level level, const char *msg)
{
    got *g = ctx;
    g->warnings++;
    snprintf(g->last_warning, sizeof(g->last_warning), "%s", msg);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->text[i]);
        free(g->id[i]);
    }
}

/* Read a whole shard from a path. */
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
    g->comp = mc_reader_compression(r);
    while ((g->rc = mc_reader_read(r, &rec)) == 1) {
        assert_int_equal(strlen(rec.text), rec.text_len);
        if (g->n == MAXREC) {
            continue; /* keep the first MAXREC only */
        }
        g->index[g->n] = rec.index;
        g->offset[g->n] = rec.offset;
        g->text[g->n] = strndup(rec.text, rec.text_len);
        g->id[g->n] = rec.id ? strndup(rec.id, rec.id_len) : NULL;
        g->n++;
    }
    snprintf(g->errmsg, sizeof(g->errmsg), "%s", mc_reader_errmsg(r));
    mc_reader_get_stats(r, &g->st);
    mc_reader_close(&r);
    assert_null(r);
}

/* Write bytes to a temporary file and read it. */
static void read_bytes(const void *data, size_t n, const mc_reader_opts *o, got *g)
{
    char path[] = "/tmp/mc_test_reader_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    read_path(path, o, g);
    unlink(path);
}

static size_t zstd_frame(char *dst, size_t cap, const char *s)
{
    size_t n = ZSTD_compress(dst, cap, s, strlen(s), 3);
    assert_false(ZSTD_isError(n));
    return n;
}

static size_t gzip_member(char *dst, size_t cap, const char *s, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)s;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)dst;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
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
    assert_null(g->id[1]);
    assert_string_equal(g->text[2], "d");
    assert_string_equal(g->id[2], "x");
    assert_int_equal(g->offset[1], 20);
    assert_int_equal(g->offset[2], 35);
    assert_int_equal(g->index[2], 2);
    assert_int_equal(g->st.records, 3);
    assert_int_equal(g->st.bytes_decompressed, strlen(JOINED));
    assert_int_equal(g->st.bytes_text, 4);
    assert_int_equal(g->st.xxh64, XXH64(JOINED, strlen(JOINED), 0));
}

static void test_reader_read_zstd_multiframe_skippable(void **state)
{
    char buf[4096];
    size_t n = 0;
    static const unsigned char skip[] = {0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'};
    got g;
    memcpy(buf, skip, sizeof(skip)); /* skippable frame first */
    n += sizeof(skip);
    for (size_t i = 0; i < 3; i++) {
        n += zstd_frame(buf + n, sizeof(buf) - n, parts[i]);
        memcpy(buf + n, skip, sizeof(skip)); /* and between / after frames */
        n += sizeof(skip);
    }
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.comp, MC_COMP_ZSTD);
    assert_int_equal(g.st.bytes_in, n);
    check_joined(&g);
    got_free(&g);
}

static void test_reader_read_gzip_multimember(void **state)
{
    char buf[4096];
    size_t n = 0;
    got g;
    for (size_t i = 0; i < 3; i++) {
        n += gzip_member(buf + n, sizeof(buf) - n, parts[i], strlen(parts[i]));
    }
    read_bytes(buf, n, NULL, &g);
    assert_int_equal(g.comp, MC_COMP_GZIP);
    check_joined(&g);
    got_free(&g);
}

static void test_reader_read_plain_jsonl(void **state)
{
    got g;
    read_bytes(JOINED, strlen(JOINED), NULL, &g);
    assert_int_equal(g.comp, MC_COMP_NONE);
    check_joined(&g);
    got_free(&g);
}

/* A large random-ish payload so the compressed stream spans buffers. */
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

static void test_reader_read_truncated(void **state)
{
    size_t len;
    char *s = big_jsonl(100000, &len);
    size_t cap = len + 1024;
    char *c = malloc(cap);
    got g;
    size_t zn = ZSTD_compress(c, cap, s, len, 1);
    assert_false(ZSTD_isError(zn));
    read_bytes(c, zn / 2, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "truncated zstd frame at byte offset"));
    assert_non_null(strstr(g.errmsg, "mc_test_reader_"));
    got_free(&g);

    size_t gn = gzip_member(c, cap, s, len);
    read_bytes(c, gn - 5, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "truncated gzip member at byte offset"));
    got_free(&g);

    c[gn / 2] ^= 0x55; /* corrupt the middle */
    c[gn / 2 + 1] ^= 0x55;
    read_bytes(c, gn, NULL, &g);
    assert_int_equal(g.rc, MC_EFORMAT);
    assert_non_null(strstr(g.errmsg, "byte offset"));
    got_free(&g);
    free(c);
    free(s);
}

/* The two gzip decoders (ISA-L when built with it, and zlib, chosen with
 * MEDCHECK_INFLATE=zlib) give the same records and the same verdict on
 * whole, multi-member, truncated, corrupt and bad-checksum streams. */
static void same_gzip_result(const char *data, size_t n)
{
    got a, b;
    unsetenv("MEDCHECK_INFLATE");
    read_bytes(data, n, NULL, &a);
    setenv("MEDCHECK_INFLATE", "zlib", 1);
    read_bytes(data, n, NULL, &b);
    unsetenv("MEDCHECK_INFLATE");
    assert_int_equal(a.rc, b.rc);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.text[i], b.text[i]);
        assert_int_equal(a.offset[i], b.offset[i]);
    }
    assert_int_equal(a.st.bytes_decompressed, b.st.bytes_decompressed);
    assert_int_equal(a.st.xxh64, b.st.xxh64);
    if (a.rc < 0) {
        assert_non_null(strstr(a.errmsg, "byte offset"));
        assert_non_null(strstr(b.errmsg, "byte offset"));
    }
    got_free(&a);
    got_free(&b);
}

static void test_reader_gzip_decoders_agree(void **state)
{
    size_t len;
    char *s = big_jsonl(20000, &len);
    size_t cap = 2 * len + 4096;
    char *c = malloc(cap);
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        n += gzip_member(c + n, cap - n, parts[i], strlen(parts[i]));
    }
    size_t big = gzip_member(c + n, cap - n, s, len);
    same_gzip_result(c, n + big); /* four members, one large */
    same_gzip_result(c, n + big / 2);   /* truncated inside a member */
    same_gzip_result(c, n + big - 3);   /* truncated in the trailer */
    same_gzip_result(c, n + 5);         /* truncated in a header */
    c[n + big - 6] ^= 0x01;             /* a wrong CRC-32 */
    same_gzip_result(c, n + big);
    c[n + big - 6] ^= 0x01;
    c[n + big - 2] ^= 0x01;             /* a wrong length */
    same_gzip_result(c, n + big);
    c[n + big - 2] ^= 0x01;
    c[n + big / 3] ^= 0x55;             /* corrupt deflate data */
    c[n + big / 3 + 1] ^= 0x55;
    same_gzip_result(c, n + big);
    free(c);
    free(s);
}

static void test_reader_read_zstd_window_limit(void **state)
{
    const char *s = "{\"text\":\"small\"}\n";
    char out[256];
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 30);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
    ZSTD_outBuffer ob = {out, sizeof(out), 0};
    ZSTD_inBuffer ib = {s, strlen(s), 0};
    /* e_continue first, so the size is unknown and the window stays 1 GiB */
    assert_false(ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
    assert_int_equal(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end), 0);
    ZSTD_freeCCtx(cc);
    got g;
    read_bytes(out, ob.pos, NULL, &g);
    assert_int_equal(g.rc, MC_ELIMIT);
    assert_non_null(strstr(g.errmsg, "limit"));
    got_free(&g);
}

static void test_reader_read_bad_records_skipped(void **state)
{
    const char *s = "{\"text\":\"one\"}\r\n"
                    "{\"text\":\"two\" oops}\r\n"
                    "   \r\n"
                    "{\"id\":7}\n"
                    "{\"text\":\"this one is far too long for the limit\"}\n"
                    "{\"text\":3}\n"
                    "{\"text\":\"bad \xFF utf8\"}";
    mc_reader_opts o;
    got g;
    mc_reader_opts_default(&o);
    o.max_record_bytes = 40;
    read_bytes(s, strlen(s), &o, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[0], "one");
    assert_int_equal(g.index[1], 5);
    assert_int_equal(g.offset[1], strlen(s) - 21);
    assert_string_equal(g.text[1], "bad \xEF\xBF\xBD utf8");
    assert_int_equal(g.st.records_skipped, 4);
    assert_int_equal(g.warnings, 4);
    assert_non_null(strstr(g.last_warning, "record 4 at byte offset"));
    assert_non_null(strstr(g.last_warning, "no string field 'text'"));
    got_free(&g);

    /* the warning for a malformed line names record, offset and reason */
    const char *m = "{\"text\":\"a\"}\n{\"text\":\n{\"text\":\"c\"}\n";
    read_bytes(m, strlen(m), NULL, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.index[1], 2);
    assert_non_null(strstr(g.last_warning, "record 1 at byte offset 13: malformed JSON ("));
    got_free(&g);
}

/* A record much larger than the window is dropped while streaming. */
static void test_reader_read_oversize_streaming(void **state)
{
    size_t big = 3u << 20;
    char *s = malloc(big + 100);
    size_t n = (size_t)sprintf(s, "{\"text\":\"first\"}\n{\"text\":\"");
    memset(s + n, 'x', big);
    n += big;
    n += (size_t)sprintf(s + n, "\"}\n{\"text\":\"last\"}\n");
    mc_reader_opts o;
    got g;
    mc_reader_opts_default(&o);
    o.max_record_bytes = 1000;
    read_bytes(s, n, &o, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[1], "last");
    assert_int_equal(g.index[1], 2);
    assert_int_equal(g.offset[1], n - 16);
    assert_int_equal(g.st.records_skipped, 1);
    assert_non_null(strstr(g.last_warning, "exceeds --max-record-bytes"));
    got_free(&g);
    /* under the default limit the same line is a record */
    read_bytes(s, n, NULL, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(strlen(g.text[1]), big);
    got_free(&g);
    free(s);
}

static void test_reader_read_plain_text_blocks(void **state)
{
    const char *s = "\n  \nPara one\r\nline two\r\n\r\n \t\n\nPara\0two\n\n\nlast \xC3";
    size_t len = 47;
    got g;
    read_bytes(s, len, NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text[0], "Para one\nline two");
    assert_int_equal(g.offset[0], 4);
    assert_string_equal(g.text[1], "Para\xEF\xBF\xBDtwo");
    assert_int_equal(g.offset[1], 30);
    assert_string_equal(g.text[2], "last \xEF\xBF\xBD");
    assert_int_equal(g.index[2], 2);
    assert_int_equal(g.offset[2], 41);
    got_free(&g);

    mc_reader_opts o;
    mc_reader_opts_default(&o);
    o.max_record_bytes = 10;
    read_bytes(s, len, &o, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.index[0], 1);
    assert_int_equal(g.st.records_skipped, 1);
    got_free(&g);
}

static void test_reader_read_empty_and_blank(void **state)
{
    got g;
    read_bytes("", 0, NULL, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 0);
    got_free(&g);
    read_bytes(" \n\r\n\n", 5, NULL, &g);
    assert_int_equal(g.n, 0);
    got_free(&g);
    read_bytes("\xEF\xBB\xBF{\"text\":\"bom\"}", 17, NULL, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.offset[0], 3);
    got_free(&g);
}

static void test_reader_open_errors(void **state)
{
    mc_reader *r = NULL;
    mc_reader_opts o;
    assert_int_equal(mc_reader_open(&r, "/nonexistent/x.jsonl", NULL), MC_ENOENT);
    assert_null(r);
    assert_int_equal(mc_reader_open(&r, "/tmp", NULL), MC_EIO);
    mc_reader_opts_default(&o);
    o.text_field = "a..b";
    assert_int_equal(mc_reader_open(&r, tu_src("meson.build"), &o), MC_EINVAL);
    mc_reader_close(&r);
    mc_reader_close(NULL);
}

static void test_reader_read_stdin(void **state)
{
    char path[] = "/tmp/mc_test_stdin_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, JOINED, strlen(JOINED)), (ssize_t)strlen(JOINED));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mc_reader *r = NULL;
        mc_record rec;
        int n = 0;
        dup2(fd, 0);
        if (mc_reader_open(&r, "-", NULL) != 0) {
            _exit(100);
        }
        while (mc_reader_read(r, &rec) == 1) {
            n++;
        }
        mc_reader_close(&r);
        _exit(n);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    close(fd);
    unlink(path);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
}

static void test_reader_read_dolma_gzip_matches_plain(void **state)
{
    const char *p = tu_ext("dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz");
    if (!p) {
        skip();
    }
    char gzpath[4096];
    snprintf(gzpath, sizeof(gzpath), "%s", p);
    p = tu_ext("dolma_tests/CC-MAIN-20190717121559-20190717143559-00140.NOT_ZSTD.jsonl.zst");
    if (!p) {
        skip();
    }
    mc_reader *a = NULL;
    mc_reader *b = NULL;
    mc_record ra;
    mc_record rb;
    int rca;
    uint64_t n = 0;
    assert_int_equal(mc_reader_open(&a, gzpath, NULL), 0);
    assert_int_equal(mc_reader_open(&b, p, NULL), 0);
    assert_int_equal(mc_reader_compression(a), MC_COMP_GZIP);
    assert_int_equal(mc_reader_compression(b), MC_COMP_NONE);
    while ((rca = mc_reader_read(a, &ra)) == 1) {
        assert_int_equal(mc_reader_read(b, &rb), 1);
        assert_int_equal(ra.text_len, rb.text_len);
        assert_memory_equal(ra.text, rb.text, ra.text_len);
        assert_non_null(ra.id);
        assert_int_equal(ra.id_len, rb.id_len);
        assert_memory_equal(ra.id, rb.id, ra.id_len);
        n++;
    }
    assert_int_equal(rca, 0);
    assert_int_equal(mc_reader_read(b, &rb), 0);
    assert_int_equal(n, 697);
    mc_reader_stats sa;
    mc_reader_stats sb;
    mc_reader_get_stats(a, &sa);
    mc_reader_get_stats(b, &sb);
    /* the plain copy is re-serialised (other field order), so only the
     * texts and ids agree, not the offsets or the stream hash */
    assert_int_equal(sa.bytes_text, sb.bytes_text);
    assert_int_equal(sb.bytes_decompressed, sb.bytes_in);
    assert_int_equal(sa.records_skipped, 0);
    mc_reader_close(&a);
    mc_reader_close(&b);
}

static void test_reader_read_dolma_formats_zst(void **state)
{
    const char *p = tu_ext("dolma_tests/formats_test.jsonl.zst");
    if (!p) {
        skip();
    }
    got g;
    read_path(p, NULL, &g);
    assert_int_equal(g.comp, MC_COMP_ZSTD);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.st.records_skipped, 1);
    assert_non_null(strstr(g.last_warning, "no string field 'text'"));
    got_free(&g);
    mc_reader_opts o;
    mc_reader_opts_default(&o);
    o.text_field = "message";
    read_path(p, &o, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.text[0], "this is a test");
    got_free(&g);
}

/* Every allocation failure on open and read ends in MC_ENOMEM, no leak. */
static void test_reader_read_alloc_failure(void **state)
{
    char buf[4096];
    char path[] = "/tmp/mc_test_alloc_XXXXXX";
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        n += gzip_member(buf + n, sizeof(buf) - n, parts[i], strlen(parts[i]));
    }
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_read_zstd_multiframe_skippable),
        cmocka_unit_test(test_reader_read_gzip_multimember),
        cmocka_unit_test(test_reader_read_plain_jsonl),
        cmocka_unit_test(test_reader_read_truncated),
        cmocka_unit_test(test_reader_gzip_decoders_agree),
        cmocka_unit_test(test_reader_read_zstd_window_limit),
        cmocka_unit_test(test_reader_read_bad_records_skipped),
        cmocka_unit_test(test_reader_read_oversize_streaming),
        cmocka_unit_test(test_reader_read_plain_text_blocks),
        cmocka_unit_test(test_reader_read_empty_and_blank),
        cmocka_unit_test(test_reader_open_errors),
        cmocka_unit_test(test_reader_read_stdin),
        cmocka_unit_test(test_reader_read_dolma_gzip_matches_plain),
        cmocka_unit_test(test_reader_read_dolma_formats_zst),
        cmocka_unit_test(test_reader_read_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
