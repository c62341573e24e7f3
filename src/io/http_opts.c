/* SPDX-License-Identifier: MIT */
/* http(s) shard options that exist in every build: defaults, URL test and
 * the check of extra request headers; without libcurl, the transfer
 * functions of http.h only say that http is not built in. */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <medcheck/reader.h>

#include "io/http.h"

#define MAX_HEADER_LEN 8192

void mc_http_opts_default(mc_http_opts *opts)
{
    if (!opts) {
        return;
    }
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
    opts->connect_timeout_s = 30;
    opts->low_speed_time_s = 60;
    opts->low_speed_bytes = 1;
    opts->retries = 5;
    opts->backoff_ms = 1000;
    opts->max_redirects = 10;
}

int mc_http_supported(void)
{
    return HAVE_CURL;
}

int mc_http_is_url(const char *path)
{
    return path && (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0);
}

/* RFC 9110 token characters. */
static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Headers whose meaning medcheck owns: a user's copy would break resuming
 * (Range, If-Range), the byte stream (Accept-Encoding, TE) or framing. */
static const char *const reserved_names[] = {
    "host",       "range",          "if-range",          "accept-encoding", "te",
    "connection", "content-length", "transfer-encoding", "expect",          "upgrade",
};

int mc_http_header_check(const char *line, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    *why = "";
    if (!line) {
        *why = "no header";
        return MC_EINVAL;
    }
    size_t n = strlen(line);
    size_t name = 0;
    while (is_tchar((unsigned char)line[name])) {
        name++;
    }
    if (name == 0 || line[name] != ':') {
        *why = "expected 'Name: value' with a token as the name";
        return MC_EINVAL;
    }
    if (n > MAX_HEADER_LEN) {
        *why = "header longer than 8192 bytes";
        return MC_EINVAL;
    }
    for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++) {
        if (strlen(reserved_names[i]) == name && strncasecmp(line, reserved_names[i], name) == 0) {
            *why = "medcheck sets this header itself";
            return MC_EINVAL;
        }
    }
    bool value = false;
    for (size_t i = name + 1; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            *why = "control character (CR, LF, ...) in the value";
            return MC_EINVAL;
        }
        value = value || (c != ' ' && c != '\t');
    }
    if (!value) {
        *why = "empty value";
        return MC_EINVAL;
    }
    return 0;
}

#if !HAVE_CURL
int mc__http_open(mc__http **out, const char *url, const mc_http_opts *opts,
                  const volatile int *interrupt)
{
    return MC_EUNSUPPORTED;
}

int mc__http_read(mc__http *h, uint8_t *dst, size_t cap, size_t *got)
{
    *got = 0;
    return MC_EUNSUPPORTED;
}

const char *mc__http_errmsg(const mc__http *h)
{
    return "http(s) shards need medcheck built with libcurl";
}

void mc__http_close(mc__http **h)
{
}
#endif
