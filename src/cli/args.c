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
    for (size_t i = 0; i < c->http_headers.n; i++) {
        memset(c->http_headers.v[i], 0, strlen(c->http_headers.v[i])); /* may be secrets */
    }
    cli_list_free(&c->http_headers);
}

void cli_scan_usage(FILE *f)
{
    fputs(
        "usage: medcheck scan --bench FILE [--bench FILE ...] -o OUTDIR [OPTIONS] CORPUS...\n"
        "       medcheck scan --index FILE.mcx -o OUTDIR [OPTIONS] CORPUS...\n"
        "\n"
        "Stream corpus shards and report, per benchmark item, whether and where it occurs.\n"
        "CORPUS is a file (zstd, gzip, xz, bzip2 or plain, detected from its bytes), a\n"
        "directory (every regular file below it, in bytewise path order), - for standard\n"
        "input, or an http:// or https:// URL (streamed, resumed after a drop, retried).\n"
        "Records are JSONL lines, WARC conversion records (Common Crawl WET: the stream\n"
        "starts with WARC/1.0) or blank-line separated text.\n"
        "\n"
        "benchmark:\n"
        "  -b, --bench FILE          benchmark file (repeatable)\n"
        "      --index FILE.mcx      index file written by 'medcheck index' (instead of\n"
        "                            --bench; its preset unless --preset is given, which\n"
        "                            must then be the same)\n"
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
        "      --near on|off         near-duplicate pass (MinHash/LSH candidates, confirmed by\n"
        "                            exact containment of the question's word pairs in a\n"
        "                            window): default on for medcheck, off for gpt3; not\n"
        "                            with palm or llama2\n"
        "      --near-threshold X    containment for near_duplicate (default 0.7)\n"
        "corpus:\n"
        "      --text-field PATH     JSONL text field, dotted for nested keys (text)\n"
        "      --id-field PATH       JSONL id field (id)\n"
        "      --corpus NAME         text and id fields of a well-known corpus ('medcheck\n"
        "                            corpora' lists them); --text-field/--id-field win\n"
        "      --shards-from FILE    shard paths or URLs, one a line (# comments); relative\n"
        "                            to FILE, which may itself be an http(s) URL\n"
        "      --http-header-file FILE  extra request headers for http(s) shards, one\n"
        "                            'Name: value' a line (# comments); also read from\n"
        "                            MEDCHECK_HTTP_HEADERS (lines); never give them as options\n"
        "      --ca-file FILE        trusted CAs (PEM) for https shards, instead of the system's\n"
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
        "http(s) tuning (environment): MEDCHECK_HTTP_RETRIES (5), MEDCHECK_HTTP_TIMEOUT\n"
        "(seconds without a byte before a request is retried; 60), MEDCHECK_HTTP_BACKOFF_MS\n"
        "(first wait between attempts, doubled each time; 1000)\n"
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

/* --corpus NAME: a compiled-in descriptor (applied after all options). */
static int set_corpus(cli_scan *c, const char *name)
{
    const mc_corpus_desc *d = mc_corpus_find(name);
    if (!d) {
        fprintf(stderr, "medcheck: --corpus: unknown corpus '%s'; known:", name);
        for (size_t i = 0; i < mc_corpus_count(); i++) {
            fprintf(stderr, " %s", mc_corpus_get(i)->name);
        }
        fprintf(stderr, " (see 'medcheck corpora')\n");
        return EXIT_USAGE;
    }
    if (!d->readable) {
        fprintf(stderr, "medcheck: warning: --corpus %s: its shards are %s, which this version "
                        "does not read; the field names apply to a JSONL export\n",
                d->name, d->container);
    }
    c->corpus_desc = d;
    return 0;
}

/* The descriptor's fields, unless --text-field or --id-field were given. */
static void apply_corpus(cli_scan *c)
{
    const mc_corpus_desc *d = c->corpus_desc;
    if (d && d->text_field && !(c->fields_set & 1)) {
        c->scan_opts.text_field = d->text_field;
    }
    if (d && d->id_field && !(c->fields_set & 2)) {
        c->scan_opts.id_field = d->id_field;
    }
}

/* Header lines from `text` ("Name: value" a line; blank lines and '#'
 * comments skipped) onto c->http_headers. `what` names the source in
 * messages, which never quote a value. */
static int add_headers(cli_scan *c, const char *what, char *text)
{
    unsigned line = 0;
    char *next = NULL;
    for (char *p = text; p; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl) {
            *nl = '\0';
        }
        line++;
        size_t n = strlen(p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
            p[--n] = '\0';
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p || *p == '#') {
            continue;
        }
        const char *why = "";
        if (mc_http_header_check(p, &why) < 0) {
            fprintf(stderr, "medcheck: %s: line %u: %s\n", what, line, why);
            return EXIT_USAGE;
        }
        if (cli_list_push(&c->http_headers, p) < 0) {
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* --http-header-file FILE (at most 1 MiB). */
static int read_header_file(cli_scan *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "medcheck: --http-header-file: cannot open %s\n", path);
        return EXIT_USAGE;
    }
    char *text = calloc(1, (1u << 20) + 1);
    size_t n = text ? fread(text, 1, 1u << 20, f) : 0;
    int rc = !text || ferror(f) || !feof(f) || memchr(text, '\0', n) ? EXIT_USAGE : 0;
    if (rc) {
        fprintf(stderr, "medcheck: --http-header-file: %s: unreadable, over 1 MiB or binary\n",
                path);
    } else {
        char what[64 + 4096];
        snprintf(what, sizeof(what), "--http-header-file %s", path);
        rc = add_headers(c, what, text);
    }
    if (text) {
        memset(text, 0, n);
    }
    free(text);
    fclose(f);
    return rc;
}

static int env_u32(const char *name, uint32_t max, uint32_t *dst)
{
    const char *v = getenv(name);
    unsigned long long x;
    if (!v || !*v) {
        return 0;
    }
    if (parse_uint(name, v, max, &x) != 0) {
        return EXIT_USAGE;
    }
    *dst = (uint32_t)x;
    return 0;
}

/* The http options from the environment, after the command line. */
static int http_from_env(cli_scan *c)
{
    mc_http_opts *h = &c->http_opts;
    uint32_t timeout = 0;
    int rc = env_u32("MEDCHECK_HTTP_RETRIES", 100, &h->retries);
    rc = rc ? rc : env_u32("MEDCHECK_HTTP_BACKOFF_MS", 3600000, &h->backoff_ms);
    rc = rc ? rc : env_u32("MEDCHECK_HTTP_TIMEOUT", 86400, &timeout);
    if (rc == 0 && timeout) {
        h->low_speed_time_s = timeout;
        h->connect_timeout_s = timeout < h->connect_timeout_s ? timeout : h->connect_timeout_s;
    }
    const char *env = getenv("MEDCHECK_HTTP_HEADERS");
    if (rc == 0 && env && *env) {
        char *text = strdup(env);
        cli_list file_headers = c->http_headers; /* the environment's come first */
        memset(&c->http_headers, 0, sizeof(c->http_headers));
        rc = text ? add_headers(c, "MEDCHECK_HTTP_HEADERS", text) : EXIT_USAGE;
        for (size_t i = 0; rc == 0 && i < file_headers.n; i++) {
            rc = cli_list_push(&c->http_headers, file_headers.v[i]) < 0 ? EXIT_USAGE : 0;
            memset(file_headers.v[i], 0, strlen(file_headers.v[i]));
        }
        cli_list_free(&file_headers);
        if (text) {
            memset(text, 0, strlen(env));
        }
        free(text);
    }
    h->headers = (const char *const *)c->http_headers.v;
    h->n_headers = c->http_headers.n;
    c->scan_opts.http = h;
    return rc;
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
        c->bench_read_set = 1;
        return 0;
    }
    case O_FIELDS:
        c->scan_opts.bench_fields = arg;
        c->bench_read_set = 1;
        return parse_fields(c, arg);
    case O_PRESET: {
        int p = mc_preset_parse(arg);
        if (p < 0) {
            return not_here("--preset", "expected medcheck, gpt3, palm or llama2");
        }
        so->preset = (mc_preset)p;
        c->preset_set = 1;
        return 0;
    }
    case O_INDEX:
        c->index = arg;
        return 0;
    case 'o':
        c->out = arg;
        return 0;
    case O_TEXT_FIELD:
        c->fields_set |= 1;
        so->text_field = arg;
        return 0;
    case O_ID_FIELD:
        c->fields_set |= 2;
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
        if (strcmp(arg, "on") == 0 || strcmp(arg, "off") == 0) {
            so->near = strcmp(arg, "on") == 0;
            return 0;
        }
        return not_here("--near", "expects on or off");
    case O_NEAR_THRESHOLD:
        rc = parse_double("--near-threshold", arg, &so->near_threshold);
        return rc == 0 && (so->near_threshold <= 0 || so->near_threshold > 1)
                   ? not_here("--near-threshold", "must be in (0, 1]")
                   : rc;
    case O_CANARY:
        return cli_list_push(&c->canaries, arg) < 0 ? EXIT_USAGE : 0;
    case O_REDACT:
        so->redact_snippets = 1;
        return 0;
    case O_HTTP_HEADER:
        return read_header_file(c, arg);
    case O_CA_FILE: {
        FILE *f = fopen(arg, "rb");
        if (!f) {
            fprintf(stderr, "medcheck: --ca-file: cannot open %s\n", arg);
            return EXIT_USAGE;
        }
        fclose(f);
        c->http_opts.ca_file = arg;
        return 0;
    }
    case O_SKETCH:
        return not_here("--sketch", "sketches are not in this version");
    case O_CORPUS:
        return set_corpus(c, arg);
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
    mc_http_opts_default(&c->http_opts);
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
    if (c->index && c->bench.n) {
        return not_here("scan", "--bench and --index cannot be used together");
    }
    if (c->index && c->bench_read_set) {
        return not_here("scan", "--format and --fields apply to --bench files; an index file "
                                "records how its files were read");
    }
    if (!c->index && c->bench.n == 0) {
        return not_here("scan", "no benchmark: give --bench FILE or --index FILE.mcx");
    }
    if (!c->out) {
        return not_here("scan", "no output directory: give -o OUTDIR");
    }
    if (c->scan_opts.near == 1 &&
        (c->scan_opts.preset == MC_PRESET_PALM || c->scan_opts.preset == MC_PRESET_LLAMA2)) {
        return not_here("--near on", "the palm and llama2 presets score n-gram positions over "
                                     "all documents; the near-duplicate pass is for medcheck "
                                     "and gpt3");
    }
    if (c->corpus.n == 0 && c->shards_from.n == 0) {
        return not_here("scan", "no corpus: give shard files, directories, - or --shards-from");
    }
    c->scan_opts.canaries = (const char *const *)c->canaries.v;
    c->scan_opts.n_canaries = c->canaries.n;
    apply_corpus(c);
    return http_from_env(c);
}

/* `medcheck index`: the benchmark options of `scan`, and -o FILE. */
static const struct option index_opts[] = {
    {"bench", required_argument, NULL, 'b'},
    {"format", required_argument, NULL, O_FORMAT},
    {"fields", required_argument, NULL, O_FIELDS},
    {"preset", required_argument, NULL, O_PRESET},
    {"ngram", required_argument, NULL, O_NGRAM},
    {"template-items", required_argument, NULL, O_TEMPLATE_ITEMS},
    {"out", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void cli_index_usage(FILE *f)
{
    fputs("usage: medcheck index --bench FILE [--bench FILE ...] -o FILE.mcx [OPTIONS]\n"
          "\n"
          "Read benchmark files, fingerprint every item and write the whole index, with the\n"
          "items, to one versioned binary file that 'medcheck scan --index FILE.mcx' loads\n"
          "instead of reading the benchmark files (docs/index-format.md).\n"
          "\n"
          "  -b, --bench FILE          benchmark file (repeatable)\n"
          "      --format F            auto|medqa|medmcqa|pubmedqa|mmlu|headqa|bioasq|jsonl|csv\n"
          "      --fields SPEC         question=K,options=K,answer=K,passage=K,id=K,split=K\n"
          "      --preset P            medcheck (default), gpt3, palm, llama2: the index\n"
          "                            serves scans with this preset only\n"
          "      --ngram N             n-gram length (preset default: 8, 13, 8, 10)\n"
          "      --template-items N    medcheck: n-grams in N+ distinct items are templates (2)\n"
          "  -o, --out FILE.mcx        the index file (replaced atomically)\n"
          "  -q, --quiet               no summary on stdout\n"
          "  -h, --help                this help\n"
          "\n"
          "exit status: 0 ok, 2 usage or unreadable benchmark, 3 the file cannot be written\n",
          f);
}

int cli_index_parse(cli_scan *c, int argc, char **argv)
{
    memset(c, 0, sizeof(*c));
    mc_bench_opts_default(&c->bench_opts);
    mc_scan_opts_default(&c->scan_opts);
    optind = 1;
    opterr = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "b:o:qh", index_opts, NULL)) != -1) {
        if (ch == 'h') {
            cli_index_usage(stdout);
            return -1;
        }
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "medcheck: see 'medcheck index --help'\n");
            return EXIT_USAGE;
        }
        int rc = parse_one(c, ch, optarg);
        if (rc) {
            return rc;
        }
    }
    if (optind < argc) {
        return not_here("index", "unexpected argument (corpus shards are for scan)");
    }
    if (c->bench.n == 0) {
        return not_here("index", "no benchmark: give --bench FILE");
    }
    if (!c->out) {
        return not_here("index", "no output file: give -o FILE.mcx");
    }
    return 0;
}

int cli_fields_parse(cli_scan *c, const char *spec)
{
    return parse_fields(c, spec);
}
