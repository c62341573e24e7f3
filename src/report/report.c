/* SPDX-License-Identifier: MIT */
/* mc__report_run(): read the scan (summary.json, items.jsonl), the audit
 * (audit.json) and the manifest, score the 46 criteria, and write
 * report.json (format medcheck-report/1, see the contract), report.md and
 * a self-contained report.html (inline CSS and SVG, no scripts, no network)
 * into a temporary directory that replaces REPORTDIR in one rename. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <medcheck/version.h>

#include "config.h"
#include "report/report_build.h"
#include "scan/output.h"
#include "util/wfile.h"

#define MAX_LISTED_ITEMS 500

static const char *const out_files[] = {"report.json", "report.md", "report.html"};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- inputs */

static json_t *load_json(const char *dir, const char *name, const char *format, char *err,
                         size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        set_err(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return NULL;
    }
    const char *f = json_string_value(json_object_get(j, "format"));
    if (!f || strcmp(f, format) != 0) {
        set_err(err, errlen, "%s: not a %s file (format \"%s\")", path, format, f ? f : "");
        json_decref(j);
        return NULL;
    }
    return j;
}

static int load_items(mc_rctx *r, const char *dir, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/items.jsonl", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return MC_EINVAL;
    }
    r->contaminated = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (!strstr(line, "\"contaminated\":true")) {
            continue;
        }
        json_error_t je;
        json_t *it = json_loadb(line, (size_t)n, 0, &je);
        if (!it) {
            set_err(err, errlen, "%s:%ld: %s", path, lineno, je.text);
            rc = MC_EINVAL;
            break;
        }
        if (json_is_true(json_object_get(it, "contaminated")) &&
            json_array_size(r->contaminated) < MAX_LISTED_ITEMS) {
            json_array_append(r->contaminated, it);
        }
        json_decref(it);
    }
    free(line);
    fclose(f);
    return rc;
}

static void mitigations(mc_rctx *r)
{
    r->mitigation_text[0] = '\0';
    r->canary_text[0] = '\0';
    if (!r->have_manifest) {
        return;
    }
    size_t off = 0;
    static const char *const what[][2] = {
        {"contamination.canary", "canary string"},
        {"contamination.private_test_set", "private test set"},
        {"contamination.decontamination", "decontamination statement"},
    };
    for (size_t i = 0; i < 3; i++) {
        if (mc__mnode_truthy(mc__manifest_get(&r->man, what[i][0]))) {
            r->mitigations++;
            off += (size_t)snprintf(r->mitigation_text + off, sizeof(r->mitigation_text) - off,
                                    "%s%s", off ? ", " : "", what[i][1]);
        }
    }
    /* declared canaries against the scan's --canary results */
    const mc_mnode *cn = mc__manifest_get(&r->man, "contamination.canary");
    if (!mc__mnode_truthy(cn)) {
        return;
    }
    json_t *sc = json_object_get(r->scan, "canaries");
    size_t o2 = 0;
    size_t nc = cn->kind == MC_MN_SEQ ? cn->n : 1;
    for (size_t k = 0; k < nc; k++) {
        const mc_mnode *s = cn->kind == MC_MN_SEQ ? cn->kids[k] : cn;
        if (s->kind != MC_MN_SCALAR || o2 >= sizeof(r->canary_text) - 1) {
            continue;
        }
        size_t i;
        json_t *e;
        long long hits = -1;
        json_array_foreach(sc, i, e)
        {
            const char *str = json_string_value(json_object_get(e, "string"));
            if (str && strcmp(str, s->str) == 0) {
                json_t *h = json_object_get(e, "hits");
                hits = json_is_integer(h) ? json_integer_value(h) : 0;
            }
        }
        if (hits < 0) {
            o2 += (size_t)snprintf(r->canary_text + o2, sizeof(r->canary_text) - o2,
                                   "%sCanary \"%.80s\": the scan was not run with --canary for it.",
                                   o2 ? " " : "", s->str);
        } else {
            o2 += (size_t)snprintf(r->canary_text + o2, sizeof(r->canary_text) - o2,
                                   "%sCanary \"%.80s\": %lld corpus record%s contain it.",
                                   o2 ? " " : "", s->str, hits, hits == 1 ? "" : "s");
        }
    }
}

