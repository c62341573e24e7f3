/* SPDX-License-Identifier: MIT */
/* Index files: a written index reloads bit for bit and scans exactly as
 * the in-memory one; writes are atomic; allocation failures are clean.
 * The refusals of bad files are in test_index_file_refuse.c. */
#include "index_file_test.h"

/* Every array and scalar of a loaded index equals the built one's (struct
 * padding aside: element by element on the members). */
static void same_index(const mc_index *a, const mc_index *b)
{
    assert_int_equal(a->preset, b->preset);
    assert_int_equal(a->norm, b->norm);
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->template_items, b->template_items);
    assert_int_equal(a->nitems, b->nitems);
    assert_int_equal(a->nseqs, b->nseqs);
    assert_int_equal(a->nseq_keys, b->nseq_keys);
    assert_int_equal(a->nkeys, b->nkeys);
    assert_int_equal(a->ntemplates, b->ntemplates);
    assert_int_equal(a->slot_mask, b->slot_mask);
    assert_int_equal(a->filter_shift, b->filter_shift);
    assert_int_equal(a->nanchors, b->nanchors);
    assert_int_equal(a->anc_mask, b->anc_mask);
    assert_int_equal(a->anc_shift, b->anc_shift);
    assert_int_equal(a->nlengths, b->nlengths);
    assert_memory_equal(a->lengths, b->lengths, sizeof(a->lengths));
    assert_true(a->fingerprint == b->fingerprint);
    assert_int_equal(a->tv.n, b->tv.n);
    assert_int_equal(a->tv.norm_len, b->tv.norm_len);
    if (a->tv.n) {
        assert_memory_equal(a->tv.tok, b->tv.tok, a->tv.n * sizeof(mc_token));
        assert_memory_equal(a->tv.norm, b->tv.norm, a->tv.norm_len);
    }
    for (uint32_t s = 0; s < a->nseqs; s++) {
        const mc_seq *x = &a->seqs[s], *y = &b->seqs[s];
        assert_true(x->item == y->item && x->comp == y->comp && x->keyed == y->keyed &&
                    x->whole_key == y->whole_key && x->tok0 == y->tok0 && x->ntok == y->ntok &&
                    x->key0 == y->key0);
    }
    for (uint32_t i = 0; i < a->nitems; i++) {
        const mc_iitem *x = &a->items[i], *y = &b->items[i];
        assert_memory_equal(x->seq, y->seq, sizeof(x->seq));
        assert_memory_equal(x->distinct, y->distinct, sizeof(x->distinct));
        assert_true(x->opt0 == y->opt0 && x->nopt == y->nopt && x->answer_opt == y->answer_opt &&
                    x->opt_tokens == y->opt_tokens && x->q_tokens == y->q_tokens &&
                    x->judged == y->judged && x->short_q == y->short_q &&
                    x->answer_label == y->answer_label);
    }
    if (a->nseq_keys) {
        assert_memory_equal(a->seq_keys, b->seq_keys, a->nseq_keys * sizeof(uint32_t));
    }
    uint64_t nslots = a->slot_mask + 1, nposts = 0;
    assert_memory_equal(a->slots, b->slots, nslots * sizeof(mc_keyslot));
    assert_memory_equal(a->slot_flags, b->slot_flags, nslots);
    for (uint64_t k = 0; k < nslots; k++) {
        nposts += a->slots[k].npost;
    }
    if (nposts) {
        assert_memory_equal(a->posts, b->posts, nposts * sizeof(mc_posting));
    }
    assert_memory_equal(a->filter, b->filter, (sizeof(uint64_t) << (64 - a->filter_shift)));
    if (a->nanchors) {
        assert_memory_equal(a->anc_slots, b->anc_slots, (a->anc_mask + 1) * sizeof(mc_keyslot));
        assert_memory_equal(a->anc_posts, b->anc_posts, a->nanchors * sizeof(mc_posting));
        assert_memory_equal(a->anc_filter, b->anc_filter,
                            (sizeof(uint64_t) << (64 - a->anc_shift)));
    }
}

static void same_str(const char *a, const char *b)
{
    assert_true((a == NULL) == (b == NULL));
    if (a) {
        assert_string_equal(a, b);
    }
}

