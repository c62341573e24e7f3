/* SPDX-License-Identifier: MIT */
/* Look-ups in the compiled-in corpus descriptors (table.h). The table is
 * static data: nothing is allocated or freed. */
#include <string.h>

#include <medcheck/reader.h>

#include "corpora/table.h"

size_t mc_corpus_count(void)
{
    return mc__corpus_table_len;
}

const mc_corpus_desc *mc_corpus_get(size_t i)
{
    return i < mc__corpus_table_len ? &mc__corpus_table[i] : NULL;
}

const mc_corpus_desc *mc_corpus_find(const char *name)
{
    if (!name) {
        return NULL;
    }
    for (size_t i = 0; i < mc__corpus_table_len; i++) {
        if (strcmp(mc__corpus_table[i].name, name) == 0) {
            return &mc__corpus_table[i];
        }
    }
    return NULL;
}
