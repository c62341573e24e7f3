/* SPDX-License-Identifier: MIT */
/* `medcheck evaluate`: per model and benchmark file, accuracy on clean and
 * contaminated items, their difference with a bootstrap interval and a
 * Fisher exact test (docs/evaluate.md), into evaluation.json and .md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/version.h>

#include "config.h"
#include "eval/eval_int.h"
#include "eval/stats.h"
#include "scan/output.h"
#include "util/alloc.h"
#include "util/log.h"

void mc_eval_opts_default(mc_eval_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
    opts->resamples = 10000;
    opts->seed = 1;
    opts->level = 0.95;
    opts->min_group = 10;
    opts->max_examples = 20;
}

/* Six significant digits: the statistics are not more precise than that,
 * and the files read better. */
static json_t *num(double x)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.6g", x);
    return json_real(strtod(buf, NULL));
}

/* Correct and total per status (judged items), and for unjudged items. */
typedef struct tally {
    uint64_t n[MC_STATUS_INPUT_AND_ANSWER + 1];
    uint64_t k[MC_STATUS_INPUT_AND_ANSWER + 1];
    uint64_t un_n, un_k;
} tally;

static json_t *group(uint64_t k, uint64_t n)
{
    json_t *g = json_object();
    json_object_set_new(g, "n", json_integer((json_int_t)n));
    json_object_set_new(g, "correct", json_integer((json_int_t)k));
    json_object_set_new(g, "accuracy", n ? num((double)k / (double)n) : json_null());
    return g;
}

static int is_contaminated(int st)
{
    return st == MC_STATUS_INPUT_AND_ANSWER || st == MC_STATUS_INPUT_ONLY ||
           st == MC_STATUS_NEAR_DUPLICATE;
}

static json_t *difference(const mc_eval_opts *o, uint64_t kc, uint64_t nc, uint64_t kx, uint64_t nx,
                          int *rc)
{
    json_t *d = json_object();
    if (!nc || !nx) {
        json_object_set_new(d, "value", json_null());
        json_object_set_new(d, "ci_low", json_null());
        json_object_set_new(d, "ci_high", json_null());
        json_object_set_new(d, "p_value", json_null());
        return d;
    }
    double lo = 0, hi = 0;
    int r = mc__eval_bootstrap(kc, nc, kx, nx, o->resamples, o->seed, o->level, &lo, &hi);
    *rc = r < 0 && *rc == 0 ? r : *rc;
    json_object_set_new(d, "value", num((double)kc / (double)nc - (double)kx / (double)nx));
    json_object_set_new(d, "ci_low", num(lo));
    json_object_set_new(d, "ci_high", num(hi));
    json_object_set_new(d, "p_value", num(mc__eval_fisher(kc, nc - kc, kx, nx - kx)));
    return d;
}

/* The result object of one model on one benchmark file. */
static json_t *result(mc__eval *e, const mc__eval_model *m, size_t f, const tally *t, int *rc)
{
    uint64_t n = t->un_n, k = t->un_k, nc = 0, kc = 0, nx = 0, kx = 0;
    for (int st = 0; st <= MC_STATUS_INPUT_AND_ANSWER; st++) {
        n += t->n[st];
        k += t->k[st];
        nc += is_contaminated(st) ? 0 : t->n[st];
        kc += is_contaminated(st) ? 0 : t->k[st];
        nx += is_contaminated(st) ? t->n[st] : 0;
        kx += is_contaminated(st) ? t->k[st] : 0;
    }
    json_t *r = json_object();
    json_object_set_new(r, "model", json_string(m->name));
    json_object_set_new(r, "benchmark", json_string(e->s.files[f].source));
    json_object_set_new(r, "items", json_integer(e->s.files[f].items));
    json_object_set_new(r, "overall", group(k, n));
    json_object_set_new(r, "clean", group(kc, nc));
    json_object_set_new(r, "contaminated", group(kx, nx));
    json_t *bs = json_object();
    for (int st = MC_STATUS_INPUT_AND_ANSWER; st >= MC_STATUS_CLEAN; st--) {
        json_object_set_new(bs, mc_status_name((mc_status)st), group(t->k[st], t->n[st]));
    }
    json_object_set_new(r, "by_status", bs);
    json_object_set_new(r, "unjudged", group(t->un_k, t->un_n));
    json_object_set_new(r, "difference", difference(e->o, kc, nc, kx, nx, rc));
    json_object_set_new(r, "too_small", json_boolean(nc < e->o->min_group || nx < e->o->min_group));
    return r;
}

