/* SPDX-License-Identifier: MIT */
/* `medcheck scan`: shard list expansion, --task split, and the run. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file below dir, in bytewise path order. */
static int walk_dir(const char *dir, cli_list *out, int depth)
{
    if (depth > 64) {
        fprintf(stderr, "medcheck: %s: directories nested too deep\n", dir);
        return EXIT_USAGE;
    }
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return EXIT_USAGE;
    }
    cli_list names = {0};
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            size_t n = strlen(dir) + strlen(e->d_name) + 2;
            char *p = malloc(n);
            if (!p) {
                rc = EXIT_USAGE;
                break;
            }
            snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
            rc = cli_list_push(&names, p) < 0 ? EXIT_USAGE : 0;
            free(p);
        }
    }
    closedir(d);
    qsort(names.v, names.n, sizeof(char *), cmp_str);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        struct stat st;
        if (stat(names.v[i], &st) != 0) {
            continue; /* dangling symlink: not a regular file */
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(names.v[i], out, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = cli_list_push(out, names.v[i]) < 0 ? EXIT_USAGE : 0;
        }
    }
    cli_list_free(&names);
    return rc;
}

static int add_corpus_arg(const char *arg, cli_list *out)
{
    struct stat st;
    if (mc_http_is_url(arg)) {
        if (!mc_http_supported()) {
            fprintf(stderr, "medcheck: %s: this medcheck was built without libcurl, so it "
                            "reads no http(s) shards\n", arg);
            return EXIT_USAGE;
        }
        return cli_list_push(out, arg) < 0 ? EXIT_USAGE : 0;
    }
    size_t scheme = strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (scheme > 0 && strncmp(arg + scheme, "://", 3) == 0) {
        fprintf(stderr, "medcheck: %.*s: only http:// and https:// URLs are read\n",
                (int)scheme + 3, arg);
        return EXIT_USAGE;
    }
    if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        return walk_dir(arg, out, 0);
    }
    return cli_list_push(out, arg) < 0 ? EXIT_USAGE : 0;
}

/* --shards-from FILE: one path a line; relative to FILE's directory. */
/* A shard list at an http(s) URL, read whole (it may be compressed) into
 * *text: its blank-line separated blocks, one line each after another. */
static int fetch_list(const char *url, const mc_http_opts *http, char **text, size_t *len)
{
    mc_reader_opts ro;
    mc_reader_opts_default(&ro);
    ro.http = http;
    ro.max_record_bytes = (size_t)16 << 20;
    mc_reader *r = NULL;
    int rc = mc_reader_open(&r, url, &ro);
    size_t n = 0, cap = 0;
    char *s = NULL;
    mc_record rec;
    while (rc == 0 && (rc = mc_reader_read(r, &rec)) == 1) {
        if (n + rec.text_len + 2 > (size_t)64 << 20) {
            fprintf(stderr, "medcheck: --shards-from %s: a list over 64 MiB\n", url);
            rc = -1;
            break;
        }
        if (n + rec.text_len + 2 > cap) {
            cap = 2 * (n + rec.text_len + 2);
            char *t = realloc(s, cap);
            if (!t) {
                rc = -1;
                break;
            }
            s = t;
        }
        memcpy(s + n, rec.text, rec.text_len);
        n += rec.text_len;
        s[n++] = '\n';
        rc = 0;
    }
    if (rc < 0 && r) {
        fprintf(stderr, "medcheck: --shards-from %s: %s\n", url, mc_reader_errmsg(r));
    } else if (rc < 0) {
        fprintf(stderr, "medcheck: --shards-from %s: %s\n", url, mc_strerror(rc));
    }
    mc_reader_close(&r);
    if (rc < 0) {
        free(s);
        return EXIT_USAGE;
    }
    *text = s;
    *len = n;
    return 0;
}

static int read_list(const char *file, const mc_http_opts *http, cli_list *out)
{
    char *fetched = NULL;
    size_t flen = 0;
    if (mc_http_is_url(file)) {
        if (fetch_list(file, http, &fetched, &flen) != 0) {
            return EXIT_USAGE;
        }
        if (!fetched) {
            return 0; /* an empty list */
        }
    }
    FILE *f = fetched ? fmemopen(fetched, flen, "r")
              : strcmp(file, "-") == 0 ? stdin
                                       : fopen(file, "r");
    if (!f) {
        perror(file);
        free(fetched);
        return EXIT_USAGE;
    }
    const char *slash = strrchr(file, '/');
    int dirlen = slash ? (int)(slash - file) : 0;
    char line[8192];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        char *s = line;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        size_t n = strcspn(s, "\r\n");
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        }
        s[n] = '\0';
        if (!*s || *s == '#') {
            continue;
        }
        char path[8300];
        if (*s == '/' || !slash || strstr(s, "://")) {
            snprintf(path, sizeof(path), "%s", s);
        } else {
            snprintf(path, sizeof(path), "%.*s/%s", dirlen, file, s);
        }
        rc = add_corpus_arg(path, out);
    }
    if (f != stdin) {
        fclose(f);
    }
    free(fetched);
    return rc;
}

