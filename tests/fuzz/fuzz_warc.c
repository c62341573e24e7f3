/* SPDX-License-Identifier: MIT */
/* Fuzz target: the WARC record parser (io/warc.c) through the reader. An
 * input that does not start with "WARC/1." gets "WARC/1.0\r\n" put in
 * front, so every input is read in WARC mode. A small record limit reaches
 * the streamed-past path for large blocks; two limits are tried. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <medcheck/reader.h>

#include "fuzz_tmp.h"
#include "io/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const mc_record *rec, uint64_t *last_off, uint64_t *last_idx, int first)
{
    if (strlen(rec->text) != rec->text_len ||
        mc__utf8_valid_prefix(rec->text, rec->text_len) != rec->text_len) {
        abort();
    }
    if (rec->id && strlen(rec->id) != rec->id_len) {
        abort();
    }
    if (rec->warc_record_id && strlen(rec->warc_record_id) != rec->warc_record_id_len) {
        abort();
    }
    /* records come in file order: strictly increasing index and offset */
    if (!first && (rec->index <= *last_idx || rec->offset <= *last_off)) {
        abort();
    }
    *last_idx = rec->index;
    *last_off = rec->offset;
}

static void run(const char *path, size_t max_record)
{
    mc_reader *r = NULL;
    mc_reader_opts o;
    mc_record rec;
    mc_reader_opts_default(&o);
    o.max_record_bytes = max_record;
    if (mc_reader_open(&r, path, &o) != 0) {
        return;
    }
    uint64_t last_off = 0;
    uint64_t last_idx = 0;
    int first = 1;
    int rc;
    while ((rc = mc_reader_read(r, &rec)) == 1) {
        check_record(&rec, &last_off, &last_idx, first);
        first = 0;
    }
    if (rc < 0 && mc_reader_errmsg(r)[0] == '\0') {
        abort();
    }
    mc_reader_close(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char prefix[] = "WARC/1.0\r\n";
    char path[] = "/tmp/mc_fuzz_warc_XXXXXX";
    size_t pn = size >= 7 && memcmp(data, "WARC/1.", 7) == 0 ? 0 : sizeof(prefix) - 1;
    uint8_t *buf = malloc(size + pn + 1);
    if (!buf) {
        return 0;
    }
    memcpy(buf, prefix, pn);
    if (size) {
        memcpy(buf + pn, data, size);
    }
    int made = fz_write_tmp(path, buf, size + pn);
    free(buf);
    if (made != 0) {
        return 0;
    }
    run(path, 256);
    run(path, 1 << 20);
    unlink(path);
    return 0;
}