/* ---- report.json */

typedef struct totals {
    int points[MC_PHASE_COUNT + 1], scored[MC_PHASE_COUNT + 1], unscored[MC_PHASE_COUNT + 1];
    int all_points, all_scored, all_unscored;
} totals;

static void sum_up(const mc_rctx *r, totals *t)
{
    memset(t, 0, sizeof(*t));
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_rcrit *c = &r->cr[id];
        uint32_t p = c->c->phase;
        if (c->score >= 0) {
            t->points[p] += c->score;
            t->scored[p]++;
            t->all_points += c->score;
            t->all_scored++;
        } else {
            t->unscored[p]++;
            t->all_unscored++;
        }
    }
}

static json_t *pct(int points, int scored)
{
    if (scored == 0) {
        return json_null();
    }
    double v = 100.0 * points / (2.0 * scored);
    return json_real((double)(long long)(v * 100.0 + 0.5) / 100.0);
}

static json_t *build_json(const mc_rctx *r, const mc_report_opts *o, const totals *t)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("medcheck-report/1"));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("medcheck"));
    json_object_set_new(tool, "version", json_string(MC_VERSION_STRING));
    json_object_set_new(tool, "commit", json_string(MC_COMMIT));
    json_object_set_new(j, "tool", tool);
    json_t *cmd = json_array();
    for (int i = 0; i < o->argc; i++) {
        json_array_append_new(cmd, json_string(o->argv[i]));
    }
    json_object_set_new(j, "command", cmd);
    json_t *in = json_object();
    json_object_set_new(in, "scan", json_string(o->scan_dir));
    json_object_set_new(in, "audit", o->audit_dir ? json_string(o->audit_dir) : json_null());
    json_object_set_new(in, "evaluation", o->eval_dir ? json_string(o->eval_dir) : json_null());
    json_object_set_new(in, "manifest", o->manifest ? json_string(o->manifest) : json_null());
    json_object_set_new(in, "criteria", json_string(mc_criteria_origin(r->cat)));
    json_object_set_new(j, "inputs", in);
    json_t *bench = json_object_get(r->scan, "benchmark");
    json_object_set(j, "benchmark", bench ? bench : json_null());
    json_object_set_new(j, "catalog_provenance", json_string(mc_criteria_provenance(r->cat)));
    json_object_set_new(j, "scale",
                        json_string("0 = not met, 1 = partly met, 2 = fully met, null = not "
                                    "decided (never counted as met)"));
    json_t *crit = json_array();
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_rcrit *c = &r->cr[id];
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(id));
        json_object_set_new(e, "phase", json_integer(c->c->phase));
        json_object_set_new(e, "name", json_string(c->c->name));
        json_object_set_new(e, "score", c->score >= 0 ? json_integer(c->score) : json_null());
        json_object_set_new(e, "basis", json_string(mc_basis_name(c->c->basis)));
        json_object_set_new(e, "evidence", json_string(c->ev.data ? c->ev.data : ""));
        json_object_set_new(e, "catalog_source",
                            json_string(c->c->confirmed ? "confirmed" : "reconstructed"));
        json_object_set_new(e, "meaning", json_string(c->c->meaning));
        json_object_set_new(e, "scoring", json_string(c->c->scoring));
        json_array_append_new(crit, e);
    }
    json_object_set_new(j, "criteria", crit);
    json_t *ph = json_array();
    for (uint32_t p = 1; p <= MC_PHASE_COUNT; p++) {
        json_t *e = json_object();
        json_object_set_new(e, "phase", json_integer(p));
        json_object_set_new(e, "name", json_string(mc_criteria_phase_name(r->cat, p)));
        json_object_set_new(e, "percent", pct(t->points[p], t->scored[p]));
        json_object_set_new(e, "points", json_integer(t->points[p]));
        json_object_set_new(e, "scored", json_integer(t->scored[p]));
        json_object_set_new(e, "unscored", json_integer(t->unscored[p]));
        json_array_append_new(ph, e);
    }
    json_object_set_new(j, "phases", ph);
    json_object_set_new(j, "overall_percent", pct(t->all_points, t->all_scored));
    json_object_set_new(j, "points", json_integer(t->all_points));
    json_object_set_new(j, "scored", json_integer(t->all_scored));
    json_object_set_new(j, "unscored", json_integer(t->all_unscored));
    json_object_set_new(j, "percent_rule",
                        json_string("percent = 100 * points / (2 * number of scored criteria); "
                                    "overall pooled over all phases; unscored criteria are "
                                    "left out, never counted as met"));
    json_t *ct = json_object();
    json_object_set_new(ct, "formula", json_string(MC_CONTAMINATION_FORMULA));
    json_object_set_new(ct, "judged_items", json_integer((json_int_t)r->judged));
    json_object_set_new(ct, "contaminated_items", json_integer((json_int_t)r->ncontaminated));
    json_object_set_new(ct, "share", r->share >= 0 ? json_real(r->share) : json_null());
    json_object_set_new(ct, "mitigations",
                        json_string(r->mitigations ? r->mitigation_text : ""));
    json_object_set_new(ct, "score",
                        r->cr[23].score >= 0 ? json_integer(r->cr[23].score) : json_null());
    json_object_set_new(ct, "items_listed",
                        json_integer((json_int_t)json_array_size(r->contaminated)));
    json_object_set(ct, "items", r->contaminated);
    json_object_set_new(j, "contamination", ct);
    json_t *rev = json_array();
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        if (r->cr[id].score < 0) {
            json_array_append_new(rev, json_integer(id));
        }
    }
    json_object_set_new(j, "for_review", rev);
    if (r->have_manifest) {
        json_t *m = json_object();
        json_object_set_new(m, "path", json_string(r->man.path));
        json_object_set_new(m, "kind", json_string(r->man.hf_card ? "dataset-card" : "manifest"));
        json_t *fs = json_array();
        for (size_t i = 0; i < r->man.ndiag; i++) {
            json_t *d = json_object();
            json_object_set_new(d, "line",
                                r->man.diag[i].line > 0 ? json_integer(r->man.diag[i].line)
                                                        : json_null());
            json_object_set_new(d, "kind", json_string(r->man.diag[i].kind));
            json_object_set_new(d, "message", json_string(r->man.diag[i].msg));
            json_array_append_new(fs, d);
        }
        json_object_set_new(m, "findings", fs);
        json_object_set_new(j, "manifest", m);
    } else {
        json_object_set_new(j, "manifest", json_null());
    }
    return j;
}

