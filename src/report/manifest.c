/* SPDX-License-Identifier: MIT */
/* The benchmark manifest (docs/manifest.md): a YAML file, or the YAML front
 * matter of a Hugging Face dataset card, read with libyaml's event parser
 * into a small tree with line numbers, then validated against the schema:
 * unknown keys (with the closest known key), wrong types, SPDX licence ids,
 * URLs, e-mail addresses and sha256 checksums of named files. Aliases are
 * expanded under a node budget, so an alias bomb is refused. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "report/report_int.h"

/* ---- diagnostics */

static void diag(mc_manifest *m, int line, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void diag(mc_manifest *m, int line, const char *kind, const char *fmt, ...)
{
    if (m->ndiag == m->capdiag) {
        size_t cap = m->capdiag ? m->capdiag * 2 : 8;
        mc_mdiag *d = realloc(m->diag, cap * sizeof(*d));
        if (!d) {
            return;
        }
        m->diag = d;
        m->capdiag = cap;
    }
    char body[1024], full[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    if (line > 0) {
        snprintf(full, sizeof(full), "%s:%d: %s", m->path, line, body);
    } else {
        snprintf(full, sizeof(full), "%s: %s", m->path, body);
    }
    mc_mdiag *d = &m->diag[m->ndiag];
    d->line = line;
    d->kind = strdup(kind);
    d->msg = strdup(full);
    if (d->kind && d->msg) {
        m->ndiag++;
    } else {
        free(d->kind);
        free(d->msg);
    }
}

/* ---- the tree */

typedef struct builder {
    mc_manifest *m;
    size_t nodes;
    size_t aliases;
    int line_offset;
    struct {
        char *name;
        mc_mnode *node;
    } anchors[256];
    size_t nanchors;
    int failed; /* limit or memory */
} builder;

static void node_free(mc_mnode *n)
{
    if (!n) {
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        node_free(n->kids[i]);
    }
    free(n->kids);
    free(n->str);
    free(n);
}

static mc_mnode *node_new(builder *b, mc_mn_kind k, int line)
{
    if (++b->nodes > MC_MANIFEST_MAX_NODES) {
        if (!b->failed) {
            diag(b->m, line, "limit", "more than %u YAML nodes (alias bomb?); manifest refused",
                 MC_MANIFEST_MAX_NODES);
        }
        b->failed = 1;
        return NULL;
    }
    mc_mnode *n = calloc(1, sizeof(*n));
    if (!n) {
        b->failed = 1;
        return NULL;
    }
    n->kind = k;
    n->line = line;
    return n;
}

static int node_push(mc_mnode *p, mc_mnode *k)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        mc_mnode **v = realloc(p->kids, cap * sizeof(*v));
        if (!v) {
            return -1;
        }
        p->kids = v;
        p->cap = cap;
    }
    p->kids[p->n++] = k;
    return 0;
}

static mc_mnode *node_copy(builder *b, const mc_mnode *src)
{
    mc_mnode *n = node_new(b, src->kind, src->line);
    if (!n) {
        return NULL;
    }
    n->plain = src->plain;
    if (src->str && !(n->str = strdup(src->str))) {
        b->failed = 1;
        node_free(n);
        return NULL;
    }
    for (size_t i = 0; i < src->n; i++) {
        mc_mnode *k = node_copy(b, src->kids[i]);
        if (!k || node_push(n, k) < 0) {
            node_free(k);
            node_free(n);
            b->failed = 1;
            return NULL;
        }
    }
    return n;
}

static void remember_anchor(builder *b, const yaml_char_t *anchor, mc_mnode *n)
{
    if (anchor && b->nanchors < sizeof(b->anchors) / sizeof(b->anchors[0])) {
        b->anchors[b->nanchors].name = strdup((const char *)anchor);
        b->anchors[b->nanchors].node = n;
        b->nanchors++;
    }
}

