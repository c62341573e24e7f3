/* SPDX-License-Identifier: MIT */
/* Fuzz target: the index file loader. Each input is loaded twice: as it
 * is (the header and checksum checks), and with its checksum made right
 * (so that mutations reach the section table and the structural checks).
 * A file that loads is written again (and must load again), and a whole
 * scan runs with it over a shard made of its own items' texts, so that
 * every array the checks let through is dereferenced as a scan does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <medcheck/medcheck.h>

#include "fuzz_tmp.h"
#include "index/index_file.h"
#include "index/index_file_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A JSONL shard of the items' own texts, at most 64 of them. */
static int write_shard(const mc_bench *b, char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m) {
        return -1;
    }
    for (size_t i = 0; i < mc_bench_count(b) && i < 64; i++) {
        const mc_item *it = mc_bench_item(b, i);
        const char *parts[3] = {it->question, it->answer, it->passage};
        fprintf(m, "{\"id\": \"d%zu\", \"text\": \"", i);
        for (int p = 0; p < 3 + (int)it->n_options; p++) {
            const char *s = p < 3 ? parts[p] : it->options[p - 3];
            for (; s && *s; s++) {
                /* JSON-safe: quotes, backslashes and controls become spaces */
                fputc(*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? ' ' : *s, m);
            }
            fputc(' ', m);
        }
        fputs("\"}\n", m);
    }
    fclose(m);
    int rc = fz_write_tmp(path, (const uint8_t *)text, len);
    free(text);
    return rc;
}

static void remove_out(const char *dir)
{
    static const char *const names[] = {"summary.json", "items.jsonl", "shards.jsonl",
                                        "shard_results.jsonl", "shard_list.txt"};
    char p[512];
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        snprintf(p, sizeof(p), "%s/out/%s", dir, names[k]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/out", dir);
    rmdir(p);
    rmdir(dir);
}

static void scan_with(mc_index_file *f)
{
    char shard[] = "/tmp/mc_fuzz_index_shard_XXXXXX";
    char dir[] = "/tmp/mc_fuzz_index_out_XXXXXX";
    if (write_shard(mc_index_file_bench(f), shard) != 0) {
        return;
    }
    if (!mkdtemp(dir)) {
        unlink(shard);
        return;
    }
    mc_index_file_info in;
    mc_index_file_get_info(f, &in);
    mc_scan_opts o;
    mc_scan_opts_default(&o);
    o.preset = in.preset;
    o.ngram = in.ngram;
    o.template_items = in.template_items;
    o.jobs = 1;
    o.index = f;
    char out[sizeof(dir) + 8];
    snprintf(out, sizeof(out), "%s/out", dir);
    const char *shards[] = {shard};
    int rc = mc_scan_run(NULL, shards, 1, &o, out, NULL);
    if (rc != 0 && rc != 1 && rc != MC_ENOMEM) {
        abort(); /* an index that loads must scan */
    }
    remove_out(dir);
    unlink(shard);
}

/* Written again, an accepted index loads again. */
static void rewrite(mc_index_file *f)
{
    char dir[] = "/tmp/mc_fuzz_index_rw_XXXXXX";
    char path[sizeof(dir) + 16], err[1024];
    if (!mkdtemp(dir)) {
        return;
    }
    snprintf(path, sizeof(path), "%s/x.mcx", dir);
    int rc = mc__index_file_write(mc__index_file_index(f), mc_index_file_bench(f), f->fields, path,
                                  err, sizeof(err));
    mc_index_file *g = NULL;
    if (rc == 0 && mc__index_file_load(&g, path, MC_MCX_LOAD_MMAP, err, sizeof(err)) != 0) {
        abort();
    }
    if (rc != 0 && rc != MC_ENOMEM) {
        abort();
    }
    mc_index_file_close(&g);
    unlink(path);
    rmdir(dir);
}

static void try_load(const uint8_t *data, size_t size)
{
    mc_index_file *f = NULL;
    char err[1024] = "";
    int rc = mc__index_file_from_memory(&f, data, size, "fuzz.mcx", err, sizeof(err));
    if (rc < 0) {
        /* refused: with a code, a message naming the file, nothing set */
        if (f || strncmp(err, "fuzz.mcx: ", 10) != 0 ||
            (rc != MC_EFORMAT && rc != MC_EVERSION && rc != MC_ENOMEM)) {
            abort();
        }
        return;
    }
    rewrite(f);
    scan_with(f);
    mc_index_file_close(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_load(data, size);
    if (size >= MC_MCX_HEADER_SIZE) {
        uint8_t *copy = malloc(size);
        if (!copy) {
            return 0;
        }
        memcpy(copy, data, size);
        uint64_t sum = mc__index_file_checksum(copy, size);
        memcpy(copy + offsetof(mc_mcx_header, checksum), &sum, sizeof(sum));
        try_load(copy, size);
        free(copy);
    }
    return 0;
}