static void same_bench(const mc_bench *a, const mc_bench *b)
{
    assert_int_equal(mc_bench_count(a), mc_bench_count(b));
    assert_int_equal(mc_bench_file_count(a), mc_bench_file_count(b));
    for (size_t k = 0; k < mc_bench_file_count(a); k++) {
        const mc_bench_file *x = mc_bench_file_at(a, k), *y = mc_bench_file_at(b, k);
        assert_string_equal(x->source, y->source);
        assert_string_equal(x->sha256, y->sha256);
        assert_true(x->format == y->format && x->items == y->items && x->malformed == y->malformed);
    }
    for (size_t i = 0; i < mc_bench_count(a); i++) {
        const mc_item *x = mc_bench_item(a, i), *y = mc_bench_item(b, i);
        assert_string_equal(x->source, y->source);
        assert_true(x->index == y->index && x->line == y->line && x->n_options == y->n_options &&
                    x->answer_index == y->answer_index && x->malformed == y->malformed);
        same_str(x->id, y->id);
        same_str(x->split, y->split);
        same_str(x->question, y->question);
        same_str(x->answer, y->answer);
        same_str(x->passage, y->passage);
        same_str(x->subject, y->subject);
        same_str(x->error, y->error);
        for (uint32_t o = 0; o < x->n_options; o++) {
            same_str(x->options[o], y->options[o]);
            same_str(x->option_labels[o], y->option_labels[o]);
        }
        /* the answer stays the correct option's string, as the readers make it */
        if (x->answer_index >= 0 && x->answer == x->options[x->answer_index]) {
            assert_ptr_equal(y->answer, y->options[y->answer_index]);
        }
    }
}

/* write, load (both ways), compare, write again: the same bytes */
static void roundtrip(const mc_bench *b, mc_preset p, const char *fields)
{
    mc_index *idx = build(b, p);
    const char *a = tmp_path("a.mcx"), *c = tmp_path("c.mcx");
    write_ok(idx, b, fields, a);
    for (int how = 0; how < 2; how++) {
        mc_index_file *f = load_ok(a, how ? MC_MCX_LOAD_READ : MC_MCX_LOAD_MMAP);
        same_index(idx, f->idx);
        same_bench(b, f->bench);
        same_str(fields, f->fields);
        write_ok(f->idx, f->bench, f->fields, c);
        same_bytes(a, c);
        mc_index_file_close(&f);
    }
    mc__index_destroy(&idx);
}

static void test_mc__index_file_write_roundtrip_tiny_every_preset(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    for (int p = 0; p < 4; p++) {
        roundtrip(b, (mc_preset)p, TINY_FIELDS);
    }
    mc_index *idx = build(b, MC_PRESET_MEDCHECK);
    assert_true(idx->nanchors > 0 && idx->ntemplates > 0); /* every array is exercised */
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
}

/* The near-duplicate detector is stored for the presets whose scans run
 * the near pass, equal to the one a scan builds, and served only for the
 * parameters (threshold included) it was built with. */