/* ---- escaping */

static void md_esc(mc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        char c = *s;
        if (c == '\n' || c == '\r' || c == '\t') {
            mc__buf_putc(b, ' ');
        } else if (strchr("\\`*_{}[]<>()#+-!|~&.", c)) {
            if (c == '<') {
                mc__buf_puts(b, "&lt;");
            } else if (c == '>') {
                mc__buf_puts(b, "&gt;");
            } else if (c == '&') {
                mc__buf_puts(b, "&amp;");
            } else {
                mc__buf_putc(b, '\\');
                mc__buf_putc(b, c);
            }
        } else {
            mc__buf_putc(b, c);
        }
    }
}

static void html_esc(mc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': mc__buf_puts(b, "&lt;"); break;
        case '>': mc__buf_puts(b, "&gt;"); break;
        case '&': mc__buf_puts(b, "&amp;"); break;
        case '"': mc__buf_puts(b, "&quot;"); break;
        case '\'': mc__buf_puts(b, "&#39;"); break;
        default: mc__buf_putc(b, *s); break;
        }
    }
}

static const char *score_str(int s)
{
    return s == 0 ? "0" : s == 1 ? "1" : s == 2 ? "2" : "—";
}

static void pct_str(char *out, size_t n, int points, int scored)
{
    if (scored == 0) {
        snprintf(out, n, "n/a");
    } else {
        snprintf(out, n, "%.1f%%", 100.0 * points / (2.0 * scored));
    }
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* ---- report.md */

static char *build_md(const mc_rctx *r, const totals *t)
{
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 30);
    char p[32];
    mc__buf_puts(&b, "# MedCheck report\n\n");
    const mc_mnode *nm = r->have_manifest ? mc__manifest_get(&r->man, "name") : NULL;
    if (nm && nm->kind == MC_MN_SCALAR) {
        mc__buf_puts(&b, "Benchmark: **");
        md_esc(&b, nm->str);
        mc__buf_puts(&b, "**\n\n");
    }
    pct_str(p, sizeof(p), t->all_points, t->all_scored);
    mc__buf_printf(&b, "Overall: **%s** (%d points of %d over %d scored criteria; %d not "
                       "decided, never counted as met).\n\n",
                   p, t->all_points, 2 * t->all_scored, t->all_scored, t->all_unscored);
    mc__buf_puts(&b, "Percent = 100 × points / (2 × scored criteria), pooled over all phases. "
                     "Scores: 0 not met, 1 partly met, 2 fully met, — not decided.\n\n");
    mc__buf_puts(&b, "Catalog: ");
    md_esc(&b, mc_criteria_provenance(r->cat));
    mc__buf_puts(&b, "\n\n## Phases\n\n| phase | name | percent | scored | not decided |\n"
                     "|---|---|---|---|---|\n");
    for (uint32_t ph = 1; ph <= MC_PHASE_COUNT; ph++) {
        pct_str(p, sizeof(p), t->points[ph], t->scored[ph]);
        mc__buf_printf(&b, "| %u | ", ph);
        md_esc(&b, mc_criteria_phase_name(r->cat, ph));
        mc__buf_printf(&b, " | %s | %d | %d |\n", p, t->scored[ph], t->unscored[ph]);
    }
    for (uint32_t ph = 1; ph <= MC_PHASE_COUNT; ph++) {
        mc__buf_printf(&b, "\n## Phase %u: ", ph);
        md_esc(&b, mc_criteria_phase_name(r->cat, ph));
        mc__buf_puts(&b, "\n\n| # | criterion | score | basis | source | evidence |\n"
                         "|---|---|---|---|---|---|\n");
        for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
            const mc_rcrit *c = &r->cr[id];
            if (c->c->phase != ph) {
                continue;
            }
            mc__buf_printf(&b, "| %u | ", id);
            md_esc(&b, c->c->name);
            mc__buf_printf(&b, " | %s | %s | %s | ", score_str(c->score),
                           mc_basis_name(c->c->basis),
                           c->c->confirmed ? "confirmed" : "reconstructed");
            md_esc(&b, c->ev.data);
            mc__buf_puts(&b, " |\n");
        }
    }
    mc__buf_puts(&b, "\n## Contamination (criterion 23)\n\n");
    mc__buf_printf(&b, "%zu of %zu judged items contaminated", r->ncontaminated, r->judged);
    if (r->share >= 0) {
        mc__buf_printf(&b, " (%.2f%%)", r->share * 100.0);
    }
    mc__buf_puts(&b, ". Formula: ");
    md_esc(&b, MC_CONTAMINATION_FORMULA);
    mc__buf_puts(&b, "\n\n");
    if (json_array_size(r->contaminated)) {
        mc__buf_puts(&b, "| item | status | score | evidence |\n|---|---|---|---|\n");
        size_t i;
        json_t *it;
        json_array_foreach(r->contaminated, i, it)
        {
            mc__buf_puts(&b, "| ");
            md_esc(&b, jstr(it, "key"));
            mc__buf_puts(&b, " | ");
            md_esc(&b, jstr(it, "status"));
            mc__buf_printf(&b, " | %.3f | ", json_number_value(json_object_get(it, "score")));
            size_t k;
            json_t *e;
            json_array_foreach(json_object_get(it, "evidence"), k, e)
            {
                char head[64];
                snprintf(head, sizeof(head), "%s%lld tokens in ", k ? "; " : "",
                         (long long)json_integer_value(json_object_get(e, "match_tokens")));
                md_esc(&b, head);
                md_esc(&b, jstr(e, "shard"));
                mc__buf_printf(&b, " record %lld (", (long long)json_integer_value(
                                                         json_object_get(e, "record")));
                md_esc(&b, jstr(e, "component"));
                mc__buf_puts(&b, "): ");
                md_esc(&b, jstr(e, "snippet"));
            }
            mc__buf_puts(&b, " |\n");
        }
        if (r->ncontaminated > json_array_size(r->contaminated)) {
            mc__buf_printf(&b, "\n(The first %zu are listed; the scan's items.jsonl has all.)\n",
                           json_array_size(r->contaminated));
        }
    }
    mc__buf_puts(&b, "\n## What a reviewer must still look at\n\n");
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_rcrit *c = &r->cr[id];
        if (c->score >= 0) {
            continue;
        }
        mc__buf_printf(&b, "- %u ", id);
        md_esc(&b, c->c->name);
        mc__buf_printf(&b, " (%s): ", mc_basis_name(c->c->basis));
        md_esc(&b, c->c->meaning);
        mc__buf_puts(&b, "\n");
    }
    if (r->have_manifest) {
        mc__buf_puts(&b, "\n## Manifest findings\n\n");
        if (!r->man.ndiag) {
            mc__buf_puts(&b, "None.\n");
        }
        for (size_t i = 0; i < r->man.ndiag; i++) {
            mc__buf_puts(&b, "- ");
            md_esc(&b, r->man.diag[i].msg);
            mc__buf_puts(&b, "\n");
        }
    }
    return b.data;
}

