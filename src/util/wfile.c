/* SPDX-License-Identifier: MIT */
/* Result-file writes with a failure hook (see wfile.h). */
#include <errno.h>

#include <medcheck/common.h>

#include "util/wfile.h"

static unsigned long countdown;

void mc__wfile_fail_after(unsigned long n)
{
    countdown = n;
}

int mc__wfile_write(FILE *f, const void *p, size_t n)
{
    if (countdown == 1) {
        errno = ENOSPC; /* stays armed: every later write fails too */
        return MC_EIO;
    }
    if (countdown > 1) {
        countdown--;
    }
    return n == 0 || fwrite(p, 1, n, f) == n ? 0 : MC_EIO;
}