/* Parse one node whose first event is `ev` (consumed by the caller). */
static mc_mnode *parse_node(builder *b, yaml_parser_t *p, yaml_event_t *ev, int depth);

static int next_event(builder *b, yaml_parser_t *p, yaml_event_t *ev)
{
    if (!yaml_parser_parse(p, ev)) {
        diag(b->m, (int)p->problem_mark.line + 1 + b->line_offset, "syntax", "YAML: %s%s%s",
             p->problem ? p->problem : "syntax error", p->context ? " " : "",
             p->context ? p->context : "");
        b->failed = 1;
        return -1;
    }
    return 0;
}

static mc_mnode *parse_node(builder *b, yaml_parser_t *p, yaml_event_t *ev, int depth)
{
    int line = (int)ev->start_mark.line + 1 + b->line_offset;
    if (depth > MC_MANIFEST_MAX_DEPTH) {
        diag(b->m, line, "limit", "nesting deeper than %d levels; manifest refused",
             MC_MANIFEST_MAX_DEPTH);
        b->failed = 1;
        return NULL;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT: {
        if (++b->aliases > MC_MANIFEST_MAX_ALIASES) {
            diag(b->m, line, "limit", "more than %u YAML aliases; manifest refused",
                 MC_MANIFEST_MAX_ALIASES);
            b->failed = 1;
            return NULL;
        }
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = b->nanchors; i-- > 0;) {
            if (strcmp(b->anchors[i].name, name) == 0) {
                return node_copy(b, b->anchors[i].node);
            }
        }
        diag(b->m, line, "syntax", "YAML: unknown alias *%s", name);
        b->failed = 1;
        return NULL;
    }
    case YAML_SCALAR_EVENT: {
        mc_mnode *n = node_new(b, MC_MN_SCALAR, line);
        if (!n) {
            return NULL;
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->str = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (!n->str) {
            b->failed = 1;
            node_free(n);
            return NULL;
        }
        remember_anchor(b, ev->data.scalar.anchor, n);
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor =
            map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        char *aname = anchor ? strdup((const char *)anchor) : NULL;
        mc_mnode *n = node_new(b, map ? MC_MN_MAP : MC_MN_SEQ, line);
        if (!n) {
            free(aname);
            return NULL;
        }
        for (;;) {
            yaml_event_t e;
            if (next_event(b, p, &e) < 0) {
                node_free(n);
                free(aname);
                return NULL;
            }
            if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            mc_mnode *k = parse_node(b, p, &e, depth + 1);
            yaml_event_delete(&e);
            if (!k || node_push(n, k) < 0) {
                node_free(k);
                node_free(n);
                free(aname);
                b->failed = 1;
                return NULL;
            }
        }
        if (aname) {
            remember_anchor(b, (const yaml_char_t *)aname, n);
            free(aname);
        }
        return n;
    }
    default:
        diag(b->m, line, "syntax", "YAML: unexpected event");
        b->failed = 1;
        return NULL;
    }
}

