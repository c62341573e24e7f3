/* SPDX-License-Identifier: MIT */
/* `medcheck corpora [--json] [NAME]`: the corpus descriptors compiled into
 * medcheck (what --corpus NAME applies), with their sources. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "args.h"

static void corpora_usage(FILE *f)
{
    fputs("usage: medcheck corpora [--json] [NAME]\n"
          "\n"
          "List the descriptors of well-known public corpora that are built into medcheck\n"
          "(from corpora/descriptors/ in the source tree): container, compression, text and\n"
          "id fields, and the documentation each fact comes from. With NAME, every fact of\n"
          "that corpus. 'medcheck scan --corpus NAME' takes its text and id fields\n"
          "(--text-field and --id-field given explicitly win).\n"
          "\n"
          "  --json       one JSON object per descriptor and line\n"
          "  -h, --help   this help\n"
          "\n"
          "exit status: 0 ok, 2 usage or unknown NAME\n",
          f);
}

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

static int print_json(const mc_corpus_desc *d)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:b, s:s, s:s, s:s?}", "name",
                  d->name, "title", d->title, "container", d->container, "compression",
                  d->compression, "text_field", d->text_field, "id_field", d->id_field,
                  "evidence_fields", d->evidence_fields, "shard_list", d->shard_list, "readable",
                  d->readable, "source", d->source, "sources", d->sources, "notes", d->notes);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!s) {
        return EXIT_USAGE;
    }
    puts(s);
    free(s);
    return 0;
}

static void print_one(const mc_corpus_desc *d)
{
    printf("name:            %s\n", d->name);
    printf("title:           %s\n", d->title);
    printf("container:       %s%s\n", d->container,
           d->readable ? "" : " (not read by this version of medcheck)");
    printf("compression:     %s\n", d->compression);
    printf("text field:      %s\n", d->text_field ? d->text_field : "- (the record block)");
    printf("id field:        %s\n", or_dash(d->id_field));
    printf("evidence fields: %s\n", d->evidence_fields);
    printf("shard list:      %s\n", d->shard_list);
    printf("source:          %s\n", d->source);
    printf("sources:         %s\n", d->sources);
    if (d->notes) {
        printf("notes:           %s\n", d->notes);
    }
}

static void print_table(void)
{
    printf("%-14s %-9s %-10s %-12s %-24s %s\n", "NAME", "CONTAINER", "COMPRESS", "TEXT", "ID",
           "SOURCE");
    for (size_t i = 0; i < mc_corpus_count(); i++) {
        const mc_corpus_desc *d = mc_corpus_get(i);
        char comp[11];
        snprintf(comp, sizeof(comp), "%s", d->compression); /* first word is enough */
        comp[strcspn(comp, " ")] = '\0';
        printf("%-14s %-9s %-10s %-12s %-24s %s\n", d->name, d->container, comp,
               or_dash(d->text_field), or_dash(d->id_field), d->source);
    }
}

int cmd_corpora(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0;
    int ch;
    optind = 1;
    opterr = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'h') {
            corpora_usage(stdout);
            return EXIT_OK;
        }
        if (ch != 'J') {
            corpora_usage(stderr);
            return EXIT_USAGE;
        }
        json = 1;
    }
    if (argc - optind > 1) {
        corpora_usage(stderr);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        const mc_corpus_desc *d = mc_corpus_find(argv[optind]);
        if (!d) {
            fprintf(stderr, "medcheck: corpora: unknown corpus '%s'\n", argv[optind]);
            return EXIT_USAGE;
        }
        if (json) {
            return print_json(d);
        }
        print_one(d);
        return EXIT_OK;
    }
    if (!json) {
        print_table();
        return EXIT_OK;
    }
    for (size_t i = 0; i < mc_corpus_count(); i++) {
        if (print_json(mc_corpus_get(i)) != 0) {
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}
