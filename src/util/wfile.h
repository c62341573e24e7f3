/* SPDX-License-Identifier: MIT */
/* Writes of result files, with a test hook that fails the Nth write as a
 * full disk would (write-failure tests; no LD_PRELOAD shim needed). */
#ifndef MC_UTIL_WFILE_H
#define MC_UTIL_WFILE_H

#include <stddef.h>
#include <stdio.h>

/* fwrite() of n bytes; returns 0, or MC_EIO (errno ENOSPC when the hook
 * failed it). */
int mc__wfile_write(FILE *f, const void *p, size_t n);

/* Write dir/name with `text` (NUL-terminated) and fsync it. 0 or MC_EIO. */
int mc__wfile_write_synced(const char *dir, const char *name, const char *text);

/* Remove dir/names[0..n) and then dir itself (a temporary output directory
 * that holds only those files); errors are ignored. */
void mc__wfile_remove_dir(const char *dir, const char *const *names, size_t n);

/* Test hook: make the nth write from now (1-based) and every later one
 * fail; 0 disables. Not thread-safe; for tests only. */
void mc__wfile_fail_after(unsigned long n);

#endif /* MC_UTIL_WFILE_H */