static void test_mc__index_file_near_stored(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    for (int p = 0; p < 4; p++) {
        const char *ix = tmp_path("near.mcx");
        mc_scan_opts o;
        mc_scan_opts_default(&o);
        o.preset = (mc_preset)p;
        o.near = p <= MC_PRESET_GPT3;
        o.bench_fields = TINY_FIELDS;
        assert_int_equal(mc_index_file_write(b, &o, ix), 0);
        mc_index_file *f = NULL;
        assert_int_equal(mc_index_file_open(&f, ix, NULL), 0);
        if (p > MC_PRESET_GPT3) {
            assert_null(f->near);
            mc_index_file_close(&f);
            continue;
        }
        const mc_near *s = f->near;
        assert_non_null(s);
        assert_true(s->borrowed && s->nindexed > 0);
        mc_near *nx = NULL;
        assert_int_equal(mc__scan_build_near(f->idx, f->bench, 0.7, &nx), 0);
        assert_memory_equal(&nx->p, &s->p, sizeof(nx->p));
        assert_int_equal(nx->nentries, s->nentries);
        assert_int_equal(nx->nshingles, s->nshingles);
        assert_int_equal(nx->nposts, s->nposts);
        assert_int_equal(nx->slot_mask, s->slot_mask);
        assert_int_equal(nx->filter_shift, s->filter_shift);
        assert_int_equal(nx->cfilter_shift, s->cfilter_shift);
        assert_int_equal(nx->band_shift, s->band_shift);
        assert_memory_equal(nx->entries, s->entries, nx->nentries * sizeof(mc_near_entry));
        assert_memory_equal(nx->shingles, s->shingles, nx->nshingles * sizeof(uint64_t));
        assert_memory_equal(nx->sigs, s->sigs, (size_t)nx->nentries * nx->p.perms * 4);
        assert_memory_equal(nx->slots, s->slots, (nx->slot_mask + 1) * sizeof(mc_near_slot));
        assert_memory_equal(nx->posts, s->posts, nx->nposts * sizeof(uint32_t));
        assert_memory_equal(nx->filter, s->filter, ((size_t)1 << (64 - nx->filter_shift)) * 8);
        assert_memory_equal(nx->cfilter, s->cfilter, ((size_t)1 << (64 - nx->cfilter_shift)) * 8);
        assert_memory_equal(nx->band_filter, s->band_filter,
                            ((size_t)1 << (64 - nx->band_shift)) * 8);
        assert_memory_equal(nx->class_need, s->class_need, sizeof(nx->class_need));
        assert_memory_equal(nx->perm_a, s->perm_a, nx->p.perms * sizeof(uint64_t));
        assert_int_equal(nx->band_seed, s->band_seed);
        assert_int_equal(nx->nindexed, s->nindexed);
        mc__near_destroy(&nx);
        /* served at the threshold it was built with, not at another */
        mc_params par;
        memset(&par, 0, sizeof(par));
        par.near_threshold = 0.7;
        mc_near_params np;
        mc__near_params_for(&par, &np);
        assert_int_equal(mc__index_file_near(f, &np, &nx), 0);
        assert_non_null(nx);
        assert_true(nx->borrowed && nx->entries == s->entries && nx->perm_a != s->perm_a);
        mc__near_destroy(&nx);
        par.near_threshold = 0.8;
        mc__near_params_for(&par, &np);
        assert_int_equal(mc__index_file_near(f, &np, &nx), 0);
        assert_null(nx);
        mc_index_file_close(&f);
    }
    mc_bench_destroy(&b);
}

static void test_mc__index_file_write_roundtrip_sample(void **state)
{
    (void)state;
    mc_bench *b = sample_bench();
    roundtrip(b, MC_PRESET_MEDCHECK, NULL);
    mc_bench_destroy(&b);
}

static void test_mc__index_file_write_empty_benchmark(void **state)
{
    (void)state;
    const char *p = tmp_path("empty_test.jsonl");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    mc_bench *b = NULL;
    assert_int_equal(mc_bench_create(&b), 0);
    roundtrip(b, MC_PRESET_MEDCHECK, NULL);
    mc_bench_destroy(&b);
}

/* ---- scans: the loaded index gives the in-memory index's results ------- */

static void cmp_file(const char *d1, const char *d2, const char *name)
{
    char a[600], b[600];
    snprintf(a, sizeof(a), "%s/%s", d1, name);
    snprintf(b, sizeof(b), "%s/%s", d2, name);
    same_bytes(a, b);
}

/* summary.json without "command", "elapsed_s" and benchmark "index" */
static char *summary_core(const char *dir)
{
    char p[600];
    snprintf(p, sizeof(p), "%s/summary.json", dir);
    json_error_t e;
    json_t *j = json_load_file(p, JSON_PRESERVE_ORDER, &e);
    assert_non_null(j);
    json_object_del(j, "command");
    json_object_del(j, "elapsed_s");
    json_t *bj = json_object_get(j, "benchmark");
    assert_non_null(json_object_get(bj, "index"));
    json_object_del(bj, "index");
    char *s = json_dumps(j, JSON_PRESERVE_ORDER | JSON_INDENT(1));
    json_decref(j);
    return s;
}

