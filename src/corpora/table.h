/* SPDX-License-Identifier: MIT */
/* The compiled-in corpus descriptors: a table generated at build time by
 * gen_table.py from corpora/descriptors/<name>.json, sorted by name. */
#ifndef MC_CORPORA_TABLE_H
#define MC_CORPORA_TABLE_H

#include <stddef.h>

#include <medcheck/reader.h>

extern const mc_corpus_desc mc__corpus_table[];
extern const size_t mc__corpus_table_len;

#endif /* MC_CORPORA_TABLE_H */
