/* SPDX-License-Identifier: MIT */
/* CSV tokenizer (RFC 4180, lenient like Python's csv module: text after a
 * closing quote is kept, a lone quote inside an unquoted field is data). */
#include <string.h>

#include <medcheck/common.h>

#include "bench/bench_int.h"
#include "bench/csv.h"
#include "util/alloc.h"

void mc__csv_init(mc__csv *c, const char *data, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->p = data;
    c->end = data + len;
    c->line = 1;
    mc__buf_init(&c->fields, MC__BENCH_MAX_FILE);
}

void mc__csv_finish(mc__csv *c)
{
    mc__buf_finish(&c->fields);
    mc__free(c->offs);
    c->offs = NULL;
    c->n_fields = 0;
    c->cap_fields = 0;
}

const char *mc__csv_field(const mc__csv *c, size_t i)
{
    return c->fields.data + c->offs[i];
}

static int at_eol(const mc__csv *c, const char *p)
{
    return *p == '\n' || (*p == '\r' && (p + 1 == c->end || p[1] == '\n'));
}

static int push_field(mc__csv *c, size_t start)
{
    if (c->n_fields == c->cap_fields) {
        size_t ncap = c->cap_fields ? c->cap_fields * 2 : 16;
        size_t *o = mc__reallocarray(c->offs, ncap, sizeof(*o));
        if (!o) {
            return MC_ENOMEM;
        }
        c->offs = o;
        c->cap_fields = ncap;
    }
    c->offs[c->n_fields++] = start;
    return mc__buf_putc(&c->fields, '\0');
}

/* Quoted part of a field, after the opening quote, up to the closing one. */
static int quoted(mc__csv *c, const char **bad)
{
    for (;;) {
        const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));
        const char *stop = q ? q : c->end;
        for (const char *s = c->p; s < stop; s++) {
            c->line += *s == '\n';
        }
        int rc = mc__buf_append(&c->fields, c->p, (size_t)(stop - c->p));
        if (rc < 0) {
            return rc;
        }
        c->p = stop;
        if (!q) {
            *bad = "unterminated quoted field";
            return 0;
        }
        if (q + 1 < c->end && q[1] == '"') {
            rc = mc__buf_putc(&c->fields, '"');
            c->p = q + 2;
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        c->p = q + 1;
        return 0;
    }
}

/* One record's fields; c->p is at its first byte. */
static int record(mc__csv *c, const char **bad)
{
    for (;;) {
        size_t start = c->fields.len;
        int rc = 0;
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            rc = quoted(c, bad);
        }
        const char *s = c->p;
        while (rc == 0 && c->p < c->end && *c->p != ',' && !at_eol(c, c->p)) {
            c->p++;
        }
        if (rc == 0) {
            rc = mc__buf_append(&c->fields, s, (size_t)(c->p - s));
        }
        if (rc == 0) {
            rc = push_field(c, start);
        }
        if (rc < 0) {
            return rc;
        }
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '\r') {
            c->p++;
        }
        if (c->p < c->end && *c->p == '\n') {
            c->p++;
            c->line++;
        }
        return 0;
    }
}

static int blank(const mc__csv *c, const char *rec_start)
{
    if (c->n_fields != 1 || *rec_start == '"') {
        return 0;
    }
    const char *f = mc__csv_field(c, 0);
    return f[strspn(f, " \t\r")] == '\0';
}

int mc__csv_next(mc__csv *c, uint32_t *line, const char **bad)
{
    *bad = NULL;
    while (c->p < c->end) {
        const char *rec_start = c->p;
        *line = c->line;
        c->n_fields = 0;
        mc__buf_reset(&c->fields);
        int rc = record(c, bad);
        if (rc < 0) {
            return rc;
        }
        if (!blank(c, rec_start)) {
            return 1;
        }
    }
    return 0;
}