/* ---- report.html */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
    "max-width:1100px;color:#1b1b1b;padding:0 1em}"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}"
    "table{border-collapse:collapse;width:100%;margin:1em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}.s0{background:#fde2e1}.s1{background:#fff4ce}.s2{background:#dff6dd}"
    ".sn{background:#eee;color:#555}.big{font-size:2em;font-weight:bold}"
    "svg{display:block;margin:.5em 0}code{background:#f5f5f5;padding:0 .2em}"
    ".snip{font-family:monospace;font-size:.85em;white-space:pre-wrap;word-break:break-word}";

static void svg_chart(mc_buf *b, const mc_rctx *r, uint32_t ph)
{
    int n = 0;
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        n += r->cr[id].c->phase == ph;
    }
    int row = 20, top = 24, w = 640, lw = 300, bw = 280;
    int h = top + row * n + 10;
    mc__buf_printf(b,
                   "<svg class=\"phase-chart\" id=\"chart-phase-%u\" xmlns=\"http://www.w3.org/"
                   "2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
                   "<title>Phase %u: criterion scores (0 to 2)</title>",
                   ph, w, h, w, h, ph);
    for (int k = 0; k <= 2; k++) {
        int x = lw + bw * k / 2;
        mc__buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>"
                          "<text x=\"%d\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">%d"
                          "</text>",
                       x, top - 4, x, h - 6, x, k);
    }
    int i = 0;
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_rcrit *c = &r->cr[id];
        if (c->c->phase != ph) {
            continue;
        }
        int y = top + row * i++;
        char label[128];
        snprintf(label, sizeof(label), "%u. %.38s%s", id, c->c->name,
                 strlen(c->c->name) > 38 ? "…" : "");
        mc__buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">",
                       lw - 6, y + 14);
        html_esc(b, label);
        mc__buf_puts(b, "</text>");
        if (c->score < 0) {
            mc__buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\" fill=\"none\" "
                              "stroke=\"#999\" stroke-dasharray=\"3,3\"/><text x=\"%d\" y=\"%d\" "
                              "font-size=\"11\" fill=\"#666\">not decided</text>",
                           lw, y + 3, bw, lw + 6, y + 14);
        } else {
            const char *col = c->score == 2 ? "#2e7d32" : c->score == 1 ? "#f9a825" : "#c62828";
            int bwid = c->score == 0 ? 3 : bw * c->score / 2;
            mc__buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\" fill=\"%s\">"
                              "<title>criterion %u: %d</title></rect>",
                           lw, y + 3, bwid, col, id, c->score);
        }
    }
    mc__buf_puts(b, "</svg>\n");
}

