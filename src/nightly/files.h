/* SPDX-License-Identifier: MIT */
/* Small file helpers of `medcheck nightly`: durable atomic writes and the
 * run directory's name. */
#ifndef MC_NIGHTLY_FILES_H
#define MC_NIGHTLY_FILES_H

#include <stddef.h>
#include <time.h>

/* Write `len` bytes to `path` durably: PATH.tmp, fsync, rename, fsync of
 * the directory. 0 or -1 (errno set). */
int mc__nightly_write_atomic(const char *path, const char *data, size_t len);

/* fsync a directory; 0 or -1. */
int mc__nightly_sync_dir(const char *dir);

/* "YYYYMMDDTHHMMSSZ" (compact) or "YYYY-MM-DDTHH:MM:SSZ" of t, in UTC. */
void mc__nightly_utc(time_t t, int compact, char *buf, size_t len);

/* snprintf() that may truncate on purpose (messages, paths checked by the
 * caller): no -Wformat-truncation noise. */
void mc__nightly_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Remove a directory tree (stale scan temporaries); 0 or -1. */
int mc__nightly_rmtree(const char *path);

#endif /* MC_NIGHTLY_FILES_H */