static json_t *results_json(mc__eval *e, int *rc)
{
    json_t *arr = json_array();
    for (size_t mi = 0; mi < e->n_models; mi++) {
        const mc__eval_model *m = &e->models[mi];
        for (size_t f = 0; f < e->s.n_files; f++) {
            tally t;
            memset(&t, 0, sizeof(t));
            int any = 0;
            const mc__sres_file *sf = &e->s.files[f];
            for (uint32_t i = sf->first; i < sf->first + sf->items; i++) {
                const mc__sres_item *it = &e->s.items[i];
                if (!m->res[i]) {
                    continue;
                }
                any = 1;
                int ok = m->res[i] == 2;
                if (!it->judged) {
                    t.un_n++;
                    t.un_k += (uint64_t)ok;
                } else {
                    t.n[it->status]++;
                    t.k[it->status] += (uint64_t)ok;
                }
            }
            if (any) {
                json_array_append_new(arr, result(e, m, f, &t, rc));
            }
        }
    }
    return arr;
}

static json_t *params_json(const mc__eval *e)
{
    const mc_eval_opts *o = e->o;
    json_t *p = json_object();
    json_object_set_new(p, "clean",
                        json_string("judged items not contaminated: clean, "
                                    "passage_only"));
    json_object_set_new(p, "contaminated",
                        json_string("input_and_answer, input_only, "
                                    "near_duplicate"));
    json_object_set_new(p, "test", json_string("fisher_exact_two_sided"));
    json_object_set_new(p, "interval", json_string("percentile_bootstrap"));
    json_object_set_new(p, "level", json_real(o->level));
    json_object_set_new(p, "resamples", json_integer(o->resamples));
    json_object_set_new(p, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(p, "rng", json_string("xoshiro256** seeded by splitmix64"));
    json_object_set_new(p, "min_group", json_integer(o->min_group));
    json_object_set_new(p, "metric",
                        o->metric ? json_string(o->metric) : json_string("acc, else exact_match"));
    json_object_set_new(p, "filter", o->filter ? json_string(o->filter) : json_null());
    return p;
}

static json_t *inputs_json(const mc__eval *e)
{
    static const char *const by[MC__JOIN_N] = {"key", "index", "id", "text"};
    json_t *arr = json_array();
    for (size_t i = 0; i < e->n_inputs; i++) {
        const mc__eval_input *in = &e->inputs[i];
        json_t *x = json_object();
        json_t *jb = json_object();
        json_object_set_new(x, "file", json_string(in->file));
        json_object_set_new(x, "rows", json_integer(in->rows));
        json_object_set_new(x, "joined", json_integer(in->joined));
        json_object_set_new(x, "unjoined", json_integer(in->unjoined));
        json_object_set_new(x, "skipped_other_filter", json_integer(in->skipped));
        for (int k = 0; k < MC__JOIN_N; k++) {
            json_object_set_new(jb, by[k], json_integer(in->by[k]));
        }
        json_object_set_new(x, "joined_by", jb);
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *mc__eval_json(mc__eval *e, int *rc)
{
    json_t *j = json_object();
    json_t *tool = json_object();
    json_object_set_new(j, "format", json_string("medcheck-evaluation/1"));
    json_object_set_new(tool, "name", json_string("medcheck"));
    json_object_set_new(tool, "version", json_string(mc_version()));
    json_object_set_new(tool, "commit", json_string(MC_COMMIT));
    json_object_set_new(j, "tool", tool);
    json_t *cmd = json_array();
    for (int a = 0; e->o->argv && a < e->o->argc; a++) {
        json_array_append_new(cmd, json_string(e->o->argv[a]));
    }
    json_object_set_new(j, "command", cmd);
    json_t *scan = json_object();
    json_t *sb = json_object_get(e->s.summary, "benchmark");
    json_object_set_new(scan, "dir", json_string(e->o->scan_dir));
    json_object_set(scan, "preset", json_object_get(e->s.summary, "preset"));
    json_object_set(scan, "fingerprint", json_object_get(sb, "fingerprint"));
    json_object_set_new(scan, "items", json_integer((json_int_t)e->s.n_items));
    json_object_set_new(j, "scan", scan);
    json_object_set_new(j, "params", params_json(e));
    json_object_set_new(j, "inputs", inputs_json(e));
    json_object_set_new(j, "results", results_json(e, rc));
    json_t *un = json_object();
    json_object_set_new(un, "count", json_integer(e->unjoined));
    json_object_set(un, "by_reason", e->reasons);
    json_object_set(un, "examples", e->examples);
    json_object_set_new(j, "unjoined", un);
    return j;
}

static int write_outputs(mc__eval *e, const char *outdir)
{
    int rc = 0;
    json_t *j = mc__eval_json(e, &rc);
    char *text = rc == 0
                     ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                     : NULL;
    char *md = text ? mc__eval_markdown(j) : NULL;
    char tmp[4096];
    rc = rc           ? rc
         : text && md ? mc__eval_make_tmpdir(outdir, tmp, sizeof(tmp), &e->o->logger)
                      : MC_ENOMEM;
    if (rc == 0) {
        size_t n = strlen(text);
        text[n] = '\n'; /* json_dumps leaves no newline; the NUL is ours */
        rc = mc__eval_write_file(tmp, "evaluation.json", text, n + 1);
        rc = rc ? rc : mc__eval_write_file(tmp, "evaluation.md", md, strlen(md));
        rc = rc ? rc : mc__output_commit_dir(tmp, outdir);
        if (rc < 0) {
            mc__log(&e->o->logger, MC_LOG_ERROR, "%s: cannot write: %s", outdir, mc_strerror(rc));
            mc__eval_remove_tree(tmp);
        }
    }
    free(text);
    mc__free(md);
    json_decref(j);
    return rc;
}

static void fill(const mc__eval *e, mc_eval_result *res)
{
    memset(res, 0, sizeof(*res));
    for (size_t i = 0; i < e->n_inputs; i++) {
        res->rows += e->inputs[i].rows;
        res->joined += e->inputs[i].joined;
        res->skipped += e->inputs[i].skipped;
    }
    res->unjoined = e->unjoined;
    res->models = (uint32_t)e->n_models;
    for (size_t m = 0; m < e->n_models; m++) {
        for (size_t f = 0; f < e->s.n_files; f++) {
            const mc__sres_file *sf = &e->s.files[f];
            int any = 0;
            for (uint32_t i = sf->first; i < sf->first + sf->items && !any; i++) {
                any = e->models[m].res[i] != 0;
            }
            res->groups += (uint32_t)any;
        }
    }
}

static int check_opts(const mc_eval_opts *o, const char *outdir)
{
    if (!o->scan_dir || !outdir || !outdir[0] || !o->results || !o->n_results || o->resamples < 2 ||
        !(o->level > 0.0 && o->level < 1.0)) {
        return MC_EINVAL;
    }
    for (size_t i = 0; i < o->n_results; i++) {
        if (!o->results[i]) {
            return MC_EINVAL;
        }
    }
    return 0;
}

int mc_eval_run(const mc_eval_opts *opts, const char *outdir, mc_eval_result *res)
{
    mc_eval_opts o;
    mc_eval_opts_default(&o);
    if (opts) {
        memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    int rc = check_opts(&o, outdir);
    if (rc < 0) {
        return rc;
    }
    rc = mc__eval_check_outdir(outdir, "evaluation.json", &o.logger);
    if (rc < 0) {
        return rc;
    }
    mc__eval e;
    memset(&e, 0, sizeof(e));
    e.o = &o;
    e.reasons = json_object();
    e.examples = json_array();
    e.inputs = mc__calloc(o.n_results, sizeof(*e.inputs));
    rc = e.inputs && e.reasons && e.examples ? 0 : MC_ENOMEM;
    rc = rc ? rc : mc__sres_open(&e.s, o.scan_dir, o.root, &o.logger);
    mc__eval_read_opts ro = {o.metric, o.filter, &o.logger};
    for (size_t i = 0; rc == 0 && i < o.n_results; i++) {
        e.cur = &e.inputs[e.n_inputs++];
        e.cur->file = o.results[i];
        rc = mc__eval_read_results(o.results[i], &ro, mc__eval_join_row, &e, &e.cur->skipped);
    }
    if (rc == 0) {
        rc = write_outputs(&e, outdir);
    }
    if (rc == 0 && res) {
        fill(&e, res);
    }
    for (size_t m = 0; m < e.n_models; m++) {
        mc__free(e.models[m].name);
        mc__free(e.models[m].res);
    }
    mc__free(e.models);
    mc__free(e.inputs);
    mc__eval_join_finish(&e);
    mc__sres_finish(&e.s);
    json_decref(e.reasons);
    json_decref(e.examples);
    return rc;
}
