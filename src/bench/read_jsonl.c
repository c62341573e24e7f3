/* SPDX-License-Identifier: MIT */
/* JSONL readers: MedQA (jind11), MedMCQA and generic JSONL (MedAgentsBench
 * and --fields). One loop, one object per line, driven by a key spec. */
#include <string.h>

#include "bench/jsonl.h"

/* Tests compare the fast path with jansson through this switch. */
static int force_jansson;

void mc__bench_force_jansson(int on)
{
    force_jansson = on;
}

static const char *const k_none[] = {NULL};
static const char *const k_question[] = {"question", NULL};
static const char *const k_options[] = {"options", NULL};
static const char *const k_answer_idx[] = {"answer_idx", NULL};
static const char *const k_split[] = {"split", NULL};

static const mc__bench_jsonl_spec spec_medqa = {
    k_question, k_options, k_answer_idx, k_none, k_none, k_split, k_none, 0,
};

static const char *const k_mcqa_options[] = {"opa|opb|opc|opd", NULL};
static const char *const k_cop[] = {"cop", NULL};
static const char *const k_id[] = {"id", NULL};
static const char *const k_subject_name[] = {"subject_name", NULL};

static const mc__bench_jsonl_spec spec_medmcqa = {
    k_question, k_mcqa_options, k_cop, k_none, k_id, k_split, k_subject_name, 0,
};

/* The generic reader tries the default field names (guess.c). */
static const mc__bench_jsonl_spec spec_generic = {
    mc__bench_guess_question, mc__bench_guess_options, mc__bench_guess_answer,
    mc__bench_guess_passage,  mc__bench_guess_id,      k_split,
    mc__bench_guess_subject,  1,
};

/* Value at a key, or at a dotted path ("a.b.c") when no key matches. */
static json_t *get_path(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (v || !strchr(key, '.')) {
        return v;
    }
    for (const char *p = key; obj; p++) {
        size_t n = strcspn(p, ".");
        obj = json_object_getn(obj, p, n);
        p += n;
        if (!*p) {
            return obj;
        }
    }
    return NULL;
}

static json_t *find(json_t *obj, const char *const *keys, const char **which)
{
    for (; *keys; keys++) {
        json_t *v = get_path(obj, *keys);
        if (v && !json_is_null(v)) {
            if (which) {
                *which = *keys;
            }
            return v;
        }
    }
    return NULL;
}

static void add_option(mc__bench_ctx *ctx, mc__bench_raw *raw, const char *label, json_t *v)
{
    if (raw->n_options == MC__BENCH_MAX_OPTIONS) {
        raw->error = "too many options";
        return;
    }
    const char *text = mc__bench_json_text(ctx, v);
    if (!text) {
        raw->error = "an option is not a string";
    }
    raw->labels[raw->n_options] = label;
    raw->options[raw->n_options++] = text ? text : "";
}

/* Options from an object {label: text}, an array, or a "k1|k2" key list. */
static void get_options(mc__bench_ctx *ctx, json_t *obj, const mc__bench_jsonl_spec *sp,
                        mc__bench_raw *raw)
{
    for (const char *const *k = sp->options; *k && !raw->n_options; k++) {
        if (!strchr(*k, '|')) {
            json_t *v = get_path(obj, *k);
            const char *label;
            json_t *el;
            size_t i;
            if (json_is_object(v)) {
                json_object_foreach(v, label, el) {
                    add_option(ctx, raw, label, el);
                }
            } else if (json_is_array(v)) {
                json_array_foreach(v, i, el) {
                    add_option(ctx, raw, NULL, el);
                }
            }
            continue;
        }
        char part[128];
        for (const char *p = *k; *p;) {
            size_t n = strcspn(p, "|");
            if (n < sizeof(part)) {
                memcpy(part, p, n);
                part[n] = '\0';
                json_t *v = get_path(obj, part);
                if (v && !json_is_null(v)) {
                    add_option(ctx, raw, NULL, v);
                }
            }
            p += n + (p[n] == '|');
        }
    }
}

/* MedAgentsBench's PubMedQA puts CONTEXTS joined by "\n", a "\n" and the
 * QUESTION into `question`: the last line is the question again. Its
 * answer_rationale is PubMedQA's LONG_ANSWER, the contract's answer. */
void mc__bench_jsonl_split_pubmedqa(mc__bench_ctx *ctx, mc__bench_raw *raw,
                                    const char *rationale, const char *long_answer)
{
    static const char *const ynm[] = {"yes", "no", "maybe"};
    if (raw->passage || raw->n_options != 3 || !raw->question) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (strcmp(raw->options[i], ynm[i]) != 0) {
            return;
        }
    }
    size_t n = strlen(raw->question);
    while (n && (raw->question[n - 1] == '\n' || raw->question[n - 1] == '\r')) {
        n--;
    }
    size_t cut = n;
    while (cut && raw->question[cut - 1] != '\n') {
        cut--;
    }
    if (!cut) {
        return;
    }
    mc__buf_reset(&ctx->tmp);
    if (mc__buf_append(&ctx->tmp, raw->question, cut - 1) < 0) {
        return;
    }
    raw->passage = ctx->tmp.data;
    raw->question += cut;
    raw->answer_text = rationale ? rationale : long_answer;
}

