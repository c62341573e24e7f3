/* SPDX-License-Identifier: MIT */
/* http(s) source: header checks, URL test, and transfers against a scripted
 * server thread on 127.0.0.1 (one canned reply per connection), for the
 * resume, length and redirect rules of http.c. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <medcheck/reader.h>

#include "io/http.h"
#include "testutil.h"

static void test_mc_http_header_check_accepts_tokens(void **state)
{
    const char *why = NULL;
    assert_int_equal(mc_http_header_check("Authorization: Bearer abc.def", &why), 0);
    assert_int_equal(mc_http_header_check("X-Api-Key:\tk", &why), 0);
    assert_int_equal(mc_http_header_check("PRIVATE-TOKEN: caf\xc3\xa9", NULL), 0);
}

static void test_mc_http_header_check_refuses_bad_lines(void **state)
{
    const char *bad[] = {
        "",     "NoColon", ": value",         "Bad Name: v", "X-A: v\r\nX-B: w",      "X-A: v\n",
        "X-A:", "X-A:   ", "Range: bytes=0-", "host: x",     "Accept-Encoding: gzip", "X-A: \x01",
        NULL};
    for (size_t i = 0; bad[i]; i++) {
        const char *why = NULL;
        assert_int_equal(mc_http_header_check(bad[i], &why), MC_EINVAL);
        assert_non_null(why);
        assert_true(why[0] != '\0');
        assert_null(strstr(why, "bytes=0-")); /* values are never quoted */
    }
    assert_int_equal(mc_http_header_check(NULL, NULL), MC_EINVAL);
}

static void test_mc_http_is_url_schemes(void **state)
{
    assert_true(mc_http_is_url("http://x/y"));
    assert_true(mc_http_is_url("HTTPS://x/y"));
    assert_false(mc_http_is_url("ftp://x/y"));
    assert_false(mc_http_is_url("file:///etc/passwd"));
    assert_false(mc_http_is_url("http:/x"));
    assert_false(mc_http_is_url("corpora/http://x"));
    assert_false(mc_http_is_url(NULL));
}

#if HAVE_CURL

/* The scripted server: connection i gets reply[i], then a close. */
typedef struct server {
    int fd;
    int port;
    const char *const *reply;
    size_t n;
    char requests[8][1024]; /* the request head of each connection */
    pthread_t thread;
} server;

static void *serve(void *arg)
{
    server *s = arg;
    for (size_t i = 0; i < s->n; i++) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) {
            break;
        }
        size_t got = 0;
        char *req = s->requests[i < 8 ? i : 7];
        while (got + 1 < sizeof(s->requests[0]) && !strstr(req, "\r\n\r\n")) {
            ssize_t k = recv(c, req + got, sizeof(s->requests[0]) - 1 - got, 0);
            if (k <= 0) {
                break;
            }
            got += (size_t)k;
            req[got] = '\0';
        }
        const char *r = s->reply[i];
        size_t len = strlen(r);
        while (len > 0) {
            ssize_t k = send(c, r, len, MSG_NOSIGNAL);
            if (k <= 0) {
                break;
            }
            r += k;
            len -= (size_t)k;
        }
        shutdown(c, SHUT_RDWR);
        close(c);
    }
    return NULL;
}

static void server_start(server *s, const char *const *reply, size_t n)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    memset(s, 0, sizeof(*s));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
    s->port = ntohs(a.sin_port);
    s->reply = reply;
    s->n = n;
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR); /* wakes accept() if a reply was not asked for */
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* Read the whole body of http://127.0.0.1:PORT/f into out; the result code. */
static int fetch(const server *s, char *out, size_t cap, size_t *len, char *err, size_t errsz)
{
    char url[64];
    mc_http_opts o;
    mc__http *h = NULL;
    mc_http_opts_default(&o);
    o.backoff_ms = 1;
    o.retries = 3;
    o.low_speed_time_s = 5; /* a script too short fails the test, not hangs it */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/f", s->port);
    int rc = mc__http_open(&h, url, &o, NULL);
    assert_int_equal(rc, 0);
    *len = 0;
    for (;;) {
        size_t got = 0;
        rc = mc__http_read(h, (uint8_t *)out + *len, cap - *len, &got);
        if (rc < 0 || got == 0) {
            break;
        }
        *len += got;
    }
    snprintf(err, errsz, "%s", mc__http_errmsg(h));
    mc__http_close(&h);
    assert_null(h);
    return rc;
}

