/* SPDX-License-Identifier: MIT */
/* `medcheck index` (write an index file) and the opening of `scan --index`. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_index(int argc, char **argv)
{
    cli_scan c;
    mc_bench *b = NULL;
    double t0 = now_s();
    int rc = cli_index_parse(&c, argc, argv);
    if (rc == 0) {
        rc = cli_read_bench(&c, &b);
    }
    if (rc == 0) {
        c.scan_opts.logger.fn = cli_log;
        int err = mc_index_file_write(b, &c.scan_opts, c.out);
        cli_log_report();
        if (err < 0) {
            fprintf(stderr, "medcheck: index failed: %s\n", mc_strerror(err));
            rc = err == MC_EIO ? EXIT_SHARD_FAILED : EXIT_USAGE;
        }
    }
    if (rc == 0 && !c.quiet) {
        mc_index_file *f = NULL;
        mc_index_file_opts o;
        mc_index_file_opts_default(&o);
        o.logger.fn = cli_log;
        /* read back: what was written is what a scan will load */
        double t1 = now_s();
        rc = mc_index_file_open(&f, c.out, &o) == 0 ? 0 : EXIT_SHARD_FAILED;
        double t_load = now_s() - t1;
        if (rc == 0) {
            mc_index_file_info in;
            mc_index_file_get_info(f, &in);
            printf("indexed %u items of %zu benchmark file%s (preset %s, %u-grams) in %.2f s\n"
                   "index: %s (%.1f MB, xxh64 %016llx; loads in %.3f s)\n",
                   in.items, mc_bench_file_count(b), mc_bench_file_count(b) == 1 ? "" : "s",
                   mc_preset_name(in.preset), in.ngram, t1 - t0, c.out, (double)in.file_size / 1e6,
                   (unsigned long long)in.checksum, t_load);
        }
        mc_index_file_close(&f);
    }
    mc_bench_destroy(&b);
    cli_scan_free(&c);
    return rc < 0 ? EXIT_OK : rc;
}

/* One parameter of the scan against the index's: taken when not given,
 * else it must be the same. */
static int same_param(const char *file, const char *opt, int given, unsigned want, unsigned have,
                      const char *want_s, const char *have_s)
{
    if (!given || want == have) {
        return 0;
    }
    fprintf(stderr,
            "medcheck: %s: built with %s %s; this scan asks for %s %s. An index serves only "
            "the parameters it was built with: build one with %s %s (medcheck index), or "
            "scan with --bench\n",
            file, opt, have_s, opt, want_s, opt, want_s);
    return EXIT_USAGE;
}

int cli_open_index(cli_scan *c, mc_index_file **out)
{
    mc_index_file_opts o;
    mc_index_file_opts_default(&o);
    o.logger.fn = cli_log;
    mc_index_file *f = NULL;
    if (mc_index_file_open(&f, c->index, &o) < 0) {
        cli_log_report();
        return EXIT_USAGE;
    }
    mc_index_file_info in;
    mc_index_file_get_info(f, &in);
    mc_scan_opts *so = &c->scan_opts;
    char want[16], have[16];
    snprintf(want, sizeof(want), "%u", so->ngram);
    snprintf(have, sizeof(have), "%u", in.ngram);
    int rc = same_param(c->index, "--preset", c->preset_set, (unsigned)so->preset,
                        (unsigned)in.preset, mc_preset_name(so->preset), mc_preset_name(in.preset));
    if (rc == 0) {
        rc = same_param(c->index, "--ngram", so->ngram != 0, so->ngram, in.ngram, want, have);
    }
    snprintf(want, sizeof(want), "%u", so->template_items);
    snprintf(have, sizeof(have), "%u", in.template_items);
    if (rc == 0) {
        rc = same_param(c->index, "--template-items", so->template_items != 0, so->template_items,
                        in.template_items, want, have);
    }
    if (rc) {
        mc_index_file_close(&f);
        return rc;
    }
    so->preset = in.preset;
    so->ngram = in.ngram;
    so->template_items = in.template_items;
    so->index = f;
    *out = f;
    return 0;
}
