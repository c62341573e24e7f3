/* SPDX-License-Identifier: MIT */
/* The scan: shards are handed to worker threads one at a time; each shard
 * is matched and decided on its own, and the per-shard results are folded
 * in shard-list order, so results never depend on the number of threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index/index_file.h"
#include "near/near.h"
#include "scan/output.h"
#include "scan/scan_int.h"
#include "util/alloc.h"
#include "util/log.h"

typedef struct scanctx {
    const mc_index *idx;
    const mc_near *near; /* the near-duplicate detector, or NULL */
    const mc_params *par;
    const mc_scan_opts *opts;
    const char *const *shards;
    size_t nshards;     /* the whole list */
    const uint32_t *mine; /* positions this run scans, ascending */
    size_t nmine;
    mc_shardres *res;   /* indexed by list position */
    atomic_size_t next;
    atomic_int fatal;
    pthread_mutex_t mu; /* progress */
    uint64_t bytes_done;
    uint64_t bytes_total;
    uint32_t shards_done;
    double last_report;
} scanctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(scanctx *c, uint64_t delta, int shard_done)
{
    if (!c->opts->progress.fn) {
        return;
    }
    pthread_mutex_lock(&c->mu);
    c->bytes_done += delta;
    c->shards_done += (uint32_t)shard_done;
    double t = now_s();
    if (shard_done || t - c->last_report >= 0.25) {
        c->last_report = t;
        c->opts->progress.fn(c->opts->progress.ctx, c->bytes_done, c->bytes_total,
                             c->shards_done, (uint32_t)c->nmine);
    }
    pthread_mutex_unlock(&c->mu);
}

static int interrupted(const scanctx *c)
{
    return c->opts->interrupt && *c->opts->interrupt;
}

static int canaries_init(mc_shardres *r, size_t n)
{
    if (n == 0) {
        return 0;
    }
    r->canary_hits = mc__calloc(n, sizeof(uint64_t));
    r->canary_ex = mc__calloc(n * 5, sizeof(*r->canary_ex));
    r->canary_nex = mc__calloc(n, sizeof(uint32_t));
    return r->canary_hits && r->canary_ex && r->canary_nex ? 0 : MC_ENOMEM;
}

static void canaries_check(const scanctx *c, mc_shardres *r, const mc_record *rec)
{
    for (size_t k = 0; k < c->opts->n_canaries; k++) {
        const char *s = c->opts->canaries[k];
        if (!s[0] || !strstr(rec->text, s)) {
            continue;
        }
        r->canary_hits[k]++;
        if (r->canary_nex[k] < 5) {
            r->canary_ex[k * 5 + r->canary_nex[k]][0] = rec->index;
            r->canary_ex[k * 5 + r->canary_nex[k]][1] = rec->offset;
            r->canary_nex[k]++;
        }
    }
}

/* Read every record of one shard. Returns 0 (shard read to its end),
 * 1 (the stream is broken: r->error says why), 2 (interrupted) or a fatal
 * negative code. */
static int read_shard(scanctx *c, mc_matcher *m, mc_near_scratch *ns, mc_shardacc *acc,
                      mc_reader *rd, mc_shardres *r)
{
    mc_record rec;
    uint64_t seen_in = 0;
    int rc;
    while ((rc = mc_reader_read(rd, &rec)) == 1) {
        if (interrupted(c)) {
            mc_reader_get_stats(rd, &r->st);
            r->error = mc__strdup("interrupted");
            return r->error ? 2 : MC_ENOMEM;
        }
        if (c->opts->n_canaries) {
            canaries_check(c, r, &rec);
        }
        rc = mc__matcher_doc(m, rec.text, rec.text_len);
        if (rc == 0) {
            rc = mc__acc_doc(acc, m, &rec);
        }
        if (rc == 0 && ns) {
            const mc_near_hit *hits;
            size_t nhits;
            rc = mc__near_doc_tokens(ns, &m->tv, &hits, &nhits);
            if (rc == 0 && nhits) {
                rc = mc__acc_near(acc, m, &rec, hits, nhits);
            }
        }
        if (rc < 0) {
            return rc;
        }
        if ((rec.index & 255) == 0) {
            mc_reader_stats st;
            mc_reader_get_stats(rd, &st);
            progress(c, st.bytes_in - seen_in, 0);
            seen_in = st.bytes_in;
        }
    }
    mc_reader_get_stats(rd, &r->st);
    progress(c, r->st.bytes_in - seen_in, 1);
    if (rc == MC_EINTR) { /* a network wait was interrupted */
        r->error = mc__strdup("interrupted");
        return r->error ? 2 : MC_ENOMEM;
    }
    if (rc < 0 && rc != MC_ENOMEM) {
        r->error = mc__strdup(mc_reader_errmsg(rd));
        return 1;
    }
    return rc;
}

