/* SPDX-License-Identifier: MIT */
/* The YAML config of `medcheck nightly`: libyaml's document API, checked
 * key by key so that every error names the file and line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "nightly/config.h"

/* Scan options accepted under scan: (their long names; see `scan --help`).
 * Options that would break the nightly bookkeeping are left out: bench,
 * index, preset and out are top-level keys, and task, shards-from,
 * sketch and fail-on make no sense for an incremental run. */
static const struct {
    const char *name;
    int kind; /* 1 value, 0 flag, 2 value or list */
} scan_keys[] = {
    {"answer-window", 1}, {"ca-file", 1},        {"canary", 2},
    {"corpus", 1},        {"fields", 1},         {"format", 1},
    {"frequent-docs", 1}, {"http-header-file", 1}, {"id-field", 1},
    {"jobs", 1},          {"max-evidence", 1},   {"max-record-bytes", 1},
    {"near", 1},          {"near-threshold", 1}, {"ngram", 1},
    {"quiet", 0},         {"redact-snippets", 0}, {"template-items", 1},
    {"text-field", 1},    {"threshold", 1},
};

int mc__nightly_scan_key_kind(const char *key)
{
    for (size_t i = 0; i < sizeof(scan_keys) / sizeof(scan_keys[0]); i++) {
        if (strcmp(scan_keys[i].name, key) == 0) {
            return scan_keys[i].kind;
        }
    }
    return -1;
}

typedef struct ctx {
    yaml_document_t *doc;
    const char *path;
    char *dir;  /* directory of the config, "" for the current one */
    char *err;
    size_t errlen;
} ctx;

static int fail(ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    int len = snprintf(c->err, c->errlen, "%s:%lu: ", c->path,
                       n ? (unsigned long)n->start_mark.line + 1 : 1UL);
    if (len >= 0 && (size_t)len < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + len, c->errlen - (size_t)len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

/* A path relative to the config's directory; URLs, absolute paths and "-"
 * are kept. A leading '@' (a list file) is kept in front. */
static char *resolve(ctx *c, const char *s)
{
    const char *at = s[0] == '@' ? "@" : "";
    const char *p = s + strlen(at);
    if (p[0] == '/' || strstr(p, "://") || strcmp(p, "-") == 0 || !c->dir[0]) {
        return dup_str(s);
    }
    size_t n = strlen(c->dir) + strlen(p) + 3;
    char *r = malloc(n);
    if (r) {
        snprintf(r, n, "%s%s/%s", at, c->dir, p);
    }
    return r;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int push(mc_nightly_strs *l, char *s, int line)
{
    if (!s) {
        return -1;
    }
    mc_nightly_str *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v) {
        free(s);
        return -1;
    }
    l->v = v;
    l->v[l->n].s = s;
    l->v[l->n].line = line;
    l->n++;
    return 0;
}

/* A scalar or a sequence of scalars into l (paths resolved when asked). */
static int get_list(ctx *c, yaml_node_t *n, const char *key, mc_nightly_strs *l, int paths)
{
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = scalar(n);
        if (!*s) {
            return fail(c, n, "'%s' is empty", key);
        }
        return push(l, paths ? resolve(c, s) : dup_str(s), (int)n->start_mark.line + 1) < 0
                   ? fail(c, n, "out of memory")
                   : 0;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        return fail(c, n, "'%s' must be a string or a list of strings", key);
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        const char *s = scalar(e);
        if (!s || !*s) {
            return fail(c, e, "'%s' must list non-empty strings", key);
        }
        if (push(l, paths ? resolve(c, s) : dup_str(s), (int)e->start_mark.line + 1) < 0) {
            return fail(c, e, "out of memory");
        }
    }
    return 0;
}

static int get_one(ctx *c, yaml_node_t *n, const char *key, char **out, int path)
{
    const char *s = scalar(n);
    if (!s || !*s) {
        return fail(c, n, "'%s' must be a non-empty string", key);
    }
    if (*out) {
        return fail(c, n, "'%s' given twice", key);
    }
    *out = path ? resolve(c, s) : dup_str(s);
    return *out ? 0 : fail(c, n, "out of memory");
}

static int is_true(const char *s)
{
    return !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on");
}

static int get_scan(ctx *c, yaml_node_t *map, mc_nightly_config *cfg)
{
    if (map->type != YAML_MAPPING_NODE) {
        return fail(c, map, "'scan' must be a mapping of scan options");
    }
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        int kind = key ? mc__nightly_scan_key_kind(key) : -1;
        if (kind < 0) {
            return fail(c, k, "unknown scan option '%s'", key ? key : "?");
        }
        int line = (int)k->start_mark.line + 1;
        if (kind == 0) {
            const char *s = scalar(v);
            if (!s || (!is_true(s) && strcmp(s, "false") && strcmp(s, "no") &&
                       strcmp(s, "off"))) {
                return fail(c, v, "'%s' must be true or false", key);
            }
            if (!is_true(s)) {
                continue;
            }
        }
        mc_nightly_strs vals = {0};
        if (kind == 2 ? get_list(c, v, key, &vals, 0) < 0 : 0) {
            return -1;
        }
        if (kind == 1) {
            char *one = NULL;
            if (get_one(c, v, key, &one, 0) < 0) {
                return -1;
            }
            push(&vals, one, line);
        } else if (kind == 0) {
            push(&vals, dup_str(""), line);
        }
        for (size_t i = 0; i < vals.n; i++) {
            if (push(&cfg->scan_keys, dup_str(key), line) < 0 ||
                push(&cfg->scan_vals, vals.v[i].s, line) < 0) {
                vals.v[i].s = NULL;
                while (++i < vals.n) {
                    free(vals.v[i].s);
                }
                free(vals.v);
                return fail(c, v, "out of memory");
            }
        }
        free(vals.v);
    }
    return 0;
}

