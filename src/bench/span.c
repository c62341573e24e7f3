/* SPDX-License-Identifier: MIT */
/* Byte ranges of the items of a benchmark file (see span.h): the line and
 * record rules of the JSONL and CSV readers, and a small structural JSON
 * scanner (strings, brackets, commas; values are not validated, since the
 * reader has parsed the same bytes already) for the JSON documents. */
#include <string.h>

#include <medcheck/common.h>

#include "bench/csv.h"
#include "bench/span.h"
#include "util/alloc.h"

typedef struct lay {
    mc__bench_layout *lo;
    size_t cap_spans;
    size_t cap_groups;
} lay;

static int add_span(lay *l, size_t start, size_t end, uint32_t group, int own)
{
    mc__bench_layout *lo = l->lo;
    int rc =
        mc__array_reserve((void **)&lo->spans, &l->cap_spans, lo->n + 1, sizeof(*lo->spans), 256);
    if (rc == 0) {
        mc__bench_span s = {start, end, group, (uint8_t)own};
        lo->spans[lo->n++] = s;
    }
    return rc;
}

static int add_group(lay *l, size_t open, size_t close, uint32_t *id)
{
    mc__bench_layout *lo = l->lo;
    int rc = mc__array_reserve((void **)&lo->groups, &l->cap_groups, lo->n_groups + 1,
                               sizeof(*lo->groups), 16);
    if (rc == 0) {
        lo->groups[lo->n_groups].open = open;
        lo->groups[lo->n_groups].close = close;
        *id = (uint32_t)lo->n_groups++;
    }
    return rc;
}

/* ---- JSONL: every line holding more than spaces, tabs and CRs */

static int layout_jsonl(lay *l, const char *data, size_t len)
{
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - data) : len;
        size_t q = p;
        while (q < e && (data[q] == ' ' || data[q] == '\t' || data[q] == '\r')) {
            q++;
        }
        size_t next = nl ? e + 1 : len;
        if (q < e) {
            int rc = add_span(l, p, next, 0, 1);
            if (rc < 0) {
                return rc;
            }
        }
        p = next;
    }
    return 0;
}

/* ---- CSV: the records of the tokenizer; blank lines before a record are
 * not part of it (they stay where they are) */

static size_t skip_blank_lines(const char *data, size_t p, size_t end)
{
    while (p < end) {
        size_t q = p;
        while (q < end && (data[q] == ' ' || data[q] == '\t' || data[q] == '\r')) {
            q++;
        }
        if (q >= end || data[q] != '\n') {
            break;
        }
        p = q + 1;
    }
    return p;
}

static int layout_csv(lay *l, const char *data, size_t len, int header)
{
    mc__csv c;
    mc__csv_init(&c, data, len);
    int rc = 0;
    for (;;) {
        size_t before = (size_t)(c.p - data);
        uint32_t line = 0;
        const char *bad = NULL;
        rc = mc__csv_next(&c, &line, &bad);
        if (rc <= 0) {
            break;
        }
        size_t end = (size_t)(c.p - data);
        if (header) {
            header = 0;
            continue;
        }
        rc = add_span(l, skip_blank_lines(data, before, end), end, 0, 1);
        if (rc < 0) {
            break;
        }
    }
    mc__csv_finish(&c);
    return rc;
}

/* ---- JSON documents */

typedef struct scan {
    const char *d;
    size_t len;
} scan;

static size_t ws(const scan *s, size_t p)
{
    while (p < s->len &&
           (s->d[p] == ' ' || s->d[p] == '\t' || s->d[p] == '\r' || s->d[p] == '\n')) {
        p++;
    }
    return p;
}

/* End of the string that opens at p (one past its closing quote), or 0. */
static size_t string_end(const scan *s, size_t p)
{
    for (p++; p < s->len; p++) {
        if (s->d[p] == '\\') {
            p++;
        } else if (s->d[p] == '"') {
            return p + 1;
        }
    }
    return 0;
}

