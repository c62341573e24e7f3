/* SPDX-License-Identifier: MIT */
/* Recursive-descent JSON validator that decodes only the values asked for.
 * Strings are scanned eight bytes at a time until a quote, backslash,
 * control or non-ASCII byte; the decoded output is appended in runs. */
#include <string.h>

#include <medcheck/common.h>

#include "util/swar.h"
#include "io/json_field.h"
#include "io/utf8.h"

#define MAX_KEY 256 /* longest path segment; longer keys never match */
/* A raw key longer than this cannot decode to MAX_KEY bytes (an escape is
 * at most 6 bytes per character); decoded output is at most 3x the input. */
#define MAX_RAW_KEY (6 * MAX_KEY)

typedef struct jp {
    const uint8_t *p;
    const uint8_t *end;
    mc__json_query *q;
    const char *err;
    const uint8_t *err_at;
} jp;

/* Destination of a decoded string: a query buffer or a key buffer on the
 * stack. Writes go straight to [w, lim); room for the whole rest of the line
 * is reserved up front, since only U+FFFD repairs make output longer than
 * input, and those check for room themselves. */
typedef struct sink {
    mc_buf *buf; /* NULL for a fixed buffer */
    char *w;
    char *lim;
} sink;

static int fail(jp *j, const uint8_t *at, const char *msg)
{
    j->err = msg;
    j->err_at = at;
    return MC_EFORMAT;
}

static void skip_ws(jp *j)
{
    const uint8_t *p = j->p;
    while (p < j->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
    }
    j->p = p;
}

/* Make room for `need` bytes at s->w. */
static int sink_room(sink *s, size_t need)
{
    if (!s->buf) {
        return 0; /* a key buffer holds 3x the raw key: always enough */
    }
    if (s->lim - s->w >= (ptrdiff_t)need && s->buf->data) {
        return 0;
    }
    s->buf->len = (size_t)(s->w - s->buf->data);
    int rc = mc__buf_reserve(s->buf, need);
    if (rc < 0) {
        return rc;
    }
    s->w = s->buf->data + s->buf->len;
    s->lim = s->buf->data + s->buf->cap - 1;
    return 0;
}

static void sink_close(sink *s)
{
    if (s && s->buf) {
        s->buf->len = (size_t)(s->w - s->buf->data);
        s->buf->data[s->buf->len] = '\0';
    }
}

static void put(sink *s, const void *d, size_t n)
{
    if (s) {
        memcpy(s->w, d, n);
        s->w += n;
    }
}

/* U+FFFD for an ill-formed byte run; keeps room for the `rest` input bytes. */
static int put_replacement(sink *s, size_t rest)
{
    if (!s) {
        return 0;
    }
    int rc = sink_room(s, 3 + rest);
    if (rc == 0) {
        put(s, MC__UTF8_REPLACEMENT, 3);
    }
    return rc;
}

static int hex4(const uint8_t *p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    if (end - p < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            d = (uint32_t)((c | 0x20) - 'a' + 10);
        } else {
            return -1;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return 0;
}

/* \uXXXX at p (pointing at the backslash); pairs surrogates. Sets *next. */
static int unicode_escape(jp *j, sink *s, const uint8_t *p, const uint8_t **next)
{
    uint32_t cp;
    uint32_t lo;
    char enc[4];
    if (hex4(p + 2, j->end, &cp) < 0) {
        return fail(j, p, "invalid \\u escape");
    }
    *next = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && j->end - p >= 12 && p[6] == '\\' &&
        p[7] == 'u' && hex4(p + 8, j->end, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *next = p + 12;
    } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
        put(s, MC__UTF8_REPLACEMENT, 3); /* 6 bytes in, 3 out */
        return 0;
    }
    put(s, enc, mc__utf8_encode(cp, enc));
    return 0;
}

