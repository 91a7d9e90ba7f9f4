// Statistics of proportions for fault campaigns (docs/campaign.md,
// "Rates and intervals"): how many trials a target precision needs, the
// interval of an outcome rate, and whether two rates differ.
#ifndef MH_PROPSTATS_H
#define MH_PROPSTATS_H

#include <stdbool.h>

// The two-sided standard normal quantile of a confidence level: 1.95996…
// for 0.95. level in (0, 1).
double mh_z_of_confidence(double level);

// Leveugle et al. (DATE 2009): trials needed for an error margin e at
// confidence level, with p the expected proportion (0.5: the worst case),
// in a fault space of population trials; population 0 means unbounded (no
// finite-population correction). Rounded up; at most population.
long long mh_leveugle_n(double population, double margin, double level, double p);

// Wilson score interval of k successes in n trials at confidence level
// (n > 0): lo <= k/n <= hi, within [0, 1] (exactly 0 for k = 0, 1 for k = n).
void mh_wilson(long long k, long long n, double level, double *lo, double *hi);

// Newcombe's hybrid score interval (Newcombe 1998, method 10) for the
// difference p1 - p2 of two independent proportions k1/n1 and k2/n2, built
// from their Wilson intervals. The difference is significant at level when
// the interval excludes 0.
struct mh_diff {
  double d, lo, hi;
  bool significant;
};
struct mh_diff mh_newcombe(long long k1, long long n1, long long k2, long long n2, double level);

#endif
