/* SPDX-License-Identifier: MIT */
/* `medcheck nightly --config FILE`: incremental scans of a growing shard
 * list with state in SQLite. The order of writes that makes a killed run
 * safe is in docs/nightly.md: scan results (synced, renamed), then
 * new_flags.jsonl, then one SQLite transaction, then flags.jsonl. */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "args.h"
#include "nightly/config.h"
#include "nightly/files.h"
#include "nightly/state.h"

typedef struct nightly {
    mc_nightly_config cfg;
    mc_nightly_state st;
    cli_scan c;
    int c_init;
    cli_list argv;     /* the synthesized `scan` argument list */
    cli_list all;      /* every shard of the config */
    cli_list todo;     /* shards to scan this run */
    int64_t *todo_stat; /* size and mtime of each, taken before the scan */
    mc_bench *bench;
    mc_index_file *ix;
    char fp[80];       /* index fingerprint */
    const char *preset;
    char rundir[4096];
    char run_name[32];
    char started[32];
    int64_t run_id;
} nightly;

static void usage(FILE *f)
{
    fputs("usage: medcheck nightly --config FILE\n"
          "\n"
          "Scan only the shards that are new, changed, failed before or scanned with\n"
          "another benchmark or preset, with state in SQLite (see docs/nightly.md).\n"
          "Writes OUT/runs/<UTC time>/ and OUT/flags.jsonl.\n"
          "Exit: 2 usage or config error (or the state is locked), 1 new flags,\n"
          "3 a shard failed, 130 interrupted, 0 otherwise.\n",
          f);
}

static int has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static int add(cli_list *l, const char *s)
{
    return cli_list_push(l, s) < 0 ? -1 : 0;
}

/* Turn the config into `scan` arguments: benchmark/index, preset, the
 * scan: options, and the shard sources (globs expanded here). */
static int build_argv(nightly *n)
{
    mc_nightly_config *cfg = &n->cfg;
    cli_list *a = &n->argv;
    int rc = add(a, "scan");
    for (size_t i = 0; rc == 0 && i < cfg->benchmark.n; i++) {
        rc = add(a, "--bench") | add(a, cfg->benchmark.v[i].s);
    }
    if (rc == 0 && cfg->index) {
        rc = add(a, "--index") | add(a, cfg->index);
    }
    if (rc == 0 && cfg->preset) {
        rc = add(a, "--preset") | add(a, cfg->preset);
    }
    if (rc == 0) {
        rc = add(a, "--out") | add(a, cfg->out);
    }
    for (size_t i = 0; rc == 0 && i < cfg->scan_keys.n; i++) {
        /* "--key=value", so that a value starting with '-' stays a value */
        const char *v = cfg->scan_vals.v[i].s;
        char opt[4200];
        mc__nightly_fmt(opt, sizeof(opt), "--%s%s%s", cfg->scan_keys.v[i].s, *v ? "=" : "", v);
        rc = add(a, opt);
    }
    for (size_t i = 0; rc == 0 && i < cfg->shards.n; i++) {
        const char *s = cfg->shards.v[i].s;
        if (s[0] == '@') {
            rc = add(a, "--shards-from") | add(a, s + 1);
        } else if (has_glob(s) && !strstr(s, "://")) {
            glob_t g;
            int gr = glob(s, 0, NULL, &g);
            if (gr == GLOB_NOMATCH) {
                fprintf(stderr, "medcheck: nightly: %s:%d: note: '%s' matches nothing\n",
                        cfg->path, cfg->shards.v[i].line, s);
            } else if (gr != 0) {
                fprintf(stderr, "medcheck: %s:%d: cannot expand '%s'\n", cfg->path,
                        cfg->shards.v[i].line, s);
                return EXIT_USAGE;
            }
            for (size_t k = 0; gr == 0 && rc == 0 && k < g.gl_pathc; k++) {
                rc = add(a, g.gl_pathv[k]);
            }
            if (gr == 0) {
                globfree(&g);
            }
        } else {
            rc = add(a, s);
        }
    }
    return rc < 0 ? -1 : 0;
}

