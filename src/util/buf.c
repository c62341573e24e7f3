/* SPDX-License-Identifier: MIT */
/* Capped growable buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <medcheck/common.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/wfile.h"

void mc__buf_init(mc_buf *b, size_t max_len)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max_len = max_len;
}

void mc__buf_finish(mc_buf *b)
{
    mc__free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void mc__buf_reset(mc_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

int mc__buf_reserve(mc_buf *b, size_t extra)
{
    if (extra > b->max_len || b->len > b->max_len - extra) {
        return MC_ELIMIT;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return 0;
    }
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need) {
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    }
    char *p = mc__realloc(b->data, ncap);
    if (!p) {
        return MC_ENOMEM;
    }
    b->data = p;
    b->cap = ncap;
    return 0;
}

int mc__buf_append(mc_buf *b, const void *p, size_t n)
{
    int rc = mc__buf_reserve(b, n);
    if (rc < 0) {
        return rc;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int mc__buf_putc(mc_buf *b, char c)
{
    return mc__buf_append(b, &c, 1);
}

int mc__buf_puts(mc_buf *b, const char *s)
{
    return mc__buf_append(b, s, strlen(s));
}

int mc__buf_printf(mc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return MC_EINVAL;
    }
    int rc = mc__buf_reserve(b, (size_t)n);
    if (rc < 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int mc__buf_write_line(mc_buf *b, FILE *f, int rc)
{
    if (rc == 0) {
        rc = mc__buf_putc(b, '\n');
    }
    if (rc == 0) {
        rc = mc__wfile_write(f, b->data, b->len);
    }
    mc__buf_reset(b);
    return rc;
}
