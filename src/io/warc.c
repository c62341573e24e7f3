/* SPDX-License-Identifier: MIT */
/* WARC records over the reader's window (ISO 28500, WARC/1.0 and 1.1, as
 * Common Crawl writes WET files): a header block of "Name: value" lines
 * ended by a blank line, then exactly Content-Length bytes of block, then
 * CRLF CRLF. A record is held whole in the window (header, block and the
 * few bytes after it) unless its block is over --max-record-bytes, which
 * is streamed past. A bad record is skipped and the parser looks for the
 * next line that starts with "WARC/1.0" or "WARC/1.1". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <medcheck/reader.h>

#include "io/reader_internal.h"
#include "io/utf8.h"
#include "io/warc.h"
#include "util/log.h"

/* Bytes after a block that are looked at to accept a record whose block is
 * not followed by exactly CRLF CRLF (LF-only writers, extra blank lines). */
#define TRAIL_MAX 64
#define CONTENT_LENGTH_MAX ((uint64_t)1 << 62)

typedef struct whdr {
    const char *type, *uri, *rid, *clen;
    size_t type_n, uri_n, rid_n, clen_n;
} whdr;

/* Make room and decode more: 1 data added, 0 end of stream, < 0 error. */
static int more(mc_reader *r)
{
    if (r->eof) {
        return 0;
    }
    int rc = mc__reader_make_room(r);
    return rc < 0 ? rc : mc__reader_fill(r);
}

/* Have the window reach absolute offset `end`: 1, 0 (the stream ends
 * first), < 0. */
static int reach(mc_reader *r, uint64_t end)
{
    while (r->base + r->win_len < end) {
        int rc = more(r);
        if (rc <= 0) {
            return rc;
        }
    }
    return 1;
}

static const char *at(const mc_reader *r, uint64_t abs)
{
    return r->win + (size_t)(abs - r->base);
}

static uint64_t win_end(const mc_reader *r)
{
    return r->base + r->win_len;
}

static void set_pos(mc_reader *r, uint64_t abs)
{
    r->pos = r->scan = abs;
}

/* "WARC/1.0" or "WARC/1.1" followed by CR or LF (or the end of p). */
static bool version_line(const char *p, size_t n)
{
    if (n < 8 || memcmp(p, "WARC/1.", 7) != 0 || (p[7] != '0' && p[7] != '1')) {
        return false;
    }
    return n == 8 || p[8] == '\r' || p[8] == '\n';
}

int mc__warc_detect(mc_reader *r)
{
    for (;;) {
        size_t n = r->win_len;
        if (memcmp(r->win, "WARC/1.", n < 7 ? n : 7) != 0) {
            return 0;
        }
        if (n >= 8) {
            if (r->win[7] != '0' && r->win[7] != '1') {
                return 0;
            }
            r->mode = MC__MODE_WARC;
            /* a record is held whole: header, block, and a look past it */
            r->win_limit += MC__WARC_HEADER_MAX + TRAIL_MAX;
            mc__buf_init(&r->warc_id, 3 * MC__WARC_HEADER_MAX + 16);
            return 1;
        }
        int rc = more(r);
        if (rc <= 0) {
            return rc;
        }
    }
}

/* Drop bytes up to the next line that starts a record, searching from
 * absolute offset `from` (>= pos). 1 found (pos is there), 0 at the end of
 * the stream, < 0 error. */
static int resync(mc_reader *r, uint64_t from)
{
    for (;;) {
        const char *p = at(r, from);
        const char *nl = memchr(p, '\n', (size_t)(win_end(r) - from));
        if (nl) {
            uint64_t s = from + (uint64_t)(nl - p) + 1;
            size_t left = (size_t)(win_end(r) - s);
            if (left >= 9 || r->eof) {
                if (version_line(at(r, s), left)) {
                    set_pos(r, s);
                    return 1;
                }
                from = s;
                continue;
            }
            set_pos(r, s - 1); /* keep the newline: the line may start a record */
            from = r->pos;
        } else {
            set_pos(r, win_end(r));
            from = r->pos;
            if (r->eof) {
                return 0;
            }
        }
        int rc = more(r);
        if (rc < 0) {
            return rc;
        }
    }
}

