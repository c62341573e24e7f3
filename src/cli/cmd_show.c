/* SPDX-License-Identifier: MIT */
/* `medcheck show --scan OUTDIR KEY`: an item's evidence with the corpus
 * document around each match, the matching words marked. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"

static void show_usage(FILE *f)
{
    fputs("usage: medcheck show --scan SCANDIR [OPTIONS] KEY\n"
          "\n"
          "Print the item KEY (source#index, as in items.jsonl) with each of its evidence\n"
          "entries: the corpus document read back from its shard (a plain file at the\n"
          "recorded byte offset; a zstd or gzip shard by streaming it from its start to the\n"
          "recorded record), shown around the match with the words that form n-grams of\n"
          "the item's matched component marked.\n"
          "\n"
          "options:\n"
          "      --scan SCANDIR     the scan's OUTDIR (summary.json, items.jsonl)\n"
          "      --root DIR         resolve the scan's relative benchmark and shard paths\n"
          "                         against DIR (default: the current directory)\n"
          "      --max-evidence N   evidence entries shown (default: all recorded)\n"
          "      --context N        bytes of the document shown before the first and after\n"
          "                         the last mark, and at most between two marks (300)\n"
          "      --full             the whole document\n"
          "      --color WHEN       auto (a terminal), always or never: marks in bold,\n"
          "                         otherwise as >>>words<<<\n"
          "  -h, --help             this help\n"
          "\n"
          "exit status: 0 ok; 2 usage, or no such item; 3 a document could not be read\n"
          "back (its shard is missing or changed since the scan)\n",
          f);
}

typedef struct show_cli {
    mc_show_opts o;
    size_t context;
    int full;
    int color;
    const char *key;
} show_cli;

static const char *mark_on(const show_cli *c)
{
    return c->color ? "\033[1;4m" : ">>>";
}

static const char *mark_off(const show_cli *c)
{
    return c->color ? "\033[0m" : "<<<";
}

/* Document text on stdout: control characters (an escape sequence in a
 * web page) are shown as '?', never sent to the terminal. */
static void put_text(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        putchar((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? '?' : ch);
    }
}

/* Back (dir < 0) or forward to a UTF-8 character boundary. */
static size_t boundary(const char *t, size_t len, size_t at, int dir)
{
    while (at > 0 && at < len && ((unsigned char)t[at] & 0xC0) == 0x80) {
        at = dir < 0 ? at - 1 : at + 1;
    }
    return at;
}

static void print_doc(const show_cli *c, const mc_show_evidence *e)
{
    const char *t = e->text;
    size_t len = e->text_len;
    size_t ctx = c->full ? len : c->context;
    size_t from = 0, to = len;
    if (e->n_marks && !c->full) {
        from = e->marks[0].start > ctx ? boundary(t, len, e->marks[0].start - ctx, 1) : 0;
        to = e->marks[e->n_marks - 1].end + ctx < len
                 ? boundary(t, len, e->marks[e->n_marks - 1].end + ctx, -1)
                 : len;
    } else if (!c->full) {
        to = 2 * ctx < len ? boundary(t, len, 2 * ctx, -1) : len;
    }
    fputs(from ? "  ..." : "  ", stdout);
    size_t at = from;
    for (size_t m = 0; m < e->n_marks; m++) {
        const mc_show_mark *k = &e->marks[m];
        if (k->end <= from || k->start >= to) {
            continue;
        }
        size_t gap = k->start - at;
        if (!c->full && m > 0 && gap > 2 * ctx) {
            size_t a = boundary(t, len, at + ctx, -1);
            size_t b = boundary(t, len, k->start - ctx, 1);
            put_text(t + at, a - at);
            printf(" [... %zu bytes ...] ", b - a);
            at = b;
        }
        put_text(t + at, k->start - at);
        fputs(mark_on(c), stdout);
        put_text(t + k->start, k->end - k->start);
        fputs(mark_off(c), stdout);
        at = k->end;
    }
    put_text(t + at, to - at);
    puts(to < len ? "..." : "");
}

/* A string from the files (a document id comes from the corpus). */
static void put_str(const char *s)
{
    put_text(s, strlen(s));
}