/* End of the value that starts at p, or 0 when it is cut short. */
static size_t value_end(const scan *s, size_t p)
{
    if (p >= s->len) {
        return 0;
    }
    char c = s->d[p];
    if (c == '"') {
        return string_end(s, p);
    }
    if (c != '{' && c != '[') {
        while (p < s->len && !strchr(",]} \t\r\n", s->d[p])) {
            p++;
        }
        return p;
    }
    size_t depth = 0;
    for (; p < s->len; p++) {
        c = s->d[p];
        if (c == '"') {
            p = string_end(s, p);
            if (!p) {
                return 0;
            }
            p--;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return 0;
}

/* One member of the container opened at `open`, starting at p (a key for
 * an object, a value for an array). Sets the key's range (objects), the
 * value's start, the member's end, and returns the position after the
 * separator that follows (',' or the closing bracket), or 0. */
typedef struct member {
    size_t start, key, key_end, value, end, next, close;
    int last;
} member;

static int next_member(const scan *s, int object, size_t p, member *m)
{
    memset(m, 0, sizeof(*m));
    m->start = p;
    if (object) {
        if (p >= s->len || s->d[p] != '"') {
            return MC_EFORMAT;
        }
        m->key = p + 1;
        size_t ke = string_end(s, p);
        if (!ke) {
            return MC_EFORMAT;
        }
        m->key_end = ke - 1;
        p = ws(s, ke);
        if (p >= s->len || s->d[p] != ':') {
            return MC_EFORMAT;
        }
        p = ws(s, p + 1);
    }
    m->value = p;
    m->end = value_end(s, p);
    if (!m->end) {
        return MC_EFORMAT;
    }
    p = ws(s, m->end);
    if (p < s->len && s->d[p] == ',') {
        m->next = ws(s, p + 1);
        return 0;
    }
    if (p < s->len && s->d[p] == (object ? '}' : ']')) {
        m->last = 1;
        m->close = p;
        return 0;
    }
    return MC_EFORMAT;
}

/* Calls fn for every member of the container opened at `open` and sets
 * *close to its closing bracket. */
typedef int (*member_fn)(lay *l, const scan *s, const member *m, void *arg);

static int each_member(lay *l, const scan *s, size_t open, size_t *close, member_fn fn, void *arg)
{
    int object = s->d[open] == '{';
    size_t p = ws(s, open + 1);
    if (p < s->len && s->d[p] == (object ? '}' : ']')) {
        *close = p;
        return 0;
    }
    for (;;) {
        member m;
        int rc = next_member(s, object, p, &m);
        rc = rc == 0 && fn ? fn(l, s, &m, arg) : rc;
        if (rc < 0) {
            return rc;
        }
        if (m.last) {
            *close = m.close;
            return 0;
        }
        p = m.next;
    }
}

/* The value of the last member named `key` (jansson keeps the last of
 * duplicate keys) in the object opened at `open`: its offset, or 0. */
typedef struct find {
    const char *key;
    size_t value;
} find;

static int find_fn(lay *l, const scan *s, const member *m, void *arg)
{
    (void)l;
    find *f = arg;
    size_t n = strlen(f->key);
    if (m->key_end - m->key == n && memcmp(s->d + m->key, f->key, n) == 0) {
        f->value = m->value;
    }
    return 0;
}

static size_t member_value(const scan *s, size_t open, const char *key)
{
    find f = {key, 0};
    size_t close;
    if (open >= s->len || s->d[open] != '{' || each_member(NULL, s, open, &close, find_fn, &f)) {
        return 0;
    }
    return f.value;
}

static int item_fn(lay *l, const scan *s, const member *m, void *arg)
{
    (void)s;
    return add_span(l, m->start, m->end, *(const uint32_t *)arg, 1);
}

/* Every member of the container at `open` is an item. */
static int items_of(lay *l, const scan *s, size_t open)
{
    uint32_t g;
    size_t close = 0;
    int rc = add_group(l, open, 0, &g);
    rc = rc ? rc : each_member(l, s, open, &close, item_fn, &g);
    if (rc == 0) {
        l->lo->groups[g].close = close;
    }
    return rc;
}

static int exam_fn(lay *l, const scan *s, const member *m, void *arg)
{
    (void)arg;
    size_t data = member_value(s, m->value, "data");
    if (data && s->d[data] == '[') {
        return items_of(l, s, data);
    }
    return add_span(l, m->start, m->end, 0, 0); /* read as one malformed item */
}

static int layout_json(lay *l, const char *data, size_t len, mc_bench_format fmt)
{
    scan s = {data, len};
    size_t root = ws(&s, 0);
    if (root >= len || data[root] != '{') {
        return MC_EFORMAT;
    }
    if (fmt == MC_FMT_PUBMEDQA) {
        return items_of(l, &s, root);
    }
    const char *key = fmt == MC_FMT_BIOASQ ? "questions" : "exams";
    size_t v = member_value(&s, root, key);
    if (!v || data[v] != (fmt == MC_FMT_BIOASQ ? '[' : '{')) {
        return MC_EFORMAT;
    }
    if (fmt == MC_FMT_BIOASQ) {
        return items_of(l, &s, v);
    }
    size_t close;
    return each_member(l, &s, v, &close, exam_fn, NULL);
}

int mc__bench_layout_build(mc__bench_layout *lo, const char *data, size_t len, mc_bench_format fmt)
{
    if (!lo || (!data && len)) {
        return MC_EINVAL;
    }
    memset(lo, 0, sizeof(*lo));
    lay l = {lo, 0, 0};
    int rc;
    switch (fmt) {
    case MC_FMT_MEDQA:
    case MC_FMT_MEDMCQA:
    case MC_FMT_JSONL:
        rc = layout_jsonl(&l, data, len);
        break;
    case MC_FMT_MMLU:
    case MC_FMT_CSV:
        rc = layout_csv(&l, data, len, fmt == MC_FMT_CSV);
        break;
    case MC_FMT_PUBMEDQA:
    case MC_FMT_HEADQA:
    case MC_FMT_BIOASQ:
        rc = layout_json(&l, data, len, fmt);
        break;
    default:
        rc = MC_EINVAL;
        break;
    }
    if (rc < 0) {
        mc__bench_layout_finish(lo);
    }
    return rc;
}

void mc__bench_layout_finish(mc__bench_layout *lo)
{
    if (!lo) {
        return;
    }
    mc__free(lo->spans);
    mc__free(lo->groups);
    memset(lo, 0, sizeof(*lo));
}
