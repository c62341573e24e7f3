/* SPDX-License-Identifier: MIT */
/* `medcheck demo`: scan the bundled sample benchmarks against the bundled
 * sample corpus, then compare the verdicts with the written-down ones. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "args.h"
#include "cli_config.h"

static const char *data_dir(void)
{
    static const char *const cands[] = {MC_SOURCE_DATADIR, MC_INSTALL_DATADIR};
    const char *env = getenv("MEDCHECK_DATA");
    struct stat st;
    if (env && *env) {
        return env;
    }
    for (size_t i = 0; i < 2; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof(p), "%s/benchmarks", cands[i]);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            return cands[i];
        }
    }
    return NULL;
}

/* Absolute form of a path that may not exist yet. */
static int absolute(const char *p, char *out, size_t n)
{
    if (p[0] == '/') {
        return snprintf(out, n, "%s", p) < (int)n ? 0 : -1;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)) || strlen(cwd) + strlen(p) + 2 > n) {
        return -1;
    }
    memcpy(out, cwd, strlen(cwd));
    out[strlen(cwd)] = '/';
    memcpy(out + strlen(cwd) + 1, p, strlen(p) + 1);
    return 0;
}

/* Compare items.jsonl with EXPECTED.tsv; prints one line per mismatch. */
static void check_expected(const char *expected, const char *items)
{
    FILE *e = fopen(expected, "r");
    json_error_t err;
    if (!e) {
        return;
    }
    json_t *by_key = json_object();
    FILE *f = fopen(items, "r");
    char line[1 << 16];
    while (f && fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, &err);
        if (j) {
            json_object_set(by_key, json_string_value(json_object_get(j, "key")),
                            json_object_get(j, "status"));
            json_decref(j);
        }
    }
    if (f) {
        fclose(f);
    }
    unsigned ok = 0, total = 0;
    while (fgets(line, sizeof(line), e)) {
        char key[4096], want[64];
        if (line[0] == '#' || strncmp(line, "key\t", 4) == 0 ||
            sscanf(line, "%4095[^\t]\t%63[^\t\n]", key, want) != 2) {
            continue;
        }
        const char *got = json_string_value(json_object_get(by_key, key));
        total++;
        if (got && strcmp(got, want) == 0) {
            ok++;
        } else {
            printf("  differs: %s expected %s, got %s\n", key, want, got ? got : "(missing)");
        }
    }
    fclose(e);
    json_decref(by_key);
    printf("planted items with the expected verdict: %u of %u (%s)\n", ok, total, expected);
}

typedef struct demo_opts {
    const char *out;
    const char *jobs;
    int quiet;
} demo_opts;