static char *build_html(const mc_rctx *r, const totals *t)
{
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 30);
    char p[32];
    mc__buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width\">"
                     "<title>MedCheck report</title><style>");
    mc__buf_puts(&b, css);
    mc__buf_puts(&b, "</style></head><body>\n<h1>MedCheck report</h1>\n");
    if (r->have_manifest) {
        const mc_mnode *nm = mc__manifest_get(&r->man, "name");
        if (nm && nm->kind == MC_MN_SCALAR) {
            mc__buf_puts(&b, "<p>Benchmark: <b>");
            html_esc(&b, nm->str);
            mc__buf_puts(&b, "</b></p>\n");
        }
    }
    pct_str(p, sizeof(p), t->all_points, t->all_scored);
    mc__buf_printf(&b, "<p><span class=\"big\" id=\"overall\">%s</span> overall: %d points of "
                       "%d over %d scored criteria; %d not decided (never counted as met).</p>\n",
                   p, t->all_points, 2 * t->all_scored, t->all_scored, t->all_unscored);
    mc__buf_puts(&b, "<p>Percent = 100 × points / (2 × scored criteria), pooled over all phases. "
                     "Scores: 0 not met, 1 partly met, 2 fully met, — not decided.</p>\n<p>"
                     "Catalog: ");
    html_esc(&b, mc_criteria_provenance(r->cat));
    mc__buf_puts(&b, "</p>\n<h2>Inputs</h2><ul>");
    json_t *files = json_object_get(json_object_get(r->scan, "benchmark"), "files");
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        mc__buf_puts(&b, "<li><code>");
        html_esc(&b, jstr(f, "source"));
        mc__buf_printf(&b, "</code> (");
        html_esc(&b, jstr(f, "format"));
        mc__buf_printf(&b, ", %lld items)</li>",
                       (long long)json_integer_value(json_object_get(f, "items")));
    }
    mc__buf_puts(&b, "</ul>\n<h2>Phases</h2>\n<table><tr><th>phase</th><th>name</th>"
                     "<th>percent</th><th>scored</th><th>not decided</th></tr>\n");
    for (uint32_t ph = 1; ph <= MC_PHASE_COUNT; ph++) {
        pct_str(p, sizeof(p), t->points[ph], t->scored[ph]);
        mc__buf_printf(&b, "<tr><td>%u</td><td>", ph);
        html_esc(&b, mc_criteria_phase_name(r->cat, ph));
        mc__buf_printf(&b, "</td><td>%s</td><td>%d</td><td>%d</td></tr>\n", p, t->scored[ph],
                       t->unscored[ph]);
    }
    mc__buf_puts(&b, "</table>\n");
    for (uint32_t ph = 1; ph <= MC_PHASE_COUNT; ph++) {
        pct_str(p, sizeof(p), t->points[ph], t->scored[ph]);
        mc__buf_printf(&b, "<h2 id=\"phase-%u\">Phase %u: ", ph, ph);
        html_esc(&b, mc_criteria_phase_name(r->cat, ph));
        mc__buf_printf(&b, " — %s</h2>\n", p);
        svg_chart(&b, r, ph);
        mc__buf_puts(&b, "<table><tr><th>#</th><th>criterion</th><th>score</th><th>basis</th>"
                         "<th>catalog</th><th>evidence</th></tr>\n");
        for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
            const mc_rcrit *c = &r->cr[id];
            if (c->c->phase != ph) {
                continue;
            }
            mc__buf_printf(&b, "<tr class=\"criterion\" id=\"criterion-%u\"><td>%u</td><td>", id,
                           id);
            html_esc(&b, c->c->name);
            mc__buf_printf(&b, "</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>",
                           c->score == 0   ? "s0"
                           : c->score == 1 ? "s1"
                           : c->score == 2 ? "s2"
                                           : "sn",
                           score_str(c->score), mc_basis_name(c->c->basis),
                           c->c->confirmed ? "confirmed" : "reconstructed");
            html_esc(&b, c->ev.data);
            mc__buf_puts(&b, "</td></tr>\n");
        }
        mc__buf_puts(&b, "</table>\n");
    }
    mc__buf_printf(&b, "<h2 id=\"contamination\">Contamination (criterion 23)</h2>\n<p>%zu of %zu "
                       "judged items contaminated",
                   r->ncontaminated, r->judged);
    if (r->share >= 0) {
        mc__buf_printf(&b, " (%.2f%%)", r->share * 100.0);
    }
    mc__buf_puts(&b, ". Formula: ");
    html_esc(&b, MC_CONTAMINATION_FORMULA);
    mc__buf_puts(&b, "</p>\n");
    if (json_array_size(r->contaminated)) {
        mc__buf_puts(&b, "<table><tr><th>item</th><th>status</th><th>score</th><th>evidence</th>"
                         "</tr>\n");
        json_t *it;
        json_array_foreach(r->contaminated, i, it)
        {
            mc__buf_puts(&b, "<tr class=\"contaminated\"><td><code>");
            html_esc(&b, jstr(it, "key"));
            mc__buf_puts(&b, "</code></td><td>");
            html_esc(&b, jstr(it, "status"));
            mc__buf_printf(&b, "</td><td>%.3f</td><td>",
                           json_number_value(json_object_get(it, "score")));
            size_t k;
            json_t *e;
            json_array_foreach(json_object_get(it, "evidence"), k, e)
            {
                mc__buf_printf(&b, "<div>%lld tokens of the ",
                               (long long)json_integer_value(json_object_get(e, "match_tokens")));
                html_esc(&b, jstr(e, "component"));
                mc__buf_puts(&b, " in <code>");
                html_esc(&b, jstr(e, "shard"));
                mc__buf_printf(&b, "</code> record %lld",
                               (long long)json_integer_value(json_object_get(e, "record")));
                if (json_string_value(json_object_get(e, "doc_id"))) {
                    mc__buf_puts(&b, " (doc ");
                    html_esc(&b, jstr(e, "doc_id"));
                    mc__buf_puts(&b, ")");
                }
                mc__buf_puts(&b, ":<div class=\"snip\">");
                html_esc(&b, jstr(e, "snippet"));
                mc__buf_puts(&b, "</div></div>");
            }
            mc__buf_puts(&b, "</td></tr>\n");
        }
        mc__buf_puts(&b, "</table>\n");
        if (r->ncontaminated > json_array_size(r->contaminated)) {
            mc__buf_printf(&b, "<p>The first %zu are listed; the scan's items.jsonl has all.</p>\n",
                           json_array_size(r->contaminated));
        }
    }
    mc__buf_puts(&b, "<h2 id=\"review\">What a reviewer must still look at</h2>\n<ul>\n");
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_rcrit *c = &r->cr[id];
        if (c->score >= 0) {
            continue;
        }
        mc__buf_printf(&b, "<li><b>%u. ", id);
        html_esc(&b, c->c->name);
        mc__buf_printf(&b, "</b> (%s): ", mc_basis_name(c->c->basis));
        html_esc(&b, c->c->meaning);
        mc__buf_puts(&b, "</li>\n");
    }
    mc__buf_puts(&b, "</ul>\n");
    if (r->have_manifest) {
        mc__buf_puts(&b, "<h2 id=\"manifest\">Manifest findings</h2>\n<ul>\n");
        if (!r->man.ndiag) {
            mc__buf_puts(&b, "<li>None.</li>\n");
        }
        for (size_t k = 0; k < r->man.ndiag; k++) {
            mc__buf_puts(&b, "<li>");
            html_esc(&b, r->man.diag[k].msg);
            mc__buf_puts(&b, "</li>\n");
        }
        mc__buf_puts(&b, "</ul>\n");
    }
    mc__buf_puts(&b, "<p><small>Generated by medcheck " MC_VERSION_STRING
                     ".</small></p>\n</body></html>\n");
    return b.data;
}

