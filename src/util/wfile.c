/* SPDX-License-Identifier: MIT */
/* Result-file writes with a failure hook (see wfile.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

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

int mc__wfile_write_synced(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        return MC_EIO;
    }
    int rc = mc__wfile_write(f, text, strlen(text));
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = MC_EIO;
    }
    if (fclose(f) != 0) {
        rc = MC_EIO;
    }
    return rc;
}

void mc__wfile_remove_dir(const char *dir, const char *const *names, size_t n)
{
    char path[4200];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}
