/* SPDX-License-Identifier: MIT */
/* JSON helpers of the readers: the lazily parsed whole document, the key
 * locator that gives items of a JSON document a line number, and text
 * extraction from jansson values. */
#include <stdio.h>
#include <string.h>

#include "bench/bench_int.h"

json_t *mc__bench_doc(mc__bench_ctx *ctx)
{
    if (!ctx->doc_tried) {
        json_error_t e;
        ctx->doc_tried = 1;
        ctx->doc = json_loadb(ctx->data, ctx->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        if (!ctx->doc) {
            snprintf(ctx->b->errmsg, sizeof(ctx->b->errmsg), "%s:%d: not a JSON document: %s",
                     ctx->path, e.line, e.text);
        }
    }
    return ctx->doc;
}

/* Items of a JSON document are found in file order, so each search starts
 * where the previous one ended. Inside a JSON string a quote is escaped,
 * so `"key"` followed by ':' is always an object key. */
uint32_t mc__bench_locate_key(mc__bench_ctx *ctx, const char *key)
{
    char needle[128];
    int n = snprintf(needle, sizeof(needle), "\"%s\"", key);
    if (n < 0 || (size_t)n >= sizeof(needle) || ctx->loc_pos > ctx->len) {
        return 0;
    }
    const char *start = ctx->data + ctx->loc_pos;
    const char *p = start;
    for (;;) {
        p = strstr(p, needle);
        if (!p) {
            return 0;
        }
        const char *q = p + n;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') {
            q++;
        }
        if (*q == ':') {
            break;
        }
        p += n;
    }
    for (const char *s = start; s < p; s++) {
        ctx->loc_line += *s == '\n';
    }
    ctx->loc_pos = (size_t)(p - ctx->data) + (size_t)n;
    return ctx->loc_line + 1;
}

const char *mc__bench_json_text(mc__bench_ctx *ctx, const json_t *v)
{
    char num[64];
    if (json_is_string(v)) {
        return mc__bench_arena_strdup(&ctx->b->arena, json_string_value(v));
    }
    if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
    } else {
        return NULL;
    }
    return mc__bench_arena_strdup(&ctx->b->arena, num);
}

const char *mc__bench_json_join(mc__bench_ctx *ctx, const json_t *v, const char *member)
{
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (!json_is_array(v)) {
        return NULL;
    }
    mc__buf_reset(&ctx->tmp);
    size_t i;
    const json_t *el;
    int parts = 0;
    json_array_foreach(v, i, el) {
        const json_t *s = member && json_is_object(el) ? json_object_get(el, member) : el;
        if (!json_is_string(s)) {
            continue;
        }
        if ((parts && mc__buf_putc(&ctx->tmp, '\n') < 0) ||
            mc__buf_append(&ctx->tmp, json_string_value(s), strlen(json_string_value(s))) < 0) {
            return NULL;
        }
        parts++;
    }
    return parts ? ctx->tmp.data : NULL;
}
