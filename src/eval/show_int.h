/* SPDX-License-Identifier: MIT */
/* Internals of `medcheck show`: the handle (show.c) and reading the
 * documents back and marking them (show_read.c). */
#ifndef MC_EVAL_SHOW_INT_H
#define MC_EVAL_SHOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include <medcheck/eval.h>
#include <medcheck/normalize.h>

typedef struct mc__show_entry {
    mc_show_evidence pub;
    char *shard; /* as recorded */
    char *path;  /* resolved against the root */
    char *doc_id;
    char *component;
    char *snippet;
    char *item_text; /* the item's component text, or NULL (then the
                      * snippet is marked) */
    char *text;      /* the document */
    char *error;
    mc_show_mark *marks;
} mc__show_entry;

typedef struct mc_show mc__show;

struct mc_show {
    mc_show_item item;
    char *key, *source, *id, *status;
    mc__show_entry *entries;
    size_t n;
    /* the scan's parameters */
    mc_norm_kind kind;
    uint32_t ngram;
    char *text_field, *id_field;
    size_t max_record;
    const volatile int *interrupt;
    mc_logger logger;
    const mc_logger *lg;
};

/* Read every entry's document (shard by shard) and mark it. Entries that
 * cannot be read get rc and error; returns 0 or MC_ENOMEM. */
int mc__show_read_all(mc__show *sh);

/* Mark the words of text[0..len) that lie in an n-gram (n = min(ngram,
 * the item text's word count)) of item_text. *marks is a new array
 * (mc__free) of merged byte ranges. 0 or MC_ENOMEM. */
int mc__show_mark(mc_norm_kind kind, uint32_t ngram, const char *item_text, const char *text,
                  size_t len, mc_show_mark **marks, size_t *n_marks);

#endif /* MC_EVAL_SHOW_INT_H */
