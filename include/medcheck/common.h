/* SPDX-License-Identifier: MIT */
/* Shared definitions of the medcheck library: export macro, error codes,
 * and the logger callback through which the library reports diagnostics. */
#ifndef MC_COMMON_H
#define MC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MC_API marks every exported symbol; the library is built with hidden
 * visibility so nothing else leaves the shared object. */
#if defined(_WIN32)
#define MC_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define MC_API __attribute__((visibility("default")))
#else
#define MC_API
#endif

/* The error list, defined once. Each entry is (NAME, value, message).
 * Values are part of the ABI: never renumber, only append. */
#define MC_ERRNO_MAP(X)                                                     \
    X(ENOMEM, -1, "out of memory")                                          \
    X(EINVAL, -2, "invalid argument")                                       \
    X(EIO, -3, "input/output error")                                        \
    X(EFORMAT, -4, "malformed or corrupt data")                             \
    X(EVERSION, -5, "unsupported format version")                           \
    X(ENET, -6, "network error")                                            \
    X(ELIMIT, -7, "a size limit was exceeded")                              \
    X(EUNSUPPORTED, -8, "unsupported feature")                              \
    X(ENOENT, -9, "no such file or directory")                              \
    X(EINTR, -10, "interrupted")

/* Error codes: functions that can fail return 0 on success and one of
 * these negative values on failure. */
typedef enum mc_error {
    MC_OK = 0,
#define MC_ERR_ENUM(name, val, msg) MC_##name = (val),
    MC_ERRNO_MAP(MC_ERR_ENUM)
#undef MC_ERR_ENUM
} mc_error;

/* Returns a static, human-readable message for an error code.
 * Unknown codes give "unknown error". The string lives forever. */
MC_API const char *mc_strerror(int err);

/* Returns the symbolic name ("MC_EFORMAT") of an error code, or
 * "MC_UNKNOWN". The string lives forever. */
MC_API const char *mc_err_name(int err);

/* Severity of a diagnostic passed to an mc_logger. */
typedef enum mc_log_level {
    MC_LOG_ERROR = 0,
    MC_LOG_WARN = 1,
    MC_LOG_INFO = 2,
} mc_log_level;

/* A diagnostic sink. The library never prints: it calls this function, if
 * set, with a complete message (no trailing newline). `msg` is valid only
 * during the call. The callback may be called from worker threads; it must
 * be thread-safe when used with a multi-threaded scan. */
typedef struct mc_logger {
    void (*fn)(void *ctx, mc_log_level level, const char *msg);
    void *ctx;
} mc_logger;

#ifdef __cplusplus
}
#endif

#endif /* MC_COMMON_H */
