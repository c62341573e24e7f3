/* SPDX-License-Identifier: MIT */
/* audit.json (format "medcheck-audit/1"): the contract's sections in a
 * fixed order, then medcheck's extensions (stems, cross_source, codes,
 * coverage, criteria). Examples name items by key. The duplicate, cross-file
 * and split sections are built in audit_groups.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/normalize.h>
#include <medcheck/version.h>

#include "audit/audit_int.h"
#include "bench/item_key.h"
#include "config.h"
#include "util/alloc.h"

/* Longest text quoted in an example, in bytes. */
#define SNIPPET 160

static const char *const component_names[] = {"question", "options", "answer", "passage"};

/* ---- helpers shared with audit_groups.c */

json_t *mc__aj_str(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

json_t *mc__aj_strn(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    return j ? j : json_null();
}

void mc__aj_set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v ? v : json_null());
}

json_t *mc__aj_int(uint64_t v)
{
    return json_integer((json_int_t)v);
}

double mc__aj_round(double x, double scale)
{
    return round(x * scale) / scale;
}

json_t *mc__aj_key(const mc__audit *a, uint32_t item)
{
    char key[4096];
    mc__item_key(mc_bench_item(a->b, item), key, sizeof(key));
    return mc__aj_str(key);
}

/* At most SNIPPET bytes of s, cut at a character boundary. */
json_t *mc__aj_snippet(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > SNIPPET) {
        n = SNIPPET;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    return s ? mc__aj_strn(s, n) : json_null();
}

uint32_t mc__aj_max_examples(const mc__audit *a)
{
    return a->opts->max_examples;
}

void mc__aj_count(json_t *obj, const char *name, json_int_t by)
{
    json_int_t v = json_integer_value(json_object_get(obj, name));
    json_object_set_new(obj, name, json_integer(v + by));
}

/* ---- header */

static json_t *params_json(const mc__audit *a)
{
    json_t *p = json_object();
    mc__aj_set(p, "normalisation", json_string("medcheck"));
    mc__aj_set(p, "normalisation_version", mc__aj_int(MC_NORM_VERSION));
    mc__aj_set(p, "unicode_version", json_string(mc_unicode_version()));
    mc__aj_set(p, "duplicate_text", json_string("question+options"));
    mc__aj_set(p, "near_ngram_words", mc__aj_int(3));
    mc__aj_set(p, "near_threshold", json_real(a->opts->near_threshold));
    mc__aj_set(p, "max_examples", mc__aj_int(a->opts->max_examples));
    return p;
}

static json_t *benchmark_json(const mc__audit *a)
{
    json_t *b = json_object();
    mc__aj_set(b, "items", mc__aj_int(a->n));
    json_t *files = json_array();
    for (uint32_t f = 0; f < a->nsrc; f++) {
        const mc_bench_file *bf = mc_bench_file_at(a->b, f);
        json_t *o = json_object();
        mc__aj_set(o, "source", mc__aj_str(bf->source));
        mc__aj_set(o, "sha256", mc__aj_str(bf->sha256));
        mc__aj_set(o, "format", mc__aj_str(mc_bench_format_name(bf->format)));
        mc__aj_set(o, "items", mc__aj_int(bf->items));
        mc__aj_set(o, "malformed", mc__aj_int(bf->malformed));
        json_array_append_new(files, o);
    }
    mc__aj_set(b, "files", files);
    return b;
}

/* ---- answer balance */

