/* SPDX-License-Identifier: MIT */
/* Internals of the audit: the checks (duplicates, PHI-like strings, codes,
 * answer balance), the state they fill, and the writers of audit.json and
 * audit.md. */
#ifndef MC_AUDIT_AUDIT_INT_H
#define MC_AUDIT_AUDIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <medcheck/audit.h>
#include <medcheck/bench.h>

/* Largest catalog file read (it is about 20 KB). */
#define MC__CRITERIA_MAX_BYTES ((size_t)1 << 20)

/* No group, no cluster, no representative. */
#define MC__NONE UINT32_MAX

/* ---- chi-square (chisq.c) */

/* Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a),
 * for a > 0, x >= 0 (NaN otherwise); relative error about 1e-14. */
double mc__gamma_q(double a, double x);
/* P(X >= x) for X chi-square with df degrees of freedom: Q(df/2, x/2). */
double mc__chisq_sf(double x, double df);

/* ---- PHI-like strings (phi.c) */

enum {
    MC__PHI_EMAIL = 0,
    MC__PHI_PHONE,
    MC__PHI_SSN,
    MC__PHI_DOB,
    MC__PHI_MRN,
    MC__PHI_ADDRESS,
    MC__PHI_NKINDS
};

/* Called for each match: kind, byte offset and length in the text.
 * A negative return stops the scan and is returned by it. */
typedef int (*mc__phi_fn)(void *ctx, int kind, size_t off, size_t len);

/* Find PHI-like strings in n bytes of text, kind by kind, each kind in
 * text order. Returns the number of matches, or fn's negative code. */
int mc__phi_scan(const char *s, size_t n, mc__phi_fn fn, void *ctx);
/* "email", "phone", "ssn", "date_of_birth", "medical_record_number",
 * "street_address". */
const char *mc__phi_kind_name(int kind);

/* ---- medical codes (codes.c) */

enum { MC__CODE_ICD9 = 0, MC__CODE_ICD10, MC__CODE_ICD11, MC__CODE_NSYSTEMS };

/* Called for each code after a marker: system, offset, length, and
 * whether it is well formed for that system. */
typedef int (*mc__code_fn)(void *ctx, int system, size_t off, size_t len, int valid);

/* Find ICD markers and the codes that follow them. Returns the number of
 * markers (codes or not), or fn's negative code. */
int mc__codes_scan(const char *s, size_t n, mc__code_fn fn, void *ctx);
/* "ICD-9", "ICD-10", "ICD-11". */
const char *mc__code_system_name(int system);

/* ---- grouping of items by text (dups.c) */

/* Groups of two or more items: members[start[g] .. start[g + 1]) in item
 * order; groups ordered by their first item. */
typedef struct mc__groups {
    uint32_t *members;
    uint32_t *start;   /* n + 1 entries */
    uint32_t n;        /* groups */
    uint32_t surplus;  /* members minus groups */
    double *min_sim;   /* near clusters: lowest similarity of a link; else NULL */
    uint32_t *texts;   /* near clusters: distinct texts in the cluster; else NULL */
} mc__groups;

void mc__groups_finish(mc__groups *g);

/* Group items whose texts are byte-equal. text[i] NULL or "" takes no
 * part. rep[i] (if not NULL) receives the first item with the same text,
 * or MC__NONE. 0 or MC_ENOMEM. */
int mc__group_exact(const char *const *text, uint32_t n, mc__groups *g, uint32_t *rep);

/* Word 3-gram sets of the distinct texts (rep[i] == i), joined: texts
 * whose sets have Jaccard similarity >= threshold are linked, and linked
 * texts form clusters (transitively). Every item of a clustered text is a
 * member. Sets are exact (no sampling): prefix filtering on the rarest
 * 3-grams finds every pair. 0 or MC_ENOMEM. */
int mc__group_near(const char *const *text, const uint32_t *rep, uint32_t n, double threshold,
                   mc__groups *g);

/* ---- the audit state (audit.c) */