/* ---- output directory */

static int write_all(const mc_rctx *r, const mc_report_opts *o, const char *tmp)
{
    totals t;
    sum_up(r, &t);
    json_t *doc = build_json(r, o, &t);
    char *js = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                         JSON_REAL_PRECISION(10))
                   : NULL;
    json_decref(doc);
    char *md = build_md(r, &t);
    char *html = build_html(r, &t);
    int rc = js && md && html ? 0 : MC_ENOMEM;
    if (rc == 0) {
        mc_buf jb;
        mc__buf_init(&jb, (size_t)1 << 31);
        rc = mc__buf_puts(&jb, js);
        rc = rc ? rc : mc__buf_puts(&jb, "\n");
        rc = rc ? rc : mc__wfile_write_synced(tmp, "report.json", jb.data);
        mc__buf_finish(&jb);
    }
    rc = rc ? rc : mc__wfile_write_synced(tmp, "report.md", md);
    rc = rc ? rc : mc__wfile_write_synced(tmp, "report.html", html);
    free(js);
    free(md);
    free(html);
    return rc;
}

static void ctx_free(mc_rctx *r)
{
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        mc__buf_finish(&r->cr[id].ev);
    }
    json_decref(r->scan);
    json_decref(r->audit);
    json_decref(r->evaluation);
    json_decref(r->contaminated);
    if (r->have_manifest) {
        mc__manifest_free(&r->man);
    }
}

