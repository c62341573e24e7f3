/* SPDX-License-Identifier: MIT */
/* `medcheck report`: the manifest a benchmark's authors write (YAML, or the
 * front matter of a Hugging Face dataset card), its validation, and the
 * 46-criterion report built from scan, audit and manifest. Internal. */
#ifndef MC_REPORT_INT_H
#define MC_REPORT_INT_H

#include <stddef.h>

#include <medcheck/audit.h>
#include <medcheck/common.h>

/* A YAML node: scalar, sequence or mapping (kids alternate key, value). */
typedef enum { MC_MN_SCALAR, MC_MN_SEQ, MC_MN_MAP } mc_mn_kind;

typedef struct mc_mnode {
    mc_mn_kind kind;
    int line;   /* 1-based line in the manifest file */
    int plain;  /* scalar written without quotes */
    char *str;  /* scalar value */
    struct mc_mnode **kids;
    size_t n, cap;
} mc_mnode;

/* One finding about the manifest: file, line and what is wrong. */
typedef struct mc_mdiag {
    int line;
    char *kind; /* syntax, limit, unknown_key, type, spdx, url, checksum, value */
    char *msg;  /* "FILE:LINE: ..." */
} mc_mdiag;

typedef struct mc_manifest {
    char *path;
    int hf_card;        /* 1: front matter of a Hugging Face dataset card */
    mc_mnode *root;     /* a mapping, or NULL after a syntax error */
    mc_mdiag *diag;
    size_t ndiag, capdiag;
    int checksums_ok;   /* every declared checksum matched (and at least one) */
    int checksums_bad;  /* number of checksums that failed */
} mc_manifest;

/* Limits against YAML alias bombs and oversized input. */
#define MC_MANIFEST_MAX_BYTES (1u << 20)
#define MC_MANIFEST_MAX_NODES 100000u
#define MC_MANIFEST_MAX_ALIASES 64u
#define MC_MANIFEST_MAX_DEPTH 64

/* Load and validate a manifest file. Returns 0 (findings in m->diag, the
 * tree in m->root unless the YAML could not be parsed), MC_ENOENT/MC_EIO
 * when the file cannot be read, MC_ENOMEM. */
int mc__manifest_load(mc_manifest *m, const char *path);
/* Same on text in memory; `path` names it in messages and is the base for
 * relative checksum file names. */
int mc__manifest_parse(mc_manifest *m, const char *path, const char *text, size_t len);
void mc__manifest_free(mc_manifest *m);

/* The node at a dotted path ("contamination.canary"); for a dataset card
 * the card's own keys are mapped (license, language, source_datasets ->
 * sources, task_categories -> scope.task_types, ...). NULL when absent. */
const mc_mnode *mc__manifest_get(const mc_manifest *m, const char *path);
/* 1 when the node holds something: a non-empty scalar other than false,
 * no, none, null, ~; a non-empty sequence or mapping. */
int mc__mnode_truthy(const mc_mnode *n);

/* Validators, exposed for the unit tests. */
int mc__spdx_known(const char *id);      /* case-insensitive */
int mc__url_valid(const char *url);      /* http(s)://host[:port][/...] */
int mc__email_valid(const char *s);
/* The known key closest to `key` among `cands` (NULL-terminated), or NULL
 * when none is close enough. */
const char *mc__closest_key(const char *key, const char *const *cands);

/* The report. */
typedef struct mc_report_opts {
    const char *scan_dir;     /* required */
    const char *audit_dir;    /* or NULL */
    const char *eval_dir;     /* results of `medcheck evaluate`, or NULL */
    const char *manifest;     /* or NULL */
    const char *criteria;     /* or NULL: built-in catalog */
    const char *outdir;
    const char *const *argv;
    int argc;
} mc_report_opts;

typedef struct mc_report_summary {
    int scored, unscored;
    double overall_percent; /* negative when nothing is scored */
    size_t manifest_findings;
} mc_report_summary;

/* Criterion 23: the score from the measured contaminated share (0..1,
 * negative when unknown) and whether a mitigation is declared. 2 when the
 * share is below 1% and a mitigation is declared; 1 when one of the two
 * holds; 0 otherwise; -1 (null) when the share is unknown. */
int mc__contamination_score(double share, int mitigated);

/* Build REPORTDIR. Messages (with file names) go to `err`. Returns 0,
 * MC_EINVAL (bad inputs), MC_EIO, MC_ENOMEM. */
int mc__report_run(const mc_report_opts *o, mc_report_summary *sum, char *err, size_t errlen);

#endif /* MC_REPORT_INT_H */
