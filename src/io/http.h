/* SPDX-License-Identifier: MIT */
/* The http(s) byte source of the shard reader: a pull interface over
 * libcurl's multi API (resume, retries and length checks in http.c). */
#ifndef MC_IO_HTTP_H
#define MC_IO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <medcheck/reader.h>

typedef struct mc__http mc__http;

/* Prepare a transfer of `url` (nothing is sent yet). Strings of `opts`
 * are copied; `interrupt` is borrowed and may be NULL. 0, MC_ENOMEM,
 * MC_EINVAL (a header mc_http_header_check() refuses) or MC_EUNSUPPORTED
 * (built without libcurl). */
int mc__http_open(mc__http **out, const char *url, const mc_http_opts *opts,
                  const volatile int *interrupt);

/* Copy up to `cap` (> 0) bytes of the body into dst, waiting for them as
 * needed; *got is the count. Returns 0 with *got > 0, 0 with *got == 0 at
 * the end of a complete body (its length checked), or a negative code
 * with mc__http_errmsg() set: MC_ENET (the transfer failed after its
 * retries, or the server's replies disagree), MC_EINTR, MC_ENOMEM. Errors
 * are sticky. MC_EINVAL for cap == 0. */
int mc__http_read(mc__http *h, uint8_t *dst, size_t cap, size_t *got);

/* Why the last read failed, without the URL: "HTTP 404 at byte offset 0",
 * "curl error 28 (...) at byte offset 123 after 6 attempts". Never NULL. */
const char *mc__http_errmsg(const mc__http *h);

/* Abort any transfer and free; sets *h to NULL. NULL-safe. */
void mc__http_close(mc__http **h);

#endif /* MC_IO_HTTP_H */
