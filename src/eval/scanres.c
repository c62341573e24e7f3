/* SPDX-License-Identifier: MIT */
/* Reading a scan's OUTDIR back (see scanres.h), and the output-directory
 * helpers of evaluate and export. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval/scanres.h"
#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/wfile.h"

char *mc__sres_resolve(const mc__sres *s, const char *path)
{
    if (!s->root || path[0] == '/' || strcmp(path, "-") == 0 || mc_http_is_url(path)) {
        return mc__strdup(path);
    }
    size_t nr = strlen(s->root);
    size_t np = strlen(path);
    char *out = mc__malloc(nr + np + 2);
    if (out) {
        memcpy(out, s->root, nr);
        out[nr] = '/';
        memcpy(out + nr + 1, path, np + 1);
    }
    return out;
}

int mc__sres_status_parse(const char *name)
{
    for (int st = MC_STATUS_CLEAN; name && st <= MC_STATUS_INPUT_AND_ANSWER; st++) {
        if (strcmp(name, mc_status_name((mc_status)st)) == 0) {
            return st;
        }
    }
    return -1;
}

static const char *base_name(const char *p)
{
    const char *slash = strrchr(p, '/');
    return slash ? slash + 1 : p;
}

int mc__sres_find_source(const mc__sres *s, const char *source)
{
    int found = -1;
    for (size_t f = 0; f < s->n_files; f++) {
        if (strcmp(s->files[f].source, source) == 0) {
            return (int)f;
        }
    }
    for (size_t f = 0; f < s->n_files; f++) {
        if (strcmp(base_name(s->files[f].source), base_name(source)) == 0) {
            if (found >= 0) {
                return -1;
            }
            found = (int)f;
        }
    }
    return found;
}

long mc__sres_find_key(const mc__sres *s, const char *key)
{
    const char *hash = strrchr(key, '#');
    if (!hash || !hash[1] || strspn(hash + 1, "0123456789") != strlen(hash + 1) ||
        strlen(hash + 1) > 9) {
        return -1;
    }
    char *src = mc__strndup(key, (size_t)(hash - key));
    int f = src ? mc__sres_find_source(s, src) : -1;
    mc__free(src);
    unsigned long idx = strtoul(hash + 1, NULL, 10);
    if (f < 0 || idx >= s->files[f].items) {
        return -1;
    }
    return (long)(s->files[f].first + idx);
}

void mc__sres_key(const mc__sres *s, size_t i, char *buf, size_t n)
{
    const mc__sres_item *it = &s->items[i];
    snprintf(buf, n, "%s#%u", s->files[it->file].source, it->index);
}

static json_t *load_json(const char *dir, const char *name, const mc_logger *lg, int *rc)
{
    char path[4200];
    json_error_t e;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    json_t *j = json_load_file(path, 0, &e);
    if (!j) {
        *rc = access(path, F_OK) == 0 ? MC_EINVAL : MC_ENOENT;
        mc__log(lg, MC_LOG_ERROR, "%s: %s", path,
                *rc == MC_ENOENT ? "not found (is it a scan's OUTDIR?)" : e.text);
    }
    return j;
}

/* The files of summary.json; their item counts give each item's file. */
static int read_files(mc__sres *s)
{
    json_t *sum = s->summary;
    json_t *bj = json_object_get(sum, "benchmark");
    json_t *files = json_object_get(bj, "files");
    const char *fmt = json_string_value(json_object_get(sum, "format"));
    if (!fmt || strcmp(fmt, "medcheck-scan/1") != 0 || !json_is_array(files)) {
        mc__log(s->lg, MC_LOG_ERROR, "%s/summary.json: not a medcheck-scan/1 summary", s->dir);
        return MC_EINVAL;
    }
    if (!json_is_true(json_object_get(sum, "complete"))) {
        mc__log(s->lg, MC_LOG_ERROR, "%s: the scan is not complete (interrupted); run it again",
                s->dir);
        return MC_EINVAL;
    }
    s->n_files = json_array_size(files);
    s->files = mc__calloc(s->n_files + 1, sizeof(*s->files));
    if (!s->files) {
        return MC_ENOMEM;
    }
    uint64_t at = 0;
    for (size_t i = 0; i < s->n_files; i++) {
        json_t *f = json_array_get(files, i);
        mc__sres_file *sf = &s->files[i];
        sf->source = json_string_value(json_object_get(f, "source"));
        sf->sha256 = json_string_value(json_object_get(f, "sha256"));
        int format = mc_bench_format_parse(json_string_value(json_object_get(f, "format")));
        json_int_t n = json_integer_value(json_object_get(f, "items"));
        if (!sf->source || !sf->sha256 || format <= 0 || n < 0 || n > UINT32_MAX) {
            mc__log(s->lg, MC_LOG_ERROR, "%s/summary.json: benchmark file %zu is incomplete",
                    s->dir, i);
            return MC_EINVAL;
        }
        sf->format = (mc_bench_format)format;
        sf->items = (uint32_t)n;
        sf->first = (uint32_t)at;
        at += (uint64_t)n;
        sf->path = mc__sres_resolve(s, sf->source);
        if (!sf->path) {
            return MC_ENOMEM;
        }
    }
    if (at > UINT32_MAX || (json_int_t)at != json_integer_value(json_object_get(bj, "items"))) {
        mc__log(s->lg, MC_LOG_ERROR, "%s/summary.json: item counts disagree", s->dir);
        return MC_EINVAL;
    }
    s->n_items = (size_t)at;
    s->items = mc__calloc(s->n_items + 1, sizeof(*s->items));
    return s->items ? 0 : MC_ENOMEM;
}

