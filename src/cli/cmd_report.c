/* SPDX-License-Identifier: MIT */
/* `medcheck report --scan OUTDIR [--audit OUTDIR] [--manifest FILE]
 * [--criteria FILE] -o REPORTDIR`: the 46-criterion MedCheck report
 * (report.json, report.md, report.html). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "report/report_int.h"

static void report_usage(FILE *f)
{
    fputs("usage: medcheck report --scan OUTDIR [--audit OUTDIR] [--evaluation OUTDIR]\n"
          "                       [--manifest FILE] [--criteria FILE] -o REPORTDIR\n"
          "\n"
          "Score the 46 MedCheck criteria: computed ones from the scan (contamination) and\n"
          "the audit (duplicates, split leakage, PHI-like strings, codes, coverage), manifest\n"
          "ones from what the benchmark's authors declare (docs/manifest.md), reviewer ones\n"
          "left undecided and listed. Writes REPORTDIR/report.json (format\n"
          "medcheck-report/1), report.md and a self-contained report.html.\n"
          "\n"
          "inputs:\n"
          "  -s, --scan OUTDIR      results of `medcheck scan` (required)\n"
          "  -a, --audit OUTDIR     results of `medcheck audit` (else audit criteria are null)\n"
          "  -e, --evaluation OUTDIR  results of `medcheck evaluate`: evidence for criteria 36\n"
          "                         (discriminative power) and 37 (statistical significance)\n"
          "  -m, --manifest FILE    the benchmark's manifest (YAML), or a Hugging Face\n"
          "                         dataset card README.md with YAML front matter (else\n"
          "                         manifest criteria are null); findings go to stderr\n"
          "      --criteria FILE    criteria catalog instead of the built-in one\n"
          "output:\n"
          "  -o, --out REPORTDIR    report directory (replaced atomically)\n"
          "  -q, --quiet            no summary on stdout\n"
          "  -h, --help             this help\n"
          "\n"
          "exit status: 0 ok (manifest findings do not change it), 2 usage, unreadable\n"
          "input or unwritable REPORTDIR\n",
          f);
}

enum { O_CRITERIA = 256 };

int cmd_report(int argc, char **argv)
{
    static const struct option longs[] = {
        {"scan", required_argument, NULL, 's'},
        {"audit", required_argument, NULL, 'a'},
        {"evaluation", required_argument, NULL, 'e'},
        {"manifest", required_argument, NULL, 'm'},
        {"criteria", required_argument, NULL, O_CRITERIA},
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mc_report_opts o;
    memset(&o, 0, sizeof(o));
    int quiet = 0;
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "s:a:e:m:o:qh", longs, NULL)) != -1) {
        switch (ch) {
        case 's': o.scan_dir = optarg; break;
        case 'a': o.audit_dir = optarg; break;
        case 'e': o.eval_dir = optarg; break;
        case 'm': o.manifest = optarg; break;
        case O_CRITERIA: o.criteria = optarg; break;
        case 'o': o.outdir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': report_usage(stdout); return EXIT_OK;
        default:
            fprintf(stderr, "medcheck: see 'medcheck report --help'\n");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "medcheck report: %s: unexpected argument\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o.scan_dir) {
        fprintf(stderr, "medcheck report: no scan results: give --scan OUTDIR\n");
        return EXIT_USAGE;
    }
    if (!o.outdir) {
        fprintf(stderr, "medcheck report: no output directory: give -o REPORTDIR\n");
        return EXIT_USAGE;
    }
    o.argv = (const char *const *)argv;
    o.argc = argc;
    char err[2048] = "";
    mc_report_summary s;
    int rc = mc__report_run(&o, &s, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "medcheck report: %s\n", err[0] ? err : mc_strerror(rc));
        return EXIT_USAGE;
    }
    if (!quiet) {
        if (s.overall_percent >= 0) {
            printf("overall %.1f%% over %d scored criteria; %d not decided\n", s.overall_percent,
                   s.scored, s.unscored);
        } else {
            printf("no criterion could be scored; %d not decided\n", s.unscored);
        }
        if (s.manifest_findings) {
            printf("%zu manifest finding%s (on stderr and in report.json)\n",
                   s.manifest_findings, s.manifest_findings == 1 ? "" : "s");
        }
        printf("wrote %s/report.json, report.md, report.html\n", o.outdir);
    }
    return EXIT_OK;
}