static int scan_shard(scanctx *c, size_t i, mc_matcher *m, mc_near_scratch *ns)
{
    mc_shardres *r = &c->res[i];
    mc_reader_opts ro;
    mc_reader_opts_default(&ro);
    ro.text_field = c->opts->text_field ? c->opts->text_field : ro.text_field;
    ro.id_field = c->opts->id_field ? c->opts->id_field : ro.id_field;
    ro.max_record_bytes = c->opts->max_record_bytes ? c->opts->max_record_bytes
                                                    : ro.max_record_bytes;
    ro.logger = c->opts->logger;
    ro.http = c->opts->http;
    ro.interrupt = c->opts->interrupt;
    mc_reader *rd = NULL;
    mc_shardacc acc;
    int rc = mc__acc_init(&acc, c->idx, c->par, (uint32_t)i);
    if (rc == 0) {
        rc = canaries_init(r, c->opts->n_canaries);
    }
    if (rc < 0) {
        goto done;
    }
    rc = mc_reader_open(&rd, c->shards[i], &ro);
    if (rc == MC_ENOMEM) {
        goto done;
    }
    if (rc < 0) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s: cannot open: %s", c->shards[i], mc_strerror(rc));
        r->error = mc__strdup(msg);
        rc = 1;
    } else {
        rc = read_shard(c, m, ns, &acc, rd, r);
    }
    if (rc == 1) {
        /* a broken shard: its matches are not used */
        mc__log(&c->opts->logger, MC_LOG_ERROR, "%s", r->error ? r->error : c->shards[i]);
        rc = r->error ? 0 : MC_ENOMEM;
    } else if (rc == 2) {
        rc = 0; /* interrupted: reported once, by the caller */
    } else if (rc == 0) {
        r->status_ok = 1;
        rc = mc__acc_finalize(&acc, r);
    }
done:
    mc_reader_close(&rd);
    mc__acc_finish(&acc);
    return rc;
}

static void *worker(void *arg)
{
    scanctx *c = arg;
    mc_matcher m;
    mc_near_scratch ns;
    int rc = mc__matcher_init(&m, c->idx);
    int near_ok = rc == 0 && c->near && (rc = mc__near_scratch_init(&ns, c->near)) == 0;
    while (rc == 0 && !atomic_load(&c->fatal) && !interrupted(c)) {
        size_t k = atomic_fetch_add(&c->next, 1);
        if (k >= c->nmine) {
            break;
        }
        rc = scan_shard(c, c->mine[k], &m, near_ok ? &ns : NULL);
    }
    if (rc < 0) {
        atomic_store(&c->fatal, rc);
    }
    if (near_ok) {
        mc__near_scratch_finish(&ns);
    }
    mc__matcher_finish(&m);
    return NULL;
}

static const char *const preset_names[] = {"medcheck", "gpt3", "palm", "llama2"};
static const char *const status_names[] = {"clean", "passage_only", "near_duplicate",
                                           "input_only", "input_and_answer"};