static void same_scan(mc_bench *b, mc_preset p, const char *const *shards, size_t nshards,
                      const char *fields)
{
    const char *ix = tmp_path("scan.mcx");
    mc_scan_opts o;
    mc_scan_opts_default(&o);
    o.preset = p;
    o.jobs = 2;
    o.bench_fields = fields;
    assert_int_equal(mc_index_file_write(b, &o, ix), 0);
    char d1[512], d2[512];
    snprintf(d1, sizeof(d1), "%s/out_bench", tmpdir);
    snprintf(d2, sizeof(d2), "%s/out_index", tmpdir);
    int rc1 = mc_scan_run(b, shards, nshards, &o, d1, NULL);
    mc_index_file *f = NULL;
    assert_int_equal(mc_index_file_open(&f, ix, NULL), 0);
    o.index = f;
    o.bench_fields = NULL; /* taken from the file */
    int rc2 = mc_scan_run(NULL, shards, nshards, &o, d2, NULL);
    assert_int_equal(rc1, rc2);
    cmp_file(d1, d2, "items.jsonl");
    cmp_file(d1, d2, "shards.jsonl");
    cmp_file(d1, d2, "shard_results.jsonl");
    cmp_file(d1, d2, "shard_list.txt");
    char *s1 = summary_core(d1), *s2 = summary_core(d2);
    assert_string_equal(s1, s2);
    free(s1);
    free(s2);
    /* the index is named with its checksum */
    char p2[600];
    snprintf(p2, sizeof(p2), "%s/summary.json", d2);
    json_t *j = json_load_file(p2, 0, NULL);
    mc_index_file_info in;
    mc_index_file_get_info(f, &in);
    char hex[17];
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)in.checksum);
    json_t *ixj = json_object_get(json_object_get(j, "benchmark"), "index");
    assert_string_equal(json_string_value(json_object_get(ixj, "path")), ix);
    assert_string_equal(json_string_value(json_object_get(ixj, "xxh64")), hex);
    json_decref(j);
    mc_index_file_close(&f);
}

static void test_mc_scan_run_index_same_results_sample(void **state)
{
    (void)state;
    mc_bench *b = sample_bench();
    char s0[512], s1[512];
    snprintf(s0, sizeof(s0), "%s", tu_src("corpora/sample"));
    snprintf(s1, sizeof(s1), "%s", tu_src("corpora/malformed/bad-lines.jsonl"));
    /* corpora/sample is a directory: list its files */
    const char *shards[8];
    char names[8][1024];
    size_t n = 0;
    DIR *d = opendir(s0);
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL && n < 7) {
        if (e->d_name[0] != '.' && strstr(e->d_name, ".md") == NULL) {
            snprintf(names[n], sizeof(names[n]), "%s/%s", s0, e->d_name);
            shards[n] = names[n];
            n++;
        }
    }
    closedir(d);
    shards[n++] = s1;
    for (int p = 0; p < 4; p += 3) { /* medcheck and llama2 (n-gram starts vs tokens) */
        same_scan(b, (mc_preset)p, shards, n, NULL);
    }
    mc_bench_destroy(&b);
}

