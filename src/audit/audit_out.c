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
        rc = mc__wfile_write_synced(tmp, "audit.json", text);
    }
    if (rc == 0) {
        rc = mc__wfile_write_synced(tmp, "audit.md", md);
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
    char why[4400];
    int rc = mc__outdir_check(outdir, "audit.json", "audit", why, sizeof(why));
    if (rc < 0) {
        mc__log(&o.logger, MC_LOG_ERROR, "%s", why);
    }
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
        mc__wfile_remove_dir(tmp, out_files, sizeof(out_files) / sizeof(out_files[0]));
        if (mkdir(tmp, 0777) != 0) {
            mc__log(&o.logger, MC_LOG_ERROR, "%s: cannot create: %s", tmp, strerror(errno));
            rc = MC_EIO;
        } else {
            rc = write_outputs(&a, tmp);
            rc = rc ? rc : mc__output_commit_dir(tmp, outdir);
            if (rc < 0) {
                mc__log(&o.logger, MC_LOG_ERROR, "%s: cannot write the audit: %s", outdir,
                        mc_strerror(rc));
                mc__wfile_remove_dir(tmp, out_files, sizeof(out_files) / sizeof(out_files[0]));
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