#define RUN(replies, rc_want, body_want)                                                           \
    do {                                                                                           \
        fetched = run(&srv, replies, sizeof(replies) / sizeof(replies[0]), &rc, buf, sizeof(buf),  \
                      err, sizeof(err));                                                           \
        assert_int_equal(rc, rc_want);                                                             \
        check_body(buf, fetched, body_want);                                                       \
    } while (0)

/* The body read, when one is expected (NULL: none is). */
static void check_body(const char *buf, size_t len, const char *want)
{
    if (want) {
        assert_int_equal(len, strlen(want));
        assert_memory_equal(buf, want, len);
    }
}

static size_t run(server *srv, const char *const *replies, size_t n, int *rc, char *buf, size_t cap,
                  char *err, size_t errsz)
{
    size_t len = 0;
    server_start(srv, replies, n);
    *rc = fetch(srv, buf, cap, &len, err, errsz);
    server_stop(srv);
    return len;
}

static void test_mc__http_read_resumes_with_range(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"a\"\r\n\r\n0123",
        ("HTTP/1.1 206 Partial Content\r\nContent-Length: 6\r\nETag: \"a\"\r\n"
         "Content-Range: bytes 4-9/10\r\nConnection: close\r\n\r\n456789"),
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, 0, "0123456789");
    assert_non_null(strstr(srv.requests[1], "Range: bytes=4-\r\n"));
    assert_null(strstr(srv.requests[0], "Range:"));
}

static void test_mc__http_read_skips_when_range_ignored(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789",
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, 0, "0123456789");
}

static void test_mc__http_read_restarts_on_wrong_content_range(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123",
        ("HTTP/1.1 206 Partial Content\r\nContent-Length: 8\r\n"
         "Content-Range: bytes 2-9/10\r\nConnection: close\r\n\r\n23456789"),
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789",
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, 0, "0123456789");
    assert_non_null(strstr(srv.requests[1], "Range: bytes=4-"));
    assert_null(strstr(srv.requests[2], "Range:"));
}

static void test_mc__http_read_fails_when_length_changes(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123",
        ("HTTP/1.1 206 Partial Content\r\nContent-Length: 8\r\n"
         "Content-Range: bytes 4-11/12\r\nConnection: close\r\n\r\n456789ab"),
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, MC_ENET, NULL);
    assert_string_equal(err, "length changed from 10 to 12 bytes during the transfer at byte "
                             "offset 4 after 2 attempts");
    (void)fetched;
}

static void test_mc__http_read_fails_on_excess_bytes(void **state)
{
    /* a close-delimited 206 that runs past its Content-Range */
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123",
        ("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-9/10\r\n"
         "Connection: close\r\n\r\n456789XYZ"),
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, MC_ENET, NULL);
    assert_non_null(strstr(err, "more bytes than the 10 declared"));
    (void)fetched;
}

static void test_mc__http_read_416_at_the_end_is_complete(void **state)
{
    /* a chunked body cut after its last byte, then a 416 naming that length */
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n0123\r\n",
        ("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */4\r\n"
         "Content-Length: 0\r\nConnection: close\r\n\r\n"),
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, 0, "0123");
}

static void test_mc__http_read_retries_503_then_gives_404(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope",
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, MC_ENET, NULL);
    assert_string_equal(err, "HTTP 404 at byte offset 0 after 2 attempts");
    assert_int_equal(fetched, 0); /* error pages never reach the stream */
}

static void test_mc__http_read_refuses_other_schemes(void **state)
{
    static const char *const replies[] = {
        ("HTTP/1.1 302 Found\r\nLocation: gopher://127.0.0.1/x\r\nContent-Length: 0\r\n"
         "Connection: close\r\n\r\n"),
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, MC_ENET, NULL);
    assert_string_equal(err, "redirect to a gopher: URL refused (only http and https) at "
                             "byte offset 0");
    (void)fetched;
}

