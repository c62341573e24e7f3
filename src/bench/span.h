/* SPDX-License-Identifier: MIT */
/* Where each item of a benchmark file lies in the file's decompressed
 * bytes, in reader order, so that a file can be copied without some of its
 * items while every other byte stays as it was (`medcheck export`). */
#ifndef MC_BENCH_SPAN_H
#define MC_BENCH_SPAN_H

#include <stddef.h>
#include <stdint.h>

#include <medcheck/bench.h>

/* The bytes of one item. JSONL: its line with the line end. CSV: its
 * record (quoted newlines included) with the record end, after any blank
 * lines before it. JSON documents: the member, from the first byte of its
 * key (object) or value (array) to the last byte of its value; the
 * separators around it belong to its container (`group`). */
typedef struct mc__bench_span {
    size_t start;
    size_t end;     /* one past the last byte */
    uint32_t group; /* JSON documents: index into the layout's groups */
    uint8_t own;    /* 0: the item has no bytes of its own (a HEAD-QA exam
                     * without a data array, read as one malformed item) */
} mc__bench_span;

/* A JSON container whose members are items. */
typedef struct mc__bench_group {
    size_t open;  /* offset of its '{' or '[' */
    size_t close; /* offset of the matching '}' or ']' */
} mc__bench_group;

typedef struct mc__bench_layout {
    mc__bench_span *spans; /* one per item, in reader order */
    size_t n;
    mc__bench_group *groups; /* JSON documents only; else NULL */
    size_t n_groups;
} mc__bench_layout;

/* Find the items of `len` bytes of decompressed content read as `fmt`
 * (the format mc_bench_read() used: not MC_FMT_AUTO). The rules are the
 * readers' own: JSONL items are the non-blank lines; CSV items are the
 * non-blank records (generic CSV after its header row); PubMedQA items
 * are the members of the top-level object, BioASQ the elements of
 * "questions", HEAD-QA the elements of each exam's "data" array.
 * Returns 0 and fills *lo (free with mc__bench_layout_finish());
 * MC_EFORMAT when the content is not what the format needs; MC_EINVAL for
 * MC_FMT_AUTO; MC_ENOMEM. The caller should check lo->n against the number
 * of items the reader made (duplicate JSON keys, which jansson merges,
 * make them differ). */
int mc__bench_layout_build(mc__bench_layout *lo, const char *data, size_t len, mc_bench_format fmt);
void mc__bench_layout_finish(mc__bench_layout *lo);

#endif /* MC_BENCH_SPAN_H */