int mc_preset_parse(const char *name)
{
    for (int i = 0; name && i < 4; i++) {
        if (strcmp(name, preset_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *mc_preset_name(mc_preset p)
{
    return (unsigned)p < 4 ? preset_names[p] : "unknown";
}

const char *mc_status_name(mc_status s)
{
    return (unsigned)s < 5 ? status_names[s] : "unknown";
}

void mc_scan_opts_default(mc_scan_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->size = sizeof(*o);
    o->preset = MC_PRESET_MEDCHECK;
    o->threshold = -1.0;
    o->max_evidence = 5;
    o->text_field = "text";
    o->id_field = "id";
    o->max_record_bytes = (size_t)64 << 20;
    o->near = -1;
    o->near_threshold = -1.0;
}

/* Preset defaults for every knob left at zero. */
static int params_from(const mc_scan_opts *o, mc_params *p)
{
    static const uint32_t def_n[] = {8, 13, 8, 10};
    static const double def_thr[] = {0.5, 0.0, 0.7, 0.8};
    if ((unsigned)o->preset > MC_PRESET_LLAMA2 || o->threshold > 1.0) {
        return MC_EINVAL;
    }
    p->preset = o->preset;
    p->n = o->ngram ? o->ngram : def_n[o->preset];
    p->threshold = o->threshold >= 0 ? o->threshold : def_thr[o->preset];
    p->max_evidence = o->max_evidence;
    p->template_items = o->template_items ? o->template_items : 2;
    p->frequent_docs = o->frequent_docs ? o->frequent_docs : 20;
    p->answer_window = o->answer_window ? o->answer_window : 100;
    p->redact = o->redact_snippets;
    /* the near-duplicate pass judges a question with its options: defined
     * for the medcheck and gpt3 presets, whose verdicts are per document */
    p->near = o->near < 0 ? o->preset == MC_PRESET_MEDCHECK : o->near != 0;
    p->near_threshold = o->near_threshold >= 0 ? o->near_threshold : 0.7;
    if (p->near && (o->preset == MC_PRESET_PALM || o->preset == MC_PRESET_LLAMA2)) {
        return MC_EINVAL;
    }
    if (p->near_threshold <= 0 || p->near_threshold > 1) {
        return MC_EINVAL;
    }
    return p->n >= 2 && p->n <= 64 ? 0 : MC_EINVAL;
}

void mc__near_params_for(const mc_params *par, mc_near_params *np)
{
    mc__near_params_default(np);
    np->threshold = par->near_threshold;
    /* Two-word shingles: a changed word costs two shingles instead of
     * three, so a stem of 20+ words with three words changed stays above
     * 0.7 (bench/pr: recall 0.977 with 2, 0.930 with 3, no false positive
     * on the hard negatives or the Common Crawl control with either). */
    np->shingle = 2;
}

/* Stems shorter than this are left to the exact pass: a nine-word stem
 * found whole is as often another item with the same stem and other
 * options (MedMCQA repeats stems) as a copy, and the exact rule decides
 * that from the options around it. */
#define NEAR_MIN_TOKENS 12

/* The near-duplicate detector of the index's items: one entry a judged
 * item, its question (stem) alone. With the options in the entry, a page
 * that shows only a long correct option (MMLU) came out as a near copy of
 * a short-stemmed item (bench/pr "answer without question": 10 of 192
 * flagged); options shuffled or relettered do not matter either way.
 * Templates are counted per benchmark file. */
int mc__scan_build_near(const mc_index *idx, const mc_bench *bench, double threshold,
                        mc_near **out)
{
    mc_params par;
    memset(&par, 0, sizeof(par));
    par.near_threshold = threshold;
    mc_near_params np;
    mc__near_params_for(&par, &np);
    mc_near_input *in = mc__calloc(idx->nitems + 1, sizeof(*in));
    mc_near_part *parts = NULL;
    size_t nparts = 0, nin = 0;
    nparts = idx->nitems;
    parts = mc__calloc(nparts + 1, sizeof(*parts));
    int rc = in && parts ? 0 : MC_ENOMEM;
    const char *prev = NULL;
    uint32_t group = 0;
    size_t np_used = 0;
    for (uint32_t i = 0; rc == 0 && i < idx->nitems; i++) {
        const mc_item *it = mc_bench_item(bench, i);
        if (prev && strcmp(prev, it->source) != 0) {
            group++;
        }
        prev = it->source;
        const mc_iitem *ii = &idx->items[i];
        int32_t q = ii->seq[MC_C_QUESTION];
        if (!ii->judged || q < 0 || ii->short_q || idx->seqs[q].ntok < NEAR_MIN_TOKENS) {
            continue; /* short stems: the exact rule (with their options) only */
        }
        mc_near_input *e = &in[nin++];
        e->item = i;
        e->comp = MC_C_QUESTION;
        e->group = group;
        e->parts = &parts[np_used];
        const mc_seq *sq = &idx->seqs[q];
        parts[np_used++] = (mc_near_part){&idx->tv.tok[sq->tok0].hash, MC_NEAR_TOKEN_STRIDE,
                                          sq->ntok};
        e->nparts = 1;
    }
    if (rc == 0) {
        rc = mc__near_build(out, &np, in, nin);
    }
    mc__free(parts);
    mc__free(in);
    return rc;
}

/* The detector stored in the index file when it was built with these
 * parameters (its arrays borrowed from the mapping), else a new one. */
static int build_near(const mc_index_file *ixf, const mc_index *idx, const mc_bench *bench,
                      const mc_params *par, mc_near **out)
{
    if (ixf) {
        mc_near_params np;
        mc__near_params_for(par, &np);
        int rc = mc__index_file_near(ixf, &np, out);
        if (rc < 0 || *out) {
            return rc;
        }
    }
    return mc__scan_build_near(idx, bench, par->near_threshold, out);
}

static unsigned ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static int run_threads(scanctx *c, unsigned jobs)
{
    if (jobs > c->nmine) {
        jobs = c->nmine ? (unsigned)c->nmine : 1;
    }
    pthread_t *t = mc__calloc(jobs, sizeof(*t));
    if (!t) {
        return MC_ENOMEM;
    }
    unsigned started = 0;
    for (; started < jobs - 1; started++) {
        if (pthread_create(&t[started], NULL, worker, c) != 0) {
            break;
        }
    }
    worker(c); /* the calling thread works too */
    for (unsigned k = 0; k < started; k++) {
        pthread_join(t[k], NULL);
    }
    mc__free(t);
    return atomic_load(&c->fatal);
}

static uint64_t total_size(const char *const *shards, const uint32_t *mine, size_t n)
{
    uint64_t tot = 0;
    for (size_t k = 0; k < n; k++) {
        struct stat st;
        const char *s = shards[mine[k]];
        if (strcmp(s, "-") != 0 && stat(s, &st) == 0 && S_ISREG(st.st_mode)) {
            tot += (uint64_t)st.st_size;
        }
    }
    return tot;
}

/* An index file serves a scan only with the parameters it was built
 * with; its recorded --fields go into summary.json. */
static int use_index_file(const mc_index_file *f, const mc_params *par, mc_scan_opts *copy,
                          const mc_scan_opts **opts)
{
    mc_index_file_info in;
    mc_index_file_get_info(f, &in);
    if (in.preset != par->preset || in.ngram != par->n ||
        in.template_items != par->template_items) {
        mc__log(&(*opts)->logger, MC_LOG_ERROR,
                "%s: built for preset %s (n-gram %u, template items %u); this scan asks for "
                "preset %s (n-gram %u, template items %u): build an index with those "
                "parameters, or scan with --bench", in.path, mc_preset_name(in.preset),
                in.ngram, in.template_items, mc_preset_name(par->preset), par->n,
                par->template_items);
        return MC_EINVAL;
    }
    *copy = **opts;
    copy->bench_fields = in.fields;
    *opts = copy;
    return 0;
}

int mc_index_file_write(const mc_bench *bench, const mc_scan_opts *opts, const char *path)
{
    if (!bench || !opts || !path) {
        return MC_EINVAL;
    }
    mc_params par;
    int rc = params_from(opts, &par);
    mc_index *idx = NULL;
    char err[1024];
    if (rc == 0) {
        rc = mc__index_build(&idx, bench, par.preset, par.n, par.template_items);
        snprintf(err, sizeof(err), "%s: cannot build the index: %s", path, mc_strerror(rc));
    } else {
        snprintf(err, sizeof(err), "%s: invalid parameters", path);
    }
    if (rc == 0) {
        rc = mc__index_file_write(idx, bench, opts->bench_fields, path, err, sizeof(err));
    }
    if (rc < 0) {
        mc__log(&opts->logger, MC_LOG_ERROR, "%s", err);
    }
    mc__index_destroy(&idx);
    return rc;
}

int mc_scan_run(const mc_bench *bench, const char *const *shards, size_t n_shards,
                const mc_scan_opts *opts, const char *outdir, mc_scan_result *res)
{
    const mc_index_file *ixf = opts ? opts->index : NULL;
    if (ixf && bench && bench != mc_index_file_bench(ixf)) {
        return MC_EINVAL;
    }
    bench = ixf ? mc_index_file_bench(ixf) : bench;
    if (!bench || (!shards && n_shards) || !opts || !outdir) {
        return MC_EINVAL;
    }
    mc_params par;
    mc_scan_opts with_index;
    int rc = params_from(opts, &par);
    if (rc == 0 && ixf) {
        rc = use_index_file(ixf, &par, &with_index, &opts);
    }
    if (rc < 0) {
        return rc;
    }
    rc = mc__output_check_dir(outdir, &opts->logger);
    if (rc < 0) {
        return rc;
    }
    double t0 = now_s();
    mc_index *built = NULL;
    mc_near *near = NULL;
    const mc_index *idx = ixf ? mc__index_file_index(ixf) : NULL;
    mc_itemres *items = NULL;
    uint32_t *mine = NULL;
    scanctx c = {0};
    pthread_mutex_init(&c.mu, NULL);
    if (!idx) {
        rc = mc__index_build(&built, bench, par.preset, par.n, par.template_items);
        idx = built;
    }
    if (rc == 0 && par.near) {
        rc = build_near(ixf, idx, bench, &par, &near);
    }
    if (rc < 0) {
        goto fail;
    }
    c.idx = idx;
    c.near = near;
    c.par = &par;
    c.opts = opts;
    c.shards = shards;
    c.nshards = n_shards;
    rc = mc__task_assign(shards, n_shards, opts->task_index, opts->task_count, &mine, &c.nmine);
    if (rc < 0) {
        goto fail;
    }
    c.mine = mine;
    c.bytes_total = total_size(shards, mine, c.nmine);
    c.res = mc__calloc(n_shards + 1, sizeof(*c.res));
    items = mc__calloc(idx->nitems + 1, sizeof(*items));
    rc = c.res && items ? 0 : MC_ENOMEM;
    if (rc == 0) {
        rc = run_threads(&c, opts->jobs ? opts->jobs : ncores());
    }
    for (uint32_t i = 0; items && i < idx->nitems; i++) {
        items[i].item = i;
    }
    for (size_t k = 0; rc == 0 && k < c.nmine; k++) {
        rc = mc__fold(idx, &par, items, &c.res[mine[k]]);
    }
    if (rc < 0) {
        goto fail;
    }
    /* complete unless an interrupt left a shard unread (a shard read to
     * its end before the interrupt was seen is complete) */
    int complete = 1;
    for (size_t k = 0; k < c.nmine; k++) {
        complete &= c.res[mine[k]].status_ok || !interrupted(&c);
    }
    mc_output out = {bench, idx, &par, opts, shards, n_shards, mine, c.nmine, c.res, items,
                     complete, now_s() - t0};
    rc = mc__output_write(&out, outdir, res);
    if (rc == 0 && !out.complete) {
        rc = MC_EINTR;
    } else if (rc == 0 && res && res->shards_failed) {
        rc = 1;
    }
fail:
    for (size_t s = 0; c.res && s < n_shards; s++) {
        mc__shardres_finish(&c.res[s], opts->n_canaries);
    }
    for (uint32_t i = 0; items && i < idx->nitems; i++) {
        mc__itemres_finish(&items[i]);
    }
    mc__free(items);
    mc__free(c.res);
    mc__free(mine);
    mc__near_destroy(&near);
    mc__index_destroy(&built);
    pthread_mutex_destroy(&c.mu);
    return rc;
}
