/* SPDX-License-Identifier: MIT */
/* Readers of benchmarks stored as one JSON document: PubMedQA ori_pqal,
 * HEAD-QA and BioASQ. Items get the line of their first key. */
#include <string.h>

#include "bench/bench_int.h"

static const char *str_of(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- PubMedQA: {PMID: {QUESTION, CONTEXTS[], LONG_ANSWER, final_decision}} */

static int probe_pubmedqa(const mc__bench_probe *p)
{
    if (!json_is_object(p->doc)) {
        return 0;
    }
    void *it = json_object_iter((json_t *)p->doc);
    json_t *first = it ? json_object_iter_value(it) : NULL;
    return json_object_get(first, "QUESTION") && json_object_get(first, "CONTEXTS") ? 100 : 0;
}

static int read_pubmedqa(mc__bench_ctx *ctx)
{
    static const char *const yes_no_maybe[] = {"yes", "no", "maybe"};
    json_t *doc = mc__bench_doc(ctx);
    if (!json_is_object(doc)) {
        return doc ? mc__bench_fail(ctx, MC_EFORMAT, "%s: PubMedQA: not a JSON object", ctx->path)
                   : MC_EFORMAT;
    }
    const char *pmid;
    json_t *v;
    json_object_foreach(doc, pmid, v) {
        mc__bench_raw raw;
        memset(&raw, 0, sizeof(raw));
        raw.line = mc__bench_locate_key(ctx, pmid);
        raw.id = pmid;
        if (!json_is_object(v)) {
            raw.error = "PubMedQA entry is not an object";
        }
        raw.question = str_of(v, "QUESTION");
        raw.passage = mc__bench_json_join(ctx, json_object_get(v, "CONTEXTS"), NULL);
        raw.n_options = 3;
        memcpy(raw.options, yes_no_maybe, sizeof(yes_no_maybe));
        raw.answer_str = str_of(v, "final_decision");
        raw.answer_text = str_of(v, "LONG_ANSWER");
        int rc = mc__bench_emit(ctx, &raw);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

const mc__bench_reader mc__bench_reader_pubmedqa = {
    MC_FMT_PUBMEDQA, "pubmedqa", probe_pubmedqa, read_pubmedqa,
};

/* ---- HEAD-QA: {exams: {NAME: {category, data: [{qid, qtext, ra, answers}]}}} */

static int probe_headqa(const mc__bench_probe *p)
{
    return json_is_object(p->doc) && json_is_object(json_object_get(p->doc, "exams")) ? 100 : 0;
}

/* One HEAD-QA question; id "<exam>/<qid>" because qids repeat across exams. */
static int emit_headqa(mc__bench_ctx *ctx, const char *exam, const char *category,
                       const json_t *q)
{
    mc__bench_raw raw;
    memset(&raw, 0, sizeof(raw));
    if (!json_is_object(q)) {
        return mc__bench_emit_bad(ctx, 0, "HEAD-QA question of %s is not an object", exam);
    }
    raw.line = mc__bench_locate_key(ctx, "qid");
    raw.subject = category;
    const char *qid = mc__bench_json_text(ctx, json_object_get(q, "qid"));
    if (qid) {
        size_t ne = strlen(exam);
        size_t nq = strlen(qid);
        char *id = mc__bench_arena_alloc(&ctx->b->arena, ne + nq + 2);
        if (!id) {
            return MC_ENOMEM;
        }
        memcpy(id, exam, ne);
        id[ne] = '/';
        memcpy(id + ne + 1, qid, nq + 1);
        raw.id = id;
    }
    raw.question = str_of(q, "qtext");
    raw.answer_str = mc__bench_json_text(ctx, json_object_get(q, "ra"));
    const json_t *answers = json_object_get(q, "answers");
    size_t i;
    const json_t *a;
    if (!json_is_array(answers)) {
        raw.error = "HEAD-QA question without an answers array";
    } else if (json_array_size(answers) > MC__BENCH_MAX_OPTIONS) {
        raw.error = "too many options";
    } else {
        json_array_foreach(answers, i, a) {
            raw.options[i] = str_of(a, "atext");
            raw.labels[i] = mc__bench_json_text(ctx, json_object_get(a, "aid"));
            if (!raw.options[i] || !raw.labels[i]) {
                raw.error = "HEAD-QA answer without aid or atext";
            }
        }
        raw.n_options = (uint32_t)json_array_size(answers);
    }
    return mc__bench_emit(ctx, &raw);
}

static int read_headqa(mc__bench_ctx *ctx)
{
    json_t *doc = mc__bench_doc(ctx);
    json_t *exams = json_object_get(doc, "exams");
    if (!json_is_object(exams)) {
        return doc ? mc__bench_fail(ctx, MC_EFORMAT, "%s: HEAD-QA: no \"exams\" object",
                                    ctx->path)
                   : MC_EFORMAT;
    }
    const char *name;
    json_t *exam;
    json_object_foreach(exams, name, exam) {
        const char *category = str_of(exam, "category");
        json_t *data = json_object_get(exam, "data");
        size_t i;
        json_t *q;
        int rc = 0;
        if (!json_is_array(data)) {
            rc = mc__bench_emit_bad(ctx, 0, "HEAD-QA exam %s has no data array", name);
        }
        json_array_foreach(data, i, q) {
            rc = emit_headqa(ctx, name, category, q);
            if (rc < 0) {
                break;
            }
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

const mc__bench_reader mc__bench_reader_headqa = {
    MC_FMT_HEADQA, "headqa", probe_headqa, read_headqa,
};

/* ---- BioASQ: {questions: [{id, body, snippets[{text}], ideal_answer}]} */

static int probe_bioasq(const mc__bench_probe *p)
{
    const json_t *qs = json_object_get(p->doc, "questions");
    if (!json_is_array(qs)) {
        return 0;
    }
    const json_t *first = json_array_get(qs, 0);
    return !first ? 50 : json_object_get(first, "body") ? 100 : 0;
}

static int read_bioasq(mc__bench_ctx *ctx)
{
    json_t *doc = mc__bench_doc(ctx);
    json_t *qs = json_object_get(doc, "questions");
    if (!json_is_array(qs)) {
        return doc ? mc__bench_fail(ctx, MC_EFORMAT, "%s: BioASQ: no \"questions\" array",
                                    ctx->path)
                   : MC_EFORMAT;
    }
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q) {
        mc__bench_raw raw;
        memset(&raw, 0, sizeof(raw));
        if (!json_is_object(q)) {
            raw.error = "BioASQ question is not an object";
        }
        if (json_object_get(q, "body")) {
            raw.line = mc__bench_locate_key(ctx, "body");
        }
        raw.id = mc__bench_json_text(ctx, json_object_get(q, "id"));
        raw.question = str_of(q, "body");
        raw.passage = mc__bench_json_join(ctx, json_object_get(q, "snippets"), "text");
        const json_t *ideal = json_object_get(q, "ideal_answer");
        raw.answer_str = json_is_array(ideal) ? json_string_value(json_array_get(ideal, 0))
                                              : json_string_value(ideal);
        int rc = mc__bench_emit(ctx, &raw);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

const mc__bench_reader mc__bench_reader_bioasq = {
    MC_FMT_BIOASQ, "bioasq", probe_bioasq, read_bioasq,
};
