/* SPDX-License-Identifier: MIT */
/* The audit's checks over a benchmark's items: normalised texts and their
 * duplicate groups, malformed items, PHI-like strings, medical codes and
 * the answer-letter balance of each file. */
#include <stdlib.h>
#include <string.h>

#include <medcheck/normalize.h>

#include "audit/audit_int.h"
#include "util/alloc.h"
#include "util/buf.h"

static const char *const bad_names[MC__BAD_NREASONS] = {
    "reader", "no_options", "one_option", "empty_option", "duplicate_options", "no_answer",
};

const char *mc__bad_reason_name(int bit_index)
{
    return bit_index >= 0 && bit_index < MC__BAD_NREASONS ? bad_names[bit_index] : "unknown";
}

void mc_audit_opts_default(mc_audit_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
    opts->near_threshold = 0.8;
    opts->max_examples = 10;
}

/* Normalised text of n bytes, or NULL for none; MC_ENOMEM on failure. */
static int norm(mc_norm_kind kind, const char *s, size_t n, char **out)
{
    *out = NULL;
    if (n == 0) {
        return 0;
    }
    int rc = mc_normalize(kind, s, n, out);
    if (rc == 0 && !(*out)[0]) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* The three texts of item i: question + options, question, and question
 * under the gpt3 rule. Options are joined by newlines, which the
 * normaliser reads as word breaks. */
static int item_texts(mc__audit *a, uint32_t i, mc_buf *tmp)
{
    const mc_item *it = mc_bench_item(a->b, i);
    mc__buf_reset(tmp);
    int rc = mc__buf_puts(tmp, it->question);
    for (uint32_t k = 0; rc == 0 && k < it->n_options; k++) {
        rc = mc__buf_putc(tmp, '\n');
        rc = rc ? rc : mc__buf_puts(tmp, it->options[k]);
    }
    if (rc == 0) {
        rc = norm(MC_NORM_MEDCHECK, tmp->data, tmp->len, &a->qo[i]);
    }
    if (rc == 0) {
        rc = norm(MC_NORM_MEDCHECK, it->question, strlen(it->question), &a->stem[i]);
    }
    if (rc == 0) {
        rc = norm(MC_NORM_GPT3, it->question, strlen(it->question), &a->stem_gpt3[i]);
    }
    return rc < 0 ? MC_ENOMEM : 0;
}

/* ---- malformed items */

static int options_problems(const mc_item *it)
{
    int bad = 0;
    char **n = mc__calloc(it->n_options ? it->n_options : 1, sizeof(*n));
    if (!n) {
        return -1;
    }
    for (uint32_t k = 0; k < it->n_options; k++) {
        if (norm(MC_NORM_MEDCHECK, it->options[k], strlen(it->options[k]), &n[k]) < 0) {
            bad = -1;
            break;
        }
        bad |= n[k] ? 0 : MC__BAD_EMPTY_OPTION;
        for (uint32_t j = 0; n[k] && j < k; j++) {
            bad |= n[j] && strcmp(n[j], n[k]) == 0 ? MC__BAD_DUP_OPTIONS : 0;
        }
    }
    for (uint32_t k = 0; k < it->n_options; k++) {
        free(n[k]);
    }
    mc__free(n);
    return bad;
}

/* A file is multiple-choice when any of its items has two options. */
static int check_malformed(mc__audit *a)
{
    uint8_t *mcq = mc__calloc(a->nsrc ? a->nsrc : 1, 1);
    if (!mcq) {
        return MC_ENOMEM;
    }
    for (uint32_t i = 0; i < a->n; i++) {
        mcq[a->src[i]] |= mc_bench_item(a->b, i)->n_options >= 2;
    }
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < a->n; i++) {
        const mc_item *it = mc_bench_item(a->b, i);
        int bad = it->malformed ? MC__BAD_READER : 0;
        if (!it->malformed && mcq[a->src[i]]) {
            bad |= it->n_options == 0 ? MC__BAD_NO_OPTIONS : 0;
            bad |= it->n_options == 1 ? MC__BAD_ONE_OPTION : 0;
            bad |= it->n_options >= 2 && it->answer_index < 0 ? MC__BAD_NO_ANSWER : 0;
        }
        int op = options_problems(it);
        if (op < 0) {
            rc = MC_ENOMEM;
        }
        a->bad[i] = (uint8_t)(bad | (op > 0 ? op : 0));
    }
    mc__free(mcq);
    return rc;
}

