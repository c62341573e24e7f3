/* SPDX-License-Identifier: MIT */
/* http(s) shards through libcurl: one easy handle driven by a multi handle
 * only while the reader asks for bytes (a pull interface over a bounded
 * staging buffer; curl is paused when it is full). Drops are resumed with
 * Range requests, retries back off exponentially, and every reply is
 * checked against the first (length, ETag, Last-Modified), so the bytes
 * handed on are exactly the body, each once, in order. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include <medcheck/reader.h>

#include "io/http.h"
#include "util/alloc.h"

#define STAGE_CAP ((size_t)512 << 10) /* received bytes not yet read */
#define MAX_BACKOFF_MS 60000u
#define POLL_MS 200
#define UNKNOWN UINT64_MAX

/* How a request ended, beyond curl's own result. */
enum outcome {
    OUT_NONE = 0, /* the body ran to its end, or curl failed (see its code) */
    OUT_REDIRECT, /* 3xx with a Location */
    OUT_RETRY,    /* a status worth retrying: 408, 429, 5xx */
    OUT_RESTART,  /* a Range reply that does not fit: ask for the whole body */
    OUT_FATAL,    /* retrying cannot help: other 4xx, a changed shard, ... */
    OUT_COMPLETE, /* 416 at the known end: nothing was missing */
};

/* Headers of the reply being received. */
typedef struct reply {
    uint64_t content_length; /* UNKNOWN when absent */
    bool has_range;
    uint64_t range_first;
    uint64_t range_total; /* UNKNOWN for "/ *" */
    char etag[256];
    char last_modified[64];
    char *location;
} reply;

struct mc__http {
    char *url;
    char *origin; /* "scheme://host:port" of url */
    struct curl_slist *headers;
    mc_http_opts o;
    const volatile int *interrupt;
    CURLM *multi;
    CURL *easy;
    bool running;  /* easy is attached to multi */
    bool paused;   /* on_body refused a chunk for want of room */
    char *req_url; /* the URL of the current request (after redirects) */
    unsigned redirects;
    bool foreign; /* req_url is on another origin: no extra headers */

    uint64_t delivered; /* body bytes staged so far: the offset of the next one */
    uint64_t total;     /* body length, UNKNOWN until a reply gives it */
    char etag[256];     /* validators of the first reply that had them */
    char last_modified[64];
    bool no_range; /* the server mishandled a Range: always ask for it all */

    reply r;
    bool accepted;            /* r passed judge(): its body is being staged */
    uint64_t skip;            /* bytes at the start of this body delivered before */
    uint64_t start_delivered; /* delivered when this attempt began */
    enum outcome out;
    char why[200];
    char curl_err[CURL_ERROR_SIZE];
    unsigned failures; /* consecutive attempts that failed without progress */
    unsigned attempts;
    double retry_at; /* monotonic time of the next attempt */

