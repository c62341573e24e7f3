/* SPDX-License-Identifier: MIT */
/* `medcheck merge OUTDIR... -o OUTDIR`: combine the results of the --task
 * parts of a scan into what a single run would have written. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

static void merge_usage(FILE *f)
{
    fputs("usage: medcheck merge PARTDIR... -o OUTDIR [--quiet]\n"
          "\n"
          "Combine the results of `medcheck scan --task I/N` runs (one PARTDIR each, in\n"
          "any order) into OUTDIR, byte for byte what one scan over the whole shard list\n"
          "would have written (apart from elapsed_s and command in summary.json).\n"
          "\n"
          "The parts must share the preset, every parameter, the benchmark (its files are\n"
          "read again from the paths recorded in summary.json and checked by SHA-256) and\n"
          "the shard list, and must hold every shard exactly once: otherwise nothing is\n"
          "written, and the differing parameter, or each missing or duplicated shard, is\n"
          "named on stderr.\n"
          "\n"
          "options:\n"
          "  -o, --out OUTDIR   result directory (replaced atomically)\n"
          "  -q, --quiet        no summary on stdout\n"
          "  -h, --help         this help\n"
          "\n"
          "exit status: 0 ok; 2 usage, or parts that cannot be merged; 3 a shard failed in\n"
          "some part (shards.jsonl says which; re-run that part, then merge again)\n",
          f);
}

static void print_merged(const char *out, size_t nparts, const mc_scan_result *r)
{
    double mb = (double)r->bytes_decompressed / 1e6;
    printf("merged %zu part%s: %u shard%s (%u ok, %u failed), %llu records, %.1f MB\n", nparts,
           nparts == 1 ? "" : "s", r->shards_ok + r->shards_failed,
           r->shards_ok + r->shards_failed == 1 ? "" : "s", r->shards_ok, r->shards_failed,
           (unsigned long long)r->records, mb);
    printf("items: %u, contaminated: %u, unjudged: %u\n", r->items, r->items_contaminated,
           r->items_unjudged);
    for (int s = MC_STATUS_INPUT_AND_ANSWER; s >= MC_STATUS_CLEAN; s--) {
        printf("  %-18s %u\n", mc_status_name((mc_status)s), r->by_status[s]);
    }
    printf("results: %s/%s\n", out, r->complete ? "" : " (incomplete: a part was interrupted)");
}

/* Options; returns 0, -1 after --help, or EXIT_USAGE (printed). */
static int parse(int argc, char **argv, const char **out, int *quiet)
{
    static const struct option longs[] = {
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longs, NULL)) != -1) {
        if (c == 'o') {
            *out = optarg;
        } else if (c == 'q') {
            *quiet = 1;
        } else if (c == 'h') {
            merge_usage(stdout);
            return -1;
        } else {
            fprintf(stderr, "medcheck merge: see 'medcheck merge --help'\n");
            return EXIT_USAGE;
        }
    }
    if (!*out || optind >= argc) {
        fprintf(stderr, "medcheck merge: %s\n",
                !*out ? "-o OUTDIR is required" : "give at least one part directory");
        merge_usage(stderr);
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    int quiet = 0;
    int rc = parse(argc, argv, &out, &quiet);
    if (rc != 0) {
        return rc < 0 ? EXIT_OK : rc;
    }
    mc_scan_opts so;
    mc_scan_opts_default(&so);
    so.logger.fn = cli_log;
    so.argv = (const char *const *)argv - 1; /* "medcheck merge ..." */
    so.argc = argc + 1;
    mc_scan_result res;
    memset(&res, 0, sizeof(res));
    size_t nparts = (size_t)(argc - optind);
    rc = mc_scan_merge((const char *const *)argv + optind, nparts, &so, out, &res);
    cli_log_report();
    if (rc < 0) {
        fprintf(stderr, "medcheck merge: %s\n",
                rc == MC_EINVAL ? "the parts cannot be merged (see above)" : mc_strerror(rc));
        return rc == MC_EINVAL ? EXIT_USAGE : EXIT_SHARD_FAILED;
    }
    if (!quiet) {
        print_merged(out, nparts, &res);
    }
    if (rc == 1) {
        fprintf(stderr, "medcheck merge: %u shard(s) failed in the parts; see %s/shards.jsonl\n",
                res.shards_failed, out);
        return EXIT_SHARD_FAILED;
    }
    return EXIT_OK;
}
