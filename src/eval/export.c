/* SPDX-License-Identifier: MIT */
/* `medcheck export --clean`: each benchmark file of a scan without its
 * contaminated items. The removed items' bytes are cut out of the file's
 * decompressed content (bench/span.h says where each item lies); every
 * other byte is kept, so the result reads back with the same reader, the
 * same fields, order, escapes and indentation. The content is then
 * compressed again as the original was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <medcheck/eval.h>
#include <medcheck/version.h>

#include "bench/load.h"
#include "bench/span.h"
#include "config.h"
#include "eval/scanres.h"
#include "scan/output.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

void mc_export_opts_default(mc_export_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
}

typedef struct cut {
    size_t start, end;
} cut;

typedef struct exporter {
    mc__sres s;
    const mc_export_opts *o;
    char tmp[4096];
    json_t *files;
    json_t *removed;
    mc_export_result res;
} exporter;

static int cmp_cut(const void *a, const void *b)
{
    const cut *x = a;
    const cut *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* The byte ranges that remove the items flagged in drop[] (see
 * docs/evaluate.md): a line or record whole; a JSON member with the
 * separator before it, or after it when no kept member precedes it; the
 * whole inside of a container whose members all go. */
static size_t make_cuts(const mc__bench_layout *lo, const uint8_t *drop, cut *cuts)
{
    size_t nc = 0;
    if (!lo->n_groups) {
        for (size_t i = 0; i < lo->n; i++) {
            if (drop[i]) {
                cuts[nc++] = (cut){lo->spans[i].start, lo->spans[i].end};
            }
        }
        return nc;
    }
    for (size_t g = 0; g < lo->n_groups; g++) {
        size_t first = SIZE_MAX, kept = 0, members = 0;
        for (size_t i = 0; i < lo->n; i++) {
            if (lo->spans[i].own && lo->spans[i].group == g) {
                members++;
                kept += !drop[i];
                first = first == SIZE_MAX ? i : first;
            }
        }
        if (!members || kept == members) {
            continue;
        }
        if (!kept) {
            cuts[nc++] = (cut){lo->groups[g].open + 1, lo->groups[g].close};
            continue;
        }
        int seen_kept = 0;
        size_t prev = SIZE_MAX;
        for (size_t i = first; i < lo->n; i++) {
            const mc__bench_span *sp = &lo->spans[i];
            if (!sp->own || sp->group != g) {
                continue;
            }
            if (drop[i] && seen_kept) {
                cuts[nc++] = (cut){lo->spans[prev].end, sp->end};
            } else if (drop[i]) {
                size_t next = i + 1; /* the next member of the group starts the rest */
                while (!lo->spans[next].own || lo->spans[next].group != g) {
                    next++;
                }
                cuts[nc++] = (cut){sp->start, lo->spans[next].start};
            }
            seen_kept |= !drop[i];
            prev = i;
        }
    }
    qsort(cuts, nc, sizeof(*cuts), cmp_cut);
    return nc;
}

static int compress_as(mc__bench_codec codec, const mc_buf *in, mc_buf *out)
{
    if (codec == MC__CODEC_NONE) {
        return mc__buf_append(out, in->data ? in->data : "", in->len);
    }
    if (codec == MC__CODEC_ZSTD) {
        size_t bound = ZSTD_compressBound(in->len);
        int rc = mc__buf_reserve(out, bound);
        size_t n =
            rc == 0 ? ZSTD_compress(out->data, bound, in->data ? in->data : "", in->len, 9) : 0;
        if (rc == 0 && ZSTD_isError(n)) {
            rc = MC_ENOMEM;
        }
        out->len = rc == 0 ? n : 0;
        return rc;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return MC_ENOMEM;
    }
    size_t bound = deflateBound(&z, (uLong)in->len);
    int rc = mc__buf_reserve(out, bound);
    if (rc == 0) {
        z.next_in = (Bytef *)(in->data ? in->data : "");
        z.avail_in = (uInt)in->len;
        z.next_out = (Bytef *)out->data;
        z.avail_out = (uInt)bound;
        rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : MC_ENOMEM;
        out->len = rc == 0 ? bound - z.avail_out : 0;
    }
    deflateEnd(&z);
    return rc;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    out[0] = '\0';
    if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) == 1) {
        for (unsigned i = 0; i < mdlen && i < 32; i++) {
            snprintf(out + 2 * i, 3, "%02x", md[i]);
        }
    }
}

