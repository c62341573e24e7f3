/* SPDX-License-Identifier: MIT */
/* Logger front end: formats into a stack buffer, never allocates. */
#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

void mc__log(const mc_logger *lg, mc_log_level level, const char *fmt, ...)
{
    if (!lg || !lg->fn) {
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lg->fn(lg->ctx, level, msg);
}
