/* SPDX-License-Identifier: MIT */
/* Fuzz input written to a temporary file (see fuzz_tmp.h). */
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_tmp.h"

int fz_write_tmp(char *tmpl, const uint8_t *data, size_t size)
{
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        return -1;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            unlink(tmpl);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}
