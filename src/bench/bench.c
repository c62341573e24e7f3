/* SPDX-License-Identifier: MIT */
/* Public API of benchmark sets: create, read files (through the reader
 * registry), access items and files, destroy. */
#include <stdio.h>
#include <string.h>

#include <medcheck/bench.h>

#include "bench/bench_int.h"
#include "bench/load.h"
#include "util/alloc.h"

/* Public argument check: bad arguments are the caller's bug, reported as
 * MC_EINVAL rather than a crash. */
#define CHECK_ARG(cond)                                                     \
    do {                                                                    \
        if (!(cond)) {                                                      \
            return MC_EINVAL;                                               \
        }                                                                   \
    } while (0)

static const char *const format_names[] = {
    "auto", "medqa", "medmcqa", "pubmedqa", "mmlu", "headqa", "bioasq", "jsonl", "csv",
};

#define N_FORMATS ((int)(sizeof(format_names) / sizeof(format_names[0])))

int mc_bench_format_parse(const char *name)
{
    for (int i = 0; name && i < N_FORMATS; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *mc_bench_format_name(mc_bench_format fmt)
{
    return (int)fmt >= 0 && (int)fmt < N_FORMATS ? format_names[fmt] : "unknown";
}

void mc_bench_opts_default(mc_bench_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
    opts->format = MC_FMT_AUTO;
}

int mc_bench_create(mc_bench **out)
{
    CHECK_ARG(out);
    mc_bench *b = mc__calloc(1, sizeof(*b));
    if (!b) {
        return MC_ENOMEM;
    }
    mc__bench_arena_init(&b->arena);
    *out = b;
    return 0;
}

void mc_bench_destroy(mc_bench **b)
{
    if (!b || !*b) {
        return;
    }
    mc__bench_arena_finish(&(*b)->arena);
    mc__free((*b)->items);
    mc__free((*b)->files);
    mc__free(*b);
    *b = NULL;
}

size_t mc_bench_count(const mc_bench *b)
{
    return b ? b->n_items : 0;
}

const mc_item *mc_bench_item(const mc_bench *b, size_t i)
{
    return b && i < b->n_items ? b->items[i] : NULL;
}

size_t mc_bench_file_count(const mc_bench *b)
{
    return b ? b->n_files : 0;
}

const mc_bench_file *mc_bench_file_at(const mc_bench *b, size_t i)
{
    return b && i < b->n_files ? b->files[i] : NULL;
}

const char *mc_bench_errmsg(const mc_bench *b)
{
    return b ? b->errmsg : "no benchmark set";
}

static int push_file(mc_bench *b, mc_bench_file *f)
{
    if (b->n_files == b->cap_files) {
        size_t ncap = b->cap_files ? b->cap_files * 2 : 8;
        mc_bench_file **p = mc__reallocarray(b->files, ncap, sizeof(*p));
        if (!p) {
            return MC_ENOMEM;
        }
        b->files = p;
        b->cap_files = ncap;
    }
    b->files[b->n_files++] = f;
    return 0;
}

/* Set up ctx for one loaded file: the file record lives in the arena. */
static int ctx_init(mc__bench_ctx *ctx, mc_bench *b, const char *path,
                    const mc_bench_opts *opts, const mc__bench_blob *blob)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->b = b;
    ctx->path = path;
    ctx->opts = opts;
    ctx->data = blob->data;
    ctx->len = blob->len;
    /* A UTF-8 byte order mark is not content (jansson rejects it). */
    if (ctx->len >= 3 && memcmp(ctx->data, "\xEF\xBB\xBF", 3) == 0) {
        ctx->data += 3;
        ctx->len -= 3;
    }
    ctx->name_split = mc__bench_name_split(path);
    mc__buf_init(&ctx->tmp, MC__BENCH_MAX_FILE);
    ctx->source = mc__bench_arena_strdup(&b->arena, path);
    ctx->file = mc__bench_arena_alloc(&b->arena, sizeof(*ctx->file));
    if (!ctx->source || !ctx->file) {
        return MC_ENOMEM;
    }
    memset(ctx->file, 0, sizeof(*ctx->file));
    ctx->file->source = ctx->source;
    memcpy(ctx->file->sha256, blob->sha256, sizeof(ctx->file->sha256));
    return 0;
}

static int read_blob(mc_bench *b, const char *path, const mc_bench_opts *opts,
                     const mc__bench_blob *blob)
{
    mc__bench_ctx ctx;
    const mc__bench_reader *rd = NULL;
    int rc = ctx_init(&ctx, b, path, opts, blob);
    if (rc < 0) {
        goto fail;
    }
    if (opts->format == MC_FMT_AUTO) {
        rc = mc__bench_detect(&ctx, &rd);
    } else {
        rd = mc__bench_reader_find(opts->format);
    }
    if (rc < 0) {
        goto fail;
    }
    ctx.file->format = rd->format;
    rc = rd->read(&ctx);
    if (rc < 0) {
        goto fail;
    }
    rc = push_file(b, ctx.file);
fail:
    json_decref(ctx.doc);
    mc__buf_finish(&ctx.tmp);
    return rc;
}

int mc_bench_read(mc_bench *b, const char *path, const mc_bench_opts *opts)
{
    CHECK_ARG(b && path);
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    if (opts) {
        size_t n = opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o);
        memcpy(&o, opts, n);
    }
    CHECK_ARG((int)o.format >= 0 && (int)o.format < N_FORMATS);
    b->errmsg[0] = '\0';
    size_t n_items0 = b->n_items;
    mc__bench_blob blob;
    int rc = mc__bench_load(path, MC__BENCH_MAX_FILE, &blob, b->errmsg, sizeof(b->errmsg));
    if (rc < 0) {
        return rc;
    }
    rc = read_blob(b, path, &o, &blob);
    mc__bench_blob_finish(&blob);
    if (rc < 0) {
        /* Nothing of a failed file stays in the set (its arena bytes do,
         * unreachable, until destroy). */
        b->n_items = n_items0;
        if (rc != MC_EFORMAT || !b->errmsg[0]) {
            snprintf(b->errmsg, sizeof(b->errmsg), "%s: %s", path, mc_strerror(rc));
        }
    }
    return rc;
}