/* One line of items.jsonl into item i. */
static int read_item(mc__sres *s, size_t i, const char *line, size_t len, size_t lineno)
{
    json_error_t e;
    json_t *j = json_loadb(line, len, 0, &e);
    mc__sres_item *it = &s->items[i];
    const mc__sres_file *f = NULL;
    for (size_t k = s->n_files; k-- > 0;) {
        if (s->files[k].first <= i && s->files[k].items) {
            f = &s->files[k];
            it->file = (uint32_t)k;
            break;
        }
    }
    const char *src = json_string_value(json_object_get(j, "source"));
    json_t *idx = json_object_get(j, "index");
    int st = mc__sres_status_parse(json_string_value(json_object_get(j, "status")));
    json_t *id = json_object_get(j, "id");
    int rc = 0;
    if (!j || !f || !src || strcmp(src, f->source) != 0 || !json_is_integer(idx) ||
        json_integer_value(idx) != (json_int_t)(i - f->first) || st < 0) {
        mc__log(s->lg, MC_LOG_ERROR, "%s/items.jsonl:%zu: %s", s->dir, lineno,
                j ? "does not match summary.json" : e.text);
        rc = MC_EINVAL;
    } else {
        it->index = (uint32_t)(i - f->first);
        it->status = (uint8_t)st;
        it->contaminated = json_is_true(json_object_get(j, "contaminated"));
        it->judged = !json_is_false(json_object_get(j, "judged"));
        it->score = json_number_value(json_object_get(j, "score"));
        if (json_is_string(id)) {
            it->id = mc__strdup(json_string_value(id));
            rc = it->id ? 0 : MC_ENOMEM;
        }
    }
    json_decref(j);
    return rc;
}

static int read_items(mc__sres *s)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/items.jsonl", s->dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        mc__log(s->lg, MC_LOG_ERROR, "%s: cannot open: %s", path, strerror(errno));
        return MC_EINVAL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        if (i >= s->n_items) {
            i++;
            break;
        }
        rc = read_item(s, i, line, (size_t)n, i + 1);
        i++;
    }
    if (rc == 0 && (ferror(f) || i != s->n_items)) {
        mc__log(s->lg, MC_LOG_ERROR, "%s: %zu items, summary.json says %zu", path, i, s->n_items);
        rc = MC_EINVAL;
    }
    free(line);
    fclose(f);
    return rc;
}

