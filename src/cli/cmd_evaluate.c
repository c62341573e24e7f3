/* SPDX-License-Identifier: MIT */
/* `medcheck evaluate --scan OUTDIR --results FILE... -o OUTDIR`: model
 * accuracy on clean versus contaminated items. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static void evaluate_usage(FILE *f)
{
    fputs("usage: medcheck evaluate --scan SCANDIR --results FILE [--results FILE ...]\n"
          "                         -o OUTDIR [OPTIONS]\n"
          "\n"
          "Join per-item model results with a scan's verdicts and compare, per model and\n"
          "benchmark file, the accuracy on clean and on contaminated items: difference with\n"
          "a percentile bootstrap interval and a two-sided Fisher exact test. Writes\n"
          "OUTDIR/evaluation.json and OUTDIR/evaluation.md (docs/evaluate.md).\n"
          "\n"
          "Results files (zstd or gzip ok), detected by content:\n"
          "  lm-evaluation-harness --log_samples files (samples_<task>_<date>.jsonl; the\n"
          "  doc's id or question joins; --metric says which per-sample metric is correct);\n"
          "  JSONL with key, or source and index, or id, or question; and correct (true or\n"
          "  false) or prediction (an option letter or text); optional model;\n"
          "  CSV with a header naming the same columns.\n"
          "\n"
          "options:\n"
          "      --scan SCANDIR     the scan's OUTDIR (summary.json, items.jsonl)\n"
          "  -r, --results FILE     results file (repeatable)\n"
          "  -o, --out OUTDIR       result directory (replaced atomically)\n"
          "      --root DIR         resolve the scan's relative benchmark paths against DIR\n"
          "                         (default: the current directory)\n"
          "      --metric NAME      lm-evaluation-harness metric meaning correct when >= 0.5\n"
          "                         (default: acc, else exact_match)\n"
          "      --filter NAME      lm-evaluation-harness filter to use (default: the first\n"
          "                         in each file)\n"
          "      --resamples N      bootstrap resamples (10000)\n"
          "      --seed N           bootstrap seed (1)\n"
          "      --level X          interval level, 0 < X < 1 (0.95)\n"
          "      --min-group N      fewer clean or contaminated items are too_small (10)\n"
          "      --max-examples N   unjoined results listed (20)\n"
          "  -q, --quiet            no table on stdout\n"
          "  -h, --help             this help\n"
          "\n"
          "exit status: 0 ok; 2 usage, an unusable scan or results file, or OUTDIR cannot be\n"
          "written\n",
          f);
}

static int number(const char *opt, const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr, "medcheck evaluate: %s: invalid number '%s'\n", opt, s);
        return EXIT_USAGE;
    }
    *out = v;
    return 0;
}

typedef struct eval_cli {
    cli_list results;
    const char *out;
    int quiet;
    mc_eval_opts o;
} eval_cli;

enum { E_SCAN = 256, E_ROOT, E_METRIC, E_FILTER, E_RESAMPLES, E_SEED, E_LEVEL, E_MIN, E_MAXEX };

static int parse_one(eval_cli *c, int ch, const char *arg)
{
    unsigned long long v = 0;
    int rc = 0;
    char *end;
    switch (ch) {
    case E_SCAN:
        c->o.scan_dir = arg;
        return 0;
    case 'r':
        return cli_list_push(&c->results, arg) < 0 ? EXIT_USAGE : 0;
    case 'o':
        c->out = arg;
        return 0;
    case 'q':
        c->quiet = 1;
        return 0;
    case E_ROOT:
        c->o.root = arg;
        return 0;
    case E_METRIC:
        c->o.metric = arg;
        return 0;
    case E_FILTER:
        c->o.filter = arg;
        return 0;
    case E_RESAMPLES:
        rc = number("--resamples", arg, 100000000, &v);
        c->o.resamples = (uint32_t)v;
        if (rc == 0 && v < 100) {
            fputs("medcheck evaluate: --resamples: at least 100\n", stderr);
            rc = EXIT_USAGE;
        }
        return rc;
    case E_SEED:
        rc = number("--seed", arg, UINT64_MAX, &v);
        c->o.seed = v;
        return rc;
    case E_LEVEL:
        c->o.level = strtod(arg, &end);
        if (end == arg || *end || !(c->o.level > 0.0 && c->o.level < 1.0)) {
            fprintf(stderr, "medcheck evaluate: --level: expected 0 < X < 1, got '%s'\n", arg);
            return EXIT_USAGE;
        }
        return 0;
    case E_MIN:
        rc = number("--min-group", arg, 1000000000, &v);
        c->o.min_group = (uint32_t)v;
        return rc;
    case E_MAXEX:
        rc = number("--max-examples", arg, 100000, &v);
        c->o.max_examples = (uint32_t)v;
        return rc;
    default:
        return EXIT_USAGE;
    }
}

/* 0, -1 after --help, or EXIT_USAGE (printed). */
static int parse(eval_cli *c, int argc, char **argv)
{
    static const struct option lo[] = {
        {"scan", required_argument, NULL, E_SCAN},
        {"results", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, E_ROOT},
        {"metric", required_argument, NULL, E_METRIC},
        {"filter", required_argument, NULL, E_FILTER},
        {"resamples", required_argument, NULL, E_RESAMPLES},
        {"seed", required_argument, NULL, E_SEED},
        {"level", required_argument, NULL, E_LEVEL},
        {"min-group", required_argument, NULL, E_MIN},
        {"max-examples", required_argument, NULL, E_MAXEX},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "r:o:qh", lo, NULL)) != -1) {
        if (ch == 'h') {
            evaluate_usage(stdout);
            return -1;
        }
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "medcheck evaluate: see 'medcheck evaluate --help'\n");
            return EXIT_USAGE;
        }
        int rc = parse_one(c, ch, optarg);
        if (rc) {
            return rc;
        }
    }
    const char *missing = optind < argc       ? "unexpected argument"
                          : !c->o.scan_dir    ? "--scan SCANDIR is required"
                          : c->results.n == 0 ? "give at least one --results FILE"
                          : !c->out           ? "-o OUTDIR is required"
                                              : NULL;
    if (missing) {
        fprintf(stderr, "medcheck evaluate: %s\n", missing);
        evaluate_usage(stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* The main table of evaluation.md on stdout. */
static void print_table(const char *out)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/evaluation.md", out);
    FILE *f = fopen(path, "r");
    char line[8192];
    int in = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (in && line[0] != '|') {
            break; /* the first table only */
        }
        in = in || strncmp(line, "| model |", 9) == 0;
        if (in) {
            fputs(line, stdout);
        }
    }
    if (f) {
        fclose(f);
    }
}