static void print_entry(const show_cli *c, size_t i, size_t n, const mc_show_evidence *e)
{
    printf("\n[%zu/%zu] %s, %u matching words: ", i + 1, n, e->component, e->match_tokens);
    put_str(e->shard);
    printf(" record %llu, offset ", (unsigned long long)e->record);
    if (e->offset >= 0) {
        printf("%lld", (long long)e->offset);
    } else {
        fputs("null", stdout);
    }
    fputs(", doc ", stdout);
    put_str(e->doc_id ? e->doc_id : "(no id)");
    putchar('\n');
    if (e->rc) {
        fputs("  not read back: ", stdout);
        put_str(e->error);
        putchar('\n');
        return;
    }
    printf("  (%s; %zu bytes of text, %zu marked span%s)\n",
           e->streamed ? "streamed from the shard's start" : "read at the offset", e->text_len,
           e->n_marks, e->n_marks == 1 ? "" : "s");
    print_doc(c, e);
}

static int parse(show_cli *c, int argc, char **argv)
{
    enum { S_SCAN = 256, S_ROOT, S_MAXEV, S_CONTEXT, S_FULL, S_COLOR };
    static const struct option lo[] = {
        {"scan", required_argument, NULL, S_SCAN},
        {"root", required_argument, NULL, S_ROOT},
        {"max-evidence", required_argument, NULL, S_MAXEV},
        {"context", required_argument, NULL, S_CONTEXT},
        {"full", no_argument, NULL, S_FULL},
        {"color", required_argument, NULL, S_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    char *end;
    const char *color = "auto";
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        errno = 0;
        if (ch == S_SCAN) {
            c->o.scan_dir = optarg;
        } else if (ch == S_ROOT) {
            c->o.root = optarg;
        } else if (ch == S_MAXEV || ch == S_CONTEXT) {
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || v > 100000000) {
                fprintf(stderr, "medcheck show: invalid number '%s'\n", optarg);
                return EXIT_USAGE;
            }
            c->o.max_evidence = ch == S_MAXEV ? (uint32_t)v : c->o.max_evidence;
            c->context = ch == S_CONTEXT ? (size_t)v : c->context;
        } else if (ch == S_FULL) {
            c->full = 1;
        } else if (ch == S_COLOR && (!strcmp(optarg, "auto") || !strcmp(optarg, "always") ||
                                     !strcmp(optarg, "never"))) {
            color = optarg;
        } else if (ch == 'h') {
            show_usage(stdout);
            return -1;
        } else {
            fprintf(stderr, "medcheck show: see 'medcheck show --help'\n");
            return EXIT_USAGE;
        }
    }
    c->color = !strcmp(color, "always") || (!strcmp(color, "auto") && isatty(STDOUT_FILENO));
    if (!c->o.scan_dir || optind + 1 != argc) {
        fprintf(stderr, "medcheck show: %s\n",
                !c->o.scan_dir ? "--scan SCANDIR is required" : "give one item KEY");
        show_usage(stderr);
        return EXIT_USAGE;
    }
    c->key = argv[optind];
    return 0;
}

int cmd_show(int argc, char **argv)
{
    show_cli c;
    memset(&c, 0, sizeof(c));
    mc_show_opts_default(&c.o);
    c.context = 300;
    int rc = parse(&c, argc, argv);
    if (rc != 0) {
        return rc < 0 ? EXIT_OK : rc;
    }
    c.o.logger.fn = cli_log;
    c.o.interrupt = &cli_interrupted;
    mc_show *s = NULL;
    rc = mc_show_open(&s, &c.o, c.key);
    cli_log_report();
    if (rc < 0) {
        if (rc != MC_ENOENT && rc != MC_EINVAL) {
            fprintf(stderr, "medcheck show: %s\n", mc_strerror(rc));
        }
        return EXIT_USAGE;
    }
    const mc_show_item *it = mc_show_get_item(s);
    put_str(it->key);
    printf("\n  status %s (%s), score %.3f, coverage %.3f, longest match %u words, "
           "%u evidence entr%s\n",
           it->status, it->contaminated ? "contaminated" : "not contaminated", it->score,
           it->coverage, it->longest_match, it->n_evidence, it->n_evidence == 1 ? "y" : "ies");
    if (it->id) {
        fputs("  id ", stdout);
        put_str(it->id);
        putchar('\n');
    }
    size_t n = mc_show_count(s);
    int unread = 0;
    for (size_t i = 0; i < n; i++) {
        const mc_show_evidence *e = mc_show_evidence_at(s, i);
        print_entry(&c, i, n, e);
        unread += e->rc != 0;
    }
    if (n < it->n_evidence) {
        printf("\n(%u more evidence entr%s; --max-evidence)\n", it->n_evidence - (uint32_t)n,
               it->n_evidence - n == 1 ? "y" : "ies");
    }
    mc_show_close(&s);
    return unread ? EXIT_SHARD_FAILED : EXIT_OK;
}
