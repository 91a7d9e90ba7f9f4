#include "propstats.h"

#include <math.h>

// Phi^-1 by bisection on erfc: 60 halvings of [0, 40] reach double
// precision, and no table of coefficients is needed.
double mh_z_of_confidence(double level) {
  double tail = (1 - level) / 2, lo = 0, hi = 40;
  for (int i = 0; i < 60; i++) {
    double mid = (lo + hi) / 2;
    // Upper tail of the standard normal at mid.
    if (0.5 * erfc(mid / sqrt(2)) > tail)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

long long mh_leveugle_n(double population, double margin, double level, double p) {
  double t = mh_z_of_confidence(level), v = t * t * p * (1 - p);
  double n = v / (margin * margin);
  if (population > 0) // n = N / (1 + e^2 (N - 1) / (t^2 p (1 - p)))
    n = population / (1 + margin * margin * (population - 1) / v);
  // A tiny tolerance keeps an exact integer from rounding up by float noise.
  long long r = (long long)ceil(n - 1e-9);
  if (population > 0 && r > (long long)population)
    r = (long long)population;
  return r < 1 ? 1 : r;
}

void mh_wilson(long long k, long long n, double level, double *lo, double *hi) {
  double z = mh_z_of_confidence(level), nn = (double)n, p = (double)k / nn, z2 = z * z;
  double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  *lo = k == 0 ? 0 : centre - half;
  *hi = k == n ? 1 : centre + half;
}

struct mh_diff mh_newcombe(long long k1, long long n1, long long k2, long long n2, double level) {
  double l1, u1, l2, u2, p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
  mh_wilson(k1, n1, level, &l1, &u1);
  mh_wilson(k2, n2, level, &l2, &u2);
  struct mh_diff r = {.d = p1 - p2};
  r.lo = r.d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
  r.hi = r.d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
  r.significant = r.lo > 0 || r.hi < 0;
  return r;
}
