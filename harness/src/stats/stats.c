#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mh_rng_seed(struct mh_rng *r, uint64_t seed) {
  r->state = seed;
}

uint64_t mh_rng_next(struct mh_rng *r) {
  uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t mh_rng_below(struct mh_rng *r, uint64_t n) {
  // Rejection keeps the result unbiased for any n.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do
    x = mh_rng_next(r);
  while (x >= limit);
  return x % n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median_inplace(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mh_median(const double *v, size_t n) {
  if (n == 0)
    return NAN;
  double *copy = malloc(n * sizeof *copy);
  if (!copy)
    return NAN;
  memcpy(copy, v, n * sizeof *copy);
  double m = median_inplace(copy, n);
  free(copy);
  return m;
}

double mh_geomean(const double *v, size_t n) {
  if (n == 0)
    return NAN;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(v[i] > 0))
      return NAN;
    sum += log(v[i]);
  }
  return exp(sum / (double)n);
}

double mh_quantile_sorted(const double *sorted, size_t n, double q) {
  if (n == 0)
    return NAN;
  double pos = q * (double)(n - 1);
  size_t i = (size_t)pos;
  if (i + 1 >= n)
    return sorted[n - 1];
  double frac = pos - (double)i;
  return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

static double resampled_median(struct mh_rng *r, const double *v, size_t n, double *scratch) {
  for (size_t i = 0; i < n; i++)
    scratch[i] = v[mh_rng_below(r, n)];
  return median_inplace(scratch, n);
}

int mh_bootstrap_geomean(const struct mh_pair *tests, size_t ntests, unsigned iterations,
                         uint64_t seed, double level, double *lo, double *hi) {
  size_t most = 1;
  for (size_t t = 0; t < ntests; t++) {
    if (!tests[t].na || !tests[t].nb)
      return -1;
    most = tests[t].na > most ? tests[t].na : most;
    most = tests[t].nb > most ? tests[t].nb : most;
  }
  if (ntests == 0 || iterations == 0)
    return -1;
  double *scratch = malloc(most * sizeof *scratch);
  double *geo = malloc(iterations * sizeof *geo);
  if (!scratch || !geo) {
    free(scratch);
    free(geo);
    return -1;
  }
  struct mh_rng r;
  mh_rng_seed(&r, seed);
  int rc = 0;
  for (unsigned it = 0; it < iterations && rc == 0; it++) {
    double logsum = 0;
    for (size_t t = 0; t < ntests; t++) {
      double ma = resampled_median(&r, tests[t].a, tests[t].na, scratch);
      double mb = resampled_median(&r, tests[t].b, tests[t].nb, scratch);
      if (!(ma > 0) || !(mb > 0)) {
        rc = -1;
        break;
      }
      logsum += log(mb / ma);
    }
    geo[it] = exp(logsum / (double)ntests);
  }
  if (rc == 0) {
    qsort(geo, iterations, sizeof *geo, cmp_double);
    *lo = mh_quantile_sorted(geo, iterations, (1 - level) / 2);
    *hi = mh_quantile_sorted(geo, iterations, 1 - (1 - level) / 2);
  }
  free(scratch);
  free(geo);
  return rc;
}
