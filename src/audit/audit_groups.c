/* SPDX-License-Identifier: MIT */
/* The sections of audit.json about groups of items: duplicates (question +
 * options, near duplicates, stems), items shared between files, and the
 * same item in two splits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "util/alloc.h"

/* Keys listed per group example. */
#define GROUP_KEYS 10

static json_t *group_keys(const mc__audit *a, const mc__groups *g, uint32_t k)
{
    json_t *keys = json_array();
    for (uint32_t m = g->start[k]; m < g->start[k + 1] && m - g->start[k] < GROUP_KEYS; m++) {
        json_array_append_new(keys, mc__aj_key(a, g->members[m]));
    }
    return keys;
}

static json_t *group_example(const mc__audit *a, const mc__groups *g, uint32_t k,
                             const char *kind, char *const *text)
{
    json_t *o = json_object();
    mc__aj_set(o, "kind", json_string(kind));
    mc__aj_set(o, "items", mc__aj_int(g->start[k + 1] - g->start[k]));
    if (g->min_sim) {
        mc__aj_set(o, "texts", mc__aj_int(g->texts[k]));
        mc__aj_set(o, "similarity", json_real(mc__aj_round(g->min_sim[k], 1e4)));
    }
    mc__aj_set(o, "keys", group_keys(a, g, k));
    mc__aj_set(o, "text", mc__aj_snippet(text[g->members[g->start[k]]]));
    return o;
}

static uint32_t members(const mc__groups *g)
{
    return g->start ? g->start[g->n] : 0;
}

/* Groups whose members all come from one file, per file. */
static void within_counts(const mc__audit *a, const mc__groups *g, uint32_t *groups,
                          uint32_t *surplus)
{
    for (uint32_t k = 0; k < g->n; k++) {
        uint32_t s0 = a->src[g->members[g->start[k]]];
        int one = 1;
        for (uint32_t m = g->start[k]; m < g->start[k + 1]; m++) {
            one &= a->src[g->members[m]] == s0;
        }
        if (one) {
            groups[s0]++;
            surplus[s0] += g->start[k + 1] - g->start[k] - 1;
        }
    }
}

static json_t *by_source_json(const mc__audit *a)
{
    size_t n = a->nsrc ? a->nsrc : 1;
    uint32_t *c = mc__calloc(4 * n, sizeof(*c));
    if (!c) {
        return NULL;
    }
    within_counts(a, &a->exact, c, c + n);
    within_counts(a, &a->stems, c + 2 * n, c + 3 * n);
    json_t *arr = json_array();
    for (uint32_t f = 0; f < a->nsrc; f++) {
        json_t *o = json_object();
        mc__aj_set(o, "source", mc__aj_str(mc_bench_file_at(a->b, f)->source));
        mc__aj_set(o, "exact_groups", mc__aj_int(c[f]));
        mc__aj_set(o, "surplus_items", mc__aj_int(c[n + f]));
        mc__aj_set(o, "stem_groups", mc__aj_int(c[2 * n + f]));
        mc__aj_set(o, "stem_surplus_items", mc__aj_int(c[3 * n + f]));
        json_array_append_new(arr, o);
    }
    mc__free(c);
    return arr;
}

static json_t *stems_json(const mc__audit *a)
{
    json_t *s = json_object();
    mc__aj_set(s, "text", json_string("question"));
    mc__aj_set(s, "exact_groups", mc__aj_int(a->stems.n));
    mc__aj_set(s, "surplus_items", mc__aj_int(a->stems.surplus));
    mc__aj_set(s, "items_in_groups", mc__aj_int(members(&a->stems)));
    json_t *ex = json_array();
    for (uint32_t k = 0; k < a->stems.n && k < mc__aj_max_examples(a); k++) {
        json_array_append_new(ex, group_example(a, &a->stems, k, "exact", a->stem));
    }
    mc__aj_set(s, "examples", ex);
    json_t *g = json_object();
    mc__aj_set(g, "exact_groups", mc__aj_int(a->stems_gpt3.n));
    mc__aj_set(g, "surplus_items", mc__aj_int(a->stems_gpt3.surplus));
    mc__aj_set(g, "items_in_groups", mc__aj_int(members(&a->stems_gpt3)));
    mc__aj_set(s, "gpt3_rule", g);
    return s;
}

