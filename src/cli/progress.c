/* SPDX-License-Identifier: MIT */
/* Progress line and diagnostics on stderr. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "args.h"

#define MAX_WARNINGS 50

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long warnings;
static int line_open;
static double t_start;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_log(void *ctx, mc_log_level level, const char *msg)
{
    (void)ctx;
    pthread_mutex_lock(&log_mu);
    if (level == MC_LOG_WARN && ++warnings > MAX_WARNINGS) {
        pthread_mutex_unlock(&log_mu);
        return;
    }
    if (line_open) {
        fputs("\r\033[K", stderr);
        line_open = 0;
    }
    fprintf(stderr, "medcheck: %s: %s\n",
            level == MC_LOG_ERROR ? "error" : level == MC_LOG_WARN ? "warning" : "info", msg);
    pthread_mutex_unlock(&log_mu);
}

void cli_log_report(void)
{
    if (warnings > MAX_WARNINGS) {
        fprintf(stderr, "medcheck: %lu more warnings not shown (counts are in shards.jsonl)\n",
                warnings - MAX_WARNINGS);
    }
}

void cli_progress(void *ctx, uint64_t done, uint64_t total, uint32_t shards_done,
                  uint32_t shards_total)
{
    (void)ctx;
    pthread_mutex_lock(&log_mu);
    double t = now_s();
    if (t_start == 0) {
        t_start = t;
    }
    double el = t - t_start;
    double rate = el > 0 ? (double)done / el : 0;
    fprintf(stderr, "\r\033[K%.1f MB", (double)done / 1e6);
    if (total >= done && total > 0) {
        fprintf(stderr, " / %.1f MB", (double)total / 1e6);
    }
    fprintf(stderr, "  %.1f MB/s  shards %u/%u", rate / 1e6, shards_done, shards_total);
    if (total > done && rate > 0) {
        double eta = (double)(total - done) / rate;
        fprintf(stderr, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
    }
    line_open = 1;
    pthread_mutex_unlock(&log_mu);
}

void cli_progress_end(void)
{
    pthread_mutex_lock(&log_mu);
    if (line_open) {
        fputs("\r\033[K", stderr);
        line_open = 0;
    }
    pthread_mutex_unlock(&log_mu);
}
