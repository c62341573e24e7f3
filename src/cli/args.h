/* SPDX-License-Identifier: MIT */
/* Command-line options of `medcheck scan` (and `demo`), filled into a CLI
 * struct and the library's option structs. */
#ifndef MC_CLI_ARGS_H
#define MC_CLI_ARGS_H

#include <stddef.h>

#include <medcheck/medcheck.h>

/* Exit statuses of the contract. */
enum {
    EXIT_OK = 0,
    EXIT_FINDINGS = 1,
    EXIT_USAGE = 2,
    EXIT_SHARD_FAILED = 3,
    EXIT_INTERRUPTED = 130,
};

typedef struct cli_list {
    char **v;
    size_t n;
    size_t cap;
} cli_list;

typedef struct cli_scan {
    cli_list bench;
    cli_list corpus;      /* as given: files, directories, "-" */
    cli_list shards_from;
    cli_list canaries;
    cli_list fields_mem;  /* storage behind bench_opts.fields */
    cli_list http_headers; /* MEDCHECK_HTTP_HEADERS, then --http-header-file lines */
    mc_http_opts http_opts; /* scan_opts.http points here */
    const char *out;
    int quiet;
    int fail_on_contaminated;
    unsigned task_i, task_n; /* --task I/N; task_n == 0 when unset */
    mc_bench_opts bench_opts;
    mc_scan_opts scan_opts;
    const char *index;    /* --index FILE.mcx */
    int preset_set;       /* --preset given */
    int bench_read_set;   /* --format or --fields given */
    const mc_corpus_desc *corpus_desc; /* --corpus NAME, or NULL */
    int fields_set;       /* 1: --text-field given, 2: --id-field given */
} cli_scan;

int cli_list_push(cli_list *l, const char *s);
void cli_list_free(cli_list *l);

/* Parse `medcheck scan` arguments (argv[0] is "scan"). Returns 0, or
 * EXIT_USAGE after printing the reason; -1 after printing --help. */
int cli_scan_parse(cli_scan *c, int argc, char **argv);
/* Parse `medcheck index` arguments (argv[0] is "index"); same returns. */
int cli_index_parse(cli_scan *c, int argc, char **argv);
void cli_index_usage(FILE *f);
/* Open --index and take the preset, n-gram length and template items it
 * was built with where none were given; EXIT_USAGE (printed) when it
 * cannot be used. */
int cli_open_index(cli_scan *c, mc_index_file **out);
void cli_scan_free(cli_scan *c);
/* --fields SPEC into c->bench_opts.fields (for the commands that read
 * benchmarks); EXIT_USAGE after printing the reason. */
int cli_fields_parse(cli_scan *c, const char *spec);
void cli_scan_usage(FILE *f);

/* Expand CORPUS arguments and --shards-from lists into the shard list.
 * EXIT_USAGE on error (printed). */
int cli_expand_shards(cli_scan *c, cli_list *shards);

/* Read the benchmark files. EXIT_USAGE on error (printed). */
int cli_read_bench(cli_scan *c, mc_bench **out);

/* Run the scan and print the summary; returns the exit status. */
int cli_run_scan(cli_scan *c, mc_bench *b, cli_list *shards, int argc, char **argv);

/* Progress line and logger on stderr. */
void cli_progress(void *ctx, uint64_t done, uint64_t total, uint32_t shards_done,
                  uint32_t shards_total);
void cli_progress_end(void);
void cli_log(void *ctx, mc_log_level level, const char *msg);
/* Warnings printed so far and suppressed past the cap. */
void cli_log_report(void);

extern volatile int cli_interrupted;

int cmd_scan(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_corpora(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_nightly(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* MC_CLI_ARGS_H */
