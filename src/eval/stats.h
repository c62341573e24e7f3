/* SPDX-License-Identifier: MIT */
/* The statistics of `medcheck evaluate`: a two-sided Fisher exact test on
 * a 2x2 table, and a percentile bootstrap interval of a difference of two
 * proportions, with a fixed, documented random generator so that
 * tests/data/eval/eval_ref.py can reproduce every number. */
#ifndef MC_EVAL_STATS_H
#define MC_EVAL_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Two-sided Fisher exact test of the table
 *     a b     (row 1: e.g. clean items correct, incorrect)
 *     c d     (row 2: contaminated items correct, incorrect)
 * p = sum of the hypergeometric probabilities (margins fixed) of every
 * table no more probable than the observed one, with R's and SciPy's
 * relative tolerance of 1e-7. Probabilities are computed in log space
 * with lgamma(), so tables of millions of items work. Returns p in
 * [0, 1]; 1 when a margin is zero. */
double mc__eval_fisher(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* xoshiro256** seeded through splitmix64 (Blackman and Vigna). */
typedef struct mc__eval_rng {
    uint64_t s[4];
} mc__eval_rng;

void mc__eval_rng_seed(mc__eval_rng *r, uint64_t seed);
uint64_t mc__eval_rng_next(mc__eval_rng *r);
/* An integer in [0, n): the high 64 bits of next() * n (Lemire's
 * multiply-shift, without the rejection step: a bias below n / 2^64). */
uint64_t mc__eval_rng_below(mc__eval_rng *r, uint64_t n);

/* Percentile bootstrap interval of k1/n1 - k2/n2. Each of `resamples`
 * rounds draws n1 items with replacement from group 1 (k1 of them
 * correct), then n2 from group 2, one rng_below(n) each, a draw being
 * correct when it is below k; the differences are sorted and the
 * interval's ends are their quantiles (1 - level) / 2 and
 * (1 + level) / 2 by linear interpolation between order statistics (R's
 * type 7, NumPy's default). Returns 0; MC_EINVAL when a group is empty,
 * k > n, resamples < 2 or level not in (0, 1); MC_ENOMEM. */
int mc__eval_bootstrap(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, uint32_t resamples,
                       uint64_t seed, double level, double *lo, double *hi);

/* Quantile q of sorted v[n] by linear interpolation (type 7). */
double mc__eval_quantile(const double *v, size_t n, double q);

#endif /* MC_EVAL_STATS_H */