static json_t *balance_json(const mc__audit *a)
{
    json_t *arr = json_array();
    for (uint32_t f = 0; f < a->nsrc; f++) {
        const mc__balance *bl = &a->bal[f];
        json_t *o = json_object();
        mc__aj_set(o, "source", mc__aj_str(mc_bench_file_at(a->b, f)->source));
        mc__aj_set(o, "answered", mc__aj_int(bl->answered));
        mc__aj_set(o, "unanswered", mc__aj_int(bl->unanswered));
        json_t *opts = json_object(), *counts = json_object(), *exp = json_object();
        for (int k = 2; k <= MC__BAL_LETTERS; k++) {
            if (bl->by_noptions[k]) {
                char name[8];
                snprintf(name, sizeof(name), "%d", k);
                mc__aj_set(opts, name, mc__aj_int(bl->by_noptions[k]));
            }
        }
        for (int j = 0; j < MC__BAL_LETTERS; j++) {
            if (bl->expected[j] > 0.0) {
                char letter[2] = {(char)('A' + j), 0};
                mc__aj_set(counts, letter, mc__aj_int(bl->counts[j]));
                mc__aj_set(exp, letter, json_real(mc__aj_round(bl->expected[j], 1e4)));
            }
        }
        mc__aj_set(o, "options", opts);
        mc__aj_set(o, "counts", counts);
        mc__aj_set(o, "expected", exp);
        json_t *chi = bl->df >= 1 ? json_real(mc__aj_round(bl->chi2, 1e6)) : json_null();
        mc__aj_set(o, "chi_square", chi);
        mc__aj_set(o, "df", bl->df >= 1 ? mc__aj_int((uint64_t)bl->df) : json_null());
        mc__aj_set(o, "p_value", bl->df >= 1 ? json_real(bl->p) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

/* ---- malformed items */

static json_t *malformed_json(const mc__audit *a)
{
    json_t *m = json_object(), *by = json_object(), *ex = json_array();
    uint32_t items = 0;
    for (int r = 0; r < MC__BAD_NREASONS; r++) {
        mc__aj_set(by, mc__bad_reason_name(r), mc__aj_int(0));
    }
    for (uint32_t i = 0; i < a->n; i++) {
        if (!a->bad[i]) {
            continue;
        }
        items++;
        json_t *reasons = json_array();
        for (int r = 0; r < MC__BAD_NREASONS; r++) {
            if (a->bad[i] & (1 << r)) {
                mc__aj_count(by, mc__bad_reason_name(r), 1);
                json_array_append_new(reasons, json_string(mc__bad_reason_name(r)));
            }
        }
        if (json_array_size(ex) < mc__aj_max_examples(a)) {
            const mc_item *it = mc_bench_item(a->b, i);
            json_t *o = json_object();
            mc__aj_set(o, "key", mc__aj_key(a, i));
            mc__aj_set(o, "line", mc__aj_int(it->line));
            mc__aj_set(o, "reasons", reasons);
            mc__aj_set(o, "error", mc__aj_str(it->error));
            json_array_append_new(ex, o);
        } else {
            json_decref(reasons);
        }
    }
    mc__aj_set(m, "items", mc__aj_int(items));
    mc__aj_set(m, "by_reason", by);
    mc__aj_set(m, "examples", ex);
    return m;
}

/* ---- PHI-like strings and codes */

/* The text a hit lies in. */
static const char *hit_text(const mc__audit *a, const mc__hit *h)
{
    const mc_item *it = mc_bench_item(a->b, h->item);
    switch (h->component) {
    case 0:
        return it->question;
    case 1:
        return it->options[h->option];
    case 2:
        return it->answer;
    default:
        return it->passage;
    }
}

static json_t *hit_example(const mc__audit *a, const mc__hit *h)
{
    json_t *o = json_object();
    mc__aj_set(o, "key", mc__aj_key(a, h->item));
    mc__aj_set(o, "component", json_string(component_names[h->component]));
    if (h->component == 1) {
        mc__aj_set(o, "option", mc__aj_str(mc_bench_item(a->b, h->item)->option_labels[h->option]));
    }
    mc__aj_set(o, "offset", mc__aj_int(h->off));
    size_t len = h->len > SNIPPET ? SNIPPET : h->len;
    mc__aj_set(o, "text", mc__aj_strn(hit_text(a, h) + h->off, len));
    return o;
}

static json_t *phi_json(const mc__audit *a)
{
    json_t *p = json_object(), *by = json_object(), *by_items = json_object(), *ex = json_array();
    uint32_t per_kind[MC__PHI_NKINDS] = {0}, shown[MC__PHI_NKINDS] = {0};
    uint32_t items_kind[MC__PHI_NKINDS] = {0}, last_kind[MC__PHI_NKINDS];
    uint32_t items = 0, last = MC__NONE;
    for (int k = 0; k < MC__PHI_NKINDS; k++) {
        last_kind[k] = MC__NONE;
    }
    /* hits are grouped by item (scanned in item order) */
    for (size_t i = 0; i < a->phi.n; i++) {
        const mc__hit *h = &a->phi.v[i];
        per_kind[h->kind]++;
        items += h->item != last;
        last = h->item;
        items_kind[h->kind] += last_kind[h->kind] != h->item;
        last_kind[h->kind] = h->item;
        if (shown[h->kind] < mc__aj_max_examples(a)) {
            json_t *o = hit_example(a, h);
            mc__aj_set(o, "kind", json_string(mc__phi_kind_name(h->kind)));
            json_array_append_new(ex, o);
            shown[h->kind]++;
        }
    }
    for (int k = 0; k < MC__PHI_NKINDS; k++) {
        mc__aj_set(by, mc__phi_kind_name(k), mc__aj_int(per_kind[k]));
        mc__aj_set(by_items, mc__phi_kind_name(k), mc__aj_int(items_kind[k]));
    }
    mc__aj_set(p, "items", mc__aj_int(items));
    mc__aj_set(p, "matches", mc__aj_int(a->phi.n));
    mc__aj_set(p, "by_kind", by);
    mc__aj_set(p, "items_by_kind", by_items);
    mc__aj_set(p, "examples", ex);
    return p;
}

static json_t *codes_json(const mc__audit *a)
{
    json_t *c = json_object(), *by = json_object(), *ex = json_array();
    uint32_t items = 0, valid = 0, last = MC__NONE;
    uint32_t sys[MC__CODE_NSYSTEMS][2] = {{0}};
    for (size_t i = 0; i < a->codes.n; i++) {
        const mc__hit *h = &a->codes.v[i];
        items += h->item != last;
        last = h->item;
        valid += h->valid;
        sys[h->kind][h->valid]++;
        if (json_array_size(ex) < mc__aj_max_examples(a)) {
            json_t *o = hit_example(a, h);
            mc__aj_set(o, "system", json_string(mc__code_system_name(h->kind)));
            mc__aj_set(o, "valid", json_boolean(h->valid));
            json_array_append_new(ex, o);
        }
    }
    for (int s = 0; s < MC__CODE_NSYSTEMS; s++) {
        if (sys[s][0] + sys[s][1]) {
            json_t *o = json_object();
            mc__aj_set(o, "codes", mc__aj_int(sys[s][0] + sys[s][1]));
            mc__aj_set(o, "valid", mc__aj_int(sys[s][1]));
            mc__aj_set(o, "invalid", mc__aj_int(sys[s][0]));
            mc__aj_set(by, mc__code_system_name(s), o);
        }
    }
    mc__aj_set(c, "items_mentioning", mc__aj_int(a->code_markers));
    mc__aj_set(c, "items", mc__aj_int(items));
    mc__aj_set(c, "codes", mc__aj_int(a->codes.n));
    mc__aj_set(c, "valid", mc__aj_int(valid));
    mc__aj_set(c, "invalid", mc__aj_int(a->codes.n - valid));
    mc__aj_set(c, "by_system", by);
    mc__aj_set(c, "examples", ex);
    return c;
}

/* ---- coverage by subject */

typedef struct subj {
    const char *name;
    json_int_t n;
} subj;

static int cmp_subj(const void *pa, const void *pb)
{
    const subj *x = pa, *y = pb;
    if (x->n != y->n) {
        return x->n > y->n ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

static json_t *coverage_json(const mc__audit *a)
{
    json_t *c = json_object(), *map = json_object();
    uint32_t with = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        const char *s = mc_bench_item(a->b, i)->subject;
        if (s && s[0]) {
            mc__aj_count(map, s, 1);
            with++;
        }
    }
    size_t ns = json_object_size(map), k = 0;
    subj *v = mc__malloc((ns ? ns : 1) * sizeof(*v));
    json_t *table = json_array();
    const char *name;
    json_t *val;
    json_object_foreach(map, name, val) {
        if (v) {
            v[k++] = (subj){name, json_integer_value(val)};
        }
    }
    if (v) {
        qsort(v, k, sizeof(*v), cmp_subj);
    }
    for (size_t i = 0; v && i < k; i++) {
        json_t *o = json_object();
        mc__aj_set(o, "subject", mc__aj_str(v[i].name));
        mc__aj_set(o, "items", json_integer(v[i].n));
        mc__aj_set(o, "share", json_real(mc__aj_round((double)v[i].n / with, 1e4)));
        json_array_append_new(table, o);
    }
    mc__aj_set(c, "field", json_string("subject"));
    mc__aj_set(c, "items_with_subject", mc__aj_int(with));
    mc__aj_set(c, "items_without_subject", mc__aj_int(a->n - with));
    mc__aj_set(c, "subjects", mc__aj_int(ns));
    double largest = k && v ? mc__aj_round((double)v[0].n / with, 1e4) : 0.0;
    mc__aj_set(c, "largest_share", k && v ? json_real(largest) : json_null());
    mc__aj_set(c, "table", table);
    mc__free(v);
    json_decref(map);
    return c;
}

/* ---- criteria informed by the audit */

static json_t *criteria_json(const mc__audit *a)
{
    json_t *arr = json_array();
    for (uint32_t id = 1; id <= MC_CRITERIA_COUNT; id++) {
        const mc_criterion *k = mc_criteria_get(a->crit, id);
        json_t *checks = json_array();
        for (uint32_t j = 0; k && j < k->n_checks; j++) {
            if (strcmp(k->checks[j], "contamination") != 0) {
                json_array_append_new(checks, json_string(k->checks[j]));
            }
        }
        if (!json_array_size(checks)) {
            json_decref(checks);
            continue;
        }
        json_t *o = json_object();
        mc__aj_set(o, "id", mc__aj_int(k->id));
        mc__aj_set(o, "phase", mc__aj_int(k->phase));
        mc__aj_set(o, "name", mc__aj_str(k->name));
        mc__aj_set(o, "basis", json_string(mc_basis_name(k->basis)));
        mc__aj_set(o, "catalog_source", json_string(k->confirmed ? "confirmed" : "reconstructed"));
        mc__aj_set(o, "checks", checks);
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *mc__audit_json(const mc__audit *a)
{
    json_t *j = json_object();
    if (!j) {
        return NULL;
    }
    mc__aj_set(j, "format", json_string("medcheck-audit/1"));
    mc__aj_set(j, "complete", json_true());
    json_t *tool = json_object();
    mc__aj_set(tool, "name", json_string("medcheck"));
    mc__aj_set(tool, "version", json_string(mc_version()));
    mc__aj_set(tool, "commit", json_string(MC_COMMIT));
    mc__aj_set(j, "tool", tool);
    json_t *cmd = json_array();
    for (int i = 0; a->opts->argv && i < a->opts->argc; i++) {
        json_array_append_new(cmd, mc__aj_str(a->opts->argv[i]));
    }
    mc__aj_set(j, "command", cmd);
    mc__aj_set(j, "params", params_json(a));
    mc__aj_set(j, "benchmark", benchmark_json(a));
    mc__aj_set(j, "items", mc__aj_int(a->n));
    mc__aj_set(j, "duplicates", mc__audit_duplicates_json(a));
    mc__aj_set(j, "split_leakage", mc__audit_leakage_json(a));
    mc__aj_set(j, "answer_balance", balance_json(a));
    mc__aj_set(j, "malformed", malformed_json(a));
    mc__aj_set(j, "phi", phi_json(a));
    mc__aj_set(j, "cross_source", mc__audit_cross_json(a));
    mc__aj_set(j, "codes", codes_json(a));
    mc__aj_set(j, "coverage", coverage_json(a));
    json_t *crit = json_object();
    mc__aj_set(crit, "catalog", mc__aj_str(mc_criteria_origin(a->crit)));
    mc__aj_set(crit, "informed", criteria_json(a));
    mc__aj_set(j, "criteria", crit);
    return j;
}
