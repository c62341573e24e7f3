/* SPDX-License-Identifier: MIT */
/* Scoring the 46 criteria: computed ones from the scan (summary.json,
 * items.jsonl) and the audit (audit.json), manifest ones from what the
 * authors declare, reviewer ones left undecided. Each rule is the one in
 * the catalog's `scoring` text, and the evidence says which values decided
 * the score. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "report/report_build.h"

int mc__contamination_score(double share, int mitigated)
{
    if (share < 0.0 || share != share) {
        return -1;
    }
    int low = share < MC_CONTAMINATION_LIMIT;
    return low && mitigated ? 2 : (low || mitigated) ? 1 : 0;
}

void mc__ev(mc_rcrit *c, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (c->ev.len) {
        mc__buf_puts(&c->ev, " ");
    }
    mc__buf_puts(&c->ev, tmp);
}

/* ---- manifest look-ups */

static const mc_mnode *mget(const mc_rctx *r, const char *path)
{
    return r->have_manifest ? mc__manifest_get(&r->man, path) : NULL;
}

static int is_url_path(const char *path)
{
    size_t l = strlen(path);
    return (l > 4 && strcmp(path + l - 4, "_url") == 0) || strcmp(path, "documentation.paper") == 0;
}

/* Declared and holding something (a URL field must hold a valid URL). */
static int mok(const mc_rctx *r, const char *path)
{
    const mc_mnode *n = mget(r, path);
    if (!mc__mnode_truthy(n)) {
        return 0;
    }
    if (is_url_path(path)) {
        return n->kind == MC_MN_SCALAR && mc__url_valid(n->str);
    }
    return 1;
}

static void show_value(mc_buf *b, const mc_mnode *n)
{
    if (n->kind == MC_MN_SCALAR) {
        size_t l = strlen(n->str);
        mc__buf_printf(b, "\"%.*s%s\"", (int)(l > 160 ? 160 : l), n->str, l > 160 ? "..." : "");
    } else if (n->kind == MC_MN_SEQ) {
        mc__buf_puts(b, "[");
        for (size_t i = 0; i < n->n && i < 6; i++) {
            if (i) {
                mc__buf_puts(b, ", ");
            }
            show_value(b, n->kids[i]);
        }
        mc__buf_puts(b, n->n > 6 ? ", ...]" : "]");
    } else {
        mc__buf_puts(b, "{");
        for (size_t i = 0; i + 1 < n->n && i < 8; i += 2) {
            mc__buf_printf(b, "%s%s: ", i ? ", " : "",
                           n->kids[i]->kind == MC_MN_SCALAR ? n->kids[i]->str : "?");
            show_value(b, n->kids[i + 1]);
        }
        mc__buf_puts(b, n->n > 8 ? ", ...}" : "}");
    }
}

/* "path = value (line N)" or "path: not declared". */
static void show(const mc_rctx *r, mc_rcrit *c, const char *path)
{
    const mc_mnode *n = mget(r, path);
    if (c->ev.len) {
        mc__buf_puts(&c->ev, " ");
    }
    if (!n) {
        mc__buf_printf(&c->ev, "%s: not declared.", path);
        return;
    }
    mc__buf_printf(&c->ev, "%s = ", path);
    show_value(&c->ev, n);
    mc__buf_printf(&c->ev, " (line %d)%s.", n->line,
                   is_url_path(path) && n->kind == MC_MN_SCALAR && !mc__url_valid(n->str)
                       ? ", not a well-formed URL"
                       : "");
}

static int any_declared(const mc_rctx *r, const char *const *paths)
{
    for (size_t i = 0; paths[i]; i++) {
        if (mget(r, paths[i])) {
            return 1;
        }
    }
    return 0;
}

/* Common opening of a manifest criterion: 1 when it can be scored, 0 when
 * it stays null (evidence written). */
static int man_open(const mc_rctx *r, mc_rcrit *c, const char *const *paths)
{
    if (!r->have_manifest) {
        mc__ev(c, "No manifest given (--manifest FILE): not decided.");
        return 0;
    }
    if (!any_declared(r, paths)) {
        mc__ev(c, "The manifest declares none of:");
        for (size_t i = 0; paths[i]; i++) {
            mc__buf_printf(&c->ev, "%s %s", i ? "," : "", paths[i]);
        }
        mc__buf_puts(&c->ev, "; not decided.");
        return 0;
    }
    for (size_t i = 0; paths[i]; i++) {
        show(r, c, paths[i]);
    }
    return 1;
}