/* FNV-1a, 64 bits: the fingerprint of the benchmark files as read. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    }
    return (h ^ 0xff) * 0x100000001b3ULL;
}

static void fingerprint(nightly *n)
{
    if (n->ix) {
        mc_index_file_info in;
        mc_index_file_get_info(n->ix, &in);
        mc__nightly_fmt(n->fp, sizeof(n->fp), "index:%016" PRIx64 ":%016" PRIx64, in.fingerprint,
                 in.checksum);
        return;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < mc_bench_file_count(n->bench); i++) {
        const mc_bench_file *f = mc_bench_file_at(n->bench, i);
        h = fnv(h, f->source);
        h = fnv(h, f->sha256);
        h = fnv(h, mc_bench_format_name(f->format));
    }
    h = fnv(h, n->c.scan_opts.preset == MC_PRESET_MEDCHECK ? "" : "p");
    const char *fields = n->c.scan_opts.bench_fields;
    h = fnv(h, fields ? fields : "");
    mc__nightly_fmt(n->fp, sizeof(n->fp), "bench:%016" PRIx64, h);
}

static void stat_shard(const char *loc, int64_t *size, int64_t *mtime)
{
    struct stat sb;
    *size = -1;
    *mtime = 0;
    if (strcmp(loc, "-") != 0 && !strstr(loc, "://") && stat(loc, &sb) == 0) {
        *size = (int64_t)sb.st_size;
        *mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    }
}

static int plan(nightly *n)
{
    for (size_t i = 0; i < n->all.n; i++) {
        const char *loc = n->all.v[i];
        int dup = 0;
        for (size_t k = 0; k < n->todo.n && !dup; k++) {
            dup = strcmp(n->todo.v[k], loc) == 0;
        }
        mc_nightly_shard old;
        int found = mc__nightly_shard_get(&n->st, loc, &old);
        if (found < 0) {
            fprintf(stderr, "medcheck: nightly: state: %s\n", n->st.err);
            return -1;
        }
        int64_t size, mtime;
        stat_shard(loc, &size, &mtime);
        if (dup || !mc__nightly_shard_due(found, &old, size, mtime, n->fp, n->preset)) {
            continue;
        }
        int64_t *ts = realloc(n->todo_stat, (n->todo.n + 1) * 2 * sizeof(*ts));
        if (!ts || cli_list_push(&n->todo, loc) < 0) {
            free(ts ? ts : n->todo_stat);
            n->todo_stat = NULL;
            return -1;
        }
        n->todo_stat = ts;
        ts[2 * (n->todo.n - 1)] = size;
        ts[2 * (n->todo.n - 1) + 1] = mtime;
    }
    return 0;
}

/* The run's directory: OUT/runs/<UTC time>; a name already taken (two runs
 * in one second) waits for the next second rather than replace it. */
static int make_rundir(nightly *n)
{
    char runs[4096];
    mc__nightly_fmt(runs, sizeof(runs), "%s/runs", n->cfg.out);
    if ((mkdir(n->cfg.out, 0777) != 0 && errno != EEXIST) ||
        (mkdir(runs, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "medcheck: nightly: %s: %s\n", runs, strerror(errno));
        return -1;
    }
    for (;;) {
        time_t t = time(NULL);
        mc__nightly_utc(t, 1, n->run_name, sizeof(n->run_name));
        mc__nightly_utc(t, 0, n->started, sizeof(n->started));
        mc__nightly_fmt(n->rundir, sizeof(n->rundir), "%s/%s", runs, n->run_name);
        struct stat sb;
        if (stat(n->rundir, &sb) != 0) {
            break;
        }
        sleep(1);
    }
    return 0;
}

/* Leftovers of a killed run: scan temporaries under OUT/runs/ (the lock is
 * held, so nothing else is writing there). */
static void clean_stale(nightly *n)
{
    char pat[4200];
    mc__nightly_fmt(pat, sizeof(pat), "%s/runs/*.tmp-*", n->cfg.out);
    glob_t g;
    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            mc__nightly_rmtree(g.gl_pathv[i]);
        }
        globfree(&g);
    }
}


/* What the scan says of one shard (shards.jsonl). */
static int64_t jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int prep(nightly *n, sqlite3_stmt **q, const char *sql)
{
    if (sqlite3_prepare_v2(n->st.db, sql, -1, q, NULL) != SQLITE_OK) {
        mc__nightly_fmt(n->st.err, sizeof(n->st.err), "%s", sqlite3_errmsg(n->st.db));
        return -1;
    }
    return 0;
}

