/* SPDX-License-Identifier: MIT */
/* Key index of a JSONL line for the fast path: which keys the top-level
 * object and its object values hold, in order, with the type of each value.
 * It trusts its input to be valid JSON (json_field checks that afterwards;
 * on invalid input the index is garbage but never read out of bounds), and
 * it turns away the lines where json_field and jansson disagree. */
#include <string.h>

#include <medcheck/common.h>

#include "util/swar.h"
#include "bench/jsonl.h"
#include "io/utf8.h"

#define MAX_NUMBER 15 /* longer numbers may be out of jansson's range */

static const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
    }
    return p;
}

static int is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* "\u0000" or a surrogate escape at p (just past "\u"), 4 bytes readable. */
static int unsafe_escape(const uint8_t *h)
{
    if (memcmp(h, "0000", 4) == 0) {
        return 1;
    }
    return (h[0] | 0x20) == 'd' && is_hex(h[1]) && (h[1] >= '8');
}

/* End (the closing quote) of a string whose body starts at p, or NULL when
 * it is unterminated or holds something json_field and jansson treat
 * differently. Sets *esc when the body holds a backslash. */
static const uint8_t *string_end(const uint8_t *p, const uint8_t *end, uint8_t *esc)
{
    for (;;) {
        p = mc__swar_skip_plain(p, end, 0);
        if (p >= end) {
            return NULL;
        }
        if (*p == '"') {
            return p;
        }
        if (*p == '\\') {
            *esc = 1;
            if (end - p < 2 || (p[1] == 'u' && end - p >= 6 && unsafe_escape(p + 2))) {
                return NULL;
            }
            p += 2;
        } else { /* non-ASCII */
            int n = mc__utf8_seq(p, (size_t)(end - p));
            if (n <= 0) {
                return NULL;
            }
            p += n;
        }
    }
}

/* A number token at p: returns its end, or NULL when jansson might reject
 * it (exponent or long). */
static const uint8_t *number_end(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *s = p;
    while (p < end && ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.' ||
                       *p == 'e' || *p == 'E')) {
        if (*p == 'e' || *p == 'E') {
            return NULL;
        }
        p++;
    }
    return p - s > MAX_NUMBER ? NULL : p;
}

/* Record the key name[0..len) whose value follows `colon`. */
static int add_key(mc__bench_jsonl_index *ix, int depth, mc__bench_jsonl_key *parent,
                   const uint8_t *name, size_t len, uint8_t esc, const uint8_t *colon,
                   const uint8_t *end)
{
    const uint8_t *v = skip_ws(colon + 1, end);
    mc__bench_jsonl_key *k;
    if (len > UINT32_MAX) {
        return MC_EUNSUPPORTED;
    }
    if (depth == 1) {
        if (ix->n_top == MC__BENCH_JSONL_MAX_TOP) {
            return MC_EUNSUPPORTED;
        }
        k = &ix->top[ix->n_top++];
        ix->top_escaped |= esc;
    } else if (ix->n_kids == MC__BENCH_JSONL_MAX_KIDS) {
        parent->kids_lost = 1;
        return 0;
    } else {
        k = &ix->kids[ix->n_kids++];
        parent->nkid++;
    }
    memset(k, 0, sizeof(*k));
    k->name = (const char *)name;
    k->len = (uint32_t)len;
    k->escaped = esc;
    k->type = v == end ? '\0' : (*v == '-' || (*v >= '0' && *v <= '9')) ? '0' : (char)*v;
    return 0;
}

/* Open a container: an object value directly under the top level lists
 * its keys under the top-level key it belongs to (the last one seen). */
static mc__bench_jsonl_key *open_container(mc__bench_jsonl_index *ix, int depth, uint8_t c)
{
    if (depth != 2 || c != '{' || !ix->n_top) {
        return NULL;
    }
    mc__bench_jsonl_key *parent = &ix->top[ix->n_top - 1];
    if (parent->type != '{' || parent->nkid) {
        return NULL;
    }
    parent->kid0 = (uint16_t)ix->n_kids;
    return parent;
}

int mc__bench_jsonl_scan(mc__bench_jsonl_index *ix, const char *line, size_t len)
{
    const uint8_t *p = (const uint8_t *)line;
    const uint8_t *end = p + len;
    mc__bench_jsonl_key *parent = NULL; /* whose keys depth 2 holds */
    int depth = 0;
    ix->n_top = ix->n_kids = 0;
    ix->top_escaped = 0;
    p = skip_ws(p, end);
    if (p == end || *p != '{') {
        return MC_EUNSUPPORTED;
    }
    while (p < end) {
        uint8_t c = *p;
        if (c == '"') {
            uint8_t esc = 0;
            const uint8_t *name = p + 1;
            p = string_end(name, end, &esc);
            if (!p) {
                return MC_EUNSUPPORTED;
            }
            const uint8_t *colon = skip_ws(p + 1, end);
            if (colon < end && *colon == ':' && (depth == 1 || (depth == 2 && parent))) {
                int rc = add_key(ix, depth, parent, name, (size_t)(p - name), esc, colon, end);
                if (rc < 0) {
                    return rc;
                }
            }
            p++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            p = number_end(p, end);
            if (!p) {
                return MC_EUNSUPPORTED;
            }
        } else {
            if (c == '{' || c == '[') {
                depth++;
                parent = depth == 2 ? open_container(ix, depth, c) : parent;
            } else if (c == '}' || c == ']') {
                depth--;
                parent = depth < 2 ? NULL : parent;
            }
            p++;
        }
    }
    return 0;
}
