/* SPDX-License-Identifier: MIT */
/* Benchmark self-checks (`medcheck audit`) and the catalog of the 46
 * MedCheck criteria that the report scores. */
#ifndef MC_AUDIT_H
#define MC_AUDIT_H

#include <medcheck/bench.h>
#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The criteria catalog
 *
 * A JSON file (format "medcheck-criteria/1"; the built-in copy is
 * data/criteria.json compiled into the library) with the five phases and
 * the 46 criteria. Which entries are confirmed from public sources and
 * which are medcheck's reconstruction is part of each entry: see
 * docs/audit.md. */

/* Number of criteria and phases a catalog must have. */
#define MC_CRITERIA_COUNT 46
#define MC_PHASE_COUNT 5

/* How medcheck scores a criterion. */
typedef enum mc_basis {
    MC_BASIS_COMPUTED = 0, /* from the benchmark's data (audit, scan) */
    MC_BASIS_MANIFEST = 1, /* from what the authors declare in a manifest */
    MC_BASIS_REVIEW = 2,   /* only a person can judge it */
} mc_basis;

/* One criterion. Strings are UTF-8, owned by the catalog. */
typedef struct mc_criterion {
    uint32_t id;     /* 1..46 */
    uint32_t phase;  /* 1..5 */
    const char *name;
    const char *meaning;  /* what the criterion asks, in one or two sentences */
    const char *scoring;  /* how medcheck decides 0, 1 or 2 */
    mc_basis basis;
    int confirmed;        /* 1: number and content public; 0: reconstructed */
    const char *note;     /* provenance remark, or NULL */
    const char *const *checks; /* audit/scan checks shown as evidence */
    uint32_t n_checks;
} mc_criterion;

/* A loaded catalog (opaque). */
typedef struct mc_criteria mc_criteria;

/* Load a catalog. `path` NULL loads the built-in one. The file is
 * validated: format, five phases named exactly as in the contract, 46
 * criteria with unique ids 1..46, phases 1..5, known basis, source and
 * check names, non-empty name, meaning and scoring.
 * Returns 0 and sets *out; MC_ENOENT or MC_EIO if the file cannot be read;
 * MC_EFORMAT if it is not valid JSON or fails validation; MC_ENOMEM. On
 * failure *out is unset and, if `err` is not NULL, a message naming the
 * file (and line, or criterion) is written into err[errlen]. */
MC_API int mc_criteria_open(mc_criteria **out, const char *path, char *err, size_t errlen);

/* Same as mc_criteria_open() on `len` bytes of JSON text; `name` is used
 * in messages. */
MC_API int mc_criteria_parse(mc_criteria **out, const char *text, size_t len, const char *name,
                             char *err, size_t errlen);

/* Where the catalog came from: the path given, or "built-in"; borrowed. */
MC_API const char *mc_criteria_origin(const mc_criteria *c);
/* The catalog's overall provenance statement; borrowed. */
MC_API const char *mc_criteria_provenance(const mc_criteria *c);

/* The criterion with id 1..46 (borrowed, valid until close), or NULL. */
MC_API const mc_criterion *mc_criteria_get(const mc_criteria *c, uint32_t id);

/* Name of phase 1..5 as in the catalog (borrowed), or NULL. */
MC_API const char *mc_criteria_phase_name(const mc_criteria *c, uint32_t phase);

/* "computed", "manifest" or "review"; a static string. */
MC_API const char *mc_basis_name(mc_basis b);

/* Free the catalog; sets *c to NULL. NULL-safe. */
MC_API void mc_criteria_close(mc_criteria **c);

/* ---- The audit */

/* Options of mc_audit_run(). Fill with mc_audit_opts_default(). */
typedef struct mc_audit_opts {
    size_t size;            /* sizeof(mc_audit_opts), for growth */
    double near_threshold;  /* Jaccard similarity of word 3-gram sets at
                             * which two texts are near-duplicates; 0.8 */
    uint32_t max_examples;  /* examples kept per section (per kind for PHI); 10 */
    const mc_criteria *criteria; /* catalog for the `criteria` section; NULL:
                                  * built-in. Borrowed for the call. */
    const char *const *argv; /* recorded as `command` */
    int argc;
    mc_logger logger;       /* errors writing OUTDIR */
    uint8_t reserved[32];
} mc_audit_opts;

MC_API void mc_audit_opts_default(mc_audit_opts *opts);

/* Headline numbers of an audit (all also in audit.json). */
typedef struct mc_audit_result {
    uint32_t items;
    uint32_t exact_groups;      /* question + options, medcheck normalisation */
    uint32_t near_groups;
    uint32_t surplus_items;     /* items beyond the first of each exact group */
    uint32_t stem_groups;       /* question only */
    uint32_t stem_surplus_items;
    uint32_t cross_source_groups; /* exact groups spanning two or more files */
    uint32_t split_leakage_items;
    uint32_t malformed_items;
    uint32_t phi_items;
    uint32_t code_items;        /* items carrying medical codes */
    uint32_t sources_unbalanced; /* files whose answer-letter p-value < 0.01 */
    uint8_t reserved[32];
} mc_audit_result;

/* Audit the items of `b` and write OUTDIR/audit.json (format
 * "medcheck-audit/1", see the contract) and OUTDIR/audit.md. OUTDIR is
 * written under a temporary name and renamed into place; an existing
 * OUTDIR is replaced only if it is empty or holds an audit.json.
 * `res` may be NULL. Returns 0; MC_EINVAL (bad options, or an OUTDIR
 * that is not an audit result; logged); MC_EIO; MC_ENOMEM. */
MC_API int mc_audit_run(const mc_bench *b, const mc_audit_opts *opts, const char *outdir,
                        mc_audit_result *res);

#ifdef __cplusplus
}
#endif

#endif /* MC_AUDIT_H */