/* Malformation reasons of an item (bits). */
enum {
    MC__BAD_READER = 1 << 0,     /* the reader flagged it (item->error) */
    MC__BAD_NO_OPTIONS = 1 << 1, /* no options in a multiple-choice file */
    MC__BAD_ONE_OPTION = 1 << 2,
    MC__BAD_EMPTY_OPTION = 1 << 3,
    MC__BAD_DUP_OPTIONS = 1 << 4, /* two options equal after normalisation */
    MC__BAD_NO_ANSWER = 1 << 5,   /* options but no correct one given */
    MC__BAD_NREASONS = 6
};
const char *mc__bad_reason_name(int bit_index);

/* One PHI-like match or code, located in an item's component. */
typedef struct mc__hit {
    uint32_t item;
    uint8_t kind;      /* PHI kind or code system */
    uint8_t component; /* 0 question, 1 options, 2 answer, 3 passage */
    uint8_t valid;     /* codes */
    uint32_t option;   /* options: which one */
    uint32_t off, len;
} mc__hit;

typedef struct mc__hits {
    mc__hit *v;
    size_t n, cap;
} mc__hits;

/* Letters counted by the answer-balance test (positions A..Z). */
#define MC__BAL_LETTERS 26

typedef struct mc__balance {
    uint32_t answered, unanswered;
    uint32_t counts[MC__BAL_LETTERS];
    double expected[MC__BAL_LETTERS];
    uint32_t by_noptions[MC__BAL_LETTERS + 1]; /* items by option count (last: more) */
    double chi2;
    int df; /* 0: no test */
    double p;
} mc__balance;

typedef struct mc__audit {
    const mc_bench *b;
    const mc_audit_opts *opts;
    const mc_criteria *crit;
    uint32_t n;           /* items */
    uint32_t nsrc;        /* files */
    uint32_t *src;        /* item -> file */
    char **qo;            /* normalised question + options */
    char **stem;          /* normalised question */
    char **stem_gpt3;     /* question under the lm-eval (gpt3) rule */
    uint32_t *rep;        /* item -> first item with the same qo */
    mc__groups exact, near, stems, stems_gpt3;
    uint8_t *bad;         /* item -> MC__BAD_* bits */
    mc__hits phi, codes;
    uint32_t code_markers; /* items mentioning a code system */
    mc__balance *bal;     /* per file */
} mc__audit;

/* Run every check into a (zeroed by the call). 0 or MC_ENOMEM. */
int mc__audit_compute(mc__audit *a, const mc_bench *b, const mc_audit_opts *opts,
                      const mc_criteria *crit);
void mc__audit_finish(mc__audit *a);

/* ---- audit.json (audit_json.c, audit_groups.c) */

/* JSON helpers: a string (null for NULL or invalid UTF-8), n bytes, an
 * integer, a member set (a NULL value becomes null), an item's key, at
 * most 160 bytes of text cut at a character boundary, x rounded to
 * 1/scale, the example cap, and obj[name] += by. */
json_t *mc__aj_str(const char *s);
json_t *mc__aj_strn(const char *s, size_t n);
json_t *mc__aj_int(uint64_t v);
void mc__aj_set(json_t *o, const char *k, json_t *v);
json_t *mc__aj_key(const mc__audit *a, uint32_t item);
json_t *mc__aj_snippet(const char *s);
double mc__aj_round(double x, double scale);
uint32_t mc__aj_max_examples(const mc__audit *a);
void mc__aj_count(json_t *obj, const char *name, json_int_t by);

/* The sections "duplicates", "cross_source" and "split_leakage". */
json_t *mc__audit_duplicates_json(const mc__audit *a);
json_t *mc__audit_cross_json(const mc__audit *a);
json_t *mc__audit_leakage_json(const mc__audit *a);

/* The whole audit.json document (new reference), or NULL (ENOMEM). */
json_t *mc__audit_json(const mc__audit *a);
/* audit.md from the audit.json document; a malloc'ed string or NULL. */
char *mc__audit_markdown(const json_t *doc);

#endif /* MC_AUDIT_AUDIT_INT_H */
