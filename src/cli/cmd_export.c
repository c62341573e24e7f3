/* SPDX-License-Identifier: MIT */
/* `medcheck export --scan OUTDIR --clean -o DIR`: each benchmark file of a
 * scan without its contaminated items, in its own format. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

static void export_usage(FILE *f)
{
    fputs("usage: medcheck export --scan SCANDIR --clean -o DIR [--root DIR] [--quiet]\n"
          "\n"
          "Write every benchmark file of a scan into DIR without its contaminated items\n"
          "(input_and_answer, input_only, near_duplicate), in its own format and\n"
          "compression: every byte that is not part of a removed item is kept, and a file\n"
          "with nothing removed is copied as it was. DIR/export_manifest.json lists the\n"
          "files and each removed item with its status and score (docs/evaluate.md).\n"
          "\n"
          "options:\n"
          "      --scan SCANDIR   the scan's OUTDIR (summary.json, items.jsonl)\n"
          "      --clean          leave the contaminated items out (the one mode)\n"
          "  -o, --out DIR        output directory (replaced atomically)\n"
          "      --root DIR       resolve the scan's relative benchmark paths against DIR\n"
          "                       (default: the current directory)\n"
          "  -q, --quiet          no summary on stdout\n"
          "  -h, --help           this help\n"
          "\n"
          "exit status: 0 ok; 2 usage, an unusable scan, a benchmark file changed since the\n"
          "scan, or DIR cannot be written\n",
          f);
}

enum { X_SCAN = 256, X_CLEAN, X_ROOT };

int cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {
        {"scan", required_argument, NULL, X_SCAN},
        {"clean", no_argument, NULL, X_CLEAN},
        {"out", required_argument, NULL, 'o'},
        {"root", required_argument, NULL, X_ROOT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    mc_export_opts o;
    mc_export_opts_default(&o);
    const char *out = NULL;
    int clean = 0, quiet = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
        if (ch == X_SCAN) {
            o.scan_dir = optarg;
        } else if (ch == X_CLEAN) {
            clean = 1;
        } else if (ch == 'o') {
            out = optarg;
        } else if (ch == X_ROOT) {
            o.root = optarg;
        } else if (ch == 'q') {
            quiet = 1;
        } else if (ch == 'h') {
            export_usage(stdout);
            return EXIT_OK;
        } else {
            fprintf(stderr, "medcheck export: see 'medcheck export --help'\n");
            return EXIT_USAGE;
        }
    }
    const char *missing = optind < argc ? "unexpected argument"
                          : !o.scan_dir ? "--scan SCANDIR is required"
                          : !clean      ? "--clean is required (the one export mode)"
                          : !out        ? "-o DIR is required"
                                        : NULL;
    if (missing) {
        fprintf(stderr, "medcheck export: %s\n", missing);
        export_usage(stderr);
        return EXIT_USAGE;
    }
    o.argv = (const char *const *)argv - 1; /* "medcheck export ..." */
    o.argc = argc + 1;
    o.logger.fn = cli_log;
    mc_export_result res;
    int rc = mc_export_run(&o, out, &res);
    cli_log_report();
    if (rc < 0) {
        fprintf(stderr, "medcheck export: %s\n",
                rc == MC_EINVAL ? "cannot export (see above)" : mc_strerror(rc));
        return EXIT_USAGE;
    }
    if (!quiet) {
        printf("exported %u benchmark file%s (%u unchanged): %u of %u items removed as "
               "contaminated\n",
               res.files, res.files == 1 ? "" : "s", res.unchanged, res.removed, res.items);
        printf("results: %s/ (export_manifest.json lists what was removed and why)\n", out);
    }
    return EXIT_OK;
}
