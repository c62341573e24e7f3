/* SPDX-License-Identifier: MIT */
/* Formatting front end for the optional mc_logger callback. */
#ifndef MC_UTIL_LOG_H
#define MC_UTIL_LOG_H

#include <medcheck/common.h>

/* Format a message and pass it to the logger, if any. */
void mc__log(const mc_logger *lg, mc_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* MC_UTIL_LOG_H */