static void get_item(mc__bench_ctx *ctx, json_t *obj, const mc__bench_jsonl_spec *sp,
                     mc__bench_raw *raw)
{
    json_t *v = find(obj, sp->question, NULL);
    raw->question = json_string_value(v);
    if (v && !raw->question) {
        raw->error = "question is not a string";
    }
    get_options(ctx, obj, sp, raw);
    const char *key = NULL;
    v = find(obj, sp->answer, &key);
    if (json_is_integer(v)) {
        raw->answer_num = json_integer_value(v);
        raw->has_answer_num = 1;
    } else {
        raw->answer_str = mc__bench_json_text(ctx, v);
    }
    /* MedMCQA's cop counts from 1; every other numeric answer from 0. */
    raw->answer_base = key && strcmp(key, "cop") == 0;
    raw->passage = mc__bench_json_join(ctx, find(obj, sp->passage, NULL), NULL);
    raw->id = mc__bench_json_text(ctx, find(obj, sp->id, NULL));
    raw->split = json_string_value(find(obj, sp->split, NULL));
    raw->subject = json_string_value(find(obj, sp->subject, NULL));
    if (sp->pubmedqa_split) {
        mc__bench_jsonl_split_pubmedqa(
            ctx, raw, json_string_value(json_object_get(obj, "answer_rationale")),
            json_string_value(json_object_get(obj, "LONG_ANSWER")));
    }
}

static int read_line(mc__bench_ctx *ctx, const char *p, size_t n, uint32_t line,
                     const mc__bench_jsonl_spec *sp)
{
    json_error_t e;
    json_t *obj = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!obj) {
        return mc__bench_emit_bad(ctx, line, "invalid JSON: %s (column %d)", e.text, e.column);
    }
    int rc;
    if (!json_is_object(obj)) {
        rc = mc__bench_emit_bad(ctx, line, "not a JSON object");
    } else {
        mc__bench_raw raw;
        memset(&raw, 0, sizeof(raw));
        raw.line = line;
        get_item(ctx, obj, sp, &raw);
        rc = mc__bench_emit(ctx, &raw);
    }
    json_decref(obj);
    return rc;
}

/* Each line on the fast path when it can, else with jansson. */
static int read_lines_with(mc__bench_ctx *ctx, const mc__bench_jsonl_spec *sp,
                           mc__bench_jsonl_fast *fast)
{
    const char *p = ctx->data;
    const char *end = ctx->data + ctx->len;
    uint32_t line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r')) {
            q++;
        }
        if (q < e) {
            int rc = fast ? mc__bench_jsonl_fast_read(ctx, fast, p, (size_t)(e - p), line, sp) : 0;
            if (rc == 0) {
                rc = read_line(ctx, p, (size_t)(e - p), line, sp);
            }
            if (rc < 0) {
                return rc;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static int read_lines(mc__bench_ctx *ctx, const mc__bench_jsonl_spec *sp)
{
    const char *p = ctx->data;
    const char *end = ctx->data + ctx->len;
    p += strspn(p, " \t\r\n");
    if (p < end && *p != '{' && !strstr(p, "\n{")) {
        return mc__bench_fail(ctx, MC_EFORMAT, "%s: not JSONL (no line starts with '{')",
                              ctx->path);
    }
    mc__bench_jsonl_fast *fast = NULL;
    if (!force_jansson && mc__bench_jsonl_fast_usable(sp)) {
        fast = mc__bench_jsonl_fast_create();
        if (!fast) {
            return MC_ENOMEM;
        }
    }
    int rc = read_lines_with(ctx, sp, fast);
    mc__bench_jsonl_fast_destroy(&fast);
    return rc;
}

static int read_medqa(mc__bench_ctx *ctx)
{
    return read_lines(ctx, &spec_medqa);
}

static int read_medmcqa(mc__bench_ctx *ctx)
{
    return read_lines(ctx, &spec_medmcqa);
}

/* The generic reader: --fields keys replace the default guesses. */
static int read_jsonl(mc__bench_ctx *ctx)
{
    const mc_bench_fields *f = &ctx->opts->fields;
    const char *q[] = {f->question, NULL};
    const char *o[] = {f->options, NULL};
    const char *a[] = {f->answer, NULL};
    const char *p[] = {f->passage, NULL};
    const char *i[] = {f->id, NULL};
    const char *s[] = {f->split, NULL};
    mc__bench_jsonl_spec sp = spec_generic;
    sp.question = f->question ? q : sp.question;
    sp.options = f->options ? o : sp.options;
    sp.answer = f->answer ? a : sp.answer;
    sp.passage = f->passage ? p : sp.passage;
    sp.id = f->id ? i : sp.id;
    sp.split = f->split ? s : sp.split;
    sp.pubmedqa_split = !f->passage && !f->question;
    return read_lines(ctx, &sp);
}

static int probe_medqa(const mc__bench_probe *p)
{
    const json_t *o = p->first;
    return json_is_object(json_object_get(o, "options")) && json_object_get(o, "answer_idx") &&
                   json_object_get(o, "meta_info") && !json_object_get(o, "realidx")
               ? 90
               : 0;
}

static int probe_medmcqa(const mc__bench_probe *p)
{
    return json_object_get(p->first, "opa") && json_object_get(p->first, "cop") ? 90 : 0;
}

static int probe_jsonl(const mc__bench_probe *p)
{
    return p->first ? 10 : 0;
}

const mc__bench_reader mc__bench_reader_medqa = {
    MC_FMT_MEDQA, "medqa", probe_medqa, read_medqa,
};
const mc__bench_reader mc__bench_reader_medmcqa = {
    MC_FMT_MEDMCQA, "medmcqa", probe_medmcqa, read_medmcqa,
};
const mc__bench_reader mc__bench_reader_jsonl = {
    MC_FMT_JSONL, "jsonl", probe_jsonl, read_jsonl,
};
