/* SPDX-License-Identifier: MIT */
/* Fisher exact test and bootstrap interval (see stats.h). */
#include <math.h>
#include <stdlib.h>

#include <medcheck/common.h>

#include "eval/stats.h"
#include "util/alloc.h"

static double log_choose(double n, double k)
{
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

double mc__eval_fisher(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    double r1 = (double)(a + b);
    double r2 = (double)(c + d);
    double c1 = (double)(a + c);
    double n = r1 + r2;
    if (r1 == 0 || r2 == 0 || c1 == 0 || c1 == n) {
        return 1.0;
    }
    /* log P(X = x) for the count x in cell a, margins fixed */
    double base = log_choose(n, c1);
    uint64_t lo = a + c > c + d ? a + c - (c + d) : 0;
    uint64_t hi = a + b < a + c ? a + b : a + c;
    double lp_obs = log_choose(r1, (double)a) + log_choose(r2, (double)c) - base;
    /* tables within a relative 1e-7 of the observed one count as "no more
     * probable" (floating-point ties), as in R and SciPy */
    double limit = lp_obs + log1p(1e-7);
    double p = 0.0;
    for (uint64_t x = lo; x <= hi; x++) {
        double lp = log_choose(r1, (double)x) + log_choose(r2, c1 - (double)x) - base;
        if (lp <= limit) {
            p += exp(lp);
        }
    }
    return p > 1.0 ? 1.0 : p;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void mc__eval_rng_seed(mc__eval_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&seed);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t mc__eval_rng_next(mc__eval_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint64_t mc__eval_rng_below(mc__eval_rng *r, uint64_t n)
{
    uint64_t x = mc__eval_rng_next(r);
    /* high half of the 128-bit product, from 32-bit halves (portable C17) */
    uint64_t xl = x & 0xffffffffu, xh = x >> 32;
    uint64_t nl = n & 0xffffffffu, nh = n >> 32;
    uint64_t ll = xl * nl;
    uint64_t lh = xl * nh;
    uint64_t hl = xh * nl;
    uint64_t hh = xh * nh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

double mc__eval_quantile(const double *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n) {
        return v[n - 1];
    }
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/* Correct draws among n drawn with replacement from a group with k. */
static uint64_t draw(mc__eval_rng *r, uint64_t k, uint64_t n)
{
    uint64_t hits = 0;
    for (uint64_t j = 0; j < n; j++) {
        hits += mc__eval_rng_below(r, n) < k;
    }
    return hits;
}

int mc__eval_bootstrap(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, uint32_t resamples,
                       uint64_t seed, double level, double *lo, double *hi)
{
    if (!n1 || !n2 || k1 > n1 || k2 > n2 || resamples < 2 || !(level > 0.0 && level < 1.0)) {
        return MC_EINVAL;
    }
    double *d = mc__malloc(sizeof(*d) * resamples);
    if (!d) {
        return MC_ENOMEM;
    }
    mc__eval_rng r;
    mc__eval_rng_seed(&r, seed);
    for (uint32_t b = 0; b < resamples; b++) {
        uint64_t h1 = draw(&r, k1, n1);
        uint64_t h2 = draw(&r, k2, n2);
        d[b] = (double)h1 / (double)n1 - (double)h2 / (double)n2;
    }
    qsort(d, resamples, sizeof(*d), cmp_double);
    *lo = mc__eval_quantile(d, resamples, (1.0 - level) / 2.0);
    *hi = mc__eval_quantile(d, resamples, (1.0 + level) / 2.0);
    mc__free(d);
    return 0;
}
