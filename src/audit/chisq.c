/* SPDX-License-Identifier: MIT */
/* The chi-square survival function, through the regularized upper
 * incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a): the p-value
 * of the answer-letter uniformity test. */
#include <float.h>
#include <math.h>

#include "audit/audit_int.h"

/* Relative accuracy targeted by both expansions; 300 terms are enough for
 * every a <= 1e5 this code sees (df is at most 31). */
#define EPS (DBL_EPSILON * 2)
#define MAX_ITER 1000

/* log of x^a e^-x / Gamma(a), the common factor of both expansions. */
static double log_prefactor(double a, double x)
{
    return a * log(x) - x - lgamma(a);
}

/* P(a, x) by its series: x^a e^-x / Gamma(a + 1) * sum x^n / ((a+1)...(a+n)),
 * which converges quickly for x < a + 1. */
static double p_series(double a, double x)
{
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < MAX_ITER; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * EPS) {
            break;
        }
    }
    return sum * exp(log_prefactor(a, x));
}

/* Q(a, x) by the continued fraction of Gamma(a, x) (modified Lentz),
 * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))),
 * which converges quickly for x >= a + 1. */
static double q_fraction(double a, double x)
{
    const double tiny = DBL_MIN / EPS;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < MAX_ITER; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny) {
            d = tiny;
        }
        c = b + an / c;
        if (fabs(c) < tiny) {
            c = tiny;
        }
        d = 1.0 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) < EPS) {
            break;
        }
    }
    return exp(log_prefactor(a, x)) * h;
}

double mc__gamma_q(double a, double x)
{
    if (!(a > 0.0) || !(x >= 0.0) || isnan(a) || isnan(x)) {
        return NAN;
    }
    if (x == 0.0) {
        return 1.0;
    }
    if (isinf(x)) {
        return 0.0;
    }
    if (x < a + 1.0) {
        double p = p_series(a, x);
        return p >= 1.0 ? 0.0 : 1.0 - p;
    }
    return q_fraction(a, x);
}

double mc__chisq_sf(double x, double df)
{
    if (!(df > 0.0) || isnan(x)) {
        return NAN;
    }
    if (x <= 0.0) {
        return 1.0;
    }
    return mc__gamma_q(df / 2.0, x / 2.0);
}