/* ---- PHI-like strings and codes, per component */

typedef struct hit_ctx {
    mc__hits *hits;
    uint32_t item, option;
    uint8_t component;
} hit_ctx;

static int push_hit(mc__hits *h, const mc__hit *x)
{
    if (mc__array_reserve((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v), 64) < 0) {
        return MC_ENOMEM;
    }
    h->v[h->n++] = *x;
    return 0;
}

static int on_phi(void *ctx, int kind, size_t off, size_t len)
{
    hit_ctx *c = ctx;
    mc__hit x = {c->item, (uint8_t)kind, c->component, 0, c->option, (uint32_t)off,
                 (uint32_t)len};
    return push_hit(c->hits, &x);
}

static int on_code(void *ctx, int system, size_t off, size_t len, int valid)
{
    hit_ctx *c = ctx;
    mc__hit x = {c->item, (uint8_t)system, c->component, (uint8_t)valid, c->option,
                 (uint32_t)off, (uint32_t)len};
    return push_hit(c->hits, &x);
}

/* Scan one text of item i for PHI and codes. *marked is set when a code
 * marker occurs. */
static int scan_text(mc__audit *a, uint32_t i, uint8_t comp, uint32_t opt, const char *s,
                     int *marked)
{
    if (!s || !s[0]) {
        return 0;
    }
    size_t n = strlen(s);
    hit_ctx pc = {&a->phi, i, opt, comp};
    int rc = mc__phi_scan(s, n, on_phi, &pc);
    if (rc >= 0) {
        hit_ctx cc = {&a->codes, i, opt, comp};
        rc = mc__codes_scan(s, n, on_code, &cc);
        *marked |= rc > 0;
    }
    return rc < 0 ? rc : 0;
}

static int scan_item(mc__audit *a, uint32_t i)
{
    const mc_item *it = mc_bench_item(a->b, i);
    int marked = 0;
    int rc = scan_text(a, i, 0, 0, it->question, &marked);
    for (uint32_t k = 0; rc == 0 && k < it->n_options; k++) {
        rc = scan_text(a, i, 1, k, it->options[k], &marked);
    }
    /* the answer is scanned only when it is not one of the options */
    int own = it->answer && !(it->answer_index >= 0 && it->answer == it->options[it->answer_index]);
    if (rc == 0 && own) {
        rc = scan_text(a, i, 2, 0, it->answer, &marked);
    }
    if (rc == 0) {
        rc = scan_text(a, i, 3, 0, it->passage, &marked);
    }
    a->code_markers += (uint32_t)marked;
    return rc;
}

/* ---- answer-letter balance per file */

static void balance(mc__audit *a)
{
    for (uint32_t i = 0; i < a->n; i++) {
        const mc_item *it = mc_bench_item(a->b, i);
        mc__balance *bl = &a->bal[a->src[i]];
        if (it->n_options < 2) {
            continue;
        }
        if (it->malformed || it->answer_index < 0 || it->answer_index >= MC__BAL_LETTERS) {
            bl->unanswered++;
            continue;
        }
        uint32_t k = it->n_options < MC__BAL_LETTERS ? it->n_options : MC__BAL_LETTERS;
        bl->answered++;
        bl->counts[it->answer_index]++;
        bl->by_noptions[it->n_options <= MC__BAL_LETTERS ? it->n_options : MC__BAL_LETTERS]++;
        for (uint32_t j = 0; j < k; j++) {
            bl->expected[j] += 1.0 / (double)it->n_options;
        }
    }
    for (uint32_t s = 0; s < a->nsrc; s++) {
        mc__balance *bl = &a->bal[s];
        int cells = 0;
        bl->chi2 = 0.0;
        for (int j = 0; j < MC__BAL_LETTERS; j++) {
            if (bl->expected[j] > 0.0) {
                double d = (double)bl->counts[j] - bl->expected[j];
                bl->chi2 += d * d / bl->expected[j];
                cells++;
            }
        }
        bl->df = cells - 1;
        bl->p = bl->df >= 1 ? mc__chisq_sf(bl->chi2, bl->df) : 0.0;
    }
}

