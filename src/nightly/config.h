/* SPDX-License-Identifier: MIT */
/* The YAML config of `medcheck nightly` (see docs/nightly.md): parsed and
 * checked here, with every error naming the file and line. */
#ifndef MC_NIGHTLY_CONFIG_H
#define MC_NIGHTLY_CONFIG_H

#include <stddef.h>

/* A scalar from the config with the (1-based) line it was on. */
typedef struct mc_nightly_str {
    char *s;
    int line;
} mc_nightly_str;

typedef struct mc_nightly_strs {
    mc_nightly_str *v;
    size_t n;
} mc_nightly_strs;

typedef struct mc_nightly_config {
    char *path;              /* the config file, as given */
    mc_nightly_strs benchmark; /* benchmark files (paths resolved) */
    char *index;             /* .mcx file, or NULL */
    mc_nightly_strs shards;  /* files, dirs, globs, URLs, @lists (resolved) */
    char *preset;            /* NULL: the default */
    char *state;             /* SQLite file */
    char *out;               /* output folder */
    mc_nightly_strs scan_keys; /* long option names under scan: */
    mc_nightly_strs scan_vals; /* their values ("" for a flag set to true) */
} mc_nightly_config;

/* Read and check the config at `path`. Relative paths in it are relative
 * to the config file's directory. Returns 0, or -1 with a message of the
 * form "FILE:LINE: reason" in err. On failure *cfg is left empty (safe to
 * pass to mc__nightly_config_finish). */
int mc__nightly_config_load(mc_nightly_config *cfg, const char *path, char *err,
                            size_t errlen);

/* Free everything the config owns. NULL-safe. */
void mc__nightly_config_finish(mc_nightly_config *cfg);

/* Whether `key` is a scan option accepted under scan:, and whether it takes
 * a value (1), is a flag (0), or may be repeated as a list (2); -1 if not. */
int mc__nightly_scan_key_kind(const char *key);

#endif /* MC_NIGHTLY_CONFIG_H */