/* One escape sequence at p (the backslash); sets *next past it. */
static int escape(jp *j, sink *s, const uint8_t *p, const uint8_t **next)
{
    char c;
    if (j->end - p < 2) {
        return fail(j, p, "unterminated string");
    }
    switch (p[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': return unicode_escape(j, s, p, next);
    default: return fail(j, p, "invalid escape");
    }
    *next = p + 2;
    put(s, &c, 1);
    return 0;
}

/* A string body; j->p is just past the opening quote. s may be NULL. */
static int parse_string(jp *j, sink *s)
{
    const uint8_t *p = j->p;
    const uint8_t *end = j->end;
    const uint8_t *run = p;
    int rc = s ? sink_room(s, (size_t)(end - p)) : 0;
    while (rc == 0) {
        p = mc__swar_skip_plain(p, end, 1);
        if (p >= end) {
            return fail(j, j->p - 1, "unterminated string");
        }
        uint8_t c = *p;
        if (c == '"') {
            put(s, run, (size_t)(p - run));
            sink_close(s);
            j->p = p + 1;
            return 0;
        }
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            p++;
            continue;
        }
        if (c < 0x20) {
            return fail(j, p, "control character in string");
        }
        const uint8_t *next = p;
        if (c == '\\') {
            put(s, run, (size_t)(p - run));
            rc = escape(j, s, p, &next);
        } else {
            int n = mc__utf8_seq(p, (size_t)(end - p));
            if (n > 0) {
                /* non-ASCII text comes in runs of sequences */
                p += n;
                while (p < end && *p >= 0x80 && (n = mc__utf8_seq(p, (size_t)(end - p))) > 0) {
                    p += n;
                }
                continue;
            }
            next = p - n;
            put(s, run, (size_t)(p - run));
            rc = put_replacement(s, (size_t)(end - next));
        }
        p = next;
        run = p;
    }
    return rc;
}

static int parse_number(jp *j, sink *s)
{
    const uint8_t *st = j->p;
    const uint8_t *p = st;
    const uint8_t *end = j->end;
    if (*p == '-') {
        p++;
    }
    if (p < end && *p == '0') {
        p++;
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
    } else {
        return fail(j, st, "invalid number");
    }
    if (p < end && *p == '.') {
        const uint8_t *d = ++p;
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
        if (p == d) {
            return fail(j, st, "invalid number");
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        const uint8_t *d = p;
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
        if (p == d) {
            return fail(j, st, "invalid number");
        }
    }
    j->p = p;
    if (s) {
        int rc = sink_room(s, (size_t)(p - st));
        if (rc < 0) {
            return rc;
        }
        put(s, st, (size_t)(p - st));
        sink_close(s);
    }
    return 0;
}

static int parse_literal(jp *j)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if ((size_t)(j->end - j->p) >= n && memcmp(j->p, lits[i], n) == 0) {
            j->p += n;
            return 0;
        }
    }
    return fail(j, j->p, "invalid literal");
}

static int parse_value(jp *j, unsigned depth, unsigned level, uint32_t descend,
                       uint32_t target);

/* Queries in `mask` whose segment `level` equals the key just parsed. */
static uint32_t match_key(const jp *j, uint32_t mask, unsigned level, const char *key,
                          size_t klen)
{
    uint32_t hit = 0;
    for (uint32_t i = 0; mask >> i; i++) {
        const mc__json_path *path = j->q[i].path;
        if ((mask >> i & 1) && path->seg_len[level] == klen &&
            memcmp(path->seg[level], key, klen) == 0) {
            hit |= UINT32_C(1) << i;
        }
    }
    return hit;
}

/* A key; j->p at its opening quote. Sets *hit to the queries it names. */
static int parse_key(jp *j, uint32_t mask, unsigned level, uint32_t *hit)
{
    const uint8_t *k = ++j->p;
    int rc = parse_string(j, NULL);
    *hit = 0;
    if (rc < 0 || !mask) {
        return rc;
    }
    size_t klen = (size_t)(j->p - 1 - k);
    if (!memchr(k, '\\', klen)) {
        *hit = match_key(j, mask, level, (const char *)k, klen);
        return 0;
    }
    if (klen > MAX_RAW_KEY) {
        return 0;
    }
    char fix[3 * MAX_RAW_KEY];
    sink s = {NULL, fix, fix + sizeof(fix)};
    const uint8_t *after = j->p;
    j->p = k;
    rc = parse_string(j, &s);
    j->p = after;
    if (rc == 0) {
        *hit = match_key(j, mask, level, fix, (size_t)(s.w - fix));
    }
    return rc;
}

