/* SPDX-License-Identifier: MIT */
/* Helpers shared by the unit tests: where the test data lives. */
#ifndef MC_TESTS_TESTUTIL_H
#define MC_TESTS_TESTUTIL_H

#include <stddef.h>

/* Path of a file under the source tree ("corpora/x"); a static buffer
 * that each call overwrites. */
const char *tu_src(const char *rel);
/* Path of a file under MEDCHECK_EXTERNAL_DATA, or NULL (with a message on
 * stderr saying the test is skipped) when the variable is unset or the
 * file is missing. A static buffer that each call overwrites. */
const char *tu_ext(const char *rel);
/* Read a whole file into a malloc'ed NUL-terminated buffer; NULL on error. */
char *tu_slurp(const char *path, size_t *len);

#endif