/* Pass over CR and LF between records. 1 a record byte is next, 0 end. */
static int skip_newlines(mc_reader *r)
{
    for (;;) {
        while (r->pos < win_end(r) && (*at(r, r->pos) == '\n' || *at(r, r->pos) == '\r')) {
            set_pos(r, r->pos + 1);
        }
        if (r->pos < win_end(r)) {
            return 1;
        }
        int rc = more(r);
        if (rc <= 0) {
            return rc;
        }
    }
}

/* Find the blank line that ends the header starting at pos: 1 with *hlen
 * (header bytes including the blank line), 0 when there is none within
 * MC__WARC_HEADER_MAX bytes or before the end of the stream, < 0. */
static int find_header(mc_reader *r, size_t *hlen)
{
    size_t i = 0;
    for (;;) {
        const char *p = at(r, r->pos);
        size_t n = (size_t)(win_end(r) - r->pos);
        size_t lim = n < MC__WARC_HEADER_MAX ? n : MC__WARC_HEADER_MAX;
        const char *nl;
        while (i < lim && (nl = memchr(p + i, '\n', lim - i)) != NULL) {
            size_t le = (size_t)(nl - p);
            size_t end = le > i && p[le - 1] == '\r' ? le - 1 : le;
            if (end == i && i > 0) {
                *hlen = le + 1;
                return 1;
            }
            i = le + 1;
        }
        if (n >= MC__WARC_HEADER_MAX || r->eof) {
            return 0;
        }
        int rc = more(r);
        if (rc < 0) {
            return rc;
        }
    }
}

static void trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r')) {
        (*n)--;
    }
}

/* The named fields of a header block (after the version line). NULL, or
 * a static reason why the block is malformed. */
static const char *parse_header(const char *p, size_t n, whdr *h)
{
    memset(h, 0, sizeof(*h));
    const char *e = p + n;
    const char *line = (const char *)memchr(p, '\n', n) + 1; /* after the version line */
    while (line < e) {
        const char *nl = memchr(line, '\n', (size_t)(e - line));
        size_t len = (size_t)(nl - line);
        const char *colon = memchr(line, ':', len);
        if (len == 0 || (len == 1 && line[0] == '\r')) {
            break; /* the blank line */
        }
        if (line[0] == ' ' || line[0] == '\t') {
            line = nl + 1; /* a folded continuation: no field of ours uses it */
            continue;
        }
        if (!colon) {
            return "header line without ':'";
        }
        size_t name_n = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vn = len - name_n - 1;
        trim(&v, &vn);
        static const char *const names[] = {"WARC-Type", "WARC-Target-URI", "WARC-Record-ID",
                                            "Content-Length"};
        const char **dst[] = {&h->type, &h->uri, &h->rid, &h->clen};
        size_t *dst_n[] = {&h->type_n, &h->uri_n, &h->rid_n, &h->clen_n};
        for (size_t k = 0; k < 4; k++) {
            if (name_n == strlen(names[k]) && strncasecmp(line, names[k], name_n) == 0 &&
                !*dst[k]) {
                *dst[k] = v;
                *dst_n[k] = vn;
            }
        }
        line = nl + 1;
    }
    return NULL;
}

/* Content-Length: decimal digits only. */
static bool parse_length(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (!p || n == 0 || n > 19) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return v <= CONTENT_LENGTH_MAX;
}

/* After a block ending at absolute `end`: 1 when CRLF CRLF follows, or any
 * run of CR/LF and then the end of the stream or the next "WARC/"; 0 when
 * something else does (Content-Length does not match the data); < 0. */
