/* SPDX-License-Identifier: MIT */
/* Fuzz target: the whole reader (probe, decompression, record splitting)
 * on an input written to a temporary file, with a small record limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <medcheck/reader.h>

#include "fuzz_tmp.h"
#include "io/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/mc_fuzz_reader_XXXXXX";
    mc_reader *r = NULL;
    mc_reader_opts o;
    mc_record rec;
    if (fz_write_tmp(path, data, size) != 0) {
        return 0;
    }
    mc_reader_opts_default(&o);
    o.max_record_bytes = 512; /* reach the oversize paths with small inputs */
    if (mc_reader_open(&r, path, &o) == 0) {
        int rc;
        while ((rc = mc_reader_read(r, &rec)) == 1) {
            if (strlen(rec.text) != rec.text_len ||
                mc__utf8_valid_prefix(rec.text, rec.text_len) != rec.text_len) {
                abort();
            }
        }
        if (rc < 0 && mc_reader_errmsg(r)[0] == '\0') {
            abort();
        }
        mc_reader_close(&r);
    }
    unlink(path);
    return 0;
}