static void test_mc__http_read_follows_relative_redirect(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 301 Moved\r\nLocation: /g\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    };
    server srv;
    char buf[64], err[600];
    int rc;
    size_t fetched;
    RUN(replies, 0, "abc");
    assert_non_null(strstr(srv.requests[1], "GET /g HTTP/1.1"));
}

static void test_mc_reader_open_url_reads_records(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 39\r\n\r\n{\"text\": \"one\", \"id\": 1}\n{\"te",
        ("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 29-38/39\r\n"
         "Content-Length: 10\r\nConnection: close\r\n\r\nxt\": \"2\"}\n"),
    };
    server srv;
    char url[64];
    mc_reader *r = NULL;
    mc_reader_opts o;
    mc_http_opts ho;
    mc_record rec;
    mc_reader_stats st;
    mc_reader_opts_default(&o);
    mc_http_opts_default(&ho);
    ho.backoff_ms = 1;
    ho.low_speed_time_s = 5;
    o.http = &ho;
    server_start(&srv, replies, 2);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/shard", srv.port);
    assert_int_equal(mc_reader_open(&r, url, &o), 0);
    assert_int_equal(mc_reader_read(r, &rec), 1);
    assert_string_equal(rec.text, "one");
    assert_int_equal(mc_reader_read(r, &rec), 1);
    assert_string_equal(rec.text, "2");
    assert_int_equal(rec.offset, 25);
    assert_int_equal(mc_reader_read(r, &rec), 0);
    mc_reader_get_stats(r, &st);
    assert_int_equal(st.bytes_in, 39);
    mc_reader_close(&r);
    server_stop(&srv);
}

static void test_mc_reader_open_url_error_names_url(void **state)
{
    static const char *const replies[] = {
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    };
    server srv;
    char url[64], want[128];
    mc_reader *r = NULL;
    mc_record rec;
    server_start(&srv, replies, 1);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/shard", srv.port);
    assert_int_equal(mc_reader_open(&r, url, NULL), 0);
    assert_int_equal(mc_reader_read(r, &rec), MC_ENET);
    assert_int_equal(mc_reader_read(r, &rec), MC_ENET); /* sticky */
    snprintf(want, sizeof(want), "%s: HTTP 403 at byte offset 0", url);
    assert_string_equal(mc_reader_errmsg(r), want);
    mc_reader_close(&r);
    server_stop(&srv);
}

static void test_mc_reader_open_url_refuses_bad_header(void **state)
{
    const char *hdr[] = {"X-Ok: 1", "Bad\r\nInjected: 1"};
    mc_http_opts ho;
    mc_reader_opts o;
    mc_reader *r = NULL;
    mc_http_opts_default(&ho);
    ho.headers = hdr;
    ho.n_headers = 2;
    mc_reader_opts_default(&o);
    o.http = &ho;
    assert_int_equal(mc_reader_open(&r, "http://127.0.0.1:9/x", &o), MC_EINVAL);
    assert_null(r);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_http_header_check_accepts_tokens),
        cmocka_unit_test(test_mc_http_header_check_refuses_bad_lines),
        cmocka_unit_test(test_mc_http_is_url_schemes),
#if HAVE_CURL
        cmocka_unit_test(test_mc__http_read_resumes_with_range),
        cmocka_unit_test(test_mc__http_read_skips_when_range_ignored),
        cmocka_unit_test(test_mc__http_read_restarts_on_wrong_content_range),
        cmocka_unit_test(test_mc__http_read_fails_when_length_changes),
        cmocka_unit_test(test_mc__http_read_fails_on_excess_bytes),
        cmocka_unit_test(test_mc__http_read_416_at_the_end_is_complete),
        cmocka_unit_test(test_mc__http_read_retries_503_then_gives_404),
        cmocka_unit_test(test_mc__http_read_refuses_other_schemes),
        cmocka_unit_test(test_mc__http_read_follows_relative_redirect),
        cmocka_unit_test(test_mc_reader_open_url_reads_records),
        cmocka_unit_test(test_mc_reader_open_url_error_names_url),
        cmocka_unit_test(test_mc_reader_open_url_refuses_bad_header),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