static int get_top(ctx *c, yaml_node_t *root, mc_nightly_config *cfg)
{
    if (!root || root->type != YAML_MAPPING_NODE) {
        return fail(c, root, "the config must be a mapping (benchmark:, shards:, ...)");
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        int rc;
        if (!key) {
            rc = fail(c, k, "keys must be strings");
        } else if (!strcmp(key, "benchmark")) {
            rc = get_list(c, v, key, &cfg->benchmark, 1);
        } else if (!strcmp(key, "index")) {
            rc = get_one(c, v, key, &cfg->index, 1);
        } else if (!strcmp(key, "shards")) {
            rc = get_list(c, v, key, &cfg->shards, 1);
        } else if (!strcmp(key, "preset")) {
            rc = get_one(c, v, key, &cfg->preset, 0);
        } else if (!strcmp(key, "state")) {
            rc = get_one(c, v, key, &cfg->state, 1);
        } else if (!strcmp(key, "out")) {
            rc = get_one(c, v, key, &cfg->out, 1);
        } else if (!strcmp(key, "scan")) {
            rc = get_scan(c, v, cfg);
        } else {
            rc = fail(c, k, "unknown key '%s' (expected benchmark, index, shards, preset, "
                            "state, out or scan)", key);
        }
        if (rc < 0) {
            return -1;
        }
    }
    if (!cfg->benchmark.n && !cfg->index) {
        return fail(c, root, "no 'benchmark' (files) or 'index' (a .mcx file)");
    }
    if (cfg->benchmark.n && cfg->index) {
        return fail(c, root, "'benchmark' and 'index' are exclusive");
    }
    if (!cfg->shards.n) {
        return fail(c, root, "no 'shards'");
    }
    if (!cfg->state) {
        return fail(c, root, "no 'state' (the SQLite file)");
    }
    if (!cfg->out) {
        return fail(c, root, "no 'out' (the output folder)");
    }
    return 0;
}

static int parse(ctx *c, FILE *f, mc_nightly_config *cfg)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(c->err, c->errlen, "%s: out of memory", c->path);
        return -1;
    }
    yaml_parser_set_input_file(&parser, f);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(c->err, c->errlen, "%s:%lu: bad YAML: %s", c->path,
                 (unsigned long)parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        return -1;
    }
    c->doc = &doc;
    rc = get_top(c, yaml_document_get_root_node(&doc), cfg);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

int mc__nightly_config_load(mc_nightly_config *cfg, const char *path, char *err,
                            size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    ctx c = {.path = path, .err = err, .errlen = errlen};
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the config", path);
        return -1;
    }
    c.dir = dup_str(path);
    cfg->path = dup_str(path);
    if (!c.dir || !cfg->path) {
        fclose(f);
        free(c.dir);
        snprintf(err, errlen, "%s: out of memory", path);
        mc__nightly_config_finish(cfg);
        return -1;
    }
    char *slash = strrchr(c.dir, '/');
    if (slash) {
        slash[slash == c.dir ? 1 : 0] = '\0';
    } else {
        c.dir[0] = '\0';
    }
    int rc = parse(&c, f, cfg);
    fclose(f);
    free(c.dir);
    if (rc < 0) {
        mc__nightly_config_finish(cfg);
        memset(cfg, 0, sizeof(*cfg));
    }
    return rc;
}

static void free_strs(mc_nightly_strs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].s);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void mc__nightly_config_finish(mc_nightly_config *cfg)
{
    if (!cfg) {
        return;
    }
    free(cfg->path);
    free_strs(&cfg->benchmark);
    free(cfg->index);
    free_strs(&cfg->shards);
    free(cfg->preset);
    free(cfg->state);
    free(cfg->out);
    free_strs(&cfg->scan_keys);
    free_strs(&cfg->scan_vals);
    memset(cfg, 0, sizeof(*cfg));
}
