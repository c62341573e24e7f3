/* SPDX-License-Identifier: MIT */
/* The item builder shared by all readers: trims the question and options,
 * resolves the answer to an option, flags malformed items and appends. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench_int.h"
#include "io/utf8.h"
#include "util/alloc.h"
#include "util/log.h"

static const char *const letters[MC__BENCH_MAX_OPTIONS] = {
    "A",  "B",  "C",  "D",  "E",  "F",  "G",  "H",  "I",  "J",  "K",
    "L",  "M",  "N",  "O",  "P",  "Q",  "R",  "S",  "T",  "U",  "V",
    "W",  "X",  "Y",  "Z",  "AA", "AB", "AC", "AD", "AE", "AF",
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Copy s without surrounding ASCII whitespace into the arena. */
static const char *dup_trim(mc__bench_arena *a, const char *s)
{
    size_t n = strlen(s);
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1])) {
        n--;
    }
    return mc__bench_arena_strndup(a, s, n);
}

/* Copy a message into the arena as valid UTF-8: jansson quotes the raw
 * bytes near a syntax error and "%.40s" may cut a character in two, and
 * items hold only UTF-8 strings (medcheck/bench.h). */
static const char *dup_utf8(mc__bench_arena *a, const char *s)
{
    size_t n = strlen(s);
    if (mc__utf8_valid_prefix(s, n) == n) {
        return mc__bench_arena_strndup(a, s, n);
    }
    mc_buf b;
    mc__buf_init(&b, 3 * n);
    const char *out = NULL;
    if (mc__utf8_sanitize(&b, s, n, 0) == 0) {
        out = mc__bench_arena_strndup(a, b.data, b.len);
    }
    mc__buf_finish(&b);
    return out;
}

static const char *dup_opt(mc__bench_arena *a, const char *s)
{
    return s ? mc__bench_arena_strdup(a, s) : NULL;
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char cb = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (ca != cb) {
            return 0;
        }
    }
    return *a == *b;
}

/* Resolve the answer to an option index: a label (letters case-insensitively),
 * then an option's text, then digits as a number in raw->answer_base. */
static int32_t resolve(const mc_item *it, const mc__bench_raw *raw, const char *ans)
{
    long long num = raw->answer_num;
    if (ans) {
        for (uint32_t i = 0; i < it->n_options; i++) {
            const char *l = it->option_labels[i];
            if (strcmp(l, ans) == 0 || (strlen(ans) == 1 && ascii_ieq(l, ans))) {
                return (int32_t)i;
            }
        }
        for (uint32_t i = 0; i < it->n_options; i++) {
            if (strcmp(it->options[i], ans) == 0) {
                return (int32_t)i;
            }
        }
        size_t n = strlen(ans);
        if (n == 0 || n > 9 || strspn(ans, "0123456789") != n) {
            return -1;
        }
        num = 0;
        for (size_t i = 0; i < n; i++) {
            num = num * 10 + (ans[i] - '0');
        }
    } else if (!raw->has_answer_num) {
        return -1;
    }
    num -= raw->answer_base;
    return num >= 0 && num < (long long)it->n_options ? (int32_t)num : -1;
}

static int fill_options(mc__bench_arena *a, mc_item *it, const mc__bench_raw *raw)
{
    uint32_t n = raw->n_options;
    if (n == 0) {
        return 0;
    }
    const char **opts = mc__bench_arena_alloc(a, 2 * n * sizeof(*opts));
    if (!opts) {
        return MC_ENOMEM;
    }
    const char **labels = opts + n;
    for (uint32_t i = 0; i < n; i++) {
        opts[i] = dup_trim(a, raw->options[i] ? raw->options[i] : "");
        labels[i] = raw->labels[i] ? dup_trim(a, raw->labels[i]) : letters[i];
        if (!opts[i] || !labels[i]) {
            return MC_ENOMEM;
        }
    }
    it->options = opts;
    it->option_labels = labels;
    it->n_options = n;
    return 0;
}

/* Answer index and text; writes a reason into err when unresolvable. */
static int fill_answer(mc__bench_arena *a, mc_item *it, const mc__bench_raw *raw, char *err,
                       size_t errlen)
{
    const char *ans = raw->answer_str ? dup_trim(a, raw->answer_str) : NULL;
    if (raw->answer_str && !ans) {
        return MC_ENOMEM;
    }
    it->answer_index = -1;
    if (it->n_options && (ans || raw->has_answer_num)) {
        it->answer_index = resolve(it, raw, ans);
        if (it->answer_index < 0) {
            if (ans) {
                snprintf(err, errlen, "answer \"%.40s\" is not among the %u options", ans,
                         it->n_options);
            } else {
                snprintf(err, errlen, "answer %lld is not among the %u options",
                         raw->answer_num, it->n_options);
            }
        }
    }
    /* Without options (BioASQ) the answer is kept untrimmed, like a passage. */
    const char *text = raw->answer_text ? raw->answer_text
                       : !it->n_options ? raw->answer_str
                                        : NULL;
    if (text) {
        it->answer = mc__bench_arena_strdup(a, text);
        if (!it->answer) {
            return MC_ENOMEM;
        }
    } else if (it->answer_index >= 0) {
        it->answer = it->options[it->answer_index];
    }
    return 0;
}