    uint8_t *stage; /* [s_pos, s_pos + s_len) not yet read */
    size_t s_pos;
    size_t s_len;
    bool done;
    int err;
    char errmsg[512];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void reply_reset(reply *r)
{
    mc__free(r->location);
    memset(r, 0, sizeof(*r));
    r->content_length = UNKNOWN;
    r->range_total = UNKNOWN;
}

/* Parse a decimal uint64 spanning [p, e) exactly. */
static bool parse_u64(const char *p, const char *e, uint64_t *out)
{
    uint64_t v = 0;
    if (p == e) {
        return false;
    }
    for (; p < e; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

/* "bytes FIRST-LAST/TOTAL", TOTAL may be "*"; also "bytes * /TOTAL" (416). */
static void parse_content_range(reply *r, const char *v)
{
    if (strncasecmp(v, "bytes ", 6) != 0) {
        return;
    }
    v += 6;
    const char *slash = strchr(v, '/');
    const char *dash = strchr(v, '-');
    if (!slash) {
        return;
    }
    const char *end = slash + strlen(slash);
    uint64_t total = UNKNOWN;
    if (strcmp(slash + 1, "*") != 0 && !parse_u64(slash + 1, end, &total)) {
        return;
    }
    r->range_total = total;
    uint64_t first, last;
    if (dash && dash < slash && parse_u64(v, dash, &first) && parse_u64(dash + 1, slash, &last) &&
        first <= last && (total == UNKNOWN || last < total)) {
        r->has_range = true;
        r->range_first = first;
    }
}

static void copy_value(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v);
}

/* One header line of the current reply ("Name: value\r\n"). */
static void parse_header(mc__http *h, const char *p, size_t len)
{
    char line[1024];
    while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' ')) {
        len--;
    }
    if (len >= sizeof(line)) {
        return; /* none of the headers we read is this long */
    }
    memcpy(line, p, len);
    line[len] = '\0';
    char *colon = strchr(line, ':');
    if (!colon) {
        return;
    }
    *colon = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') {
        v++;
    }
    reply *r = &h->r;
    if (strcasecmp(line, "content-length") == 0) {
        uint64_t n;
        r->content_length = parse_u64(v, v + strlen(v), &n) ? n : UNKNOWN;
    } else if (strcasecmp(line, "content-range") == 0) {
        parse_content_range(r, v);
    } else if (strcasecmp(line, "etag") == 0) {
        copy_value(r->etag, sizeof(r->etag), v);
    } else if (strcasecmp(line, "last-modified") == 0) {
        copy_value(r->last_modified, sizeof(r->last_modified), v);
    } else if (strcasecmp(line, "location") == 0 && *v) {
        mc__free(r->location);
        r->location = mc__strdup(v);
    }
}

