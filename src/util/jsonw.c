/* SPDX-License-Identifier: MIT */
/* Streaming JSON writer (see jsonw.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <medcheck/common.h>

#include "util/jsonw.h"

void mc__jw_init(mc_jsonw *w, mc_buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
}

static void put(mc_jsonw *w, const char *s, size_t n)
{
    if (w->rc == 0) {
        w->rc = mc__buf_append(w->b, s, n);
    }
}

/* A comma before every value but the first of its container. */
static void before_value(mc_jsonw *w)
{
    if (w->depth > 0 && w->has_value[w->depth]) {
        put(w, ",", 1);
    }
    w->has_value[w->depth] = 1;
}

static void open(mc_jsonw *w, char c)
{
    before_value(w);
    put(w, &c, 1);
    if (w->depth + 1 >= (int)sizeof(w->has_value)) {
        w->rc = MC_ELIMIT;
        return;
    }
    w->has_value[++w->depth] = 0;
}

static void close_(mc_jsonw *w, char c)
{
    put(w, &c, 1);
    if (w->depth > 0) {
        w->depth--;
    }
}

void mc__jw_obj(mc_jsonw *w)
{
    open(w, '{');
}

void mc__jw_obj_end(mc_jsonw *w)
{
    close_(w, '}');
}

void mc__jw_arr(mc_jsonw *w)
{
    open(w, '[');
}

void mc__jw_arr_end(mc_jsonw *w)
{
    close_(w, ']');
}

static void string_body(mc_jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        put(w, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
            break;
        }
        put(w, esc, elen);
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

void mc__jw_key(mc_jsonw *w, const char *key)
{
    before_value(w);
    string_body(w, key, strlen(key));
    put(w, ":", 1);
    w->has_value[w->depth] = 0; /* the value follows without a comma */
}

void mc__jw_strn(mc_jsonw *w, const char *s, size_t n)
{
    before_value(w);
    string_body(w, s, n);
}

void mc__jw_str(mc_jsonw *w, const char *s)
{
    if (!s) {
        mc__jw_null(w);
        return;
    }
    mc__jw_strn(w, s, strlen(s));
}

void mc__jw_int(mc_jsonw *w, int64_t v)
{
    char t[32];
    int n = snprintf(t, sizeof(t), "%lld", (long long)v);
    before_value(w);
    put(w, t, (size_t)n);
}

void mc__jw_uint(mc_jsonw *w, uint64_t v)
{
    char t[32];
    int n = snprintf(t, sizeof(t), "%llu", (unsigned long long)v);
    before_value(w);
    put(w, t, (size_t)n);
}

static void real_fmt(mc_jsonw *w, double v, int exact)
{
    char t[40];
    if (!isfinite(v)) {
        mc__jw_null(w);
        return;
    }
    int n = exact ? snprintf(t, sizeof(t), "%.17g", v) : snprintf(t, sizeof(t), "%.6g", v);
    if (!strpbrk(t, ".e")) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    before_value(w);
    put(w, t, (size_t)n);
}

void mc__jw_real(mc_jsonw *w, double v)
{
    real_fmt(w, v, 0);
}

void mc__jw_real_exact(mc_jsonw *w, double v)
{
    real_fmt(w, v, 1);
}

void mc__jw_bool(mc_jsonw *w, int v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void mc__jw_null(mc_jsonw *w)
{
    before_value(w);
    put(w, "null", 4);
}