static int parse_object(jp *j, unsigned depth, unsigned level, uint32_t mask)
{
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return 0;
    }
    for (;;) {
        uint32_t hit;
        if (j->p >= j->end || *j->p != '"') {
            return fail(j, j->p, "expected a string key");
        }
        int rc = parse_key(j, mask, level, &hit);
        if (rc < 0) {
            return rc;
        }
        mask &= ~hit; /* first occurrence wins */
        skip_ws(j);
        if (j->p >= j->end || *j->p != ':') {
            return fail(j, j->p, "expected ':'");
        }
        j->p++;
        uint32_t tgt = 0;
        for (uint32_t i = 0; hit >> i; i++) {
            if ((hit >> i & 1) && j->q[i].path->nseg == level + 1) {
                tgt |= UINT32_C(1) << i;
            }
        }
        rc = parse_value(j, depth, level + 1, hit & ~tgt, tgt);
        if (rc < 0) {
            return rc;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            skip_ws(j);
            continue;
        }
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return 0;
        }
        return fail(j, j->p, "expected ',' or '}'");
    }
}

static int parse_array(jp *j, unsigned depth)
{
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return 0;
    }
    for (;;) {
        int rc = parse_value(j, depth, 0, 0, 0);
        if (rc < 0) {
            return rc;
        }
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return 0;
        }
        return fail(j, j->p, "expected ',' or ']'");
    }
}

/* Record what a target value was; copy the output to any extra targets. */
static int set_targets(jp *j, uint32_t target, mc__json_kind kind)
{
    int first = -1;
    for (uint32_t i = 0; target >> i; i++) {
        if (!(target >> i & 1)) {
            continue;
        }
        j->q[i].kind = kind;
        if (first < 0) {
            first = (int)i;
        } else if (kind == MC__JSON_STRING || kind == MC__JSON_NUMBER) {
            const mc_buf *src = j->q[first].out;
            int rc = mc__buf_append(j->q[i].out, src->data, src->len);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int parse_value(jp *j, unsigned depth, unsigned level, uint32_t descend,
                       uint32_t target)
{
    int rc;
    mc__json_kind kind = MC__JSON_OTHER;
    sink s = {NULL, NULL, NULL};
    sink *sp = NULL;
    if (target) {
        uint32_t i = 0;
        while (!(target >> i & 1)) {
            i++;
        }
        s.buf = j->q[i].out;
        s.w = s.lim = s.buf->data; /* sink_room reserves on first use */
        sp = &s;
    }
    skip_ws(j);
    if (j->p >= j->end) {
        return fail(j, j->p, "unexpected end of input");
    }
    switch (*j->p) {
    case '{':
    case '[':
        if (depth >= MC__JSON_MAX_DEPTH) {
            return fail(j, j->p, "nesting too deep");
        }
        rc = *j->p == '{' ? parse_object(j, depth + 1, level, descend)
                          : parse_array(j, depth + 1);
        break;
    case '"':
        j->p++;
        rc = parse_string(j, sp);
        kind = MC__JSON_STRING;
        break;
    case 't':
    case 'f':
    case 'n':
        rc = parse_literal(j);
        break;
    default:
        if (*j->p != '-' && (*j->p < '0' || *j->p > '9')) {
            return fail(j, j->p, "unexpected character");
        }
        rc = parse_number(j, sp);
        kind = MC__JSON_NUMBER;
        break;
    }
    if (rc < 0 || !target) {
        return rc;
    }
    return set_targets(j, target, kind);
}

int mc__json_path_init(mc__json_path *p, const char *dotted)
{
    p->nseg = 0;
    const char *s = dotted;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (n == 0 || n > MAX_KEY || p->nseg == MC__JSON_MAX_SEGS) {
            return MC_EINVAL;
        }
        p->seg[p->nseg] = s;
        p->seg_len[p->nseg] = n;
        p->nseg++;
        if (!dot) {
            return 0;
        }
        s = dot + 1;
    }
}

int mc__json_extract(const char *line, size_t len, mc__json_query *q, size_t nq,
                     mc__json_error *err)
{
    jp j = {(const uint8_t *)line, (const uint8_t *)line + len, q, NULL, NULL};
    if (nq > MC__JSON_MAX_QUERIES) {
        return MC_EINVAL;
    }
    for (size_t i = 0; i < nq; i++) {
        mc__buf_reset(q[i].out);
        q[i].kind = MC__JSON_MISSING;
    }
    uint32_t all = (uint32_t)((UINT32_C(1) << nq) - 1);
    int rc = parse_value(&j, 0, 0, all, 0);
    if (rc == 0) {
        skip_ws(&j);
        if (j.p != j.end) {
            rc = fail(&j, j.p, "trailing characters after the value");
        }
    }
    if (rc == MC_EFORMAT && err) {
        err->msg = j.err;
        err->offset = (size_t)(j.err_at - (const uint8_t *)line);
    }
    return rc;
}
