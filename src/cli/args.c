/* SPDX-License-Identifier: MIT */
/* Parsing `medcheck scan` options into the CLI and library option structs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int cli_list_push(cli_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->v, ncap * sizeof(*p));
        if (!p) {
            return -1;
        }
        l->v = p;
        l->cap = ncap;
    }
    l->v[l->n] = strdup(s);
    return l->v[l->n] ? (int)l->n++ : -1;
}

void cli_list_free(cli_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

void cli_scan_free(cli_scan *c)
{
    cli_list_free(&c->bench);
    cli_list_free(&c->corpus);
    cli_list_free(&c->shards_from);
    cli_list_free(&c->canaries);
    cli_list_free(&c->fields_mem);
}

void cli_scan_usage(FILE *f)
{
    fputs(
        "usage: medcheck scan --bench FILE [--bench FILE ...] -o OUTDIR [OPTIONS] CORPUS...\n"
        "\n"
        "Stream corpus shards and report, per benchmark item, whether and where it occurs.\n"
        "CORPUS is a file (zstd, gzip or plain, detected from its bytes), a directory (every\n"
        "regular file below it, in bytewise path order) or - for standard input.\n"
        "\n"
        "benchmark:\n"
        "  -b, --bench FILE          benchmark file (repeatable)\n"
        "      --format F            auto|medqa|medmcqa|pubmedqa|mmlu|headqa|bioasq|jsonl|csv\n"
        "      --fields SPEC         question=K,options=K,answer=K,passage=K,id=K,split=K\n"
        "contamination definition:\n"
        "      --preset P            medcheck (default), gpt3, palm, llama2\n"
        "      --ngram N             n-gram length (preset default: 8, 13, 8, 10)\n"
        "      --threshold X         score threshold (preset default: 0.5, -, 0.7, 0.8)\n"
        "      --template-items N    medcheck: n-grams in N+ distinct items are templates (2)\n"
        "      --frequent-docs N     medcheck: n-grams in short matches of more than N\n"
        "                            documents of a shard are boilerplate (20)\n"
        "      --answer-window N     words around the question searched for the answer (100)\n"
        "      --near off            near-duplicate pass (not in this version: off only)\n"
        "corpus:\n"
        "      --text-field PATH     JSONL text field, dotted for nested keys (text)\n"
        "      --id-field PATH       JSONL id field (id)\n"
        "      --shards-from FILE    shard paths, one a line (# comments); relative to FILE\n"
        "      --max-record-bytes N  skip records larger than N bytes (64M; K, M, G suffixes)\n"
        "      --task I/N            scan only the I-th (0-based) of N parts of the shard list\n"
        "output:\n"
        "  -o, --out OUTDIR          result directory (replaced atomically)\n"
        "      --max-evidence N      evidence entries per item (5)\n"
        "      --canary STRING       report every record containing STRING (repeatable)\n"
        "      --redact-snippets     evidence without text\n"
        "      --fail-on contaminated  exit 1 when any item is contaminated\n"
        "  -j, --jobs N              worker threads (default: number of cores)\n"
        "  -q, --quiet               no progress on stderr\n"
        "  -h, --help                this help\n"
        "\n"
        "exit status: 0 ok, 1 findings with --fail-on, 2 usage, 3 a shard failed, 130 interrupted\n",
        f);
}

static int parse_uint(const char *opt, const char *s, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned long long mul = 1;
    if (end != s && *end && !end[1]) {
        mul = *end == 'K' || *end == 'k' ? 1ull << 10
              : *end == 'M' || *end == 'm' ? 1ull << 20
              : *end == 'G' || *end == 'g' ? 1ull << 30
                                           : 0;
        end += mul != 0;
    }
    if (errno || end == s || *end || s[0] == '-' || mul == 0 || v > max / mul) {
        fprintf(stderr, "medcheck: %s: invalid number '%s'\n", opt, s);
        return EXIT_USAGE;
    }
    *out = v * mul;
    return 0;
}

static int parse_double(const char *opt, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.0 && v <= 1.0)) {
        fprintf(stderr, "medcheck: %s: expected a number in [0, 1], got '%s'\n", opt, s);
        return EXIT_USAGE;
    }
    *out = v;
    return 0;
}

/* --fields question=K,options=K,... */
static int parse_fields(cli_scan *c, const char *spec)
{
    char *dup = strdup(spec);
    int rc = dup ? 0 : EXIT_USAGE;
    char *save = NULL;
    for (char *tok = dup ? strtok_r(dup, ",", &save) : NULL; tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int at = eq && eq[1] ? cli_list_push(&c->fields_mem, eq + 1) : -1;
        if (at < 0) {
            rc = EXIT_USAGE;
            break;
        }
        *eq = '\0';
        const char *v = c->fields_mem.v[at];
        mc_bench_fields *f = &c->bench_opts.fields;
        if (strcmp(tok, "question") == 0) {
            f->question = v;
        } else if (strcmp(tok, "options") == 0) {
            f->options = v;
        } else if (strcmp(tok, "answer") == 0) {
            f->answer = v;
        } else if (strcmp(tok, "passage") == 0) {
            f->passage = v;
        } else if (strcmp(tok, "id") == 0) {
            f->id = v;
        } else if (strcmp(tok, "split") == 0) {
            f->split = v;
        } else {
            rc = EXIT_USAGE;
        }
    }
    free(dup);
    if (rc) {
        fprintf(stderr, "medcheck: --fields: expected question=K,options=K,answer=K,"
                        "passage=K,id=K,split=K; got '%s'\n", spec);
    }
    return rc;
}