/* 0, EXIT_USAGE, or -1 after --help. */
static int parse_demo(int argc, char **argv, demo_opts *d)
{
    static const struct option lo[] = {{"out", required_argument, NULL, 'o'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"jobs", required_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qj:h", lo, NULL)) != -1) {
        if (ch == 'o') {
            d->out = optarg;
        } else if (ch == 'q') {
            d->quiet = 1;
        } else if (ch == 'j') {
            d->jobs = optarg;
        } else {
            FILE *f = ch == 'h' ? stdout : stderr;
            fputs("usage: medcheck demo [-o DIR] [-j N] [-q]\n"
                  "Scan the bundled sample benchmarks (corpora/benchmarks) against the bundled\n"
                  "sample corpus (corpora/sample) into DIR (default: medcheck-demo), then compare\n"
                  "the verdicts with corpora/EXPECTED.tsv. MEDCHECK_DATA overrides where\n"
                  "corpora/ is found.\n",
                  f);
            return ch == 'h' ? -1 : EXIT_USAGE;
        }
    }
    return 0;
}

/* The scan command line of the demo, run from corpora/'s parent. */
static int demo_args(const demo_opts *d, const char *abs_out, cli_list *bench, char **av,
                     int *nbench)
{
    int ac = 0;
    *nbench = 0;
    av[ac++] = "scan";
    cli_scan tmp = {0};
    cli_list_push(&tmp.corpus, "corpora/benchmarks");
    cli_expand_shards(&tmp, bench);
    cli_scan_free(&tmp);
    for (size_t i = 0; i < bench->n && ac < 56; i++) {
        if (strstr(bench->v[i], "/LICENSES/") == NULL) {
            av[ac++] = "--bench";
            av[ac++] = bench->v[i];
            (*nbench)++;
        }
    }
    av[ac++] = "-o";
    av[ac++] = (char *)abs_out;
    if (d->quiet) {
        av[ac++] = "--quiet";
    }
    if (d->jobs) {
        av[ac++] = "--jobs";
        av[ac++] = (char *)d->jobs;
    }
    av[ac++] = "corpora/sample";
    av[ac] = NULL;
    return ac;
}

/* A simulated model for the evaluation table: every contaminated item
 * answered correctly (as a model that memorised them would), the others
 * right 60% of the time by a fixed hash of the key. There are no real
 * model outputs for the sample; the table only shows how a leak reads. */
static int simulate_results(const char *items, const char *out)
{
    FILE *in = fopen(items, "r");
    FILE *f = in ? fopen(out, "w") : NULL;
    char line[1 << 16];
    json_error_t err;
    while (f && fgets(line, sizeof(line), in)) {
        json_t *j = json_loads(line, 0, &err);
        const char *key = json_string_value(json_object_get(j, "key"));
        uint32_t h = 2166136261u; /* FNV-1a */
        for (const char *p = key ? key : ""; *p; p++) {
            h = (h ^ (unsigned char)*p) * 16777619u;
        }
        json_t *r = json_pack("{s:s?,s:b,s:s}", "key", key, "correct",
                              json_is_true(json_object_get(j, "contaminated")) || h % 100 < 60,
                              "model", "simulated");
        char *text = key ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (text) {
            fprintf(f, "%s\n", text);
        }
        free(text);
        json_decref(r);
        json_decref(j);
    }
    int rc = f && !ferror(f) ? 0 : -1;
    if (f && fclose(f) != 0) {
        rc = -1;
    }
    if (in) {
        fclose(in);
    }
    return rc;
}

/* `medcheck evaluate` of the simulated model into DIR/evaluation. */
static void demo_evaluate(const char *abs_out, int quiet)
{
    char items[PATH_MAX + 32], res[PATH_MAX + 32], ev[PATH_MAX + 32];
    snprintf(items, sizeof(items), "%s/items.jsonl", abs_out);
    snprintf(res, sizeof(res), "%s/simulated_results.jsonl", abs_out);
    snprintf(ev, sizeof(ev), "%s/evaluation", abs_out);
    if (simulate_results(items, res) != 0) {
        fprintf(stderr, "medcheck: demo: cannot write %s\n", res);
        return;
    }
    char *av[] = {"medcheck", "evaluate", "--scan", (char *)abs_out, "--results", res,
                  "-o", ev, quiet ? "--quiet" : NULL, NULL};
    if (!quiet) {
        printf("\nevaluation of a simulated model (contaminated items always answered "
               "correctly, the others 60%% of the time; docs/evaluate.md):\n");
    }
    cmd_evaluate(quiet ? 8 : 7, av + 1); /* which records av[0] too */
}

/* `medcheck audit` of the sample benchmarks into DIR/audit, then `medcheck
 * report` of the scan, the audit and corpora/demo-manifest.yaml into
 * DIR/report. `scan_av` is the scan's command line (its --bench pairs). */
static void demo_report(const char *abs_out, char *const *scan_av, int scan_ac, int quiet)
{
    char audit[PATH_MAX + 32], report[PATH_MAX + 32];
    snprintf(audit, sizeof(audit), "%s/audit", abs_out);
    snprintf(report, sizeof(report), "%s/report", abs_out);
    char *av[72] = {"medcheck", "audit"};
    int ac = 2;
    for (int i = 0; i + 1 < scan_ac && ac < 66; i++) {
        if (strcmp(scan_av[i], "--bench") == 0) {
            av[ac++] = "--bench";
            av[ac++] = scan_av[++i];
        }
    }
    av[ac++] = "-o";
    av[ac++] = audit;
    av[ac++] = "--quiet";
    av[ac] = NULL;
    if (cmd_audit(ac - 1, av + 1) != EXIT_OK) {
        fprintf(stderr, "medcheck: demo: the audit failed; no report\n");
        return;
    }
    char eval[PATH_MAX + 32];
    snprintf(eval, sizeof(eval), "%s/evaluation", abs_out);
    char *rv[] = {"medcheck", "report", "--scan", (char *)abs_out, "--audit", audit,
                  "--evaluation", eval, "--manifest", "corpora/demo-manifest.yaml", "-o", report,
                  NULL};
    if (!quiet) {
        printf("\naudit of the sample benchmarks and the 46-criterion report "
               "(corpora/demo-manifest.yaml):\n");
    }
    if (cmd_report(12 - 1, rv + 1) == EXIT_OK && !quiet) {
        printf("report: %s/report.html\n", report);
    }
}

int cmd_demo(int argc, char **argv)
{
    demo_opts d = {"medcheck-demo", NULL, 0};
    int rc = parse_demo(argc, argv, &d);
    if (rc) {
        return rc;
    }
    const char *dd = data_dir();
    char abs_out[PATH_MAX], items[PATH_MAX + 32], parent[PATH_MAX];
    if (!dd || absolute(d.out, abs_out, sizeof(abs_out)) != 0) {
        fprintf(stderr, "medcheck: demo: sample data not found (set MEDCHECK_DATA to corpora/)\n");
        return EXIT_USAGE;
    }
    /* Run from corpora/'s parent so item keys read corpora/benchmarks/... */
    snprintf(parent, sizeof(parent), "%s/..", dd);
    if (chdir(parent) != 0) {
        fprintf(stderr, "medcheck: demo: %s: %s\n", parent, strerror(errno));
        return EXIT_USAGE;
    }
    /* cmd_scan() records argv[-1] ("medcheck") as the command's first word */
    char *av[65] = {"medcheck"};
    cli_list bench = {0};
    int nbench;
    int ac = demo_args(&d, abs_out, &bench, av + 1, &nbench);
    printf("medcheck demo: %d benchmark files against corpora/sample\n", nbench);
    rc = cmd_scan(ac, av + 1);
    if (rc == EXIT_OK) {
        snprintf(items, sizeof(items), "%s/items.jsonl", abs_out);
        check_expected("corpora/EXPECTED.tsv", items);
        demo_evaluate(abs_out, d.quiet);
        demo_report(abs_out, av + 1, ac, d.quiet);
    }
    cli_list_free(&bench);
    return rc;
}