enum { BOTH, ONE, GRADED, PLUS };

static const struct {
    uint32_t id;
    int mode;
    const char *a, *b;
} rules[] = {
    {1, BOTH, "intended_use", "score_question"},
    {2, ONE, "target_capability", NULL},
    {4, GRADED, "design_experts.roles", "design_experts.involved"},
    {5, BOTH, "scope.specialties", "scope.task_types"},
    {12, BOTH, "safety_tests", "fairness_tests"},
    {15, BOTH, "ethics_approval", "data_use_rights"},
    {16, GRADED, "demographics.compared_to_target", "demographics.reported"},
    {18, BOTH, "annotation.guidelines", "annotation.annotator_qualifications"},
    {27, ONE, "reasoning_scoring", NULL},
    {28, GRADED, "robustness.set_url", "robustness.description"},
    {29, ONE, "ood_test_set", NULL},
    {30, ONE, "abstention", NULL},
    {32, ONE, "clinician_rating", NULL},
    {33, BOTH, "baselines.human", "baselines.simple"},
    {36, ONE, "results_spread", NULL},
    {37, ONE, "uncertainty_reporting", NULL},
    {44, PLUS, "maintenance.plan", "maintenance.responsible"},
    {46, BOTH, "changelog", "governance"},
};

static void rule_score(mc_rctx *r, mc_rcrit *c, int mode, const char *a, const char *b)
{
    const char *paths[3] = {a, b, NULL};
    if (!man_open(r, c, paths)) {
        return;
    }
    int ha = mok(r, a), hb = b ? mok(r, b) : 0;
    switch (mode) {
    case BOTH:
        c->score = ha && hb ? 2 : (ha || hb) ? 1 : 0;
        mc__ev(c, "Rule: 2 when both are declared, 1 when one is, 0 when neither.");
        break;
    case ONE:
        c->score = ha ? 2 : 0;
        mc__ev(c, "Rule: 2 when declared, 0 when declared empty or negative.");
        break;
    case GRADED:
        c->score = ha ? 2 : hb ? 1 : 0;
        mc__ev(c, "Rule: 2 when %s is declared, 1 when only %s is, 0 otherwise.", a, b);
        break;
    default: /* PLUS */
        c->score = ha && hb ? 2 : ha ? 1 : 0;
        mc__ev(c, "Rule: 2 when %s and %s are declared, 1 for %s alone, 0 otherwise.", a, b, a);
        break;
    }
}