static bool reject(mc__http *h, enum outcome out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Refuse the reply (or its body) with a reason; always false. */
static bool reject(mc__http *h, enum outcome out, const char *fmt, ...)
{
    va_list ap;
    h->out = out;
    va_start(ap, fmt);
    vsnprintf(h->why, sizeof(h->why), fmt, ap);
    va_end(ap);
    return false;
}

/* Compare a validator of this reply with the one first seen. */
static bool same_validator(char *first, size_t cap, const char *now)
{
    if (!now[0]) {
        return true;
    }
    if (!first[0]) {
        snprintf(first, cap, "%s", now);
        return true;
    }
    return strcmp(first, now) == 0;
}

/* The reply's headers are complete: decide whether its body continues the
 * stream. Sets h->skip and h->total; on refusal sets h->out and h->why. */
static bool judge(mc__http *h, long status)
{
    reply *r = &h->r;
    bool ranged = h->delivered > 0 && !h->no_range;
    if (status >= 300 && status < 400 && status != 304 && r->location) {
        h->out = OUT_REDIRECT;
        return false;
    }
    if (status == 408 || status == 429 || status >= 500) {
        return reject(h, OUT_RETRY, "HTTP %ld", status);
    }
    /* asked for the bytes after the last one: the body was complete (a 416
     * names the length as "bytes * /LENGTH") */
    uint64_t len416 = r->range_total != UNKNOWN ? r->range_total : h->total;
    if (status == 416 && ranged && len416 == h->delivered &&
        (h->total == UNKNOWN || h->total == len416)) {
        h->out = OUT_COMPLETE;
        return false;
    }
    if (status != 200 && status != 206) {
        return reject(h, OUT_FATAL, "HTTP %ld", status);
    }
    uint64_t start = 0;
    uint64_t total = r->content_length;
    if (status == 206) {
        if (!r->has_range || r->range_first > h->delivered ||
            (ranged && r->range_first != h->delivered)) {
            /* not the range asked for: ask again for the whole body */
            return reject(h, ranged ? OUT_RESTART : OUT_FATAL,
                          "HTTP 206 without a usable Content-Range");
        }
        start = r->range_first;
        total = r->range_total;
    }
    if (total != UNKNOWN) {
        if (h->total != UNKNOWN && total != h->total) {
            return reject(h, OUT_FATAL,
                          "length changed from %llu to %llu bytes during the transfer",
                          (unsigned long long)h->total, (unsigned long long)total);
        }
        if (total < h->delivered) {
            return reject(h, OUT_FATAL, "length %llu is shorter than the %llu bytes delivered",
                          (unsigned long long)total, (unsigned long long)h->delivered);
        }
        h->total = total;
    }
    if (!same_validator(h->etag, sizeof(h->etag), r->etag)) {
        return reject(h, OUT_FATAL, "ETag changed during the transfer");
    }
    if (!same_validator(h->last_modified, sizeof(h->last_modified), r->last_modified)) {
        return reject(h, OUT_FATAL, "Last-Modified changed during the transfer");
    }
    h->skip = h->delivered - start;
    h->accepted = true;
    return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    mc__http *h = ud;
    size_t len = size * n;
    if (h->accepted) {
        return len; /* trailers */
    }
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        reply_reset(&h->r); /* a new reply (after a 1xx) */
        return len;
    }
    if (len > 0 && (p[0] == '\r' || p[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 100 && status < 200) {
            return len;
        }
        return judge(h, status) ? len : 0;
    }
    parse_header(h, p, len);
    return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    mc__http *h = ud;
    size_t len = size * n;
    if (!h->accepted) {
        h->out = OUT_FATAL;
        snprintf(h->why, sizeof(h->why), "a body without a judged reply");
        return 0;
    }
    size_t drop = h->skip < len ? (size_t)h->skip : len;
    size_t keep = len - drop;
    if (keep > STAGE_CAP - h->s_len) {
        h->paused = true; /* curl hands the same chunk again on resume */
        return CURL_WRITEFUNC_PAUSE;
    }
    if (h->total != UNKNOWN && h->delivered + keep > h->total) {
        reject(h, OUT_FATAL, "more bytes than the %llu declared", (unsigned long long)h->total);
        return 0;
    }
    h->skip -= drop;
    if (keep) {
        if (h->s_pos + h->s_len + keep > STAGE_CAP) {
            memmove(h->stage, h->stage + h->s_pos, h->s_len);
            h->s_pos = 0;
        }
        memcpy(h->stage + h->s_pos + h->s_len, p + drop, keep);
        h->s_len += keep;
        h->delivered += keep;
    }
    return len;
}

static int fail(mc__http *h, int rc, const char *why)
{
    h->err = rc;
    if (h->attempts > 1 && rc == MC_ENET) {
        snprintf(h->errmsg, sizeof(h->errmsg), "%s at byte offset %llu after %u attempts", why,
                 (unsigned long long)h->delivered, h->attempts);
    } else {
        snprintf(h->errmsg, sizeof(h->errmsg), "%s at byte offset %llu", why,
                 (unsigned long long)h->delivered);
    }
    return rc;
}

/* An option this libcurl refuses (other than for memory) is unsupported. */
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        CURLcode set_rc_ = curl_easy_setopt(e, opt, val);                                          \
        if (set_rc_ != CURLE_OK) {                                                                 \
            return set_rc_ == CURLE_OUT_OF_MEMORY ? MC_ENOMEM : MC_EUNSUPPORTED;                   \
        }                                                                                          \
    } while (0)

/* Options shared by every request of the shard. */
static int setup_easy(mc__http *h)
{
    CURL *e = h->easy;
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L); /* followed here, see on_redirect() */
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->o.ca_file) {
        SET(CURLOPT_CAINFO, h->o.ca_file);
    }
    SET(CURLOPT_CONNECTTIMEOUT, (long)h->o.connect_timeout_s);
    SET(CURLOPT_LOW_SPEED_LIMIT, (long)h->o.low_speed_bytes);
    SET(CURLOPT_LOW_SPEED_TIME, (long)h->o.low_speed_time_s);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_HTTP_CONTENT_DECODING, 0L); /* the bytes as stored: we probe them */
    SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    SET(CURLOPT_BUFFERSIZE, 256L * 1024);
    SET(CURLOPT_USERAGENT, "medcheck/" MC_VERSION_STRING);
    SET(CURLOPT_ERRORBUFFER, h->curl_err);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, h);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, h);
    return 0;
}