json_t *mc__audit_duplicates_json(const mc__audit *a)
{
    json_t *d = json_object();
    mc__aj_set(d, "exact_groups", mc__aj_int(a->exact.n));
    mc__aj_set(d, "near_groups", mc__aj_int(a->near.n));
    mc__aj_set(d, "surplus_items", mc__aj_int(a->exact.surplus));
    mc__aj_set(d, "near_surplus_items", mc__aj_int(a->near.surplus));
    mc__aj_set(d, "items_in_exact_groups", mc__aj_int(members(&a->exact)));
    mc__aj_set(d, "items_in_near_groups", mc__aj_int(members(&a->near)));
    json_t *ex = json_array();
    for (uint32_t k = 0; k < a->exact.n && k < mc__aj_max_examples(a); k++) {
        json_array_append_new(ex, group_example(a, &a->exact, k, "exact", a->qo));
    }
    for (uint32_t k = 0; k < a->near.n && k < mc__aj_max_examples(a); k++) {
        json_array_append_new(ex, group_example(a, &a->near, k, "near", a->qo));
    }
    mc__aj_set(d, "examples", ex);
    mc__aj_set(d, "by_source", by_source_json(a));
    mc__aj_set(d, "stems", stems_json(a));
    return d;
}

/* ---- collisions across files */

typedef struct pair {
    uint32_t s1, s2;
    uint8_t kind; /* 0 exact, 1 stems, 2 near */
} pair;

static int cmp_pair(const void *pa, const void *pb)
{
    const pair *x = pa, *y = pb;
    if (x->s1 != y->s1) {
        return x->s1 < y->s1 ? -1 : 1;
    }
    if (x->s2 != y->s2) {
        return x->s2 < y->s2 ? -1 : 1;
    }
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    return x < y ? -1 : x > y;
}

/* Append one pair per two distinct files of each group; counts the groups
 * spanning files (and their items) into *groups, *items. */
static int add_pairs(const mc__audit *a, const mc__groups *g, uint8_t kind, pair **v,
                     size_t *n, size_t *cap, uint32_t *groups, uint32_t *items)
{
    uint32_t *s = mc__malloc((members(g) ? members(g) : 1) * sizeof(*s));
    if (!s) {
        return MC_ENOMEM;
    }
    int rc = 0;
    for (uint32_t k = 0; rc == 0 && k < g->n; k++) {
        uint32_t m = 0;
        for (uint32_t x = g->start[k]; x < g->start[k + 1]; x++) {
            s[m++] = a->src[g->members[x]];
        }
        qsort(s, m, sizeof(*s), cmp_u32);
        uint32_t u = 0;
        for (uint32_t x = 0; x < m; x++) {
            if (x == 0 || s[x] != s[x - 1]) {
                s[u++] = s[x];
            }
        }
        if (u < 2) {
            continue;
        }
        *groups += 1;
        *items += m;
        for (uint32_t x = 0; rc == 0 && x < u; x++) {
            for (uint32_t y = x + 1; rc == 0 && y < u; y++) {
                rc = mc__array_reserve((void **)v, cap, *n + 1, sizeof(**v), 64);
                if (rc == 0) {
                    (*v)[(*n)++] = (pair){s[x], s[y], kind};
                }
            }
        }
    }
    mc__free(s);
    return rc;
}

json_t *mc__audit_cross_json(const mc__audit *a)
{
    pair *v = NULL;
    size_t n = 0, cap = 0;
    uint32_t groups[3] = {0}, items[3] = {0};
    int rc = add_pairs(a, &a->exact, 0, &v, &n, &cap, &groups[0], &items[0]);
    rc = rc ? rc : add_pairs(a, &a->stems, 1, &v, &n, &cap, &groups[1], &items[1]);
    rc = rc ? rc : add_pairs(a, &a->near, 2, &v, &n, &cap, &groups[2], &items[2]);
    if (rc < 0) {
        mc__free(v);
        return NULL;
    }
    if (n) {
        qsort(v, n, sizeof(*v), cmp_pair);
    }
    json_t *c = json_object();
    mc__aj_set(c, "groups", mc__aj_int(groups[0]));
    mc__aj_set(c, "items", mc__aj_int(items[0]));
    mc__aj_set(c, "stem_groups", mc__aj_int(groups[1]));
    mc__aj_set(c, "near_groups", mc__aj_int(groups[2]));
    json_t *pairs = json_array();
    for (size_t i = 0; i < n;) {
        uint32_t cnt[3] = {0};
        size_t j = i;
        while (j < n && v[j].s1 == v[i].s1 && v[j].s2 == v[i].s2) {
            cnt[v[j].kind]++;
            j++;
        }
        json_t *o = json_object();
        json_t *src = json_array();
        json_array_append_new(src, mc__aj_str(mc_bench_file_at(a->b, v[i].s1)->source));
        json_array_append_new(src, mc__aj_str(mc_bench_file_at(a->b, v[i].s2)->source));
        mc__aj_set(o, "sources", src);
        mc__aj_set(o, "shared", mc__aj_int(cnt[0]));
        mc__aj_set(o, "shared_stems", mc__aj_int(cnt[1]));
        mc__aj_set(o, "shared_near", mc__aj_int(cnt[2]));
        json_array_append_new(pairs, o);
        i = j;
    }
    mc__free(v);
    mc__aj_set(c, "pairs", pairs);
    json_t *ex = json_array();
    uint32_t shown = 0;
    for (uint32_t k = 0; k < a->exact.n && shown < mc__aj_max_examples(a); k++) {
        uint32_t s0 = a->src[a->exact.members[a->exact.start[k]]];
        for (uint32_t m = a->exact.start[k]; m < a->exact.start[k + 1]; m++) {
            if (a->src[a->exact.members[m]] != s0) {
                json_array_append_new(ex, group_example(a, &a->exact, k, "exact", a->qo));
                shown++;
                break;
            }
        }
    }
    mc__aj_set(c, "examples", ex);
    return c;
}

