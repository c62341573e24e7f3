/* SPDX-License-Identifier: MIT */
/* mc_audit_run(): the checks, then audit.json and audit.md written into a
 * temporary directory that replaces OUTDIR in one rename, as the scan's
 * results are (the commit step is the scan's own). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_int.h"
#include "scan/output.h"
#include "util/log.h"
#include "util/wfile.h"

static const char *const out_files[] = {"audit.json", "audit.md"};

/* Refuse an OUTDIR that exists and is neither empty nor an audit result. */
static int check_dir(const char *outdir, const mc_logger *lg)
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
            ours |= strcmp(e->d_name, "audit.json") == 0;
        }
    }
    if (d) {
        closedir(d);
    }
    if (entries && !ours) {
        mc__log(lg, MC_LOG_ERROR,
                "%s: exists and is not a medcheck audit directory; not replacing it", outdir);
        return MC_EINVAL;
    }
    return 0;
}

/* Remove the temporary directory (only our files are ever in it). */
static void remove_tmp(const char *tmp)
{
    char path[4200];
    for (size_t i = 0; i < sizeof(out_files) / sizeof(out_files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp, out_files[i]);
        unlink(path);
    }
    rmdir(tmp);
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        return MC_EIO;
    }
    int rc = mc__wfile_write(f, text, strlen(text));
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = MC_EIO;
    }
    if (fclose(f) != 0) {
        rc = MC_EIO;
    }
    return rc;
}

static int write_outputs(const mc__audit *a, const char *tmp)
{
    json_t *doc = mc__audit_json(a);
    if (!doc) {
        return MC_ENOMEM;
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    char *md = mc__audit_markdown(doc);
    json_decref(doc);
    int rc = text && md ? 0 : MC_ENOMEM;
    if (rc == 0) {
        size_t n = strlen(text);
        char *t2 = realloc(text, n + 2);
        rc = t2 ? 0 : MC_ENOMEM;
        if (t2) {
            text = t2;
            memcpy(text + n, "\n", 2);
        }
    }
    if (rc == 0) {
        rc = write_file(tmp, "audit.json", text);
    }
    if (rc == 0) {
        rc = write_file(tmp, "audit.md", md);
    }
    free(text);
    free(md);
    return rc;
}

static void fill_result(const mc__audit *a, mc_audit_result *res)
{
    memset(res, 0, sizeof(*res));
    res->items = a->n;
    res->exact_groups = a->exact.n;
    res->near_groups = a->near.n;
    res->surplus_items = a->exact.surplus;
    res->stem_groups = a->stems.n;
    res->stem_surplus_items = a->stems.surplus;
    for (uint32_t k = 0; k < a->exact.n; k++) {
        uint32_t s0 = a->src[a->exact.members[a->exact.start[k]]];
        for (uint32_t m = a->exact.start[k] + 1; m < a->exact.start[k + 1]; m++) {
            if (a->src[a->exact.members[m]] != s0) {
                res->cross_source_groups++;
                break;
            }
        }
        const char *first = NULL;
        int leak = 0;
        for (uint32_t m = a->exact.start[k]; m < a->exact.start[k + 1]; m++) {
            const char *sp = mc_bench_item(a->b, a->exact.members[m])->split;
            leak |= sp && first && strcmp(sp, first) != 0;
            first = first ? first : sp;
        }
        for (uint32_t m = a->exact.start[k]; leak && m < a->exact.start[k + 1]; m++) {
            res->split_leakage_items += mc_bench_item(a->b, a->exact.members[m])->split != NULL;
        }
    }
    for (uint32_t i = 0; i < a->n; i++) {
        res->malformed_items += a->bad[i] != 0;
    }
    uint32_t last = MC__NONE;
    for (size_t i = 0; i < a->phi.n; i++) {
        res->phi_items += a->phi.v[i].item != last;
        last = a->phi.v[i].item;
    }
    last = MC__NONE;
    for (size_t i = 0; i < a->codes.n; i++) {
        res->code_items += a->codes.v[i].item != last;
        last = a->codes.v[i].item;
    }
    for (uint32_t s = 0; s < a->nsrc; s++) {
        res->sources_unbalanced += a->bal[s].df >= 1 && a->bal[s].p < 0.01;
    }
}

int mc_audit_run(const mc_bench *b, const mc_audit_opts *opts, const char *outdir,
                 mc_audit_result *res)
{
    mc_audit_opts o;
    mc_audit_opts_default(&o);
    if (opts) {
        memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    if (!b || !outdir || !outdir[0] || !(o.near_threshold > 0.0 && o.near_threshold <= 1.0)) {
        return MC_EINVAL;
    }
    int rc = check_dir(outdir, &o.logger);
    if (rc < 0) {
        return rc;
    }
    mc_criteria *own = NULL;
    if (!o.criteria) {
        rc = mc_criteria_open(&own, NULL, NULL, 0);
        if (rc < 0) {
            return rc;
        }
    }
    mc__audit a;
    rc = mc__audit_compute(&a, b, &o, o.criteria ? o.criteria : own);
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", outdir, (long)getpid());
    if (rc == 0) {
        remove_tmp(tmp);
        if (mkdir(tmp, 0777) != 0) {
            mc__log(&o.logger, MC_LOG_ERROR, "%s: cannot create: %s", tmp, strerror(errno));
            rc = MC_EIO;
        } else {
            rc = write_outputs(&a, tmp);
            rc = rc ? rc : mc__output_commit_dir(tmp, outdir);
            if (rc < 0) {
                mc__log(&o.logger, MC_LOG_ERROR, "%s: cannot write the audit: %s", outdir,
                        mc_strerror(rc));
                remove_tmp(tmp);
            }
        }
    }
    if (rc == 0 && res) {
        fill_result(&a, res);
    }
    mc__audit_finish(&a);
    mc_criteria_close(&own);
    return rc;
}