static int check_trailer(mc_reader *r, uint64_t end)
{
    int rc = reach(r, end + TRAIL_MAX);
    if (rc < 0) {
        return rc;
    }
    uint64_t e = win_end(r) < end + TRAIL_MAX ? win_end(r) : end + TRAIL_MAX;
    const char *p = at(r, end);
    size_t n = (size_t)(e - end);
    if (n >= 4 && memcmp(p, "\r\n\r\n", 4) == 0) {
        return 1;
    }
    size_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    if (i == n) {
        return r->eof && e == win_end(r); /* only newlines up to the end */
    }
    return n - i >= 5 && memcmp(p + i, "WARC/", 5) == 0;
}

/* Copy the WARC-Target-URI and WARC-Record-ID while the header is in the
 * window (decoding more may move or drop it). */
static int keep_ids(mc_reader *r, const whdr *h)
{
    size_t un = h->uri_n < r->max_record ? h->uri_n : r->max_record;
    mc__buf_reset(&r->id);
    mc__buf_reset(&r->warc_id);
    int rc = mc__utf8_sanitize(&r->id, h->uri ? h->uri : "", un, MC__UTF8_NUL);
    if (rc == 0) {
        rc = mc__utf8_sanitize(&r->warc_id, h->rid ? h->rid : "", h->rid_n, MC__UTF8_NUL);
    }
    return rc;
}

/* Stream past n bytes at pos (a block over the record limit). 1, 0 when
 * the stream ends first, < 0. */
static int discard(mc_reader *r, uint64_t n)
{
    while (n > 0) {
        uint64_t a = win_end(r) - r->pos;
        if (a == 0) {
            int rc = more(r);
            if (rc <= 0) {
                return rc;
            }
            continue;
        }
        uint64_t take = a < n ? a : n;
        set_pos(r, r->pos + take);
        n -= take;
    }
    return 1;
}

/* A parsed record header. Nothing in it points into the window, which
 * moves as more is decoded. */
typedef struct wrec {
    uint64_t idx, off; /* record number, offset of its first byte */
    size_t hlen;
    uint64_t clen;
    bool doc; /* WARC-Type conversion */
    bool has_uri, has_rid;
    char type[41]; /* WARC-Type, cut to 40 bytes (for messages) */
} wrec;

static bool is_type(const whdr *h, const char *t)
{
    return h->type && h->type_n == strlen(t) && strncasecmp(h->type, t, h->type_n) == 0;
}

/* Report a record type that is not a document, once per shard. */
static void note_type(mc_reader *r, const wrec *w)
{
    if (strcasecmp(w->type, "warcinfo") == 0 || r->warc_warned) {
        return;
    }
    r->warc_warned = true;
    mc__log(&r->logger, MC_LOG_WARN,
            "%s: WARC record %llu at byte offset %llu has WARC-Type '%s'; only "
            "'conversion' records (WET) are read as documents (further ones not reported)",
            r->name, (unsigned long long)w->idx, (unsigned long long)w->off, w->type);
}

/* A record whose block is over the limit: streamed past. 1 (skipped), 0
 * (stream ended inside it), < 0. */
static int skip_large(mc_reader *r, const wrec *w)
{
    if (!w->doc) {
        note_type(r, w);
    }
    set_pos(r, w->off + w->hlen);
    int rc = discard(r, w->clen);
    if (rc <= 0) {
        if (rc == 0) {
            mc__reader_skip_record(r, "WARC record", w->idx, w->off, "truncated: the stream ends inside the block");
        }
        return rc;
    }
    rc = check_trailer(r, r->pos);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        mc__reader_skip_record(r, "WARC record", w->idx, w->off, "Content-Length %llu does not match the data",
                    (unsigned long long)w->clen);
        rc = resync(r, r->pos);
        return rc < 0 ? rc : 1;
    }
    if (w->doc) {
        mc__reader_skip_record(r, "WARC record", w->idx, w->off, "record exceeds --max-record-bytes (%llu bytes > %zu)",
                    (unsigned long long)w->clen, r->max_record);
    }
    return 1;
}

/* The header at pos: 1 parsed into *w, 0 bad (skipped, pos moved on), or
 * 2 at the end of the stream; < 0. */
