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
          "  index    fingerprint benchmark files into an index file for scan --index\n"
          "  scan     stream corpus shards and report, per item, whether and where it occurs\n"
          "  merge    combine the results of scan --task I/N parts into one\n"
          "  audit    check the benchmark's own data: duplicates, split leakage, PHI, balance\n"
          "  demo     scan the bundled sample benchmarks against the bundled sample corpus\n"
          "  corpora  list the built-in descriptors of public corpora (scan --corpus NAME)\n"
          "  evaluate model accuracy on clean versus contaminated items\n"
          "  export   each benchmark file without its contaminated items (--clean)\n"
          "  show     an item's evidence, with the corpus document around it\n"
          "  report   the 46-criterion MedCheck report from scan, audit and manifest\n"
          "  nightly  scan only new or changed shards of a list, state in SQLite\n"
          "\n"
          "The contract's query command is not in this version: it exits with status 2.\n"
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
    if (strcmp(cmd, "index") == 0) {
        return cmd_index(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "audit") == 0) {
        return cmd_audit(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "merge") == 0) {
        return cmd_merge(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "demo") == 0) {
        return cmd_demo(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "corpora") == 0) {
        return cmd_corpora(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "evaluate") == 0) {
        return cmd_evaluate(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "export") == 0) {
        return cmd_export(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "show") == 0) {
        return cmd_show(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "nightly") == 0) {
        return cmd_nightly(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "report") == 0) {
        return cmd_report(argc - 1, argv + 1);
    }
    static const char *const later[] = {"query"};
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