static mc_mnode *parse_yaml(builder *b, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        b->failed = 1;
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    mc_mnode *root = NULL;
    int docs = 0;
    for (;;) {
        yaml_event_t e;
        if (next_event(b, &p, &e) < 0) {
            break;
        }
        yaml_event_type_t t = e.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            diag(b->m, (int)e.start_mark.line + 1 + b->line_offset, "syntax",
                 "more than one YAML document");
            yaml_event_delete(&e);
            b->failed = 1;
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
            mc_mnode *n = parse_node(b, &p, &e, 0);
            yaml_event_delete(&e);
            if (!n) {
                break;
            }
            root = n;
            continue;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    for (size_t i = 0; i < b->nanchors; i++) {
        free(b->anchors[i].name);
    }
    if (b->failed) {
        node_free(root);
        return NULL;
    }
    return root;
}

/* ---- the schema */

typedef enum {
    T_ANY, T_STR, T_NUM, T_BOOL, T_STRLIST, T_MAP, T_LIST, T_URL, T_SPDX, T_SHA256,
    T_CONTACT, T_REVIEW
} vtype;

typedef struct field {
    const char *path;
    vtype t;
} field;

/* The medcheck manifest (docs/manifest.md). "x[]" are the entries of a
 * list of mappings. */
static const field schema[] = {
    {"manifest_version", T_NUM},
    {"name", T_STR},
    {"version", T_STR},
    {"intended_use", T_STR},
    {"score_question", T_STR},
    {"target_capability", T_STR},
    {"design_experts", T_MAP},
    {"design_experts.involved", T_BOOL},
    {"design_experts.roles", T_STR},
    {"scope", T_MAP},
    {"scope.specialties", T_STRLIST},
    {"scope.task_types", T_STRLIST},
    {"language", T_STRLIST},
    {"population", T_MAP},
    {"population.users", T_STR},
    {"population.setting", T_STR},
    {"population.region", T_STR},
    {"code_systems", T_STRLIST},
    {"evaluation_dimensions", T_STRLIST},
    {"safety_tests", T_STR},
    {"fairness_tests", T_STR},
    {"sources", T_LIST},
    {"sources[].name", T_STR},
    {"sources[].version", T_STR},
    {"sources[].period", T_STR},
    {"sources[].url", T_URL},
    {"deidentification", T_STR},
    {"ethics_approval", T_STR},
    {"data_use_rights", T_STR},
    {"demographics", T_MAP},
    {"demographics.reported", T_BOOL},
    {"demographics.compared_to_target", T_BOOL},
    {"annotation", T_MAP},
    {"annotation.guidelines", T_STR},
    {"annotation.annotator_qualifications", T_STR},
    {"annotation.creators", T_STRLIST},
    {"expert_review", T_REVIEW},
    {"agreement", T_MAP},
    {"agreement.measured", T_BOOL},
    {"agreement.statistic", T_STR},
    {"agreement.value", T_NUM},
    {"splits", T_STR},
    {"contamination", T_MAP},
    {"contamination.canary", T_STRLIST},
    {"contamination.private_test_set", T_BOOL},
    {"contamination.decontamination", T_STR},
    {"checksums", T_LIST},
    {"checksums[].file", T_STR},
    {"checksums[].sha256", T_SHA256},
    {"evaluation", T_MAP},
    {"evaluation.code_url", T_URL},
    {"evaluation.prompts", T_STR},
    {"evaluation.decoding", T_STR},
    {"clinical_metrics", T_LIST},
    {"clinical_metrics[].name", T_STR},
    {"clinical_metrics[].method", T_STR},
    {"reasoning_scoring", T_STR},
    {"robustness", T_MAP},
    {"robustness.description", T_STR},
    {"robustness.set_url", T_URL},
    {"ood_test_set", T_STR},
    {"abstention", T_STR},
    {"free_text_scoring", T_MAP},
    {"free_text_scoring.rubric", T_STR},
    {"free_text_scoring.clinician_agreement", T_STR},
    {"free_text_scoring.not_applicable", T_BOOL},
    {"clinician_rating", T_STR},
    {"baselines", T_MAP},
    {"baselines.human", T_STR},
    {"baselines.simple", T_STR},
    {"results_spread", T_STR},
    {"uncertainty_reporting", T_STR},
    {"documentation", T_MAP},
    {"documentation.datasheet", T_STR},
    {"documentation.paper", T_URL},
    {"release", T_MAP},
    {"release.data_url", T_URL},
    {"release.code_url", T_URL},
    {"license", T_SPDX},
    {"license_name", T_STR},
    {"license_url", T_URL},
    {"maintenance", T_MAP},
    {"maintenance.plan", T_STR},
    {"maintenance.responsible", T_STR},
    {"feedback", T_CONTACT},
    {"changelog", T_STR},
    {"governance", T_STR},
    {NULL, T_ANY},
};

/* The front matter of a Hugging Face dataset card. */
static const field hf_schema[] = {
    {"license", T_SPDX},
    {"license_name", T_STR},
    {"license_link", T_URL},
    {"license_details", T_STR},
    {"language", T_STRLIST},
    {"language_details", T_STR},
    {"language_creators", T_STRLIST},
    {"annotations_creators", T_STRLIST},
    {"multilinguality", T_STRLIST},
    {"size_categories", T_STRLIST},
    {"source_datasets", T_STRLIST},
    {"task_categories", T_STRLIST},
    {"task_ids", T_STRLIST},
    {"pretty_name", T_STR},
    {"paperswithcode_id", T_STR},
    {"tags", T_STRLIST},
    {"configs", T_ANY},
    {"dataset_info", T_ANY},
    {"train-eval-index", T_ANY},
    {"viewer", T_ANY},
    {"extra_gated_prompt", T_STR},
    {"extra_gated_fields", T_ANY},
    {"extra_gated_heading", T_STR},
    {"extra_gated_button_content", T_STR},
    {NULL, T_ANY},
};

/* Medcheck paths and the dataset-card keys that declare them. */
static const char *const hf_map[][2] = {
    {"license", "license"},
    {"license_name", "license_name"},
    {"license_url", "license_link"},
    {"language", "language"},
    {"annotation.creators", "annotations_creators"},
    {"sources", "source_datasets"},
    {"scope.task_types", "task_categories"},
    {"name", "pretty_name"},
};

/* Common SPDX licence ids (https://spdx.org/licenses/), compared without
 * regard to case as dataset cards write them in lower case. */
static const char *const spdx_ids[] = {
    "0BSD", "AFL-3.0", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1",
    "Apache-2.0", "Artistic-2.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause",
    "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0", "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5",
    "CC-BY-3.0", "CC-BY-4.0", "CC-BY-NC-2.0", "CC-BY-NC-3.0", "CC-BY-NC-4.0",
    "CC-BY-NC-ND-3.0", "CC-BY-NC-ND-4.0", "CC-BY-NC-SA-2.0", "CC-BY-NC-SA-3.0",
    "CC-BY-NC-SA-4.0", "CC-BY-ND-3.0", "CC-BY-ND-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0",
    "CC0-1.0", "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "ECL-2.0",
    "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "GFDL-1.3", "GFDL-1.3-only",
    "GFDL-1.3-or-later", "GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0",
    "GPL-3.0-only", "GPL-3.0-or-later", "ISC", "LGPL-2.1", "LGPL-2.1-only",
    "LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0-only", "LGPL-3.0-or-later", "LPPL-1.3c",
    "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "MS-PL", "NCSA", "ODbL-1.0", "ODC-By-1.0",
    "OFL-1.1", "OpenSSL", "OSL-3.0", "PDDL-1.0", "PostgreSQL", "Python-2.0", "Unlicense",
    "UPL-1.0", "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.1", NULL,
};

int mc__spdx_known(const char *id)
{
    if (!id) {
        return 0;
    }
    for (size_t i = 0; spdx_ids[i]; i++) {
        if (strcasecmp(spdx_ids[i], id) == 0) {
            return 1;
        }
    }
    return 0;
}

int mc__url_valid(const char *url)
{
    if (!url) {
        return 0;
    }
    const char *h;
    if (strncasecmp(url, "https://", 8) == 0) {
        h = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        h = url + 7;
    } else {
        return 0;
    }
    size_t n = 0, dots = 0;
    while (isalnum((unsigned char)h[n]) || h[n] == '-' || h[n] == '.') {
        dots += h[n] == '.';
        n++;
    }
    if (n == 0 || h[0] == '.' || h[0] == '-' || h[n - 1] == '.' || h[n - 1] == '-') {
        return 0;
    }
    if (dots == 0 && !(n == 9 && strncasecmp(h, "localhost", 9) == 0)) {
        return 0;
    }
    const char *r = h + n;
    if (*r == ':') {
        r++;
        size_t d = 0;
        while (isdigit((unsigned char)r[d])) {
            d++;
        }
        if (d == 0 || d > 5) {
            return 0;
        }
        r += d;
    }
    if (*r && *r != '/' && *r != '?' && *r != '#') {
        return 0;
    }
    for (; *r; r++) {
        if ((unsigned char)*r <= ' ' || *r == '"' || *r == '<' || *r == '>') {
            return 0;
        }
    }
    return 1;
}

int mc__email_valid(const char *s)
{
    if (!s) {
        return 0;
    }
    if (strncasecmp(s, "mailto:", 7) == 0) {
        s += 7;
    }
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) {
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"') {
            return 0;
        }
    }
    const char *dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] != '\0';
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) {
        return 99;
    }
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++) {
        d[i][0] = i;
    }
    for (size_t j = 0; j <= lb; j++) {
        d[0][j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t c = d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                          tolower((unsigned char)b[j - 1]));
            size_t x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            c = x < c ? x : c;
            c = y < c ? y : c;
            /* transposition */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < c) {
                c = d[i - 2][j - 2] + 1;
            }
            d[i][j] = c;
        }
    }
    return d[la][lb];
}