int mc__report_run(const mc_report_opts *o, mc_report_summary *sum, char *err, size_t errlen)
{
    if (!o || !o->scan_dir || !o->outdir || !o->outdir[0]) {
        set_err(err, errlen, "missing --scan or -o");
        return MC_EINVAL;
    }
    int rc = mc__outdir_check(o->outdir, "report.json", "report", err, errlen);
    if (rc < 0) {
        return rc;
    }
    mc_criteria *cat = NULL;
    rc = mc_criteria_open(&cat, o->criteria, err, errlen);
    if (rc < 0) {
        return MC_EINVAL;
    }
    mc_rctx r;
    memset(&r, 0, sizeof(r));
    r.cat = cat;
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        r.cr[id].c = mc_criteria_get(cat, id);
        mc__buf_init(&r.cr[id].ev, 1 << 20);
    }
    r.scan = load_json(o->scan_dir, "summary.json", "medcheck-scan/1", err, errlen);
    rc = r.scan ? 0 : MC_EINVAL;
    if (rc == 0 && o->audit_dir) {
        r.audit = load_json(o->audit_dir, "audit.json", "medcheck-audit/1", err, errlen);
        rc = r.audit ? 0 : MC_EINVAL;
    }
    if (rc == 0 && o->eval_dir) {
        r.evaluation = load_json(o->eval_dir, "evaluation.json", "medcheck-evaluation/1", err,
                                 errlen);
        rc = r.evaluation ? 0 : MC_EINVAL;
    }
    if (rc == 0) {
        rc = load_items(&r, o->scan_dir, err, errlen);
    }
    if (rc == 0 && o->manifest) {
        rc = mc__manifest_load(&r.man, o->manifest);
        if (rc < 0) {
            set_err(err, errlen, "%s: cannot read the manifest: %s", o->manifest,
                    rc == MC_ENOENT ? "no such file" : mc_strerror(rc));
            rc = MC_EINVAL;
        } else {
            r.have_manifest = 1;
        }
    }
    if (rc == 0) {
        json_t *b = json_object_get(r.scan, "benchmark");
        json_int_t items = json_integer_value(json_object_get(b, "items"));
        json_int_t unj = json_integer_value(json_object_get(r.scan, "items_unjudged"));
        json_int_t con = json_integer_value(json_object_get(r.scan, "items_contaminated"));
        r.judged = items > unj ? (size_t)(items - unj) : 0;
        r.ncontaminated = con > 0 ? (size_t)con : 0;
        r.share = r.judged ? (double)r.ncontaminated / (double)r.judged : -1.0;
        mitigations(&r);
        mc__score_all(&r);
    }
    char tmp[4096];
    if (rc == 0) {
        snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", o->outdir, (long)getpid());
        mc__wfile_remove_dir(tmp, out_files, sizeof(out_files) / sizeof(out_files[0]));
        if (mkdir(tmp, 0777) != 0) {
            set_err(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
            rc = MC_EIO;
        } else {
            rc = write_all(&r, o, tmp);
            rc = rc ? rc : mc__output_commit_dir(tmp, o->outdir);
            if (rc < 0) {
                set_err(err, errlen, "%s: cannot write the report: %s", o->outdir,
                        mc_strerror(rc));
                mc__wfile_remove_dir(tmp, out_files, sizeof(out_files) / sizeof(out_files[0]));
            }
        }
    }
    if (rc == 0 && sum) {
        totals t;
        sum_up(&r, &t);
        sum->scored = t.all_scored;
        sum->unscored = t.all_unscored;
        sum->overall_percent = t.all_scored ? 100.0 * t.all_points / (2.0 * t.all_scored) : -1;
        sum->manifest_findings = r.have_manifest ? r.man.ndiag : 0;
    }
    /* manifest findings go to stderr, with file and line */
    if (rc == 0 && r.have_manifest) {
        for (size_t i = 0; i < r.man.ndiag; i++) {
            fprintf(stderr, "medcheck report: %s\n", r.man.diag[i].msg);
        }
    }
    ctx_free(&r);
    mc_criteria_close(&cat);
    return rc;
}
