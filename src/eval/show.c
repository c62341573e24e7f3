/* SPDX-License-Identifier: MIT */
/* `medcheck show`: an item's evidence with the corpus documents read back
 * from the shards (seeking in plain files, streaming compressed ones with
 * the shard reader) and the words shared with the item marked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <medcheck/eval.h>
#include <medcheck/normalize.h>
#include <medcheck/reader.h>

#include "eval/scanres.h"
#include "eval/show_int.h"
#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/log.h"

void mc_show_opts_default(mc_show_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
}

/* The line of item i in items.jsonl, parsed. */
static json_t *item_line(const mc__sres *s, size_t i)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/items.jsonl", s->dir);
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = -1;
    for (size_t k = 0; f && k <= i; k++) {
        n = getline(&line, &cap, f);
        if (n < 0) {
            break;
        }
    }
    json_t *j = n > 0 ? json_loadb(line, (size_t)n, 0, NULL) : NULL;
    free(line);
    if (f) {
        fclose(f);
    }
    return j;
}

static char *dup_or_null(const char *s)
{
    return s ? mc__strdup(s) : NULL;
}

/* The item's text of a component, joined with newlines for options. */
static char *component_text(const mc_item *it, const char *comp)
{
    if (!it || it->malformed) {
        return NULL;
    }
    if (strcmp(comp, "question") == 0) {
        return dup_or_null(it->question);
    }
    if (strcmp(comp, "answer") == 0) {
        return dup_or_null(it->answer              ? it->answer
                           : it->answer_index >= 0 ? it->options[it->answer_index]
                                                   : NULL);
    }
    if (strcmp(comp, "passage") == 0) {
        return dup_or_null(it->passage);
    }
    mc_buf b;
    mc__buf_init(&b, (size_t)1 << 30);
    for (uint32_t o = 0; o < it->n_options; o++) {
        if (mc__buf_puts(&b, it->options[o]) < 0 || mc__buf_putc(&b, '\n') < 0) {
            mc__buf_finish(&b);
            return NULL;
        }
    }
    return b.data ? b.data : mc__strdup("");
}

/* The item itself, from its benchmark file (only that file is read). */
static int read_item(mc__show *sh, const mc__sres *s, size_t i, mc_bench **b)
{
    const mc__sres_file *f = &s->files[s->items[i].file];
    json_t *bj = json_object_get(s->summary, "benchmark");
    mc_bench_opts bo;
    mc_bench_opts_default(&bo);
    bo.format = f->format;
    char *mem = NULL;
    int rc = mc__merge_fields(json_string_value(json_object_get(bj, "fields")), &bo.fields, &mem);
    rc = rc ? rc : mc_bench_create(b);
    rc = rc ? rc : mc_bench_read(*b, f->path, &bo);
    if (rc == 0 && strcmp(mc_bench_file_at(*b, 0)->sha256, f->sha256) != 0) {
        rc = MC_EINVAL;
    }
    if (rc < 0) {
        mc__log(sh->lg, MC_LOG_WARN, "benchmark %s: %s; marking the evidence snippets instead",
                f->path, rc == MC_EINVAL ? "changed since the scan" : mc_bench_errmsg(*b));
        mc_bench_destroy(b);
    }
    mc__free(mem);
    return rc == MC_ENOMEM ? rc : 0;
}

static int fill_item(mc__show *sh, const mc__sres *s, size_t i, const json_t *j)
{
    char key[4200];
    mc__sres_key(s, i, key, sizeof(key));
    mc_show_item *it = &sh->item;
    sh->key = mc__strdup(key);
    sh->source = mc__strdup(s->files[s->items[i].file].source);
    sh->id = dup_or_null(s->items[i].id);
    sh->status = mc__strdup(mc_status_name((mc_status)s->items[i].status));
    if (!sh->key || !sh->source || !sh->status || (s->items[i].id && !sh->id)) {
        return MC_ENOMEM;
    }
    it->key = sh->key;
    it->source = sh->source;
    it->index = s->items[i].index;
    it->id = sh->id;
    it->status = sh->status;
    it->contaminated = s->items[i].contaminated;
    it->score = s->items[i].score;
    it->coverage = json_number_value(json_object_get(j, "coverage"));
    it->longest_match = (uint32_t)json_integer_value(json_object_get(j, "longest_match"));
    it->n_evidence = (uint32_t)json_array_size(json_object_get(j, "evidence"));
    return 0;
}

/* One evidence entry from JSON, with the component's text to mark. */
static int fill_entry(mc__show_entry *e, const json_t *ev, const mc_item *it)
{
    mc_show_evidence *x = &e->pub;
    const json_t *off = json_object_get(ev, "offset");
    const char *comp = json_string_value(json_object_get(ev, "component"));
    e->shard = dup_or_null(json_string_value(json_object_get(ev, "shard")));
    e->doc_id = dup_or_null(json_string_value(json_object_get(ev, "doc_id")));
    e->component = dup_or_null(comp ? comp : "question");
    e->snippet = dup_or_null(json_string_value(json_object_get(ev, "snippet")));
    if (!e->shard || !e->component) {
        return e->component ? MC_EINVAL : MC_ENOMEM;
    }
    e->item_text = component_text(it, e->component);
    x->shard = e->shard;
    x->record = (uint64_t)json_integer_value(json_object_get(ev, "record"));
    x->offset = json_is_integer(off) ? json_integer_value(off) : -1;
    x->doc_id = e->doc_id;
    x->component = e->component;
    x->match_tokens = (uint32_t)json_integer_value(json_object_get(ev, "match_tokens"));
    x->snippet = e->snippet;
    return 0;
}

