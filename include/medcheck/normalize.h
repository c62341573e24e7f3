/* SPDX-License-Identifier: MIT */
/* Text normalisation: how benchmark items and corpus documents are turned
 * into word tokens before n-grams are formed. */
#ifndef MC_NORMALIZE_H
#define MC_NORMALIZE_H

#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the `medcheck` normalisation rules. Bumped whenever a rule
 * changes the tokens produced for some input; recorded in summary.json. */
#define MC_NORM_VERSION 1

/* The normalisers.
 *
 * MC_NORM_MEDCHECK: Unicode-aware. Each code point is decomposed with
 * compatibility mappings (NFKD), case-folded, and stripped of combining
 * marks (utf8proc). Letters and digits form words; every other code point
 * (punctuation, symbols, spaces, controls, U+FFFD) separates words. Han,
 * Hiragana and Katakana characters are one-character words, since those
 * scripts do not separate words with spaces. ASCII text takes a fast path
 * that gives the same result.
 *
 * MC_NORM_GPT3: the lm-evaluation-harness / GPT-3 rule exactly: ASCII
 * upper case to lower case, delete the 32 ASCII punctuation characters of
 * Python's string.punctuation, split on whitespace as Python's str.split()
 * does. Non-ASCII bytes are kept as they are. */
typedef enum mc_norm_kind {
    MC_NORM_MEDCHECK = 0,
    MC_NORM_GPT3 = 1,
} mc_norm_kind;

/* Normalise `len` bytes of UTF-8 text into words joined by single spaces.
 * Invalid UTF-8 is read as U+FFFD.
 * Returns 0 and sets *out to a NUL-terminated string the caller frees with
 * free(); MC_EINVAL (bad kind or NULL argument) or MC_ENOMEM, *out unset. */
MC_API int mc_normalize(mc_norm_kind kind, const char *text, size_t len, char **out);

/* The Unicode version of the tables in use ("15.0.0"); a static string. */
MC_API const char *mc_unicode_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MC_NORMALIZE_H */
