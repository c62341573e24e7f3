/* SPDX-License-Identifier: MIT */
/* Fuzz input written to a temporary file, for targets that read files. */
#ifndef MC_TESTS_FUZZ_TMP_H
#define MC_TESTS_FUZZ_TMP_H

#include <stddef.h>
#include <stdint.h>

/* Create a file from tmpl (mkstemp: it must end in XXXXXX and is changed
 * to the file's name) holding the size bytes at data. 0, or -1 when the
 * file could not be made (nothing is left behind then). */
int fz_write_tmp(char *tmpl, const uint8_t *data, size_t size);

#endif