static int load_params(mc__show *sh, const mc__sres *s)
{
    json_t *p = json_object_get(s->summary, "params");
    const char *norm = json_string_value(json_object_get(p, "normalization"));
    json_int_t n = json_integer_value(json_object_get(p, "ngram"));
    json_int_t maxrec = json_integer_value(json_object_get(p, "max_record_bytes"));
    sh->kind = norm && strcmp(norm, "gpt3") == 0 ? MC_NORM_GPT3 : MC_NORM_MEDCHECK;
    sh->ngram = n >= 1 && n <= 64 ? (uint32_t)n : 8;
    sh->text_field = dup_or_null(json_string_value(json_object_get(p, "text_field")));
    sh->id_field = dup_or_null(json_string_value(json_object_get(p, "id_field")));
    sh->max_record = maxrec > 0 ? (size_t)maxrec : (size_t)64 << 20;
    return 0;
}

int mc_show_open(mc_show **out, const mc_show_opts *opts, const char *key)
{
    mc_show_opts o;
    mc_show_opts_default(&o);
    if (opts) {
        memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    if (!out || !key || !o.scan_dir) {
        return MC_EINVAL;
    }
    mc__show *sh = mc__calloc(1, sizeof(*sh));
    if (!sh) {
        return MC_ENOMEM;
    }
    sh->lg = &sh->logger;
    sh->logger = o.logger;
    sh->interrupt = o.interrupt;
    mc__sres s;
    mc_bench *b = NULL;
    json_t *j = NULL;
    int rc = mc__sres_open(&s, o.scan_dir, o.root, &o.logger);
    long i = rc == 0 ? mc__sres_find_key(&s, key) : -1;
    if (rc == 0 && i < 0) {
        mc__log(&o.logger, MC_LOG_ERROR, "%s: no item %s in the scan", o.scan_dir, key);
        rc = MC_ENOENT;
    }
    j = rc == 0 ? item_line(&s, (size_t)i) : NULL;
    rc = rc ? rc : j ? 0 : MC_EIO;
    rc = rc ? rc : fill_item(sh, &s, (size_t)i, j);
    rc = rc ? rc : load_params(sh, &s);
    rc = rc ? rc : read_item(sh, &s, (size_t)i, &b);
    json_t *evs = json_object_get(j, "evidence");
    size_t n = json_array_size(evs);
    n = o.max_evidence && o.max_evidence < n ? o.max_evidence : n;
    sh->entries = rc == 0 ? mc__calloc(n + 1, sizeof(*sh->entries)) : NULL;
    rc = rc ? rc : sh->entries ? 0 : MC_ENOMEM;
    const mc_item *it = b ? mc_bench_item(b, s.items[i].index) : NULL;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        rc = fill_entry(&sh->entries[k], json_array_get(evs, k), it);
        sh->n = k + 1;
    }
    for (size_t k = 0; rc == 0 && k < sh->n; k++) {
        char *p = mc__sres_resolve(&s, sh->entries[k].shard);
        sh->entries[k].path = p;
        rc = p ? 0 : MC_ENOMEM;
    }
    rc = rc ? rc : mc__show_read_all(sh);
    json_decref(j);
    mc_bench_destroy(&b);
    mc__sres_finish(&s);
    if (rc < 0) {
        mc_show_close(&sh);
        return rc;
    }
    *out = sh;
    return 0;
}

const mc_show_item *mc_show_get_item(const mc_show *s)
{
    return s ? &s->item : NULL;
}

size_t mc_show_count(const mc_show *s)
{
    return s ? s->n : 0;
}

const mc_show_evidence *mc_show_evidence_at(const mc_show *s, size_t i)
{
    return s && i < s->n ? &s->entries[i].pub : NULL;
}

void mc_show_close(mc_show **s)
{
    if (!s || !*s) {
        return;
    }
    mc__show *sh = *s;
    for (size_t k = 0; sh->entries && k < sh->n; k++) {
        mc__show_entry *e = &sh->entries[k];
        mc__free(e->shard);
        mc__free(e->path);
        mc__free(e->doc_id);
        mc__free(e->component);
        mc__free(e->snippet);
        mc__free(e->item_text);
        mc__free(e->text);
        mc__free(e->error);
        mc__free(e->marks);
    }
    mc__free(sh->entries);
    mc__free(sh->key);
    mc__free(sh->source);
    mc__free(sh->id);
    mc__free(sh->status);
    mc__free(sh->text_field);
    mc__free(sh->id_field);
    mc__free(sh);
    *s = NULL;
}
