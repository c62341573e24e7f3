/* SPDX-License-Identifier: MIT */
/* Rebuilding a benchmark set from items and file records stored elsewhere
 * (an index file, index/index_file.c), without reading benchmark files. */
#ifndef MC_BENCH_BENCH_STORE_H
#define MC_BENCH_BENCH_STORE_H

#include <medcheck/bench.h>

/* Append a file record to `b`. The struct is copied; f->source is
 * borrowed and must outlive the set. Files and items are appended in the
 * order mc_bench_read() would have made them: a file record, then its
 * f->items items. Returns 0 or MC_ENOMEM. */
int mc__bench_store_file(mc_bench *b, const mc_bench_file *f);

/* Append an item to `b`. The struct and its option and label arrays are
 * copied; every string is borrowed and must outlive the set (an item's
 * `answer` may be the same pointer as one of its options, as the readers
 * make it). Returns 0 or MC_ENOMEM. */
int mc__bench_store_item(mc_bench *b, const mc_item *it);

#endif /* MC_BENCH_BENCH_STORE_H */