int cmd_evaluate(int argc, char **argv)
{
    eval_cli c;
    memset(&c, 0, sizeof(c));
    mc_eval_opts_default(&c.o);
    int rc = parse(&c, argc, argv);
    if (rc != 0) {
        cli_list_free(&c.results);
        return rc < 0 ? EXIT_OK : rc;
    }
    c.o.results = (const char *const *)c.results.v;
    c.o.n_results = c.results.n;
    c.o.argv = (const char *const *)argv - 1; /* "medcheck evaluate ..." */
    c.o.argc = argc + 1;
    c.o.logger.fn = cli_log;
    mc_eval_result res;
    rc = mc_eval_run(&c.o, c.out, &res);
    cli_log_report();
    if (rc < 0) {
        fprintf(stderr, "medcheck evaluate: %s\n",
                rc == MC_EINVAL || rc == MC_EFORMAT ? "cannot evaluate (see above)"
                                                    : mc_strerror(rc));
        cli_list_free(&c.results);
        return EXIT_USAGE;
    }
    if (!c.quiet) {
        printf("evaluated %u results from %zu file%s: %u joined, %u unjoined", res.rows,
               c.results.n, c.results.n == 1 ? "" : "s", res.joined, res.unjoined);
        if (res.skipped) {
            printf(", %u of another lm-evaluation-harness filter skipped", res.skipped);
        }
        printf("; %u model%s\n", res.models, res.models == 1 ? "" : "s");
        print_table(c.out);
        printf("results: %s/evaluation.json, %s/evaluation.md\n", c.out, c.out);
    }
    cli_list_free(&c.results);
    return EXIT_OK;
}