int mc__sres_open(mc__sres *s, const char *dir, const char *root, const mc_logger *lg)
{
    memset(s, 0, sizeof(*s));
    s->lg = lg;
    s->dir = mc__strdup(dir);
    s->root = root && root[0] ? mc__strdup(root) : NULL;
    if (!s->dir || (root && root[0] && !s->root)) {
        return MC_ENOMEM;
    }
    int rc = 0;
    s->summary = load_json(dir, "summary.json", lg, &rc);
    rc = rc ? rc : read_files(s);
    return rc ? rc : read_items(s);
}

void mc__sres_finish(mc__sres *s)
{
    for (size_t i = 0; s->files && i < s->n_files; i++) {
        mc__free(s->files[i].path);
    }
    for (size_t i = 0; s->items && i < s->n_items; i++) {
        mc__free(s->items[i].id);
    }
    mc__free(s->files);
    mc__free(s->items);
    mc__free(s->root);
    mc__free(s->dir);
    mc__free(s->fields_mem);
    mc_bench_destroy(&s->bench);
    json_decref(s->summary);
    memset(s, 0, sizeof(*s));
}

int mc__sres_bench(mc__sres *s)
{
    if (s->bench) {
        return 0;
    }
    json_t *bj = json_object_get(s->summary, "benchmark");
    mc_bench_opts bo;
    mc_bench_opts_default(&bo);
    int rc = mc__merge_fields(json_string_value(json_object_get(bj, "fields")), &bo.fields,
                              &s->fields_mem);
    rc = rc == MC_EFORMAT ? MC_EINVAL : rc;
    rc = rc ? rc : mc_bench_create(&s->bench);
    for (size_t i = 0; rc == 0 && i < s->n_files; i++) {
        const mc__sres_file *f = &s->files[i];
        bo.format = f->format;
        rc = mc_bench_read(s->bench, f->path, &bo);
        const mc_bench_file *bf = rc == 0 ? mc_bench_file_at(s->bench, i) : NULL;
        if (rc < 0 || strcmp(bf->sha256, f->sha256) != 0 || bf->items != f->items) {
            mc__log(s->lg, MC_LOG_ERROR, "benchmark %s: %s", f->path,
                    rc < 0 ? mc_bench_errmsg(s->bench) : "changed since the scan (SHA-256)");
            rc = rc == MC_ENOMEM ? rc : MC_EINVAL;
        }
    }
    if (rc < 0) {
        mc_bench_destroy(&s->bench);
    }
    return rc;
}

/* ---- output directories */

int mc__eval_check_outdir(const char *outdir, const char *marker, const mc_logger *lg)
{
    struct stat st;
    if (stat(outdir, &st) != 0) {
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        mc__log(lg, MC_LOG_ERROR, "%s: exists and is not a directory", outdir);
        return MC_EINVAL;
    }
    DIR *d = opendir(outdir);
    int entries = 0, ours = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            entries++;
            ours |= strcmp(e->d_name, marker) == 0;
        }
    }
    if (d) {
        closedir(d);
    }
    if (entries && !ours) {
        mc__log(lg, MC_LOG_ERROR, "%s: exists and holds no %s; not replacing it", outdir, marker);
        return MC_EINVAL;
    }
    return 0;
}

void mc__eval_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            mc__eval_remove_tree(path);
        } else {
            unlink(path);
        }
    }
    closedir(d);
    rmdir(dir);
}

int mc__eval_make_tmpdir(const char *outdir, char *tmp, size_t n, const mc_logger *lg)
{
    if (snprintf(tmp, n, "%s.tmp-%ld", outdir, (long)getpid()) >= (int)n) {
        mc__log(lg, MC_LOG_ERROR, "%s: path too long", outdir);
        return MC_EINVAL;
    }
    mc__eval_remove_tree(tmp);
    if (mkdir(tmp, 0777) != 0) {
        mc__log(lg, MC_LOG_ERROR, "%s: cannot create: %s", tmp, strerror(errno));
        return MC_EIO;
    }
    return 0;
}

int mc__eval_write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4400];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        return MC_EIO;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        return MC_EIO;
    }
    int rc = len ? mc__wfile_write(f, data, len) : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = MC_EIO;
    }
    if (fclose(f) != 0) {
        rc = MC_EIO;
    }
    return rc;
}
