/* SPDX-License-Identifier: MIT */
/* Fuzz target: the JSON field extractor on one line. Checks that whatever
 * it extracts from a valid line is valid UTF-8 without NUL bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <medcheck/common.h>

#include "io/json_field.h"
#include "io/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const mc_buf *b, mc__json_kind kind)
{
    if (kind != MC__JSON_STRING) {
        return;
    }
    if (mc__utf8_valid_prefix(b->data, b->len) != b->len || memchr(b->data, 0, b->len)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mc__json_path paths[3];
    mc_buf bufs[3];
    mc__json_query q[3];
    static const char *const names[3] = {"text", "metadata.url", "id"};
    for (int i = 0; i < 3; i++) {
        mc__json_path_init(&paths[i], names[i]);
        mc__buf_init(&bufs[i], 4 * size + 16);
        q[i].path = &paths[i];
        q[i].out = &bufs[i];
    }
    mc__json_error err;
    int rc = mc__json_extract((const char *)data, size, q, 3, &err);
    if (rc == 0) {
        for (int i = 0; i < 3; i++) {
            check_utf8(&bufs[i], q[i].kind);
        }
    } else if (rc == MC_EFORMAT && (!err.msg || err.offset > size)) {
        abort();
    } else if (rc != MC_EFORMAT) {
        abort();
    }
    for (int i = 0; i < 3; i++) {
        mc__buf_finish(&bufs[i]);
    }
    return 0;
}
