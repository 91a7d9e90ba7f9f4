// Statistics for overhead tables: medians, geometric means and a seeded
// bootstrap, so a results file can be recomputed to the last digit.
#ifndef MH_STATS_H
#define MH_STATS_H

#include <stddef.h>
#include <stdint.h>

// A small, fast PRNG (splitmix64) with an explicit state: no hidden globals,
// the same seed gives the same stream on every host.
struct mh_rng {
  uint64_t state;
};
void mh_rng_seed(struct mh_rng *r, uint64_t seed);
uint64_t mh_rng_next(struct mh_rng *r);
uint64_t mh_rng_below(struct mh_rng *r, uint64_t n); // uniform in [0, n), n > 0

// Median of n values (n > 0); the input is not modified. Even n: mean of the middle two.
double mh_median(const double *v, size_t n);
// Geometric mean of n positive values; NaN when n == 0 or a value is <= 0.
double mh_geomean(const double *v, size_t n);
// Linear-interpolated quantile q in [0, 1] of sorted values.
double mh_quantile_sorted(const double *sorted, size_t n, double q);

// Samples of one test on the two variants (a = baseline, b = the variant measured).
struct mh_pair {
  const double *a;
  size_t na;
  const double *b;
  size_t nb;
};

// Ratio of medians median(b)/median(a) of every test, their geomean, and a
// percentile bootstrap interval for that geomean: each iteration resamples each
// test's a and b samples with replacement. level is e.g. 0.95.
// Returns 0, or -1 when a test has no samples or a non-positive median.
int mh_bootstrap_geomean(const struct mh_pair *tests, size_t ntests, unsigned iterations,
                         uint64_t seed, double level, double *lo, double *hi);

#endif