static void special_manifest(mc_rctx *r, mc_rcrit *c)
{
    switch (c->c->id) {
    case 8: {
        static const char *const p[] = {"language", "population.users", "population.setting",
                                        "population.region", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        int lang = mok(r, "language");
        int k = mok(r, p[1]) + mok(r, p[2]) + mok(r, p[3]);
        c->score = lang && k >= 2 ? 2 : (lang || k) ? 1 : 0;
        mc__ev(c, "Rule: 2 for the language and at least two of users, setting, region; 1 for "
                  "any one of them; 0 otherwise.");
        return;
    }
    case 10: {
        static const char *const p[] = {"evaluation_dimensions", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *n = mget(r, p[0]);
        size_t k = 0;
        if (n->kind == MC_MN_SEQ) {
            for (size_t i = 0; i < n->n; i++) {
                k += n->kids[i]->kind == MC_MN_SCALAR && mc__mnode_truthy(n->kids[i]) &&
                     strcasecmp(n->kids[i]->str, "accuracy") != 0;
            }
        } else {
            k = mc__mnode_truthy(n) && n->kind == MC_MN_SCALAR && strcasecmp(n->str, "accuracy");
        }
        c->score = k >= 2 ? 2 : k == 1 ? 1 : 0;
        mc__ev(c, "%zu dimension%s besides accuracy. Rule: 2 for two or more, 1 for one, 0 for "
                  "accuracy only.", k, k == 1 ? "" : "s");
        return;
    }
    case 13: {
        static const char *const p[] = {"sources", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *n = mget(r, "sources");
        size_t named = 0, dated = 0;
        for (size_t i = 0; n->kind == MC_MN_SEQ && i < n->n; i++) {
            const mc_mnode *e = n->kids[i];
            if (e->kind == MC_MN_SCALAR) {
                named += mc__mnode_truthy(e);
            } else if (e->kind == MC_MN_MAP) {
                const mc_mnode *nm = NULL, *v = NULL, *pd = NULL;
                for (size_t j = 0; j + 1 < e->n; j += 2) {
                    const char *k = e->kids[j]->str ? e->kids[j]->str : "";
                    if (!strcmp(k, "name")) nm = e->kids[j + 1];
                    if (!strcmp(k, "version")) v = e->kids[j + 1];
                    if (!strcmp(k, "period")) pd = e->kids[j + 1];
                }
                if (mc__mnode_truthy(nm)) {
                    named++;
                    dated += mc__mnode_truthy(v) || mc__mnode_truthy(pd);
                }
            }
        }
        c->score = named && dated == named ? 2 : named ? 1 : 0;
        mc__ev(c, "%zu source%s named, %zu with a version or period. Rule: 2 when every named "
                  "source has its period or version, 1 when sources are named without, 0 when "
                  "none is named.", named, named == 1 ? "" : "s", dated);
        return;
    }
    case 19: {
        static const char *const p[] = {"expert_review", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *n = mget(r, p[0]);
        const char *s = n->kind == MC_MN_SCALAR ? n->str : "";
        c->score = !strcmp(s, "all") ? 2 : !strcmp(s, "sample") ? 1 : 0;
        mc__ev(c, "Rule: all = 2, sample = 1, none (or anything else) = 0.");
        return;
    }
    case 20: {
        static const char *const p[] = {"agreement.statistic", "agreement.value",
                                        "agreement.measured", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *v = mget(r, "agreement.value");
        int val = v && v->kind == MC_MN_SCALAR && mc__mnode_truthy(v) &&
                  strtod(v->str, NULL) == strtod(v->str, NULL) && v->str[0] &&
                  strspn(v->str, "0123456789.-+eE") == strlen(v->str);
        int stat = mok(r, "agreement.statistic");
        c->score = val && stat ? 2 : (stat || val || mok(r, "agreement.measured")) ? 1 : 0;
        mc__ev(c, "Rule: 2 for a named statistic with its numeric value, 1 when agreement was "
                  "measured without both, 0 otherwise.");
        return;
    }
    case 24: {
        static const char *const p[] = {"version", "checksums", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        int ver = mok(r, "version");
        c->score = ver && r->man.checksums_ok ? 2 : ver ? 1 : 0;
        mc__ev(c, "Checksums: %d declared file%s did not match or could not be read; all "
                  "matched: %s. Rule: 2 for a version and checksums that match the files, 1 "
                  "for a version without (matching) checksums, 0 without a version.",
               r->man.checksums_bad, r->man.checksums_bad == 1 ? "" : "s",
               r->man.checksums_ok ? "yes" : "no");
        return;
    }
    case 25: {
        static const char *const p[] = {"evaluation.code_url", "evaluation.prompts",
                                        "evaluation.decoding", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        int code = mok(r, p[0]);
        c->score = code && mok(r, p[1]) && mok(r, p[2]) ? 2 : code ? 1 : 0;
        mc__ev(c, "Rule: 2 for the code URL with prompts and decoding settings, 1 for the code "
                  "only, 0 otherwise.");
        return;
    }
    case 26: {
        static const char *const p[] = {"clinical_metrics", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *n = mget(r, p[0]);
        size_t named = 0, method = 0;
        for (size_t i = 0; n->kind == MC_MN_SEQ && i < n->n; i++) {
            const mc_mnode *e = n->kids[i];
            for (size_t j = 0; e->kind == MC_MN_MAP && j + 1 < e->n; j += 2) {
                const char *k = e->kids[j]->str ? e->kids[j]->str : "";
                int t = mc__mnode_truthy(e->kids[j + 1]);
                named += !strcmp(k, "name") && t;
                method += !strcmp(k, "method") && t;
            }
        }
        c->score = named && method ? 2 : named ? 1 : 0;
        mc__ev(c, "%zu metric%s named, %zu with a method. Rule: 2 when one is named with how it "
                  "is computed, 1 when named only, 0 otherwise.", named,
               named == 1 ? "" : "s", method);
        return;
    }
    case 31: {
        static const char *const p[] = {"free_text_scoring.clinician_agreement",
                                        "free_text_scoring.rubric",
                                        "free_text_scoring.not_applicable", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        if (mok(r, p[0])) {
            c->score = 2;
        } else if (mok(r, p[1])) {
            c->score = 1;
        } else if (mok(r, p[2])) {
            mc__ev(c, "Not applicable (no free-text answers): not decided.");
            return;
        } else {
            c->score = 0;
        }
        mc__ev(c, "Rule: 2 when the scoring's agreement with clinicians is reported, 1 for a "
                  "rubric without that check, 0 otherwise; not applicable stays undecided.");
        return;
    }
    case 41: {
        static const char *const p[] = {"documentation.datasheet", "documentation.paper", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        /* the datasheet must exist: a well-formed URL, or a file relative to
         * the manifest's directory */
        const mc_mnode *d = mget(r, p[0]);
        int sheet = 0;
        if (mc__mnode_truthy(d) && d->kind == MC_MN_SCALAR) {
            if (mc__url_valid(d->str)) {
                sheet = 1;
            } else {
                char path[4200];
                const char *slash = strrchr(r->man.path, '/');
                int dl = slash && d->str[0] != '/' ? (int)(slash - r->man.path + 1) : 0;
                snprintf(path, sizeof(path), "%.*s%s", dl, r->man.path, d->str);
                sheet = access(path, R_OK) == 0;
                mc__ev(c, "Datasheet file %s: %s.", path, sheet ? "exists" : "not found");
            }
        }
        c->score = sheet ? 2 : mok(r, p[1]) ? 1 : 0;
        mc__ev(c, "Rule: 2 when the datasheet exists (URL, or a file relative to the manifest), "
                  "1 when documentation is only the paper, 0 otherwise.");
        return;
    }
    case 42: {
        static const char *const p[] = {"release.data_url", "release.code_url",
                                        "evaluation.code_url", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        int d = mok(r, p[0]), k = mok(r, p[1]) || mok(r, p[2]);
        c->score = d && k ? 2 : (d || k) ? 1 : 0;
        mc__ev(c, "Rule: 2 for well-formed release URLs of data and code, 1 for one, 0 "
                  "otherwise.");
        return;
    }
    case 43: {
        static const char *const p[] = {"license", "license_name", "license_url", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *l = mget(r, "license");
        int spdx = l && l->kind == MC_MN_SCALAR && mc__spdx_known(l->str);
        int custom = mok(r, "license_name") && mok(r, "license_url");
        int named = mc__mnode_truthy(l) || mok(r, "license_name");
        c->score = spdx || custom ? 2 : named ? 1 : 0;
        mc__ev(c, "SPDX id known: %s. Rule: 2 for a valid SPDX id (or a named licence with a "
                  "URL), 1 for a licence named but not valid, 0 otherwise.",
               spdx ? "yes" : "no");
        return;
    }
    case 45: {
        static const char *const p[] = {"feedback", NULL};
        if (!man_open(r, c, p)) {
            return;
        }
        const mc_mnode *f = mget(r, "feedback");
        int ok = f->kind == MC_MN_SCALAR && (mc__url_valid(f->str) || mc__email_valid(f->str));
        c->score = ok ? 2 : 0;
        mc__ev(c, "Rule: 2 for a well-formed URL or e-mail address, 0 otherwise.");
        return;
    }
    default:
        break;
    }
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (rules[i].id == c->c->id) {
            rule_score(r, c, rules[i].mode, rules[i].a, rules[i].b);
            return;
        }
    }
    mc__ev(c, "No scoring rule for this criterion in this medcheck version: not decided.");
}

/* ---- computed criteria */

static json_int_t jint(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    const json_t *n = o;
    for (char *tok = strtok(buf, "."); tok && n; tok = strtok(NULL, ".")) {
        n = json_object_get(n, tok);
    }
    return json_is_integer(n) ? json_integer_value(n) : -1;
}

static double jreal(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    const json_t *n = o;
    for (char *tok = strtok(buf, "."); tok && n; tok = strtok(NULL, ".")) {
        n = json_object_get(n, tok);
    }
    return json_is_number(n) ? json_number_value(n) : -1.0;
}

static int need_audit(const mc_rctx *r, mc_rcrit *c)
{
    if (!r->audit) {
        mc__ev(c, "No audit given (--audit OUTDIR from `medcheck audit`): not decided.");
        return 0;
    }
    return 1;
}

static void computed(mc_rctx *r, mc_rcrit *c)
{
    const json_t *a = r->audit;
    switch (c->c->id) {
    case 9: {
        if (!need_audit(r, c)) {
            return;
        }
        json_int_t items = jint(a, "codes.items"), inv = jint(a, "codes.invalid"),
                   codes = jint(a, "codes.codes");
        int declared = mok(r, "code_systems");
        if (items > 0) {
            c->score = inv == 0 ? 2 : 1;
        } else {
            c->score = declared ? 1 : 0;
        }
        mc__ev(c, "Audit: %lld item%s carrying %lld code%s, %lld malformed. Manifest declares a "
                  "code mapping: %s. Rule: 2 when items carry codes and all are well formed; "
                  "1 when some are malformed, or a declared mapping is not in the items; 0 "
                  "when no item carries a code.",
               (long long)items, items == 1 ? "" : "s", (long long)codes, codes == 1 ? "" : "s",
               (long long)inv, declared ? "yes" : "no");
        return;
    }
    case 14: {
        if (!need_audit(r, c)) {
            return;
        }
        json_int_t hits = jint(a, "phi.items");
        int method = mok(r, "deidentification");
        if (hits > 0) {
            c->score = method ? 1 : 0;
        } else {
            c->score = method ? 2 : 1;
        }
        mc__ev(c, "Audit: %lld item%s with PHI-like strings (leads for a reviewer, not proof). "
                  "De-identification method declared: %s. Rule: any hit caps the score at 1; "
                  "2 with no hits and a declared method; 1 with no hits and no method, or hits "
                  "and a method; 0 with hits and no method.",
               (long long)hits, hits == 1 ? "" : "s", method ? "yes" : "no");
        return;
    }
    case 17: {
        if (!need_audit(r, c)) {
            return;
        }
        json_int_t with = jint(a, "coverage.items_with_subject"),
                   subj = jint(a, "coverage.subjects");
        double share = jreal(a, "coverage.largest_share");
        if (with <= 0) {
            mc__ev(c, "Audit: no item carries a subject field: not decided.");
            return;
        }
        c->score = subj >= 3 && share <= 0.5 ? 2 : 1;
        mc__ev(c, "Audit: %lld items with a subject, %lld subjects, the largest holds %.1f%%. "
                  "Rule: 2 when no subject holds more than half of the items and at least "
                  "three are present; 1 otherwise.",
               (long long)with, (long long)subj, share * 100.0);
        return;
    }
    case 21: {
        if (!need_audit(r, c)) {
            return;
        }
        json_int_t n = jint(a, "items"), ex = jint(a, "duplicates.surplus_items"),
                   nr = jint(a, "duplicates.near_surplus_items"), bad = jint(a, "malformed.items");
        long long tot = (ex > 0 ? ex : 0) + (nr > 0 ? nr : 0) + (bad > 0 ? bad : 0);
        double share = n > 0 ? (double)tot / (double)n : 0.0;
        c->score = tot == 0 ? 2 : share <= 0.01 ? 1 : 0;
        mc__ev(c, "Audit: %lld surplus exact duplicates + %lld surplus near duplicates + %lld "
                  "malformed items = %lld of %lld items (%.2f%%). Rule: 2 when there are none, "
                  "1 when they make up at most 1%%, 0 above 1%%.",
               (long long)ex, (long long)nr, (long long)bad, tot, (long long)n, share * 100.0);
        return;
    }
    case 22: {
        if (!need_audit(r, c)) {
            return;
        }
        json_int_t leak = jint(a, "split_leakage.items");
        int doc = mok(r, "splits") || mok(r, "contamination.private_test_set");
        c->score = leak > 0 ? 0 : doc ? 2 : 1;
        mc__ev(c, "Audit: %lld item%s occur in two splits. Splits documented or a private test "
                  "set declared in the manifest: %s. Rule: 0 when any item is in two splits; "
                  "else 2 with documented splits, 1 without.",
               (long long)leak, leak == 1 ? "" : "s", doc ? "yes" : "no");
        return;
    }
    case 23: {
        int mit = r->mitigations > 0;
        c->score = mc__contamination_score(r->share, mit);
        if (r->share < 0) {
            mc__ev(c, "The scan judged no item: not decided.");
            return;
        }
        mc__ev(c, "Scan: %zu of %zu judged items contaminated (%.2f%%). Mitigations declared "
                  "in the manifest: %s. Formula: %s",
               r->ncontaminated, r->judged, r->share * 100.0,
               r->mitigations ? r->mitigation_text : "none", MC_CONTAMINATION_FORMULA);
        if (r->canary_text[0]) {
            mc__ev(c, "%s", r->canary_text);
        }
        return;
    }
    default:
        mc__ev(c, "No computed rule for this criterion in this medcheck version: not decided.");
        return;
    }
}

/* Evidence from `medcheck evaluate` for criteria 36 (discriminative power:
 * the models' accuracies) and 37 (statistical significance: the intervals
 * and tests medcheck computed). It informs the reviewer; the score stays
 * the manifest's, since the criterion asks what the benchmark's authors
 * report. */
static void evaluation_evidence(const mc_rctx *r, mc_rcrit *c, uint32_t id)
{
    json_t *res = json_object_get(r->evaluation, "results");
    size_t i, n = json_array_size(res);
    json_t *e;
    if (id == 36) {
        double lo = 2, hi = -1;
        json_array_foreach(res, i, e)
        {
            double a = json_real_value(json_object_get(json_object_get(e, "overall"), "accuracy"));
            lo = a < lo ? a : lo;
            hi = a > hi ? a : hi;
        }
        if (n) {
            mc__ev(c, "Evaluation (medcheck evaluate): %zu model/benchmark results, overall "
                      "accuracy from %.3f to %.3f.", n, lo, hi);
        }
        return;
    }
    size_t sig = 0, small = 0;
    json_array_foreach(res, i, e)
    {
        json_t *d = json_object_get(e, "difference");
        double p = json_number_value(json_object_get(d, "p_value"));
        small += json_is_true(json_object_get(e, "too_small"));
        sig += json_is_number(json_object_get(d, "p_value")) && p < 0.05 &&
               !json_is_true(json_object_get(e, "too_small"));
    }
    if (n) {
        mc__ev(c, "Evaluation (medcheck evaluate): clean-minus-contaminated accuracy with 95%% "
                  "bootstrap intervals and Fisher exact tests for %zu model/benchmark results; "
                  "%zu differ at p < 0.05, %zu groups too small to conclude.", n, sig, small);
    }
}

void mc__score_all(mc_rctx *r)
{
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        mc_rcrit *c = &r->cr[id];
        c->score = -1;
        switch (c->c->basis) {
        case MC_BASIS_COMPUTED:
            computed(r, c);
            break;
        case MC_BASIS_MANIFEST:
            special_manifest(r, c);
            if ((id == 36 || id == 37) && r->evaluation) {
                evaluation_evidence(r, c, id);
            }
            if (id == 5 && r->audit) {
                json_int_t subj = jint(r->audit, "coverage.subjects");
                if (subj >= 0) {
                    mc__ev(c, "(The audit found %lld subjects in the items.)", (long long)subj);
                }
            }
            break;
        default:
            mc__ev(c, "Reviewer criterion (catalog: %s)", c->c->scoring);
            if (id == 35 && r->audit) {
                json_t *bal = json_object_get(r->audit, "answer_balance");
                size_t i, unb = 0, n = json_array_size(bal);
                json_t *e;
                json_array_foreach(bal, i, e)
                {
                    double p = jreal(e, "p_value");
                    unb += p >= 0 && p < 0.01;
                }
                mc__ev(c, "Audit evidence: %zu of %zu files have an answer-letter distribution "
                          "that departs from uniform (chi-square p < 0.01).", unb, n);
            }
            break;
        }
    }
}