int cli_expand_shards(cli_scan *c, cli_list *shards)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < c->corpus.n; i++) {
        rc = add_corpus_arg(c->corpus.v[i], shards);
    }
    for (size_t i = 0; rc == 0 && i < c->shards_from.n; i++) {
        rc = read_list(c->shards_from.v[i], &c->http_opts, shards);
    }
    return rc;
}

int cli_read_bench(cli_scan *c, mc_bench **out)
{
    mc_bench *b = NULL;
    int rc = mc_bench_create(&b);
    if (rc < 0) {
        fprintf(stderr, "medcheck: %s\n", mc_strerror(rc));
        return EXIT_USAGE;
    }
    c->bench_opts.logger.fn = cli_log;
    for (size_t i = 0; i < c->bench.n; i++) {
        rc = mc_bench_read(b, c->bench.v[i], &c->bench_opts);
        if (rc < 0) {
            fprintf(stderr, "medcheck: %s\n", mc_bench_errmsg(b));
            mc_bench_destroy(&b);
            return EXIT_USAGE;
        }
    }
    *out = b;
    return 0;
}

static void print_summary(const cli_scan *c, const mc_scan_result *r)
{
    double mb = (double)r->bytes_decompressed / 1e6;
    printf("scanned %u shard%s (%u ok, %u failed): %llu records, %.1f MB in %.2f s",
           r->shards_ok + r->shards_failed, r->shards_ok + r->shards_failed == 1 ? "" : "s",
           r->shards_ok, r->shards_failed, (unsigned long long)r->records, mb, r->elapsed_s);
    if (r->elapsed_s > 0) {
        printf(" (%.1f MB/s)", mb / r->elapsed_s);
    }
    printf("\nitems: %u, contaminated: %u, unjudged: %u\n", r->items, r->items_contaminated,
           r->items_unjudged);
    for (int s = MC_STATUS_INPUT_AND_ANSWER; s >= MC_STATUS_CLEAN; s--) {
        printf("  %-18s %u\n", mc_status_name((mc_status)s), r->by_status[s]);
    }
    printf("results: %s/\n", c->out);
}

int cli_run_scan(cli_scan *c, mc_bench *b, cli_list *shards, int argc, char **argv)
{
    mc_scan_opts *so = &c->scan_opts;
    so->logger.fn = cli_log;
    so->argv = (const char *const *)argv;
    so->argc = argc;
    so->interrupt = &cli_interrupted;
    so->task_index = c->task_i;
    so->task_count = c->task_n;
    if (!c->quiet && isatty(STDERR_FILENO)) {
        so->progress.fn = cli_progress;
    }
    mc_scan_result res;
    memset(&res, 0, sizeof(res));
    int rc = mc_scan_run(b, (const char *const *)shards->v, shards->n, so, c->out, &res);
    cli_progress_end();
    cli_log_report();
    if (rc < 0 && rc != MC_EINTR) {
        fprintf(stderr, "medcheck: scan failed: %s\n", mc_strerror(rc));
        return rc == MC_EINVAL ? EXIT_USAGE : EXIT_SHARD_FAILED;
    }
    print_summary(c, &res);
    if (rc == MC_EINTR) {
        fprintf(stderr, "medcheck: interrupted; results are marked incomplete\n");
        return EXIT_INTERRUPTED;
    }
    if (c->fail_on_contaminated && res.items_contaminated) {
        return EXIT_FINDINGS;
    }
    return res.shards_failed ? EXIT_SHARD_FAILED : EXIT_OK;
}

int cmd_scan(int argc, char **argv)
{
    cli_scan c;
    cli_list shards = {0};
    mc_bench *b = NULL;
    mc_index_file *ix = NULL;
    int rc = cli_scan_parse(&c, argc, argv);
    if (rc == 0) {
        rc = cli_expand_shards(&c, &shards);
    }
    if (rc == 0) {
        rc = c.index ? cli_open_index(&c, &ix) : cli_read_bench(&c, &b);
    }
    if (rc == 0) {
        rc = cli_run_scan(&c, b, &shards, argc + 1, argv - 1);
    }
    mc_bench_destroy(&b);
    mc_index_file_close(&ix);
    cli_list_free(&shards);
    cli_scan_free(&c);
    return rc < 0 ? EXIT_OK : rc;
}
