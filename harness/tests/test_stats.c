#include "cm.h"

#include <math.h>

#include "stats.h"

static void median_odd_even_and_unsorted(void **state) {
  (void)state;
  double odd[] = {5, 1, 3};
  double even[] = {4, 1, 3, 2};
  assert_true(mh_median(odd, 3) == 3);
  assert_true(mh_median(even, 4) == 2.5);
  assert_true(odd[0] == 5); // input untouched
  assert_true(isnan(mh_median(odd, 0)));
}

static void geomean_of_ratios(void **state) {
  (void)state;
  double v[] = {2, 8};
  assert_true(fabs(mh_geomean(v, 2) - 4) < 1e-12);
  double bad[] = {1, 0};
  assert_true(isnan(mh_geomean(bad, 2)));
}

static void quantiles_interpolate(void **state) {
  (void)state;
  double v[] = {0, 10, 20, 30, 40};
  assert_true(mh_quantile_sorted(v, 5, 0) == 0);
  assert_true(mh_quantile_sorted(v, 5, 1) == 40);
  assert_true(fabs(mh_quantile_sorted(v, 5, 0.125) - 5) < 1e-12);
}

static void rng_is_seeded_and_bounded(void **state) {
  (void)state;
  struct mh_rng a, b, c;
  mh_rng_seed(&a, 42);
  mh_rng_seed(&b, 42);
  mh_rng_seed(&c, 43);
  int same = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t x = mh_rng_next(&a);
    assert_true(x == mh_rng_next(&b));
    same += x == mh_rng_next(&c);
  }
  assert_true(same < 3);
  int seen[7] = {0};
  for (int i = 0; i < 7000; i++) {
    uint64_t x = mh_rng_below(&a, 7);
    assert_true(x < 7);
    seen[x]++;
  }
  for (int i = 0; i < 7; i++)
    assert_true(seen[i] > 800 && seen[i] < 1200);
}

static void bootstrap_exact_samples_give_a_point(void **state) {
  (void)state;
  double a[] = {100, 100, 100}, b[] = {110, 110, 110};
  struct mh_pair p[] = {{a, 3, b, 3}};
  double lo, hi;
  assert_int_equal(mh_bootstrap_geomean(p, 1, 500, 1, 0.95, &lo, &hi), 0);
  assert_true(fabs(lo - 1.1) < 1e-12 && fabs(hi - 1.1) < 1e-12);
}

static void bootstrap_covers_noisy_geomean_and_repeats(void **state) {
  (void)state;
  double a1[] = {100, 103, 98, 101, 99}, b1[] = {120, 118, 125, 121, 119};
  double a2[] = {50, 51, 49, 52, 50}, b2[] = {50, 52, 49, 51, 50};
  struct mh_pair p[] = {{a1, 5, b1, 5}, {a2, 5, b2, 5}};
  double r[] = {mh_median(b1, 5) / mh_median(a1, 5), mh_median(b2, 5) / mh_median(a2, 5)};
  double g = mh_geomean(r, 2), lo, hi, lo2, hi2, lo3, hi3;
  assert_int_equal(mh_bootstrap_geomean(p, 2, 2000, 7, 0.95, &lo, &hi), 0);
  assert_true(lo < g && g < hi);
  assert_true(hi - lo < 0.2);
  assert_int_equal(mh_bootstrap_geomean(p, 2, 2000, 7, 0.95, &lo2, &hi2), 0);
  assert_true(lo == lo2 && hi == hi2); // seeded: the same interval every time
  assert_int_equal(mh_bootstrap_geomean(p, 2, 2000, 8, 0.95, &lo3, &hi3), 0);
  assert_true(lo3 != lo || hi3 != hi);
}

static void bootstrap_refuses_empty_tests(void **state) {
  (void)state;
  double a[] = {1};
  struct mh_pair p[] = {{a, 1, a, 0}};
  double lo, hi;
  assert_int_equal(mh_bootstrap_geomean(p, 1, 100, 1, 0.95, &lo, &hi), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(median_odd_even_and_unsorted),
      cmocka_unit_test(geomean_of_ratios),
      cmocka_unit_test(quantiles_interpolate),
      cmocka_unit_test(rng_is_seeded_and_bounded),
      cmocka_unit_test(bootstrap_exact_samples_give_a_point),
      cmocka_unit_test(bootstrap_covers_noisy_geomean_and_repeats),
      cmocka_unit_test(bootstrap_refuses_empty_tests),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
