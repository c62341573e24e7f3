/* SPDX-License-Identifier: MIT */
/* `medcheck audit --bench FILE ... -o OUTDIR`: checks of the benchmark's
 * own data (duplicates, split leakage, answer balance, malformed items,
 * PHI-like strings, codes, coverage) into OUTDIR/audit.json and audit.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static void audit_usage(FILE *f)
{
    fputs("usage: medcheck audit --bench FILE [--bench FILE ...] -o OUTDIR [OPTIONS]\n"
          "\n"
          "Check the benchmark's own data: exact and near-duplicate items (question plus\n"
          "options, after the medcheck normalisation of case, punctuation and whitespace),\n"
          "duplicate stems, items shared between the files given, the same item in two\n"
          "splits, the balance of the correct option letter per file (chi-square test),\n"
          "malformed items, PHI-like strings, ICD codes and coverage by subject.\n"
          "Writes OUTDIR/audit.json (format medcheck-audit/1) and OUTDIR/audit.md.\n"
          "\n"
          "benchmark:\n"
          "  -b, --bench FILE          benchmark file (repeatable)\n"
          "      --format F            auto|medqa|medmcqa|pubmedqa|mmlu|headqa|bioasq|jsonl|csv\n"
          "      --fields SPEC         question=K,options=K,answer=K,passage=K,id=K,split=K\n"
          "checks:\n"
          "      --near-threshold X    Jaccard similarity of word 3-gram sets at which two\n"
          "                            items are near-duplicates (0.8)\n"
          "      --max-examples N      examples per section (per kind for PHI) (10)\n"
          "      --criteria FILE       criteria catalog to use instead of the built-in one\n"
          "output:\n"
          "  -o, --out OUTDIR          result directory (replaced atomically)\n"
          "  -q, --quiet               no summary on stdout\n"
          "  -h, --help                this help\n"
          "\n"
          "exit status: 0 ok, 2 usage, unreadable input or unwritable OUTDIR\n",
          f);
}

typedef struct audit_args {
    cli_scan c; /* benchmark list and reading options, as for scan */
    const char *criteria;
    mc_audit_opts opts;
} audit_args;

enum { O_FORMAT = 256, O_FIELDS, O_NEAR_THRESHOLD, O_MAX_EXAMPLES, O_CRITERIA };

static int usage_error(const char *opt, const char *why)
{
    fprintf(stderr, "medcheck audit: %s: %s\n", opt, why);
    return EXIT_USAGE;
}

static int parse_one(audit_args *a, int ch, const char *arg)
{
    char *end;
    switch (ch) {
    case 'b':
        return cli_list_push(&a->c.bench, arg) < 0 ? EXIT_USAGE : 0;
    case O_FORMAT: {
        int f = mc_bench_format_parse(arg);
        if (f < 0) {
            return usage_error("--format", "unknown format (see --help)");
        }
        a->c.bench_opts.format = (mc_bench_format)f;
        return 0;
    }
    case O_FIELDS:
        return cli_fields_parse(&a->c, arg);
    case 'o':
        a->c.out = arg;
        return 0;
    case O_NEAR_THRESHOLD: {
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v > 0.0 && v <= 1.0)) {
            return usage_error("--near-threshold", "expected a number in (0, 1]");
        }
        a->opts.near_threshold = v;
        return 0;
    }
    case O_MAX_EXAMPLES: {
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || v > 100000) {
            return usage_error("--max-examples", "expected a number from 0 to 100000");
        }
        a->opts.max_examples = (uint32_t)v;
        return 0;
    }
    case O_CRITERIA:
        a->criteria = arg;
        return 0;
    case 'q':
        a->c.quiet = 1;
        return 0;
    default:
        return EXIT_USAGE;
    }
}

/* Returns 0, -1 after --help, or EXIT_USAGE (printed). */
static int parse(audit_args *a, int argc, char **argv)
{
    static const struct option longs[] = {
        {"bench", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, O_FORMAT},
        {"fields", required_argument, NULL, O_FIELDS},
        {"out", required_argument, NULL, 'o'},
        {"near-threshold", required_argument, NULL, O_NEAR_THRESHOLD},
        {"max-examples", required_argument, NULL, O_MAX_EXAMPLES},
        {"criteria", required_argument, NULL, O_CRITERIA},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "b:o:qh", longs, NULL)) != -1) {
        if (ch == 'h') {
            audit_usage(stdout);
            return -1;
        }
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "medcheck: see 'medcheck audit --help'\n");
            return EXIT_USAGE;
        }
        int rc = parse_one(a, ch, optarg);
        if (rc) {
            return rc;
        }
    }
    if (optind < argc) {
        return usage_error(argv[optind], "unexpected argument (benchmarks go after --bench)");
    }
    if (a->c.bench.n == 0) {
        return usage_error("audit", "no benchmark: give --bench FILE");
    }
    if (!a->c.out) {
        return usage_error("audit", "no output directory: give -o OUTDIR");
    }
    return 0;
}

static void print_summary(const audit_args *a, const mc_audit_result *r)
{
    printf("audited %u items in %zu file%s\n", r->items, a->c.bench.n,
           a->c.bench.n == 1 ? "" : "s");
    printf("  duplicates (question+options): %u exact groups (%u surplus items), "
           "%u near groups\n", r->exact_groups, r->surplus_items, r->near_groups);
    printf("  duplicate stems (question):    %u groups (%u surplus items)\n", r->stem_groups,
           r->stem_surplus_items);
    printf("  shared across files:           %u groups\n", r->cross_source_groups);
    printf("  split leakage:                 %u items\n", r->split_leakage_items);
    printf("  malformed items:               %u\n", r->malformed_items);
    printf("  items with PHI-like strings:   %u\n", r->phi_items);
    printf("  items with ICD codes:          %u\n", r->code_items);
    printf("  files with unbalanced answers: %u (p < 0.01)\n", r->sources_unbalanced);
    printf("results: %s/\n", a->c.out);
}

static int run(audit_args *a, int argc, char **argv)
{
    char err[512];
    mc_criteria *crit = NULL;
    mc_bench *b = NULL;
    if (a->criteria && mc_criteria_open(&crit, a->criteria, err, sizeof(err)) < 0) {
        fprintf(stderr, "medcheck audit: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = cli_read_bench(&a->c, &b);
    cli_log_report();
    if (rc == 0) {
        a->opts.criteria = crit;
        a->opts.logger.fn = cli_log;
        a->opts.argv = (const char *const *)argv;
        a->opts.argc = argc;
        mc_audit_result res;
        int arc = mc_audit_run(b, &a->opts, a->c.out, &res);
        if (arc < 0) {
            fprintf(stderr, "medcheck audit: failed: %s\n", mc_strerror(arc));
            rc = EXIT_USAGE;
        } else if (!a->c.quiet) {
            print_summary(a, &res);
        }
    }
    mc_bench_destroy(&b);
    mc_criteria_close(&crit);
    return rc;
}

int cmd_audit(int argc, char **argv)
{
    audit_args a;
    memset(&a, 0, sizeof(a));
    mc_bench_opts_default(&a.c.bench_opts);
    mc_audit_opts_default(&a.opts);
    int rc = parse(&a, argc, argv);
    if (rc == 0) {
        rc = run(&a, argc + 1, argv - 1);
    }
    cli_scan_free(&a.c);
    return rc < 0 ? EXIT_OK : rc;
}
