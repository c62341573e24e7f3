/* SPDX-License-Identifier: MIT */
/* audit.md: a human summary rendered from the audit.json document, so the
 * two files can never disagree. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "util/buf.h"

static json_int_t geti(const json_t *o, const char *path)
{
    return json_integer_value(json_object_get(o, path));
}

static const json_t *obj(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

/* Markdown table cells must not hold '|' or newlines. */
static void cell(mc_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|') {
            mc__buf_puts(b, "\\|");
        } else if (*s == '\n' || *s == '\r') {
            mc__buf_putc(b, ' ');
        } else {
            mc__buf_putc(b, *s);
        }
    }
}

static void keys_line(mc_buf *b, const json_t *keys)
{
    size_t i;
    const json_t *k;
    json_array_foreach(keys, i, k) {
        mc__buf_printf(b, "%s`", i ? ", " : "");
        cell(b, json_string_value(k));
        mc__buf_putc(b, '`');
    }
}

static void headline(mc_buf *b, const json_t *d)
{
    const json_t *dup = obj(d, "duplicates");
    const json_t *st = obj(dup, "stems");
    mc__buf_printf(b, "| check | result |\n|---|---|\n");
    mc__buf_printf(b, "| items | %lld in %zu file(s) |\n", (long long)geti(d, "items"),
                   json_array_size(obj(obj(d, "benchmark"), "files")));
    mc__buf_printf(b, "| exact duplicates (question + options) | %lld groups, %lld surplus "
                      "items |\n",
                   (long long)geti(dup, "exact_groups"), (long long)geti(dup, "surplus_items"));
    mc__buf_printf(b, "| near duplicates (3-gram Jaccard >= %g) | %lld groups, %lld surplus "
                      "texts |\n",
                   json_real_value(obj(obj(d, "params"), "near_threshold")),
                   (long long)geti(dup, "near_groups"), (long long)geti(dup, "near_surplus_items"));
    mc__buf_printf(b, "| duplicate stems (question only) | %lld groups, %lld surplus items "
                      "(lm-eval rule: %lld groups) |\n",
                   (long long)geti(st, "exact_groups"), (long long)geti(st, "surplus_items"),
                   (long long)geti(obj(st, "gpt3_rule"), "exact_groups"));
    mc__buf_printf(b, "| shared across files | %lld groups (%lld items) |\n",
                   (long long)geti(obj(d, "cross_source"), "groups"),
                   (long long)geti(obj(d, "cross_source"), "items"));
    mc__buf_printf(b, "| split leakage | %lld items in %lld groups |\n",
                   (long long)geti(obj(d, "split_leakage"), "items"),
                   (long long)geti(obj(d, "split_leakage"), "groups"));
    mc__buf_printf(b, "| malformed items | %lld |\n",
                   (long long)geti(obj(d, "malformed"), "items"));
    mc__buf_printf(b, "| items with PHI-like strings | %lld (%lld matches) |\n",
                   (long long)geti(obj(d, "phi"), "items"),
                   (long long)geti(obj(d, "phi"), "matches"));
    mc__buf_printf(b, "| items with medical codes | %lld (%lld codes, %lld malformed) |\n\n",
                   (long long)geti(obj(d, "codes"), "items"),
                   (long long)geti(obj(d, "codes"), "codes"),
                   (long long)geti(obj(d, "codes"), "invalid"));
}

static void examples(mc_buf *b, const json_t *ex)
{
    size_t i;
    const json_t *e;
    json_array_foreach(ex, i, e) {
        mc__buf_printf(b, "- %s, %lld items",
                       json_string_value(obj(e, "kind")) ? json_string_value(obj(e, "kind"))
                                                         : "group",
                       (long long)geti(e, "items"));
        if (obj(e, "similarity")) {
            mc__buf_printf(b, ", similarity >= %.4g", json_real_value(obj(e, "similarity")));
        }
        mc__buf_puts(b, ": ");
        keys_line(b, obj(e, "keys"));
        mc__buf_puts(b, "\n  > ");
        cell(b, json_string_value(obj(e, "text")));
        mc__buf_puts(b, "\n");
    }
    mc__buf_puts(b, "\n");
}