/* A file's bytes as stored, for a copy of a file with nothing removed. */
static int read_raw(const char *path, mc_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return MC_EIO;
    }
    char chunk[1 << 16];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = mc__buf_append(out, chunk, n);
    }
    rc = rc == 0 && ferror(f) ? MC_EIO : rc;
    fclose(f);
    return rc;
}

/* Lines of JSONL and CSV items must be where the reader put them. */
static int check_lines(exporter *x, size_t f, const mc__bench_layout *lo, const char *data)
{
    const mc__sres_file *sf = &x->s.files[f];
    if (lo->n_groups) {
        return 0;
    }
    uint32_t line = 1;
    size_t at = 0;
    for (size_t i = 0; i < lo->n; i++) {
        for (; at < lo->spans[i].start; at++) {
            line += data[at] == '\n';
        }
        const mc_item *it = mc_bench_item(x->s.bench, sf->first + i);
        if (it->line && it->line != line) {
            mc__log(&x->o->logger, MC_LOG_ERROR, "%s: item %zu is on line %u, found on %u",
                    sf->path, i, it->line, line);
            return MC_EINVAL;
        }
    }
    return 0;
}

static const char *codec_name(mc__bench_codec c)
{
    return c == MC__CODEC_ZSTD ? "zstd" : c == MC__CODEC_GZIP ? "gzip" : "none";
}

/* The output name: the source's base name, made unique with a prefix. */
static void out_name(const exporter *x, size_t f, char *buf, size_t n)
{
    const char *src = x->s.files[f].source;
    const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
    int clash = 0;
    for (size_t g = 0; g < x->s.n_files; g++) {
        const char *o = x->s.files[g].source;
        const char *ob = strrchr(o, '/') ? strrchr(o, '/') + 1 : o;
        clash |= g != f && strcmp(ob, base) == 0;
    }
    if (clash) {
        snprintf(buf, n, "%zu-%s", f + 1, base);
    } else {
        snprintf(buf, n, "%s", base);
    }
}

/* The kept content of file f into out (decompressed). */
static int cut_file(exporter *x, size_t f, const mc__bench_blob *blob, mc_buf *out)
{
    const mc__sres_file *sf = &x->s.files[f];
    mc__bench_layout lo;
    int rc = mc__bench_layout_build(&lo, blob->data, blob->len, sf->format);
    if (rc == 0 && lo.n != sf->items) {
        mc__log(&x->o->logger, MC_LOG_ERROR,
                "%s: %zu items found in its bytes, the reader made "
                "%u (duplicate keys?); cannot export it",
                sf->path, lo.n, sf->items);
        rc = MC_EINVAL;
    } else if (rc < 0) {
        mc__log(&x->o->logger, MC_LOG_ERROR, "%s: cannot locate its items: %s", sf->path,
                mc_strerror(rc));
        rc = rc == MC_ENOMEM ? rc : MC_EINVAL;
    }
    rc = rc ? rc : check_lines(x, f, &lo, blob->data);
    uint8_t *drop = rc == 0 ? mc__calloc(sf->items + 1, 1) : NULL;
    cut *cuts = rc == 0 ? mc__calloc(sf->items + 1, sizeof(*cuts)) : NULL;
    rc = rc ? rc : drop && cuts ? 0 : MC_ENOMEM;
    for (uint32_t i = 0; rc == 0 && i < sf->items; i++) {
        drop[i] = x->s.items[sf->first + i].contaminated;
        if (drop[i] && !lo.spans[i].own) {
            mc__log(&x->o->logger, MC_LOG_ERROR, "%s: item %u has no bytes of its own", sf->path,
                    i);
            rc = MC_EINVAL;
        }
    }
    size_t nc = rc == 0 ? make_cuts(&lo, drop, cuts) : 0;
    size_t at = 0;
    for (size_t c = 0; rc == 0 && c <= nc; c++) {
        size_t stop = c < nc ? cuts[c].start : blob->len;
        rc = stop >= at ? mc__buf_append(out, blob->data + at, stop - at) : MC_EINVAL;
        at = c < nc ? cuts[c].end : at;
    }
    mc__free(drop);
    mc__free(cuts);
    mc__bench_layout_finish(&lo);
    return rc;
}