/* ---- split leakage */

/* Distinct splits of group k into out (pointers, sorted by strcmp). */
static uint32_t group_splits(const mc__audit *a, const mc__groups *g, uint32_t k,
                             const char **out, uint32_t max)
{
    uint32_t u = 0;
    for (uint32_t m = g->start[k]; m < g->start[k + 1]; m++) {
        const char *sp = mc_bench_item(a->b, g->members[m])->split;
        uint32_t j = 0;
        while (sp && j < u && strcmp(out[j], sp) != 0) {
            j++;
        }
        if (sp && j == u && u < max) {
            out[u++] = sp;
        }
    }
    for (uint32_t i = 1; i < u; i++) { /* insertion sort: a handful of names */
        for (uint32_t j = i; j > 0 && strcmp(out[j - 1], out[j]) > 0; j--) {
            const char *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    }
    return u;
}

static void leak_counts(const mc__audit *a, const mc__groups *g, json_t *pairs, uint32_t *groups,
                        uint32_t *items, json_t *ex)
{
    const char *sp[16];
    for (uint32_t k = 0; k < g->n; k++) {
        uint32_t u = group_splits(a, g, k, sp, 16);
        if (u < 2) {
            continue;
        }
        *groups += 1;
        for (uint32_t m = g->start[k]; m < g->start[k + 1]; m++) {
            *items += mc_bench_item(a->b, g->members[m])->split != NULL;
        }
        for (uint32_t x = 0; pairs && x < u; x++) {
            for (uint32_t y = x + 1; y < u; y++) {
                char name[128];
                snprintf(name, sizeof(name), "%s/%s", sp[x], sp[y]);
                mc__aj_count(pairs, name, 1);
            }
        }
        if (ex && json_array_size(ex) < mc__aj_max_examples(a)) {
            json_t *o = json_object();
            json_t *keys = json_array(), *splits = json_array();
            for (uint32_t m = g->start[k]; m < g->start[k + 1] && m - g->start[k] < GROUP_KEYS;
                 m++) {
                json_array_append_new(keys, mc__aj_key(a, g->members[m]));
                const char *split = mc_bench_item(a->b, g->members[m])->split;
                json_array_append_new(splits, mc__aj_str(split));
            }
            mc__aj_set(o, "kind", json_string(g->min_sim ? "near" : "exact"));
            mc__aj_set(o, "keys", keys);
            mc__aj_set(o, "splits", splits);
            mc__aj_set(o, "text", mc__aj_snippet(a->qo[g->members[g->start[k]]]));
            json_array_append_new(ex, o);
        }
    }
}

json_t *mc__audit_leakage_json(const mc__audit *a)
{
    json_t *l = json_object();
    json_t *splits = json_object();
    uint32_t none = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        const char *sp = mc_bench_item(a->b, i)->split;
        if (sp) {
            mc__aj_count(splits, sp, 1);
        } else {
            none++;
        }
    }
    uint32_t groups = 0, items = 0, ngroups = 0, nitems = 0;
    json_t *pairs = json_object(), *ex = json_array();
    leak_counts(a, &a->exact, pairs, &groups, &items, ex);
    leak_counts(a, &a->near, NULL, &ngroups, &nitems, ex);
    mc__aj_set(l, "items", mc__aj_int(items));
    mc__aj_set(l, "groups", mc__aj_int(groups));
    mc__aj_set(l, "near_items", mc__aj_int(nitems));
    mc__aj_set(l, "near_groups", mc__aj_int(ngroups));
    mc__aj_set(l, "splits", splits);
    mc__aj_set(l, "items_without_split", mc__aj_int(none));
    mc__aj_set(l, "pairs", pairs);
    mc__aj_set(l, "examples", ex);
    return l;
}
