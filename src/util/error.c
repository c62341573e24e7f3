/* SPDX-License-Identifier: MIT */
/* Error strings, generated from the one list in common.h. */
#include <medcheck/common.h>
#include <medcheck/version.h>

#include "config.h"

const char *mc_strerror(int err)
{
    switch (err) {
    case MC_OK:
        return "success";
#define MC_ERR_STR(name, val, msg) \
    case MC_##name:                \
        return msg;
        MC_ERRNO_MAP(MC_ERR_STR)
#undef MC_ERR_STR
    default:
        return "unknown error";
    }
}

const char *mc_err_name(int err)
{
    switch (err) {
    case MC_OK:
        return "MC_OK";
#define MC_ERR_NAME(name, val, msg) \
    case MC_##name:                 \
        return "MC_" #name;
        MC_ERRNO_MAP(MC_ERR_NAME)
#undef MC_ERR_NAME
    default:
        return "MC_UNKNOWN";
    }
}

const char *mc_version(void)
{
    return MC_VERSION_STRING;
}