const char *mc__closest_key(const char *key, const char *const *cands)
{
    const char *best = NULL;
    size_t bd = 99;
    for (size_t i = 0; cands[i]; i++) {
        size_t d = edit_distance(key, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    size_t len = strlen(key);
    size_t lim = len / 3 > 2 ? len / 3 : 2;
    /* British spellings and prefixes of a known key count as close */
    if (best && bd <= lim) {
        return best;
    }
    for (size_t i = 0; cands[i]; i++) {
        size_t lc = strlen(cands[i]);
        if (len >= 4 && lc > len && strncasecmp(cands[i], key, len) == 0) {
            return cands[i];
        }
    }
    return NULL;
}

/* ---- validation */

static int is_bool(const mc_mnode *n)
{
    static const char *const v[] = {"true", "false", "yes", "no", "True", "False", "TRUE",
                                    "FALSE", "Yes", "No", NULL};
    if (n->kind != MC_MN_SCALAR || !n->plain) {
        return 0;
    }
    for (size_t i = 0; v[i]; i++) {
        if (strcmp(n->str, v[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_num(const mc_mnode *n)
{
    if (n->kind != MC_MN_SCALAR || !n->plain || !n->str[0]) {
        return 0;
    }
    char *end;
    errno = 0;
    (void)strtod(n->str, &end);
    return *end == '\0' && errno == 0;
}

static const char *kind_name(const mc_mnode *n)
{
    return n->kind == MC_MN_MAP ? "a mapping" : n->kind == MC_MN_SEQ ? "a list" : "a scalar";
}

static const char *type_name(vtype t)
{
    switch (t) {
    case T_NUM: return "a number";
    case T_BOOL: return "true or false";
    case T_STRLIST: return "a string or a list of strings";
    case T_MAP: return "a mapping";
    case T_LIST: return "a list";
    case T_URL: return "an http(s) URL";
    case T_SPDX: return "an SPDX licence id";
    case T_SHA256: return "64 hexadecimal digits";
    case T_CONTACT: return "an http(s) URL or an e-mail address";
    case T_REVIEW: return "one of all, sample, none";
    default: return "a string";
    }
}

static vtype lookup(const field *sc, const char *path, int *found)
{
    for (size_t i = 0; sc[i].path; i++) {
        if (strcmp(sc[i].path, path) == 0) {
            *found = 1;
            return sc[i].t;
        }
    }
    *found = 0;
    return T_ANY;
}

static int is_hex64(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return i == 64;
}

static void check_value(mc_manifest *m, const char *path, const mc_mnode *v, vtype t)
{
    switch (t) {
    case T_ANY:
        return;
    case T_MAP:
    case T_LIST:
        if ((t == T_MAP) != (v->kind == MC_MN_MAP) || (t == T_LIST && v->kind != MC_MN_SEQ)) {
            diag(m, v->line, "type", "\"%s\" must be %s, not %s", path, type_name(t),
                 kind_name(v));
        }
        return;
    case T_STRLIST:
        if (v->kind == MC_MN_SEQ) {
            for (size_t i = 0; i < v->n; i++) {
                if (v->kids[i]->kind != MC_MN_SCALAR) {
                    diag(m, v->kids[i]->line, "type", "\"%s\" must be %s; entry %zu is %s",
                         path, type_name(t), i + 1, kind_name(v->kids[i]));
                }
            }
            return;
        }
        break;
    default:
        break;
    }
    if (v->kind != MC_MN_SCALAR) {
        diag(m, v->line, "type", "\"%s\" must be %s, not %s", path, type_name(t), kind_name(v));
        return;
    }
    const char *s = v->str;
    switch (t) {
    case T_NUM:
        if (!is_num(v)) {
            diag(m, v->line, "type", "\"%s\" must be %s, not \"%s\"", path, type_name(t), s);
        }
        break;
    case T_BOOL:
        if (!is_bool(v)) {
            diag(m, v->line, "type", "\"%s\" must be %s, not \"%s\"", path, type_name(t), s);
        }
        break;
    case T_URL:
        if (!mc__url_valid(s)) {
            diag(m, v->line, "url", "\"%s\": \"%s\" is not a well-formed http(s) URL", path, s);
        }
        break;
    case T_CONTACT:
        if (!mc__url_valid(s) && !mc__email_valid(s)) {
            diag(m, v->line, "url",
                 "\"%s\": \"%s\" is neither a well-formed http(s) URL nor an e-mail address",
                 path, s);
        }
        break;
    case T_SPDX:
        if (!mc__spdx_known(s) && strcasecmp(s, "other") != 0) {
            const char *near = mc__closest_key(s, spdx_ids);
            diag(m, v->line, "spdx", "\"%s\": \"%s\" is not a known SPDX licence id%s%s%s", path,
                 s, near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        }
        break;
    case T_SHA256:
        if (!is_hex64(s)) {
            diag(m, v->line, "type", "\"%s\" must be %s", path, type_name(t));
        }
        break;
    case T_REVIEW:
        if (strcmp(s, "all") != 0 && strcmp(s, "sample") != 0 && strcmp(s, "none") != 0) {
            diag(m, v->line, "type", "\"%s\" must be %s, not \"%s\"", path, type_name(t), s);
        }
        break;
    default:
        break;
    }
}

/* Known keys directly below `prefix` ("" for the top), for suggestions. */
static void siblings(const field *sc, const char *prefix, const char **out, size_t cap)
{
    size_t k = 0, pl = strlen(prefix);
    for (size_t i = 0; sc[i].path && k + 1 < cap; i++) {
        const char *p = sc[i].path;
        if (pl) {
            if (strncmp(p, prefix, pl) != 0 || p[pl] != '.') {
                continue;
            }
            p += pl + 1;
        }
        if (!strchr(p, '.')) {
            out[k++] = p;
        }
    }
    out[k] = NULL;
}

static void validate_map(mc_manifest *m, const field *sc, const char *prefix, const mc_mnode *map)
{
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const mc_mnode *k = map->kids[i], *v = map->kids[i + 1];
        if (k->kind != MC_MN_SCALAR) {
            diag(m, k->line, "type", "a key must be a plain string");
            continue;
        }
        for (size_t j = 0; j < i; j += 2) {
            if (map->kids[j]->kind == MC_MN_SCALAR && strcmp(map->kids[j]->str, k->str) == 0) {
                diag(m, k->line, "duplicate_key", "key \"%s\" given twice (first on line %d)",
                     k->str, map->kids[j]->line);
            }
        }
        char path[512];
        snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", k->str);
        int found;
        vtype t = lookup(sc, path, &found);
        if (!found) {
            const char *cands[128];
            siblings(sc, prefix, cands, sizeof(cands) / sizeof(cands[0]));
            const char *near = mc__closest_key(k->str, cands);
            char shown[600];
            snprintf(shown, sizeof(shown), "%s%s", prefix[0] ? prefix : "",
                     prefix[0] ? "." : "");
            diag(m, k->line, "unknown_key", "unknown key \"%s%s\"%s%s%s%s%s", shown, k->str,
                 near ? " (did you mean \"" : "", near ? shown : "", near ? near : "",
                 near ? "\"?)" : "", near ? "" : "; see docs/manifest.md");
            continue;
        }
        check_value(m, path, v, t);
        if (t == T_MAP && v->kind == MC_MN_MAP) {
            validate_map(m, sc, path, v);
        } else if (t == T_LIST && v->kind == MC_MN_SEQ) {
            char ep[520];
            snprintf(ep, sizeof(ep), "%s[]", path);
            for (size_t e = 0; e < v->n; e++) {
                const mc_mnode *it = v->kids[e];
                if (it->kind == MC_MN_MAP) {
                    validate_map(m, sc, ep, it);
                } else if (it->kind != MC_MN_SCALAR || strcmp(path, "sources") != 0) {
                    diag(m, it->line, "type", "entries of \"%s\" must be mappings", path);
                }
            }
        }
    }
}

static const mc_mnode *map_get(const mc_mnode *map, const char *key, size_t klen)
{
    if (!map || map->kind != MC_MN_MAP) {
        return NULL;
    }
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const mc_mnode *k = map->kids[i];
        if (k->kind == MC_MN_SCALAR && strlen(k->str) == klen && memcmp(k->str, key, klen) == 0) {
            return map->kids[i + 1];
        }
    }
    return NULL;
}

static const mc_mnode *path_get(const mc_mnode *root, const char *path)
{
    const mc_mnode *n = root;
    while (n && *path) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        n = map_get(n, path, l);
        path += l + (dot != NULL);
    }
    return n;
}

const mc_mnode *mc__manifest_get(const mc_manifest *m, const char *path)
{
    if (!m || !m->root) {
        return NULL;
    }
    if (m->hf_card) {
        for (size_t i = 0; i < sizeof(hf_map) / sizeof(hf_map[0]); i++) {
            if (strcmp(hf_map[i][0], path) == 0) {
                return map_get(m->root, hf_map[i][1], strlen(hf_map[i][1]));
            }
        }
        return NULL;
    }
    return path_get(m->root, path);
}

int mc__mnode_truthy(const mc_mnode *n)
{
    if (!n) {
        return 0;
    }
    if (n->kind != MC_MN_SCALAR) {
        return n->n > 0;
    }
    static const char *const no[] = {"", "false", "no", "none", "null", "~", "False", "No",
                                     "None", "NULL", "Null", "FALSE", "NO", "n/a", NULL};
    if (!n->plain) {
        return n->str[0] != '\0';
    }
    for (size_t i = 0; no[i]; i++) {
        if (strcmp(n->str, no[i]) == 0) {
            return 0;
        }
    }
    return 1;
}

/* sha256 of a file as 64 lower-case hex digits; 0 or -1. */
static int sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        ok = EVP_DigestUpdate(ctx, buf, n);
    }
    ok = ok && !ferror(f);
    unsigned char md[32];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok) {
        return -1;
    }
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    return 0;
}

static void check_checksums(mc_manifest *m)
{
    const mc_mnode *cs = mc__manifest_get(m, "checksums");
    if (!cs || cs->kind != MC_MN_SEQ) {
        return;
    }
    int good = 0;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", m->path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        slash[1] = '\0';
    } else {
        dir[0] = '\0';
    }
    for (size_t i = 0; i < cs->n; i++) {
        const mc_mnode *e = cs->kids[i];
        const mc_mnode *file = map_get(e, "file", 4), *sum = map_get(e, "sha256", 6);
        if (!file || file->kind != MC_MN_SCALAR || !sum || sum->kind != MC_MN_SCALAR) {
            diag(m, e->line, "checksum", "a checksum entry needs \"file\" and \"sha256\"");
            m->checksums_bad++;
            continue;
        }
        if (!is_hex64(sum->str)) {
            m->checksums_bad++;
            continue; /* reported as a type error */
        }
        char path[8300], hex[65];
        if (file->str[0] == '/') {
            snprintf(path, sizeof(path), "%s", file->str);
        } else {
            snprintf(path, sizeof(path), "%s%s", dir, file->str);
        }
        if (sha256_file(path, hex) < 0) {
            diag(m, file->line, "checksum", "checksum of \"%s\": cannot read %s: %s", file->str,
                 path, strerror(errno));
            m->checksums_bad++;
        } else if (strcasecmp(hex, sum->str) != 0) {
            diag(m, sum->line, "checksum",
                 "checksum mismatch for \"%s\": declared sha256 %s, the file has %s", file->str,
                 sum->str, hex);
            m->checksums_bad++;
        } else {
            good++;
        }
    }
    m->checksums_ok = good > 0 && m->checksums_bad == 0;
}

int mc__manifest_parse(mc_manifest *m, const char *path, const char *text, size_t len)
{
    memset(m, 0, sizeof(*m));
    m->path = strdup(path);
    if (!m->path) {
        return MC_ENOMEM;
    }
    builder b;
    memset(&b, 0, sizeof(b));
    b.m = m;
    if (len > MC_MANIFEST_MAX_BYTES) {
        diag(m, 0, "limit", "larger than %u bytes; manifest refused", MC_MANIFEST_MAX_BYTES);
        return 0;
    }
    /* A dataset card: YAML between a first line "---" and the next "---". */
    if (len >= 4 && memcmp(text, "---", 3) == 0 && (text[3] == '\n' || text[3] == '\r')) {
        const char *start = memchr(text, '\n', len);
        start = start ? start + 1 : text + len;
        const char *end = start;
        const char *stop = NULL;
        while (end < text + len) {
            const char *nl = memchr(end, '\n', (size_t)(text + len - end));
            size_t l = nl ? (size_t)(nl - end) : (size_t)(text + len - end);
            if (l >= 3 && memcmp(end, "---", 3) == 0 &&
                (l == 3 || (l == 4 && end[3] == '\r'))) {
                stop = end;
                break;
            }
            end = nl ? nl + 1 : text + len;
        }
        if (stop) {
            m->hf_card = 1;
            b.line_offset = 1;
            text = start;
            len = (size_t)(stop - start);
        }
    }
    mc_mnode *root = parse_yaml(&b, text, len);
    if (!root) {
        if (!b.failed) {
            diag(m, 1, "type", "empty manifest");
        }
        return 0;
    }
    if (root->kind != MC_MN_MAP) {
        diag(m, root->line, "type", "the manifest must be a mapping of keys to values");
        node_free(root);
        return 0;
    }
    m->root = root;
    validate_map(m, m->hf_card ? hf_schema : schema, "", root);
    if (!m->hf_card) {
        check_checksums(m);
    }
    return 0;
}

int mc__manifest_load(mc_manifest *m, const char *path)
{
    memset(m, 0, sizeof(*m));
    FILE *f = fopen(path, "rb");
    if (!f) {
        return errno == ENOENT ? MC_ENOENT : MC_EIO;
    }
    size_t cap = MC_MANIFEST_MAX_BYTES + 2;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return MC_ENOMEM;
    }
    size_t n = fread(buf, 1, cap, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return MC_EIO;
    }
    int rc = mc__manifest_parse(m, path, buf, n);
    free(buf);
    return rc;
}

void mc__manifest_free(mc_manifest *m)
{
    if (!m) {
        return;
    }
    node_free(m->root);
    for (size_t i = 0; i < m->ndiag; i++) {
        free(m->diag[i].kind);
        free(m->diag[i].msg);
    }
    free(m->diag);
    free(m->path);
    memset(m, 0, sizeof(*m));
}