static int parse_task(cli_scan *c, const char *s)
{
    unsigned i, n;
    char extra;
    if (sscanf(s, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i >= n) {
        fprintf(stderr, "medcheck: --task: expected I/N with 0 <= I < N, got '%s'\n", s);
        return EXIT_USAGE;
    }
    c->task_i = i;
    c->task_n = n;
    return 0;
}

static int not_here(const char *opt, const char *why)
{
    fprintf(stderr, "medcheck: %s: %s\n", opt, why);
    return EXIT_USAGE;
}

enum {
    O_FORMAT = 256,
    O_FIELDS,
    O_PRESET,
    O_INDEX,
    O_TEXT_FIELD,
    O_ID_FIELD,
    O_TASK,
    O_SHARDS_FROM,
    O_MAX_EVIDENCE,
    O_MAX_RECORD,
    O_NEAR,
    O_NEAR_THRESHOLD,
    O_CANARY,
    O_REDACT,
    O_HTTP_HEADER,
    O_CA_FILE,
    O_SKETCH,
    O_CORPUS,
    O_FAIL_ON,
    O_NGRAM,
    O_THRESHOLD,
    O_TEMPLATE_ITEMS,
    O_FREQUENT_DOCS,
    O_ANSWER_WINDOW,
};

static const struct option long_opts[] = {
    {"bench", required_argument, NULL, 'b'},
    {"format", required_argument, NULL, O_FORMAT},
    {"fields", required_argument, NULL, O_FIELDS},
    {"preset", required_argument, NULL, O_PRESET},
    {"index", required_argument, NULL, O_INDEX},
    {"out", required_argument, NULL, 'o'},
    {"text-field", required_argument, NULL, O_TEXT_FIELD},
    {"id-field", required_argument, NULL, O_ID_FIELD},
    {"jobs", required_argument, NULL, 'j'},
    {"task", required_argument, NULL, O_TASK},
    {"shards-from", required_argument, NULL, O_SHARDS_FROM},
    {"max-evidence", required_argument, NULL, O_MAX_EVIDENCE},
    {"max-record-bytes", required_argument, NULL, O_MAX_RECORD},
    {"near", required_argument, NULL, O_NEAR},
    {"near-threshold", required_argument, NULL, O_NEAR_THRESHOLD},
    {"canary", required_argument, NULL, O_CANARY},
    {"redact-snippets", no_argument, NULL, O_REDACT},
    {"http-header-file", required_argument, NULL, O_HTTP_HEADER},
    {"ca-file", required_argument, NULL, O_CA_FILE},
    {"sketch", required_argument, NULL, O_SKETCH},
    {"corpus", required_argument, NULL, O_CORPUS},
    {"quiet", no_argument, NULL, 'q'},
    {"fail-on", required_argument, NULL, O_FAIL_ON},
    {"ngram", required_argument, NULL, O_NGRAM},
    {"threshold", required_argument, NULL, O_THRESHOLD},
    {"template-items", required_argument, NULL, O_TEMPLATE_ITEMS},
    {"frequent-docs", required_argument, NULL, O_FREQUENT_DOCS},
    {"answer-window", required_argument, NULL, O_ANSWER_WINDOW},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int set_u32(const char *opt, const char *arg, unsigned long long max, uint32_t *dst)
{
    unsigned long long v;
    int rc = parse_uint(opt, arg, max, &v);
    if (rc == 0) {
        *dst = (uint32_t)v;
    }
    return rc;
}

static int parse_one(cli_scan *c, int ch, const char *arg)
{
    mc_scan_opts *so = &c->scan_opts;
    unsigned long long v;
    int rc = 0;
    switch (ch) {
    case 'b':
        return cli_list_push(&c->bench, arg) < 0 ? EXIT_USAGE : 0;
    case O_FORMAT: {
        int f = mc_bench_format_parse(arg);
        if (f < 0) {
            return not_here("--format", "unknown format (see --help)");
        }
        c->bench_opts.format = (mc_bench_format)f;
        return 0;
    }
    case O_FIELDS:
        c->scan_opts.bench_fields = arg;
        return parse_fields(c, arg);
    case O_PRESET: {
        int p = mc_preset_parse(arg);
        if (p < 0) {
            return not_here("--preset", "expected medcheck, gpt3, palm or llama2");
        }
        so->preset = (mc_preset)p;
        return 0;
    }
    case O_INDEX:
        return not_here("--index", "index files are not available in this version; use --bench");
    case 'o':
        c->out = arg;
        return 0;
    case O_TEXT_FIELD:
        so->text_field = arg;
        return 0;
    case O_ID_FIELD:
        so->id_field = arg;
        return 0;
    case 'j':
        rc = parse_uint("--jobs", arg, 1024, &v);
        so->jobs = rc == 0 && v == 0 ? 1 : (unsigned)v;
        return rc;
    case O_TASK:
        return parse_task(c, arg);
    case O_SHARDS_FROM:
        return cli_list_push(&c->shards_from, arg) < 0 ? EXIT_USAGE : 0;
    case O_MAX_EVIDENCE:
        return set_u32("--max-evidence", arg, 1000, &so->max_evidence);
    case O_MAX_RECORD:
        rc = parse_uint("--max-record-bytes", arg, 1ull << 40, &v);
        so->max_record_bytes = (size_t)v;
        return rc == 0 && v == 0 ? not_here("--max-record-bytes", "must be positive") : rc;
    case O_NEAR:
        if (strcmp(arg, "off") == 0) {
            return 0;
        }
        return not_here("--near", "near-duplicate detection is not in this version; use off");
    case O_NEAR_THRESHOLD:
        return not_here("--near-threshold", "near-duplicate detection is not in this version");
    case O_CANARY:
        return cli_list_push(&c->canaries, arg) < 0 ? EXIT_USAGE : 0;
    case O_REDACT:
        so->redact_snippets = 1;
        return 0;
    case O_HTTP_HEADER:
    case O_CA_FILE:
        return not_here(ch == O_CA_FILE ? "--ca-file" : "--http-header-file",
                        "http(s) shards are not in this version");
    case O_SKETCH:
        return not_here("--sketch", "sketches are not in this version");
    case O_CORPUS:
        return not_here("--corpus", "corpus descriptors are not in this version; "
                                    "use --text-field and --id-field");
    case 'q':
        c->quiet = 1;
        return 0;
    case O_FAIL_ON:
        if (strcmp(arg, "contaminated") != 0) {
            return not_here("--fail-on", "expected 'contaminated'");
        }
        c->fail_on_contaminated = 1;
        return 0;
    case O_NGRAM:
        rc = set_u32("--ngram", arg, 64, &so->ngram);
        return rc == 0 && so->ngram < 2 ? not_here("--ngram", "must be 2..64") : rc;
    case O_THRESHOLD:
        return parse_double("--threshold", arg, &so->threshold);
    case O_TEMPLATE_ITEMS:
        rc = set_u32("--template-items", arg, 1u << 30, &so->template_items);
        return rc == 0 && so->template_items < 2 ? not_here("--template-items", "must be >= 2")
                                                 : rc;
    case O_FREQUENT_DOCS:
        return set_u32("--frequent-docs", arg, 1u << 30, &so->frequent_docs);
    case O_ANSWER_WINDOW:
        return set_u32("--answer-window", arg, 1u << 20, &so->answer_window);
    default:
        return EXIT_USAGE;
    }
}

int cli_scan_parse(cli_scan *c, int argc, char **argv)
{
    memset(c, 0, sizeof(*c));
    mc_bench_opts_default(&c->bench_opts);
    mc_scan_opts_default(&c->scan_opts);
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "b:o:j:qh", long_opts, NULL)) != -1) {
        if (ch == 'h') {
            cli_scan_usage(stdout);
            return -1;
        }
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "medcheck: see 'medcheck scan --help'\n");
            return EXIT_USAGE;
        }
        int rc = parse_one(c, ch, optarg);
        if (rc) {
            return rc;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (cli_list_push(&c->corpus, argv[i]) < 0) {
            return EXIT_USAGE;
        }
    }
    if (c->bench.n == 0) {
        return not_here("scan", "no benchmark: give --bench FILE");
    }
    if (!c->out) {
        return not_here("scan", "no output directory: give -o OUTDIR");
    }
    if (c->corpus.n == 0 && c->shards_from.n == 0) {
        return not_here("scan", "no corpus: give shard files, directories, - or --shards-from");
    }
    c->scan_opts.canaries = (const char *const *)c->canaries.v;
    c->scan_opts.n_canaries = c->canaries.n;
    return 0;
}