static int start_request(mc__http *h)
{
    CURL *e = h->easy;
    char range[32];
    reply_reset(&h->r);
    h->accepted = false;
    h->skip = 0;
    h->out = OUT_NONE;
    h->why[0] = '\0';
    h->curl_err[0] = '\0';
    h->paused = false;
    SET(CURLOPT_URL, h->req_url);
    if (h->delivered > 0 && !h->no_range) {
        snprintf(range, sizeof(range), "%llu-", (unsigned long long)h->delivered);
        SET(CURLOPT_RANGE, range);
    } else {
        SET(CURLOPT_RANGE, (char *)NULL);
    }
    SET(CURLOPT_HTTPHEADER, h->foreign ? NULL : h->headers);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        return MC_ENOMEM;
    }
    h->running = true;
    return 0;
}

#undef SET

/* "scheme://host:port" of a parsed URL, or NULL. */
static char *origin_of(CURLU *u)
{
    char *s = NULL, *host = NULL, *port = NULL, *o = NULL;
    if (curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        size_t n = strlen(s) + strlen(host) + strlen(port) + 5;
        o = mc__malloc(n);
        if (o) {
            snprintf(o, n, "%s://%s:%s", s, host, port);
            for (char *c = o; *c && *c != ':'; c++) {
                *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
            }
        }
    }
    curl_free(s);
    curl_free(host);
    curl_free(port);
    return o;
}

/* Follow r.location from req_url: only to http(s), never from https to
 * http; headers only to the shard's own origin. 0, or a failure. */
static int on_redirect(mc__http *h)
{
    CURLU *u = curl_url();
    char *target = NULL, *scheme = NULL, *origin = NULL;
    int rc = MC_ENOMEM;
    char why[160];
    if (!u) {
        return fail(h, MC_ENOMEM, "out of memory");
    }
    if (++h->redirects > h->o.max_redirects) {
        snprintf(why, sizeof(why), "more than %u redirects", h->o.max_redirects);
        rc = fail(h, MC_ENET, why);
        goto done;
    }
    if (curl_url_set(u, CURLUPART_URL, h->req_url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, h->r.location, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = fail(h, MC_ENET, "redirect with an unusable Location");
        goto done;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        snprintf(why, sizeof(why), "redirect to a %.20s: URL refused (only http and https)",
                 scheme);
        rc = fail(h, MC_ENET, why);
        goto done;
    }
    if (strcasecmp(scheme, "http") == 0 && strncasecmp(h->req_url, "https:", 6) == 0) {
        rc = fail(h, MC_ENET, "redirect from https to http refused");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_URL, &target, 0) != CURLUE_OK || !(origin = origin_of(u))) {
        rc = fail(h, MC_ENOMEM, "out of memory");
        goto done;
    }
    mc__free(h->req_url);
    h->req_url = mc__strdup(target);
    h->foreign = h->foreign || strcmp(origin, h->origin) != 0;
    rc = h->req_url ? 0 : fail(h, MC_ENOMEM, "out of memory");
done:
    curl_free(target);
    curl_free(scheme);
    mc__free(origin);
    curl_url_cleanup(u);
    return rc;
}

static bool retryable(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
        return true;
    default:
        return false;
    }
}

/* A failed attempt: schedule the next one, or give up. An attempt that
 * delivered new bytes is followed at once by the next; attempts that
 * deliver nothing wait backoff_ms, 2 backoff_ms, ... and are counted. */