static json_t *removed_json(const exporter *x, size_t i)
{
    char key[4200];
    const mc__sres_item *it = &x->s.items[i];
    mc__sres_key(&x->s, i, key, sizeof(key));
    json_t *r = json_object();
    json_object_set_new(r, "key", json_string(key));
    json_object_set_new(r, "source", json_string(x->s.files[it->file].source));
    json_object_set_new(r, "index", json_integer(it->index));
    json_object_set_new(r, "id", it->id ? json_string(it->id) : json_null());
    json_object_set_new(r, "status", json_string(mc_status_name((mc_status)it->status)));
    json_object_set_new(r, "score", json_real(it->score));
    return r;
}

static int export_file(exporter *x, size_t f)
{
    const mc__sres_file *sf = &x->s.files[f];
    mc__bench_blob blob;
    char err[512], name[1024], sha_out[65];
    int rc = mc__bench_load(sf->path, (size_t)1 << 30, &blob, err, sizeof(err));
    if (rc < 0) {
        mc__log(&x->o->logger, MC_LOG_ERROR, "%s", err);
        return rc == MC_ENOMEM ? rc : MC_EINVAL;
    }
    uint32_t removed = 0;
    for (uint32_t i = sf->first; i < sf->first + sf->items; i++) {
        removed += x->s.items[i].contaminated;
    }
    mc_buf kept, out;
    mc__buf_init(&kept, (size_t)1 << 31);
    mc__buf_init(&out, (size_t)1 << 31);
    if (strcmp(blob.sha256, sf->sha256) != 0) {
        mc__log(&x->o->logger, MC_LOG_ERROR, "benchmark %s: changed since the scan (SHA-256)",
                sf->path);
        rc = MC_EINVAL;
    } else if (!removed) {
        rc = read_raw(sf->path, &out); /* byte for byte, compression included */
    } else {
        rc = cut_file(x, f, &blob, &kept);
        rc = rc ? rc : compress_as(blob.codec, &kept, &out);
    }
    out_name(x, f, name, sizeof(name));
    rc = rc ? rc : mc__eval_write_file(x->tmp, name, out.data ? out.data : "", out.len);
    if (rc == 0) {
        sha256_hex(out.data ? out.data : "", out.len, sha_out);
        json_t *j = json_object();
        json_object_set_new(j, "source", json_string(sf->source));
        json_object_set_new(j, "output", json_string(name));
        json_object_set_new(j, "format", json_string(mc_bench_format_name(sf->format)));
        json_object_set_new(j, "compression", json_string(codec_name(blob.codec)));
        json_object_set_new(j, "items", json_integer(sf->items));
        json_object_set_new(j, "kept", json_integer(sf->items - removed));
        json_object_set_new(j, "removed", json_integer(removed));
        json_object_set_new(j, "unchanged", json_boolean(!removed));
        json_object_set_new(j, "sha256_in", json_string(sf->sha256));
        json_object_set_new(j, "sha256_out", json_string(sha_out));
        json_array_append_new(x->files, j);
        for (uint32_t i = sf->first; i < sf->first + sf->items; i++) {
            if (x->s.items[i].contaminated) {
                json_array_append_new(x->removed, removed_json(x, i));
            }
        }
        x->res.files++;
        x->res.unchanged += !removed;
        x->res.removed += removed;
    }
    mc__buf_finish(&kept);
    mc__buf_finish(&out);
    mc__bench_blob_finish(&blob);
    return rc;
}

