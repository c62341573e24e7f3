/* SPDX-License-Identifier: MIT */
/* UTF-8 validation (Unicode 15, table 3-7) and repair with U+FFFD. ASCII runs
 * are skipped eight bytes at a time; only non-ASCII bytes take the slow path. */
#include <string.h>

#include <medcheck/common.h>

#include "io/utf8.h"

#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

size_t mc__utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Index of the first byte at or after i that is non-ASCII, NUL or CR
 * (the bytes the sanitizer must look at), or n. */
static size_t skip_plain(const uint8_t *s, size_t i, size_t n)
{
    while (i + 8 <= n) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        uint64_t cr = v ^ (ONES * '\r');
        uint64_t t = ((v - ONES) & ~v) | ((cr - ONES) & ~cr) | v;
        if (t & HIGH) {
            break;
        }
        i += 8;
    }
    while (i < n && s[i] != 0 && s[i] != '\r' && s[i] < 0x80) {
        i++;
    }
    return i;
}

int mc__utf8_sanitize(mc_buf *b, const char *str, size_t n, unsigned flags)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t run = 0;
    size_t i = 0;
    int rc = 0;
    for (;;) {
        i = skip_plain(s, i, n);
        if (i == n) {
            break;
        }
        size_t skip;
        const char *rep = NULL;
        if (s[i] == '\r') {
            if (!(flags & MC__UTF8_CRLF) || i + 1 >= n || s[i + 1] != '\n') {
                i++;
                continue;
            }
            skip = 1;
            rep = "";
        } else if (s[i] == 0) {
            if (!(flags & MC__UTF8_NUL)) {
                i++;
                continue;
            }
            skip = 1;
            rep = MC__UTF8_REPLACEMENT;
        } else {
            int len = mc__utf8_seq(s + i, n - i);
            if (len > 0) {
                i += (size_t)len;
                continue;
            }
            skip = (size_t)-len;
            rep = MC__UTF8_REPLACEMENT;
        }
        rc = mc__buf_append(b, s + run, i - run);
        if (rc == 0) {
            rc = mc__buf_append(b, rep, strlen(rep));
        }
        if (rc < 0) {
            return rc;
        }
        i += skip;
        run = i;
    }
    return mc__buf_append(b, s + run, n - run);
}

size_t mc__utf8_valid_prefix(const char *str, size_t n)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    while (i < n) {
        while (i + 8 <= n) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            if (v & HIGH) {
                break;
            }
            i += 8;
        }
        if (i < n && s[i] < 0x80) {
            i++;
            continue;
        }
        if (i == n) {
            break;
        }
        int len = mc__utf8_seq(s + i, n - i);
        if (len < 0) {
            break;
        }
        i += (size_t)len;
    }
    return i;
}