static int retry(mc__http *h, const char *why)
{
    if (h->delivered > h->start_delivered) {
        h->failures = 0;
        h->retry_at = 0;
    } else if (++h->failures > h->o.retries) {
        return fail(h, MC_ENET, why);
    } else {
        unsigned shift = h->failures - 1 < 16 ? h->failures - 1 : 16;
        uint64_t wait = (uint64_t)h->o.backoff_ms << shift;
        h->retry_at = now_s() + (double)(wait < MAX_BACKOFF_MS ? wait : MAX_BACKOFF_MS) / 1000.0;
    }
    h->redirects = 0;
    h->foreign = false;
    mc__free(h->req_url);
    h->req_url = mc__strdup(h->url);
    return h->req_url ? 0 : fail(h, MC_ENOMEM, "out of memory");
}

static void curl_reason(mc__http *h, CURLcode res, char *buf, size_t cap)
{
    snprintf(buf, cap, "curl error %d (%s%s%s)", (int)res, curl_easy_strerror(res),
             h->curl_err[0] ? ": " : "", h->curl_err);
}

/* The request ended with curl's result `res`: decide what comes next. */
static int finish_request(mc__http *h, CURLcode res)
{
    char why[CURL_ERROR_SIZE + 96];
    curl_multi_remove_handle(h->multi, h->easy);
    h->running = false;
    h->paused = false;
    switch (h->out) {
    case OUT_REDIRECT:
        h->retry_at = 0;
        return on_redirect(h);
    case OUT_COMPLETE:
        h->done = true;
        return 0;
    case OUT_FATAL:
        return fail(h, MC_ENET, h->why);
    case OUT_RESTART:
        h->no_range = true;
        return retry(h, h->why);
    case OUT_RETRY:
        return retry(h, h->why);
    case OUT_NONE:
        break;
    }
    if (res != CURLE_OK) {
        curl_reason(h, res, why, sizeof(why));
        return retryable(res) ? retry(h, why) : fail(h, MC_ENET, why);
    }
    if (!h->accepted) {
        return retry(h, "no reply");
    }
    if (h->total != UNKNOWN && h->delivered < h->total) {
        snprintf(why, sizeof(why), "body ended before its %llu bytes",
                 (unsigned long long)h->total);
        return retry(h, why);
    }
    h->done = true;
    return 0;
}

/* Let curl move bytes, waiting up to POLL_MS for the socket. */
static int pump(mc__http *h)
{
    int still = 0;
    int queued = 0;
    CURLMsg *m;
    if (h->paused) {
        h->paused = false; /* the stage is empty here: the held chunk fits */
        if (curl_easy_pause(h->easy, CURLPAUSE_CONT) != CURLE_OK) {
            return fail(h, MC_ENET, "cannot resume the transfer");
        }
    }
    if (curl_multi_perform(h->multi, &still) != CURLM_OK) {
        return fail(h, MC_ENET, "curl multi error");
    }
    while ((m = curl_multi_info_read(h->multi, &queued)) != NULL) {
        if (m->msg == CURLMSG_DONE && m->easy_handle == h->easy) {
            int rc = finish_request(h, m->data.result);
            if (rc < 0) {
                return rc;
            }
        }
    }
    if (h->running && h->s_len == 0 && !h->paused &&
        curl_multi_poll(h->multi, NULL, 0, POLL_MS, NULL) != CURLM_OK) {
        return fail(h, MC_ENET, "curl poll error");
    }
    return 0;
}

int mc__http_read(mc__http *h, uint8_t *dst, size_t cap, size_t *got)
{
    *got = 0;
    if (cap == 0) {
        return MC_EINVAL; /* 0 bytes read means the end */
    }
    while (!h->err) {
        if (h->s_len > 0) {
            size_t n = h->s_len < cap ? h->s_len : cap;
            memcpy(dst, h->stage + h->s_pos, n);
            h->s_pos = h->s_len == n ? 0 : h->s_pos + n;
            h->s_len -= n;
            *got = n;
            return 0;
        }
        if (h->done) {
            return 0;
        }
        if (h->interrupt && *h->interrupt) {
            return fail(h, MC_EINTR, "interrupted");
        }
        if (!h->running) {
            double wait = h->retry_at - now_s();
            if (wait > 0) {
                sleep_ms(wait * 1000 < POLL_MS ? (long)(wait * 1000) + 1 : POLL_MS);
                continue;
            }
            if (h->redirects == 0) { /* a new attempt, not a hop of one */
                h->attempts++;
                h->start_delivered = h->delivered;
            }
            int rc = start_request(h);
            if (rc < 0) {
                return fail(h, rc, "cannot start the request");
            }
        }
        int rc = pump(h);
        if (rc < 0) {
            return rc;
        }
    }
    return h->err;
}