static void balance(mc_buf *b, const json_t *arr)
{
    mc__buf_puts(b, "## Answer balance\n\nCorrect option by position; p-value of a chi-square "
                    "test of uniformity (each item's answer equally likely at any of its "
                    "options).\n\n| source | answered | counts | chi-square | p-value |\n"
                    "|---|---|---|---|---|\n");
    size_t i;
    const json_t *s;
    json_array_foreach(arr, i, s) {
        mc__buf_puts(b, "| ");
        cell(b, json_string_value(obj(s, "source")));
        mc__buf_printf(b, " | %lld | ", (long long)geti(s, "answered"));
        const char *k;
        const json_t *v;
        int first = 1;
        json_object_foreach((json_t *)obj(s, "counts"), k, v) {
            mc__buf_printf(b, "%s%s %lld", first ? "" : ", ", k, (long long)json_integer_value(v));
            first = 0;
        }
        if (json_is_real(obj(s, "p_value"))) {
            mc__buf_printf(b, " | %.3f | %.4g |\n", json_real_value(obj(s, "chi_square")),
                           json_real_value(obj(s, "p_value")));
        } else {
            mc__buf_puts(b, " | - | - |\n");
        }
    }
    mc__buf_puts(b, "\n");
}

static void hits(mc_buf *b, const char *title, const json_t *sec, const char *by_key,
                 const char *kind_key)
{
    if (title) {
        mc__buf_printf(b, "## %s\n\n", title);
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj(sec, by_key), k, v) {
        if (json_is_integer(v)) {
            mc__buf_printf(b, "- %s: %lld\n", k, (long long)json_integer_value(v));
        } else {
            mc__buf_printf(b, "- %s: %lld codes, %lld malformed\n", k, (long long)geti(v, "codes"),
                           (long long)geti(v, "invalid"));
        }
    }
    size_t i;
    const json_t *e;
    if (json_array_size(obj(sec, "examples"))) {
        mc__buf_puts(b, "\nExamples:\n\n");
    }
    json_array_foreach(obj(sec, "examples"), i, e) {
        mc__buf_printf(b, "- `");
        cell(b, json_string_value(obj(e, "key")));
        mc__buf_printf(b, "` %s (%s): `", json_string_value(obj(e, kind_key)),
                       json_string_value(obj(e, "component")));
        cell(b, json_string_value(obj(e, "text")));
        mc__buf_printf(b, "`%s\n",
                       json_is_false(obj(e, "valid")) ? " (malformed)" : "");
    }
    mc__buf_puts(b, "\n");
}

static void coverage(mc_buf *b, const json_t *c)
{
    mc__buf_printf(b, "## Coverage by subject\n\n%lld items carry a subject (%lld do not); "
                      "%lld subjects.\n\n",
                   (long long)geti(c, "items_with_subject"),
                   (long long)geti(c, "items_without_subject"), (long long)geti(c, "subjects"));
    if (!json_array_size(obj(c, "table"))) {
        return;
    }
    mc__buf_puts(b, "| subject | items | share |\n|---|---|---|\n");
    size_t i;
    const json_t *e;
    json_array_foreach(obj(c, "table"), i, e) {
        mc__buf_puts(b, "| ");
        cell(b, json_string_value(obj(e, "subject")));
        mc__buf_printf(b, " | %lld | %.1f%% |\n", (long long)geti(e, "items"),
                       100.0 * json_real_value(obj(e, "share")));
    }
    mc__buf_puts(b, "\n");
}

static void criteria(mc_buf *b, const json_t *c)
{
    mc__buf_printf(b, "## MedCheck criteria these checks inform\n\nCatalog: %s. Scores are "
                      "given by `medcheck report`.\n\n| id | criterion | basis | catalog |\n"
                      "|---|---|---|---|\n",
                   json_string_value(obj(c, "catalog")));
    size_t i;
    const json_t *e;
    json_array_foreach(obj(c, "informed"), i, e) {
        mc__buf_printf(b, "| %lld | ", (long long)geti(e, "id"));
        cell(b, json_string_value(obj(e, "name")));
        mc__buf_printf(b, " | %s | %s |\n", json_string_value(obj(e, "basis")),
                       json_string_value(obj(e, "catalog_source")));
    }
    mc__buf_puts(b, "\n");
}