static int read_header(mc_reader *r, wrec *w)
{
    int rc = skip_newlines(r);
    if (rc <= 0) {
        return rc < 0 ? rc : 2;
    }
    w->idx = r->next_index++;
    w->off = r->pos;
    rc = find_header(r, &w->hlen);
    if (rc < 0) {
        return rc;
    }
    const char *p = at(r, r->pos);
    size_t n = (size_t)(win_end(r) - r->pos);
    const char *why = NULL;
    whdr h;
    memset(&h, 0, sizeof(h));
    if (!version_line(p, n)) {
        why = "not a WARC record (expected a WARC/1.0 or WARC/1.1 line)";
    } else if (rc == 0) {
        why = r->eof && n < MC__WARC_HEADER_MAX ? "truncated: the stream ends in the header"
                                                : "header over 64 KiB";
    } else {
        why = parse_header(p, w->hlen, &h);
    }
    if (!why && !parse_length(h.clen, h.clen_n, &w->clen)) {
        why = h.clen ? "invalid Content-Length" : "no Content-Length";
    }
    if (!why && !h.type) {
        why = "no WARC-Type";
    }
    if (why) {
        mc__reader_skip_record(r, "WARC record", w->idx, w->off, "%s", why);
        rc = resync(r, r->pos + 1);
        return rc < 0 ? rc : rc == 0 ? 2 : 0;
    }
    w->doc = is_type(&h, "conversion");
    w->has_uri = h.uri != NULL;
    w->has_rid = h.rid != NULL;
    snprintf(w->type, sizeof(w->type), "%.*s", (int)(h.type_n < 40 ? h.type_n : 40), h.type);
    rc = keep_ids(r, &h);
    return rc < 0 ? rc : 1;
}

/* A record held in the window: 1 returned in rec, 0 passed over, < 0. */
static int take_record(mc_reader *r, const wrec *w, mc_record *rec)
{
    uint64_t body = w->off + w->hlen;
    int rc = reach(r, body + w->clen);
    if (rc <= 0) {
        if (rc == 0) {
            mc__reader_skip_record(r, "WARC record", w->idx, w->off,
                        "truncated: Content-Length %llu, the stream ends after %llu bytes",
                        (unsigned long long)w->clen, (unsigned long long)(win_end(r) - body));
            set_pos(r, win_end(r));
        }
        return rc;
    }
    rc = check_trailer(r, body + w->clen);
    if (rc <= 0) {
        if (rc == 0) {
            mc__reader_skip_record(r, "WARC record", w->idx, w->off, "Content-Length %llu does not match the data",
                        (unsigned long long)w->clen);
            rc = resync(r, body);
        }
        return rc < 0 ? rc : 0;
    }
    if (!w->doc) {
        note_type(r, w);
        set_pos(r, body + w->clen);
        return 0;
    }
    mc__buf_reset(&r->text);
    rc = mc__utf8_sanitize(&r->text, at(r, body), (size_t)w->clen, MC__UTF8_NUL | MC__UTF8_CRLF);
    if (rc < 0) {
        return rc;
    }
    rec->id = w->has_uri ? r->id.data : NULL;
    rec->id_len = w->has_uri ? r->id.len : 0;
    rec->warc_record_id = w->has_rid ? r->warc_id.data : NULL;
    rec->warc_record_id_len = w->has_rid ? r->warc_id.len : 0;
    set_pos(r, body + w->clen);
    rec->index = w->idx;
    rec->offset = body;
    rec->text = r->text.data ? r->text.data : "";
    rec->text_len = r->text.len;
    r->st.records++;
    r->st.bytes_text += r->text.len;
    return 1;
}

int mc__warc_read(mc_reader *r, mc_record *rec)
{
    for (;;) {
        wrec w;
        memset(&w, 0, sizeof(w));
        int rc = read_header(r, &w);
        if (rc == 2) {
            return 0;
        }
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            continue;
        }
        if (w.clen > r->max_record) {
            rc = skip_large(r, &w);
        } else {
            rc = take_record(r, &w, rec);
            if (rc == 1) {
                return 1;
            }
        }
        if (rc < 0) {
            return rc;
        }
    }
}