const char *mc__http_errmsg(const mc__http *h)
{
    return h ? h->errmsg : "";
}

static struct curl_slist *copy_headers(const mc_http_opts *o, int *rc)
{
    struct curl_slist *l = NULL;
    *rc = 0;
    for (size_t i = 0; i < o->n_headers; i++) {
        if (mc_http_header_check(o->headers[i], NULL) < 0) {
            *rc = MC_EINVAL;
            break;
        }
        struct curl_slist *t = curl_slist_append(l, o->headers[i]);
        if (!t) {
            *rc = MC_ENOMEM;
            break;
        }
        l = t;
    }
    if (*rc < 0) {
        curl_slist_free_all(l);
        l = NULL;
    }
    return l;
}

/* Copy the caller's options, taking the defaults for zero sizes. */
static int copy_opts(mc__http *h, const mc_http_opts *opts)
{
    mc_http_opts_default(&h->o);
    if (opts) {
        size_t n = opts->size && opts->size < sizeof(h->o) ? opts->size : sizeof(h->o);
        memcpy(&h->o, opts, n);
        h->o.size = sizeof(h->o);
    }
    if (h->o.max_redirects > 50) {
        h->o.max_redirects = 50;
    }
    int rc = 0;
    h->headers = copy_headers(&h->o, &rc);
    h->o.headers = NULL;
    h->o.n_headers = 0;
    if (rc == 0 && h->o.ca_file) {
        h->o.ca_file = mc__strdup(h->o.ca_file);
        rc = h->o.ca_file ? 0 : MC_ENOMEM;
    }
    return rc;
}

int mc__http_open(mc__http **out, const char *url, const mc_http_opts *opts,
                  const volatile int *interrupt)
{
    int rc = MC_ENOMEM;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        return MC_ENOMEM;
    }
    mc__http *h = mc__calloc(1, sizeof(*h));
    if (!h) {
        return MC_ENOMEM;
    }
    h->interrupt = interrupt;
    h->total = UNKNOWN;
    reply_reset(&h->r);
    rc = copy_opts(h, opts);
    if (rc < 0) {
        goto fail;
    }
    rc = MC_ENOMEM;
    h->url = mc__strdup(url);
    h->req_url = mc__strdup(url);
    h->stage = mc__malloc(STAGE_CAP);
    h->multi = curl_multi_init();
    h->easy = curl_easy_init();
    if (!h->url || !h->req_url || !h->stage || !h->multi || !h->easy) {
        goto fail;
    }
    CURLU *u = curl_url();
    if (!u) {
        goto fail;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        h->origin = origin_of(u);
        rc = h->origin ? 0 : MC_ENOMEM;
    } else {
        rc = MC_EINVAL; /* not a URL curl can parse */
    }
    curl_url_cleanup(u);
    if (rc == 0) {
        rc = setup_easy(h);
    }
    if (rc < 0) {
        goto fail;
    }
    *out = h;
    return 0;
fail:
    mc__http_close(&h);
    return rc;
}

void mc__http_close(mc__http **hp)
{
    if (!hp || !*hp) {
        return;
    }
    mc__http *h = *hp;
    if (h->running) {
        curl_multi_remove_handle(h->multi, h->easy);
    }
    curl_easy_cleanup(h->easy);
    curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->headers);
    reply_reset(&h->r);
    mc__free((char *)h->o.ca_file);
    mc__free(h->stage);
    mc__free(h->url);
    mc__free(h->req_url);
    mc__free(h->origin);
    mc__free(h);
    *hp = NULL;
}