/* ---- the whole audit */

static int alloc_state(mc__audit *a)
{
    size_t n = a->n ? a->n : 1;
    a->src = mc__malloc(n * sizeof(*a->src));
    a->qo = mc__calloc(n, sizeof(*a->qo));
    a->stem = mc__calloc(n, sizeof(*a->stem));
    a->stem_gpt3 = mc__calloc(n, sizeof(*a->stem_gpt3));
    a->rep = mc__malloc(n * sizeof(*a->rep));
    a->bad = mc__calloc(n, 1);
    a->bal = mc__calloc(a->nsrc ? a->nsrc : 1, sizeof(*a->bal));
    if (!a->src || !a->qo || !a->stem || !a->stem_gpt3 || !a->rep || !a->bad || !a->bal) {
        return MC_ENOMEM;
    }
    uint32_t i = 0;
    for (uint32_t f = 0; f < a->nsrc; f++) {
        uint32_t k = mc_bench_file_at(a->b, f)->items;
        for (uint32_t j = 0; j < k && i < a->n; j++) {
            a->src[i++] = f;
        }
    }
    while (i < a->n) { /* cannot happen: files' counts sum to the items */
        a->src[i++] = a->nsrc ? a->nsrc - 1 : 0;
    }
    return 0;
}

int mc__audit_compute(mc__audit *a, const mc_bench *b, const mc_audit_opts *opts,
                      const mc_criteria *crit)
{
    memset(a, 0, sizeof(*a));
    a->b = b;
    a->opts = opts;
    a->crit = crit;
    size_t n = mc_bench_count(b);
    if (n > UINT32_MAX - 1) {
        return MC_ELIMIT;
    }
    a->n = (uint32_t)n;
    a->nsrc = (uint32_t)mc_bench_file_count(b);
    int rc = alloc_state(a);
    mc_buf tmp;
    mc__buf_init(&tmp, (size_t)1 << 30);
    for (uint32_t i = 0; rc == 0 && i < a->n; i++) {
        rc = item_texts(a, i, &tmp);
    }
    mc__buf_finish(&tmp);
    if (rc == 0) {
        rc = mc__group_exact((const char *const *)a->qo, a->n, &a->exact, a->rep);
    }
    if (rc == 0) {
        rc = mc__group_near((const char *const *)a->qo, a->rep, a->n, opts->near_threshold,
                            &a->near);
    }
    if (rc == 0) {
        rc = mc__group_exact((const char *const *)a->stem, a->n, &a->stems, NULL);
    }
    if (rc == 0) {
        rc = mc__group_exact((const char *const *)a->stem_gpt3, a->n, &a->stems_gpt3, NULL);
    }
    if (rc == 0) {
        rc = check_malformed(a);
    }
    for (uint32_t i = 0; rc == 0 && i < a->n; i++) {
        rc = scan_item(a, i);
    }
    if (rc == 0) {
        balance(a);
    }
    return rc;
}

void mc__audit_finish(mc__audit *a)
{
    for (uint32_t i = 0; i < a->n; i++) {
        if (a->qo) {
            free(a->qo[i]);
        }
        if (a->stem) {
            free(a->stem[i]);
        }
        if (a->stem_gpt3) {
            free(a->stem_gpt3[i]);
        }
    }
    mc__free(a->src);
    mc__free(a->qo);
    mc__free(a->stem);
    mc__free(a->stem_gpt3);
    mc__free(a->rep);
    mc__free(a->bad);
    mc__free(a->bal);
    mc__free(a->phi.v);
    mc__free(a->codes.v);
    mc__groups_finish(&a->exact);
    mc__groups_finish(&a->near);
    mc__groups_finish(&a->stems);
    mc__groups_finish(&a->stems_gpt3);
    memset(a, 0, sizeof(*a));
}
