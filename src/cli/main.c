/* SPDX-License-Identifier: MIT */
/* medcheck: subcommand dispatch. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <medcheck/medcheck.h>

#include "args.h"

volatile int cli_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
}

static void usage(FILE *f)
{
    fputs("usage: medcheck COMMAND [OPTIONS]\n"
          "\n"
          "Check whether benchmark items occur in pretraining corpora.\n"
          "\n"
          "commands:\n"
          "  scan     stream corpus shards and report, per item, whether and where it occurs\n"
          "  merge    combine the results of scan --task I/N parts into one\n"
          "  demo     scan the bundled sample benchmarks against the bundled sample corpus\n"
          "\n"
          "Commands of the contract not in this version (index, audit, report, nightly,\n"
          "evaluate, export, show, query) exit with status 2.\n"
          "\n"
          "  medcheck COMMAND --help   options of a command\n"
          "  medcheck --version        print the version\n",
          f);
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("medcheck %s\n", mc_version());
        return EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "scan") == 0) {
        return cmd_scan(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "merge") == 0) {
        return cmd_merge(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "demo") == 0) {
        return cmd_demo(argc - 1, argv + 1);
    }
    static const char *const later[] = {"index", "audit", "report", "nightly",
                                        "evaluate", "export", "show", "query", "corpora"};
    for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
        if (strcmp(cmd, later[i]) == 0) {
            fprintf(stderr, "medcheck: '%s' is not available in version %s\n", cmd,
                    mc_version());
            return EXIT_USAGE;
        }
    }
    fprintf(stderr, "medcheck: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