static int append(mc__bench_ctx *ctx, mc_item *it)
{
    mc_bench *b = ctx->b;
    if (ctx->file->items == UINT32_MAX) {
        return MC_ELIMIT;
    }
    if (b->n_items == b->cap_items) {
        size_t ncap = b->cap_items ? b->cap_items * 2 : 1024;
        mc_item **p = mc__reallocarray(b->items, ncap, sizeof(*p));
        if (!p) {
            return MC_ENOMEM;
        }
        b->items = p;
        b->cap_items = ncap;
    }
    b->items[b->n_items++] = it;
    ctx->file->items++;
    if (it->malformed) {
        ctx->file->malformed++;
        mc__log(&ctx->opts->logger, MC_LOG_WARN, "%s:%u: %s", ctx->path, it->line, it->error);
    }
    return 0;
}

int mc__bench_emit(mc__bench_ctx *ctx, const mc__bench_raw *raw)
{
    mc__bench_arena *a = &ctx->b->arena;
    char err[256] = "";
    mc_item *it = mc__bench_arena_alloc(a, sizeof(*it));
    if (!it) {
        return MC_ENOMEM;
    }
    memset(it, 0, sizeof(*it));
    it->source = ctx->source;
    it->index = ctx->file->items;
    it->line = raw->line;
    it->answer_index = -1;
    it->question = dup_trim(a, raw->question ? raw->question : "");
    if (!it->question) {
        return MC_ENOMEM;
    }
    if (raw->error) {
        snprintf(err, sizeof(err), "%s", raw->error);
    } else if (raw->n_options > MC__BENCH_MAX_OPTIONS) {
        snprintf(err, sizeof(err), "more than %d options", MC__BENCH_MAX_OPTIONS);
    } else if (!raw->question) {
        snprintf(err, sizeof(err), "missing question");
    } else if (!it->question[0]) {
        snprintf(err, sizeof(err), "empty question");
    }
    if (raw->n_options <= MC__BENCH_MAX_OPTIONS) {
        int rc = fill_options(a, it, raw);
        if (rc == 0) {
            rc = fill_answer(a, it, raw, err[0] ? NULL : err, err[0] ? 0 : sizeof(err));
        }
        if (rc < 0) {
            return rc;
        }
    }
    it->passage = dup_opt(a, raw->passage);
    it->id = dup_opt(a, raw->id);
    it->split = dup_opt(a, raw->split ? raw->split : ctx->name_split);
    it->subject = dup_opt(a, raw->subject);
    if ((raw->passage && !it->passage) || (raw->id && !it->id) || (raw->subject && !it->subject) ||
        (!it->split && (raw->split || ctx->name_split))) {
        return MC_ENOMEM;
    }
    if (err[0]) {
        it->malformed = 1;
        it->error = dup_utf8(a, err);
        if (!it->error) {
            return MC_ENOMEM;
        }
    }
    return append(ctx, it);
}

int mc__bench_emit_bad(mc__bench_ctx *ctx, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mc__bench_raw raw;
    memset(&raw, 0, sizeof(raw));
    raw.line = line;
    raw.error = msg;
    return mc__bench_emit(ctx, &raw);
}

int mc__bench_fail(mc__bench_ctx *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->b->errmsg, sizeof(ctx->b->errmsg), fmt, ap);
    va_end(ap);
    return rc;
}

/* Split on [_.-/ ] and return the first split token, canonical spelling. */
const char *mc__bench_name_split(const char *path)
{
    static const char *const tokens[] = {"train", "dev", "val", "validation", "test"};
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    while (*base) {
        size_t n = strcspn(base, "_.-/ ");
        for (size_t i = 0; n && i < sizeof(tokens) / sizeof(tokens[0]); i++) {
            if (strlen(tokens[i]) == n) {
                char tok[16];
                memcpy(tok, base, n);
                tok[n] = '\0';
                if (ascii_ieq(tok, tokens[i])) {
                    return tokens[i];
                }
            }
        }
        base += n;
        base += *base ? 1 : 0;
    }
    return NULL;
}

static int strip_suffix(const char *s, size_t *n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (*n > k && strncmp(s + *n - k, suffix, k) == 0) {
        *n -= k;
        return 1;
    }
    return 0;
}

const char *mc__bench_name_stem(mc__bench_ctx *ctx)
{
    const char *base = strrchr(ctx->path, '/');
    base = base ? base + 1 : ctx->path;
    size_t n = strlen(base);
    if (!strip_suffix(base, &n, ".zst")) {
        strip_suffix(base, &n, ".gz");
    }
    if (!strip_suffix(base, &n, ".csv") && !strip_suffix(base, &n, ".jsonl")) {
        strip_suffix(base, &n, ".json");
    }
    if (ctx->name_split) {
        char sfx[16];
        snprintf(sfx, sizeof(sfx), "_%s", ctx->name_split);
        strip_suffix(base, &n, sfx);
    }
    return mc__bench_arena_strndup(&ctx->b->arena, base, n);
}