static int step_done(nightly *n, sqlite3_stmt *q)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        mc__nightly_fmt(n->st.err, sizeof(n->st.err), "%s", sqlite3_errmsg(n->st.db));
        return -1;
    }
    return rc == SQLITE_ROW;
}

/* Record every shard of shards.jsonl (inside the open transaction). */
static int record_shards(nightly *n, double elapsed, int *failed)
{
    char path[4200];
    mc__nightly_fmt(path, sizeof(path), "%s/shards.jsonl", n->rundir);
    FILE *f = fopen(path, "r");
    if (!f) {
        mc__nightly_fmt(n->st.err, sizeof(n->st.err), "%s: %s", path, strerror(errno));
        return -1;
    }
    sqlite3_stmt *q = NULL;
    int rc = prep(n, &q, "INSERT OR REPLACE INTO shards(location, size, mtime_ns, xxh64, "
                         "fingerprint, preset, status, error, scanned_at, run_id, records, "
                         "bytes_in, bytes_decompressed, duration_s) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    char line[65536];
    for (size_t k = 0; rc == 0 && fgets(line, sizeof(line), f); k++) {
        json_t *o = json_loads(line, 0, NULL);
        const char *loc = o ? jstr(o, "shard") : NULL;
        const char *status = o ? jstr(o, "status") : NULL;
        if (!loc || !status) {
            json_decref(o);
            continue;
        }
        /* size and mtime as planned: a shard changed during the scan is
         * then seen as changed by the next run */
        int64_t size, mtime;
        if (k < n->todo.n && strcmp(n->todo.v[k], loc) == 0) {
            size = n->todo_stat[2 * k];
            mtime = n->todo_stat[2 * k + 1];
        } else {
            stat_shard(loc, &size, &mtime);
        }
        *failed += strcmp(status, "ok") != 0;
        sqlite3_bind_text(q, 1, loc, -1, SQLITE_TRANSIENT);
        if (size >= 0) {
            sqlite3_bind_int64(q, 2, size);
        }
        sqlite3_bind_int64(q, 3, mtime);
        sqlite3_bind_text(q, 4, jstr(o, "xxh64"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, n->fp, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 6, n->preset, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 7, status, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 8, jstr(o, "error"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 9, n->started, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 10, n->run_id);
        sqlite3_bind_int64(q, 11, jint(o, "records"));
        sqlite3_bind_int64(q, 12, jint(o, "bytes_in"));
        sqlite3_bind_int64(q, 13, jint(o, "bytes_decompressed"));
        sqlite3_bind_double(q, 14, elapsed);
        rc = step_done(n, q) < 0 ? -1 : 0;
        json_decref(o);
    }
    sqlite3_finalize(q);
    fclose(f);
    return rc;
}

typedef struct flagbuf {
    char *p;
    size_t n, cap;
} flagbuf;

static int fb_add(flagbuf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = (b->n + len + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

/* The contaminated items of items.jsonl that are new (no flag with this
 * fingerprint and preset): their lines, verbatim, into `out`. */
static int find_new(nightly *n, flagbuf *out, size_t *count)
{
    char path[4200];
    mc__nightly_fmt(path, sizeof(path), "%s/items.jsonl", n->rundir);
    FILE *f = fopen(path, "r");
    if (!f) {
        mc__nightly_fmt(n->st.err, sizeof(n->st.err), "%s: %s", path, strerror(errno));
        return -1;
    }
    sqlite3_stmt *q = NULL;
    int rc = prep(n, &q, "SELECT 1 FROM flags WHERE key=? AND fingerprint=? AND preset=?");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        const char *key = o ? jstr(o, "key") : NULL;
        if (key && json_is_true(json_object_get(o, "contaminated"))) {
            sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 2, n->fp, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, 3, n->preset, -1, SQLITE_TRANSIENT);
            int seen = step_done(n, q);
            if (seen < 0 || (seen == 0 && fb_add(out, line, (size_t)len) < 0)) {
                rc = -1;
            }
            *count += seen == 0;
        }
        json_decref(o);
    }
    free(line);
    sqlite3_finalize(q);
    fclose(f);
    return rc;
}

/* Flags and history of the new lines (inside the open transaction). */
static int record_flags(nightly *n, const flagbuf *nf)
{
    sqlite3_stmt *qf = NULL, *qh = NULL;
    int rc = prep(n, &qf, "INSERT OR IGNORE INTO flags(key, fingerprint, preset, status, "
                          "first_seen, first_run, first_shard, evidence) "
                          "VALUES(?,?,?,?,?,?,?,?)");
    if (rc == 0) {
        rc = prep(n, &qh, "INSERT INTO item_history(run_id, key, fingerprint, preset, "
                          "status, shard, evidence) VALUES(?,?,?,?,?,?,?)");
    }
    for (char *s = nf->p; rc == 0 && s && *s;) {
        char *nl = strchr(s, '\n');
        json_t *o = json_loadb(s, nl ? (size_t)(nl - s) : strlen(s), 0, NULL);
        s = nl ? nl + 1 : s + strlen(s);
        if (!o) {
            continue;
        }
        json_t *ev = json_object_get(o, "evidence");
        char *evs = json_dumps(ev ? ev : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
        const char *shard = jstr(json_array_get(ev, 0), "shard");
        sqlite3_stmt *qs[2] = {qf, qh};
        for (int k = 0; k < 2 && rc == 0; k++) {
            sqlite3_stmt *q = qs[k];
            int c = 1;
            if (k == 1) {
                sqlite3_bind_int64(q, c++, n->run_id);
            }
            sqlite3_bind_text(q, c++, jstr(o, "key"), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, c++, n->fp, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, c++, n->preset, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, c++, jstr(o, "status"), -1, SQLITE_TRANSIENT);
            if (k == 0) {
                sqlite3_bind_text(q, c++, n->started, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(q, c++, n->run_id);
            }
            sqlite3_bind_text(q, c++, shard, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(q, c++, evs, -1, SQLITE_TRANSIENT);
            rc = step_done(n, q) < 0 ? -1 : 0;
        }
        free(evs);
        json_decref(o);
    }
    sqlite3_finalize(qf);
    sqlite3_finalize(qh);
    return rc;
}

/* OUT/flags.jsonl from the state: every item ever flagged, by key. */
static int write_flags(nightly *n)
{
    sqlite3_stmt *q = NULL;
    if (prep(n, &q, "SELECT key, status, first_seen, first_shard, evidence, fingerprint, "
                    "preset FROM flags ORDER BY key, fingerprint, preset") < 0) {
        return -1;
    }
    flagbuf b = {0};
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        json_t *o = json_object();
        static const char *const names[] = {"key", "status", "first_seen", "first_shard",
                                            "evidence", "fingerprint", "preset"};
        for (int c = 0; c < 7; c++) {
            const char *v = (const char *)sqlite3_column_text(q, c);
            json_t *jv = !v ? json_null() : c == 4 ? json_loads(v, JSON_DECODE_ANY, NULL)
                                                   : json_string(v);
            json_object_set_new(o, names[c], jv ? jv : json_null());
        }
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        rc = !line || fb_add(&b, line, strlen(line)) < 0 || fb_add(&b, "\n", 1) < 0 ? -1 : 0;
        free(line);
        json_decref(o);
    }
    sqlite3_finalize(q);
    char path[4200];
    mc__nightly_fmt(path, sizeof(path), "%s/flags.jsonl", n->cfg.out);
    if (rc == 0 && mc__nightly_write_atomic(path, b.p ? b.p : "", b.n) < 0) {
        mc__nightly_fmt(n->st.err, sizeof(n->st.err), "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(b.p);
    return rc;
}

static int begin_run(nightly *n)
{
    sqlite3_stmt *q = NULL;
    if (prep(n, &q, "INSERT INTO runs(name, started, status, fingerprint, preset, "
                    "shards_planned) VALUES(?,?,'running',?,?,?)") < 0) {
        return -1;
    }
    sqlite3_bind_text(q, 1, n->run_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, n->started, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, n->fp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, n->preset, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)n->todo.n);
    int rc = step_done(n, q);
    sqlite3_finalize(q);
    n->run_id = sqlite3_last_insert_rowid(n->st.db);
    return rc < 0 ? -1 : 0;
}

static int end_run(nightly *n, const char *status, const mc_scan_result *r, size_t nnew,
                   int failed, int exit_status)
{
    sqlite3_stmt *q = NULL;
    if (prep(n, &q, "UPDATE runs SET finished=?, status=?, shards_ok=?, shards_failed=?, "
                    "new_flags=?, exit_status=?, elapsed_s=? WHERE id=?") < 0) {
        return -1;
    }
    char fin[32];
    mc__nightly_utc(time(NULL), 0, fin, sizeof(fin));
    sqlite3_bind_text(q, 1, fin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 3, r ? (sqlite3_int64)r->shards_ok : 0);
    sqlite3_bind_int64(q, 4, failed);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)nnew);
    sqlite3_bind_int(q, 6, exit_status);
    sqlite3_bind_double(q, 7, r ? r->elapsed_s : 0);
    sqlite3_bind_int64(q, 8, n->run_id);
    int rc = step_done(n, q);
    sqlite3_finalize(q);
    return rc < 0 ? -1 : 0;
}

/* Scan the due shards into the run directory; returns the exit status. */
static int scan_and_record(nightly *n)
{
    mc_scan_opts *so = &n->c.scan_opts;
    so->logger.fn = cli_log;
    so->argv = (const char *const *)n->argv.v;
    so->argc = (int)n->argv.n;
    so->interrupt = &cli_interrupted;
    mc_scan_result res;
    memset(&res, 0, sizeof(res));
    int rc = 0;
    if (n->todo.n) {
        rc = mc_scan_run(n->bench, (const char *const *)n->todo.v, n->todo.n, so, n->rundir,
                         &res);
        cli_log_report();
    } else if (mkdir(n->rundir, 0777) != 0) {
        fprintf(stderr, "medcheck: nightly: %s: %s\n", n->rundir, strerror(errno));
        return EXIT_SHARD_FAILED;
    }
    if (rc < 0 && rc != MC_EINTR) {
        fprintf(stderr, "medcheck: nightly: scan failed: %s\n", mc_strerror(rc));
        int ex = rc == MC_EINVAL ? EXIT_USAGE : EXIT_SHARD_FAILED;
        end_run(n, "failed", NULL, 0, 0, ex);
        return ex;
    }
    if (rc == MC_EINTR) {
        /* Nothing of an interrupted scan is recorded: its shards are redone. */
        fprintf(stderr, "medcheck: nightly: interrupted; no shard recorded, the next run "
                        "redoes them\n");
        end_run(n, "interrupted", &res, 0, 0, EXIT_INTERRUPTED);
        return EXIT_INTERRUPTED;
    }
    /* 1. new_flags.jsonl, durable, before the state says anything. */
    flagbuf nf = {0};
    size_t nnew = 0;
    int failed = 0;
    char path[4200];
    mc__nightly_fmt(path, sizeof(path), "%s/new_flags.jsonl", n->rundir);
    if ((n->todo.n && find_new(n, &nf, &nnew) < 0) ||
        mc__nightly_write_atomic(path, nf.p ? nf.p : "", nf.n) < 0) {
        fprintf(stderr, "medcheck: nightly: %s: %s\n", path, n->st.err[0] ? n->st.err :
                strerror(errno));
        free(nf.p);
        return EXIT_SHARD_FAILED;
    }
    /* 2. One transaction: shards, flags, history, the run. */
    int ok = mc__nightly_exec(&n->st, "BEGIN IMMEDIATE") == 0;
    ok = ok && (!n->todo.n || record_shards(n, res.elapsed_s, &failed) == 0);
    ok = ok && record_flags(n, &nf) == 0;
    int ex = nnew ? EXIT_FINDINGS : failed ? EXIT_SHARD_FAILED : EXIT_OK;
    ok = ok && end_run(n, "done", &res, nnew, failed, ex) == 0;
    ok = ok && mc__nightly_exec(&n->st, "COMMIT") == 0;
    free(nf.p);
    if (!ok) {
        fprintf(stderr, "medcheck: nightly: state %s: %s\n", n->cfg.state, n->st.err);
        mc__nightly_exec(&n->st, "ROLLBACK");
        return EXIT_SHARD_FAILED;
    }
    /* 3. flags.jsonl, derived from the committed state. */
    if (write_flags(n) < 0) {
        fprintf(stderr, "medcheck: nightly: %s\n", n->st.err);
        return EXIT_SHARD_FAILED;
    }
    printf("nightly run %s: %zu of %zu shards scanned (%d failed), %zu new flag%s\n"
           "results: %s/\n",
           n->run_name, n->todo.n, n->all.n, failed, nnew, nnew == 1 ? "" : "s", n->rundir);
    return ex;
}

static int parse_cmdline(int argc, char **argv, const char **config)
{
    *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return -1;
        }
        if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            *config = argv[++i];
        } else if (!strncmp(argv[i], "--config=", 9)) {
            *config = argv[i] + 9;
        } else {
            fprintf(stderr, "medcheck: nightly: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!*config) {
        usage(stderr);
        return EXIT_USAGE;
    }
    return 0;
}

static int prepare(nightly *n, const char *config)
{
    char err[1024];
    if (mc__nightly_config_load(&n->cfg, config, err, sizeof(err)) < 0) {
        fprintf(stderr, "medcheck: nightly: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = mc__nightly_state_open(&n->st, n->cfg.state);
    if (rc != 0) {
        fprintf(stderr, "medcheck: nightly: %s%s\n", n->st.err,
                rc == 1 ? "; exiting" : "");
        return EXIT_USAGE;
    }
    if (build_argv(n) < 0) {
        fprintf(stderr, "medcheck: nightly: out of memory\n");
        return EXIT_USAGE;
    }
    rc = cli_scan_parse(&n->c, (int)n->argv.n, n->argv.v);
    n->c_init = 1;
    if (rc != 0) {
        fprintf(stderr, "medcheck: nightly: %s: the options above come from this config\n",
                config);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n->cfg.benchmark.n; i++) {
        if (access(n->cfg.benchmark.v[i].s, R_OK) != 0) {
            fprintf(stderr, "medcheck: nightly: %s:%d: benchmark file %s: %s\n", config,
                    n->cfg.benchmark.v[i].line, n->cfg.benchmark.v[i].s, strerror(errno));
            return EXIT_USAGE;
        }
    }
    if (n->cfg.index && access(n->cfg.index, R_OK) != 0) {
        fprintf(stderr, "medcheck: nightly: %s: index file %s: %s\n", config, n->cfg.index,
                strerror(errno));
        return EXIT_USAGE;
    }
    rc = cli_expand_shards(&n->c, &n->all);
    if (rc == 0) {
        rc = n->c.index ? cli_open_index(&n->c, &n->ix) : cli_read_bench(&n->c, &n->bench);
    }
    if (rc != 0) {
        fprintf(stderr, "medcheck: nightly: %s: see the message above\n", config);
        return EXIT_USAGE;
    }
    n->preset = mc_preset_name(n->c.scan_opts.preset);
    fingerprint(n);
    return 0;
}

int cmd_nightly(int argc, char **argv)
{
    nightly n;
    memset(&n, 0, sizeof(n));
    n.st.lock_fd = -1;
    const char *config;
    int rc = parse_cmdline(argc, argv, &config);
    if (rc == 0) {
        rc = prepare(&n, config);
    }
    if (rc == 0) {
        clean_stale(&n);
        rc = plan(&n) < 0 || make_rundir(&n) < 0 ? EXIT_SHARD_FAILED : 0;
    }
    if (rc == 0 && begin_run(&n) < 0) {
        fprintf(stderr, "medcheck: nightly: state %s: %s\n", n.cfg.state, n.st.err);
        rc = EXIT_SHARD_FAILED;
    }
    if (rc == 0) {
        rc = scan_and_record(&n);
    }
    mc_bench_destroy(&n.bench);
    mc_index_file_close(&n.ix);
    cli_list_free(&n.todo);
    free(n.todo_stat);
    cli_list_free(&n.all);
    cli_list_free(&n.argv);
    if (n.c_init) {
        cli_scan_free(&n.c);
    }
    mc__nightly_state_close(&n.st);
    mc__nightly_config_finish(&n.cfg);
    return rc < 0 ? EXIT_OK : rc;
}
