/* SPDX-License-Identifier: MIT */
/* A growable byte buffer with a hard cap: appending past the cap fails with
 * MC_ELIMIT instead of exhausting memory (the curl dynbuf idea). */
#ifndef MC_UTIL_BUF_H
#define MC_UTIL_BUF_H

#include <stddef.h>
#include <stdio.h>

typedef struct mc_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;     /* allocated bytes */
    size_t max_len; /* hard limit on len */
} mc_buf;

/* Initialise an empty buffer that may grow up to max_len bytes. */
void mc__buf_init(mc_buf *b, size_t max_len);
/* Free the storage; the buffer is empty (and reusable) afterwards. */
void mc__buf_finish(mc_buf *b);
/* Set len to 0, keeping the storage. */
void mc__buf_reset(mc_buf *b);
/* Make room for `extra` more bytes. 0, MC_ENOMEM or MC_ELIMIT. */
int mc__buf_reserve(mc_buf *b, size_t extra);
/* Append bytes. 0, MC_ENOMEM or MC_ELIMIT (buffer unchanged on failure). */
int mc__buf_append(mc_buf *b, const void *p, size_t n);
int mc__buf_putc(mc_buf *b, char c);
int mc__buf_puts(mc_buf *b, const char *s);
/* Unless rc is already an error: append a newline, write the buffer to f
 * and empty it. Returns rc, or MC_ENOMEM / MC_ELIMIT / MC_EIO. The buffer
 * is emptied either way. */
int mc__buf_write_line(mc_buf *b, FILE *f, int rc);

/* printf-style append. */
int mc__buf_printf(mc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif /* MC_UTIL_BUF_H */