char *mc__audit_markdown(const json_t *d)
{
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 28);
    mc__buf_puts(&b, "# medcheck audit\n\nChecks of the benchmark's own data. Texts are "
                     "compared after the medcheck normalisation (case, punctuation and "
                     "whitespace); see docs/audit.md.\n\n");
    headline(&b, d);
    const json_t *dup = obj(d, "duplicates");
    mc__buf_puts(&b, "## Duplicates (question + options)\n\n");
    examples(&b, obj(dup, "examples"));
    mc__buf_puts(&b, "## Duplicate stems (question only)\n\n");
    examples(&b, obj(obj(dup, "stems"), "examples"));
    const json_t *cs = obj(d, "cross_source");
    if (json_array_size(obj(cs, "pairs"))) {
        mc__buf_puts(&b, "## Shared across files\n\n| file | file | shared items | shared "
                         "stems | near |\n|---|---|---|---|---|\n");
        size_t i;
        const json_t *p;
        json_array_foreach(obj(cs, "pairs"), i, p) {
            mc__buf_puts(&b, "| ");
            cell(&b, json_string_value(json_array_get(obj(p, "sources"), 0)));
            mc__buf_puts(&b, " | ");
            cell(&b, json_string_value(json_array_get(obj(p, "sources"), 1)));
            mc__buf_printf(&b, " | %lld | %lld | %lld |\n", (long long)geti(p, "shared"),
                           (long long)geti(p, "shared_stems"), (long long)geti(p, "shared_near"));
        }
        mc__buf_puts(&b, "\n");
    }
    const json_t *sl = obj(d, "split_leakage");
    mc__buf_printf(&b, "## Split leakage\n\n%lld items in %lld groups occur in more than one "
                       "split (%lld more items through near duplicates).\n\n",
                   (long long)geti(sl, "items"), (long long)geti(sl, "groups"),
                   (long long)geti(sl, "near_items"));
    size_t i;
    const json_t *e;
    json_array_foreach(obj(sl, "examples"), i, e) {
        mc__buf_puts(&b, "- ");
        keys_line(&b, obj(e, "keys"));
        mc__buf_puts(&b, "\n");
    }
    mc__buf_puts(&b, "\n");
    balance(&b, obj(d, "answer_balance"));
    const json_t *mf = obj(d, "malformed");
    mc__buf_printf(&b, "## Malformed items\n\n%lld items.\n\n", (long long)geti(mf, "items"));
    json_array_foreach(obj(mf, "examples"), i, e) {
        mc__buf_puts(&b, "- `");
        cell(&b, json_string_value(obj(e, "key")));
        mc__buf_printf(&b, "` (line %lld): ", (long long)geti(e, "line"));
        size_t j;
        const json_t *r;
        json_array_foreach(obj(e, "reasons"), j, r) {
            mc__buf_printf(&b, "%s%s", j ? ", " : "", json_string_value(r));
        }
        if (json_string_value(obj(e, "error"))) {
            mc__buf_puts(&b, ": ");
            cell(&b, json_string_value(obj(e, "error")));
        }
        mc__buf_puts(&b, "\n");
    }
    mc__buf_puts(&b, "\n");
    hits(&b, "PHI-like strings (leads for a reviewer, not proof)", obj(d, "phi"), "by_kind",
         "kind");
    const json_t *cd = obj(d, "codes");
    mc__buf_printf(&b, "## Medical codes\n\n%lld items mention ICD; %lld carry codes right after "
                       "the mention (%lld codes, %lld malformed).\n\n",
                   (long long)geti(cd, "items_mentioning"), (long long)geti(cd, "items"),
                   (long long)geti(cd, "codes"), (long long)geti(cd, "invalid"));
    if (geti(cd, "codes")) {
        hits(&b, NULL, cd, "by_system", "system");
    }
    coverage(&b, obj(d, "coverage"));
    criteria(&b, obj(d, "criteria"));
    if (!b.data) {
        mc__buf_finish(&b);
        return NULL;
    }
    char *out = strdup(b.data);
    mc__buf_finish(&b);
    return out;
}