static int write_manifest(exporter *x)
{
    json_t *j = json_object();
    json_t *tool = json_object();
    json_object_set_new(j, "format", json_string("medcheck-export/1"));
    json_object_set_new(tool, "name", json_string("medcheck"));
    json_object_set_new(tool, "version", json_string(mc_version()));
    json_object_set_new(tool, "commit", json_string(MC_COMMIT));
    json_object_set_new(j, "tool", tool);
    json_t *cmd = json_array();
    for (int a = 0; x->o->argv && a < x->o->argc; a++) {
        json_array_append_new(cmd, json_string(x->o->argv[a]));
    }
    json_object_set_new(j, "command", cmd);
    json_t *scan = json_object();
    json_object_set_new(scan, "dir", json_string(x->o->scan_dir));
    json_object_set(scan, "preset", json_object_get(x->s.summary, "preset"));
    json_object_set(scan, "fingerprint",
                    json_object_get(json_object_get(x->s.summary, "benchmark"), "fingerprint"));
    json_object_set_new(j, "scan", scan);
    json_object_set_new(j, "mode", json_string("clean"));
    json_t *why = json_array();
    json_array_append_new(why, json_string("input_and_answer"));
    json_array_append_new(why, json_string("input_only"));
    json_array_append_new(why, json_string("near_duplicate"));
    json_object_set_new(j, "removed_statuses", why);
    json_object_set_new(j, "items", json_integer(x->res.items));
    json_object_set_new(j, "items_removed", json_integer(x->res.removed));
    json_object_set(j, "files", x->files);
    json_object_set(j, "removed", x->removed);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(j);
    if (!text) {
        return MC_ENOMEM;
    }
    size_t n = strlen(text);
    text[n] = '\n';
    int rc = mc__eval_write_file(x->tmp, "export_manifest.json", text, n + 1);
    free(text);
    return rc;
}

int mc_export_run(const mc_export_opts *opts, const char *outdir, mc_export_result *res)
{
    mc_export_opts o;
    mc_export_opts_default(&o);
    if (opts) {
        memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    if (!o.scan_dir || !outdir || !outdir[0]) {
        return MC_EINVAL;
    }
    int rc = mc__eval_check_outdir(outdir, "export_manifest.json", &o.logger);
    if (rc < 0) {
        return rc;
    }
    exporter x;
    memset(&x, 0, sizeof(x));
    x.o = &o;
    x.files = json_array();
    x.removed = json_array();
    rc = x.files && x.removed ? 0 : MC_ENOMEM;
    rc = rc ? rc : mc__sres_open(&x.s, o.scan_dir, o.root, &o.logger);
    rc = rc ? rc : mc__sres_bench(&x.s);
    x.res.items = (uint32_t)x.s.n_items;
    int made = 0;
    if (rc == 0) {
        rc = mc__eval_make_tmpdir(outdir, x.tmp, sizeof(x.tmp), &o.logger);
        made = rc == 0;
    }
    for (size_t f = 0; rc == 0 && f < x.s.n_files; f++) {
        rc = export_file(&x, f);
    }
    rc = rc ? rc : write_manifest(&x);
    rc = rc ? rc : mc__output_commit_dir(x.tmp, outdir);
    if (rc < 0 && made) {
        mc__log(&o.logger, MC_LOG_ERROR, "%s: not written: %s", outdir, mc_strerror(rc));
        mc__eval_remove_tree(x.tmp);
    }
    if (rc == 0 && res) {
        *res = x.res;
    }
    json_decref(x.files);
    json_decref(x.removed);
    mc__sres_finish(&x.s);
    return rc;
}