static void test_mc_scan_run_index_same_results_tiny_every_preset(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    /* a shard holding the items' own texts: every kind of match happens */
    const char *shard = tmp_path("tiny_shard.jsonl");
    FILE *f = fopen(shard, "w");
    assert_non_null(f);
    for (size_t i = 0; i < mc_bench_count(b); i++) {
        const mc_item *it = mc_bench_item(b, i);
        json_t *j = json_object();
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        fprintf(m, "Quiz %zu. %s\n", i, it->question);
        for (uint32_t o = 0; o < it->n_options; o++) {
            fprintf(m, "%s) %s\n", it->option_labels[o], it->options[o]);
        }
        fprintf(m, "Answer: %s\n%s\n", it->answer ? it->answer : "",
                it->passage ? it->passage : "");
        fclose(m);
        json_object_set_new(j, "id", json_integer((json_int_t)i));
        json_object_set_new(j, "text", json_string(text));
        char *line = json_dumps(j, JSON_COMPACT);
        fprintf(f, "%s\n", line);
        free(line);
        free(text);
        json_decref(j);
    }
    fclose(f);
    for (int p = 0; p < 4; p++) {
        same_scan(b, (mc_preset)p, &shard, 1, TINY_FIELDS);
    }
    mc_bench_destroy(&b);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The reference set of bench/run.sh: round trip, scan results, and the
 * times to build the index from the files against loading it. */
static void test_mc_index_file_open_reference_set(void **state)
{
    (void)state;
    static const char *const rel[] = {"medqa/US_4_options_phrases_no_exclude_test.jsonl",
                                      "medmcqa/dev.json",
                                      "pubmedqa/ori_pqal.json",
                                      "mmlu_hendrycks/test/anatomy_test.csv",
                                      "mmlu_hendrycks/test/clinical_knowledge_test.csv",
                                      "mmlu_hendrycks/test/college_biology_test.csv",
                                      "mmlu_hendrycks/test/college_medicine_test.csv",
                                      "mmlu_hendrycks/test/human_aging_test.csv",
                                      "mmlu_hendrycks/test/medical_genetics_test.csv",
                                      "mmlu_hendrycks/test/nutrition_test.csv",
                                      "mmlu_hendrycks/test/professional_medicine_test.csv",
                                      "mmlu_hendrycks/test/virology_test.csv"};
    char paths[12][1024];
    const char *pp[12];
    for (int i = 0; i < 12; i++) {
        const char *p = tu_ext(rel[i]);
        if (!p) {
            skip();
        }
        snprintf(paths[i], sizeof(paths[i]), "%s", p);
        pp[i] = paths[i];
    }
    double t0 = now_s();
    mc_bench *b = read_bench(pp, 12, NULL);
    mc_index *idx = build(b, MC_PRESET_MEDCHECK);
    double t_build = now_s() - t0;
    assert_int_equal(mc_bench_count(b), 8250);
    const char *a = tmp_path("ref.mcx"), *c = tmp_path("ref2.mcx");
    write_ok(idx, b, NULL, a);
    double best[2] = {1e9, 1e9};
    for (int r = 0; r < 3; r++) {
        for (int how = 0; how < 2; how++) {
            double t1 = now_s();
            mc_index_file *f = load_ok(a, how ? MC_MCX_LOAD_READ : MC_MCX_LOAD_MMAP);
            double t = now_s() - t1;
            best[how] = t < best[how] ? t : best[how];
            if (r == 0) {
                same_index(idx, f->idx);
                same_bench(b, f->bench);
                write_ok(f->idx, f->bench, NULL, c);
                same_bytes(a, c);
            }
            mc_index_file_close(&f);
        }
    }
    size_t size;
    free(slurp(a, &size));
    printf("reference set: %zu items; read + build %.3f s; index file %.1f MB; load: mapped "
           "%.3f s, read %.3f s\n",
           mc_bench_count(b), t_build, (double)size / 1e6, best[0], best[1]);
    mc__index_destroy(&idx);
    char s0[512];
    snprintf(s0, sizeof(s0), "%s", tu_src("corpora/sample/web-000.jsonl.zst"));
    const char *shards[] = {s0};
    same_scan(b, MC_PRESET_MEDCHECK, shards, 1, NULL);
    mc_bench_destroy(&b);
}

static void test_mc__index_file_load_exercise_valid(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    for (int p = 0; p < 4; p++) {
        mc_index *idx = build(b, (mc_preset)p);
        const char *path = tmp_path("ex.mcx");
        write_ok(idx, b, NULL, path);
        mc_index_file *f = load_ok(path, MC_MCX_LOAD_MMAP);
        exercise(f->idx, f->bench);
        mc_index_file_close(&f);
        mc__index_destroy(&idx);
    }
    mc_bench_destroy(&b);
}

static int tmp_files_left(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL) {
        n += strstr(e->d_name, ".tmp-") != NULL;
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static void test_mc__index_file_write_full_disk_leaves_old_file(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    mc_index *idx = build(b, MC_PRESET_MEDCHECK);
    const char *path = tmp_path("atomic.mcx"), *copy = tmp_path("atomic_copy.mcx");
    write_ok(idx, b, NULL, path);
    write_ok(idx, b, NULL, copy);
    mc_index *other = build(b, MC_PRESET_GPT3);
    int done = 0;
    for (unsigned long k = 1; k <= 1000 && !done; k++) {
        char err[1024] = "";
        mc__wfile_fail_after(k);
        int rc = mc__index_file_write(other, b, NULL, path, err, sizeof(err));
        mc__wfile_fail_after(0);
        if (rc == 0) {
            done = 1; /* past the last write: the new file is complete */
            break;
        }
        assert_int_equal(rc, MC_EIO);
        assert_non_null(strstr(err, path));
        same_bytes(path, copy); /* the old file, untouched */
        assert_int_equal(tmp_files_left(), 0);
    }
    assert_true(done);
    /* the path now holds the complete gpt3 index */
    mc_index_file *f = load_ok(path, MC_MCX_LOAD_MMAP);
    assert_int_equal(f->idx->preset, MC_PRESET_GPT3);
    mc_index_file_close(&f);
    /* a directory that does not exist */
    char err[1024];
    char bad[600];
    snprintf(bad, sizeof(bad), "%s/no/such/dir/x.mcx", tmpdir);
    assert_int_equal(mc__index_file_write(idx, b, NULL, bad, err, sizeof(err)), MC_EIO);
    assert_non_null(strstr(err, "no/such/dir"));
    mc__index_destroy(&other);
    mc__index_destroy(&idx);
    mc_bench_destroy(&b);
}

static void test_mc__index_file_load_allocation_failures(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    const char *path = tmp_path("tiny.mcx");
    int done = 0;
    for (unsigned long k = 1; k < 10000 && !done; k++) {
        for (int how = 0; how < 2; how++) {
            mc_index_file *f = NULL;
            char err[1024];
            mc__alloc_fail_after(k);
            int rc = mc__index_file_load(&f, path, how ? MC_MCX_LOAD_READ : MC_MCX_LOAD_MMAP, err,
                                         sizeof(err));
            mc__alloc_fail_after(0);
            assert_true(rc == 0 || rc == MC_ENOMEM);
            if (rc == MC_ENOMEM) {
                assert_null(f);
                assert_non_null(strstr(err, path));
            } else {
                done = 1;
            }
            mc_index_file_close(&f);
        }
    }
    assert_true(done);
    free(img);
}

static void test_mc_scan_run_index_parameters_must_match(void **state)
{
    (void)state;
    mc_bench *b = tiny_bench();
    mc_scan_opts o;
    mc_scan_opts_default(&o);
    o.preset = MC_PRESET_GPT3;
    const char *ix = tmp_path("gpt3.mcx");
    assert_int_equal(mc_index_file_write(b, &o, ix), 0);
    mc_index_file *f = NULL;
    assert_int_equal(mc_index_file_open(&f, ix, NULL), 0);
    mc_index_file_info in;
    mc_index_file_get_info(f, &in);
    assert_int_equal(in.preset, MC_PRESET_GPT3);
    assert_int_equal(in.ngram, 13);
    assert_int_equal(in.items, mc_bench_count(b));
    assert_int_equal(mc_bench_count(mc_index_file_bench(f)), mc_bench_count(b));
    char shard_path[1024];
    snprintf(shard_path, sizeof(shard_path), "%s", tu_src("tests/data/bench/index_tiny.jsonl"));
    const char *shard = shard_path;
    char out[512];
    snprintf(out, sizeof(out), "%s/out_params", tmpdir);
    o.index = f;
    o.logger.fn = capture;
    o.preset = MC_PRESET_MEDCHECK;
    logged[0] = '\0';
    assert_int_equal(mc_scan_run(NULL, &shard, 1, &o, out, NULL), MC_EINVAL);
    assert_non_null(strstr(logged, "built for preset gpt3"));
    o.preset = MC_PRESET_GPT3;
    o.ngram = 12;
    assert_int_equal(mc_scan_run(NULL, &shard, 1, &o, out, NULL), MC_EINVAL);
    o.ngram = 0;
    assert_int_equal(mc_scan_run(b, &shard, 1, &o, out, NULL), MC_EINVAL); /* another set */
    assert_int_equal(mc_scan_run(NULL, &shard, 1, &o, out, NULL), 0);
    mc_index_file_close(&f);
    mc_bench_destroy(&b);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc__index_file_write_roundtrip_tiny_every_preset),
        cmocka_unit_test(test_mc__index_file_write_roundtrip_sample),
        cmocka_unit_test(test_mc__index_file_write_empty_benchmark),
        cmocka_unit_test(test_mc__index_file_near_stored),
        cmocka_unit_test(test_mc_scan_run_index_same_results_sample),
        cmocka_unit_test(test_mc_scan_run_index_same_results_tiny_every_preset),
        cmocka_unit_test(test_mc_index_file_open_reference_set),
        cmocka_unit_test(test_mc__index_file_load_exercise_valid),
        cmocka_unit_test(test_mc__index_file_write_full_disk_leaves_old_file),
        cmocka_unit_test(test_mc__index_file_load_allocation_failures),
        cmocka_unit_test(test_mc_scan_run_index_parameters_must_match),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
