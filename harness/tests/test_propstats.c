// Proportion statistics against published values: Newcombe (1998) for the
// Wilson and hybrid score intervals, Cochran's classic 385 for the sample
// size, and its finite-population correction worked by hand.
#include "cm.h"

#include "propstats.h"

static void z_quantiles(void **state) {
  (void)state;
  assert_float_equal(mh_z_of_confidence(0.95), 1.959963984540054, 1e-9);
  assert_float_equal(mh_z_of_confidence(0.99), 2.575829303548901, 1e-9);
  assert_float_equal(mh_z_of_confidence(0.90), 1.644853626951472, 1e-9);
}

// Newcombe 1998, table I: 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605,
// 0/10 -> 0-0.2775, 10/10 -> 0.7225-1.
static void wilson_published(void **state) {
  (void)state;
  double lo, hi;
  mh_wilson(81, 263, 0.95, &lo, &hi);
  assert_float_equal(lo, 0.2553, 5e-5);
  assert_float_equal(hi, 0.3662, 5e-5);
  mh_wilson(15, 148, 0.95, &lo, &hi);
  assert_float_equal(lo, 0.0624, 5e-5);
  assert_float_equal(hi, 0.1605, 5e-5);
  mh_wilson(0, 10, 0.95, &lo, &hi);
  assert_float_equal(lo, 0, 0);
  assert_float_equal(hi, 0.2775, 5e-5);
  mh_wilson(10, 10, 0.95, &lo, &hi);
  assert_float_equal(lo, 0.7225, 5e-5);
  assert_float_equal(hi, 1, 0);
}

// Newcombe 1998, table II (method 10): 56/70 - 48/80 -> +0.0524 to
// +0.3339; 9/10 - 3/10 -> 0.1705 to 0.8090; 5/56 - 0/29 -> -0.0381 to
// +0.1926, which crosses 0.
static void newcombe_published(void **state) {
  (void)state;
  struct mh_diff d = mh_newcombe(56, 70, 48, 80, 0.95);
  assert_float_equal(d.d, 0.2, 1e-12);
  assert_float_equal(d.lo, 0.0524, 5e-5);
  assert_float_equal(d.hi, 0.3339, 5e-5);
  assert_true(d.significant);
  d = mh_newcombe(9, 10, 3, 10, 0.95);
  assert_float_equal(d.lo, 0.1705, 5e-5);
  assert_float_equal(d.hi, 0.8090, 5e-5);
  d = mh_newcombe(5, 56, 0, 29, 0.95);
  assert_float_equal(d.lo, -0.0381, 5e-5);
  assert_float_equal(d.hi, 0.1926, 5e-5);
  assert_false(d.significant);
}

static void leveugle_sample_size(void **state) {
  (void)state;
  // Unbounded space: t^2 p (1 - p) / e^2 = 384.15 -> 385; 2400.9 -> 2401.
  assert_int_equal(mh_leveugle_n(0, 0.05, 0.95, 0.5), 385);
  assert_int_equal(mh_leveugle_n(0, 0.02, 0.95, 0.5), 2401);
  // A known p lowers it: 0.1 * 0.9 * 1.96^2 / 0.02^2 = 864.4 -> 865.
  assert_int_equal(mh_leveugle_n(0, 0.02, 0.95, 0.1), 865);
  // N = 1000: 1000 / (1 + 0.0025 * 999 / 0.96036) = 277.7 -> 278.
  assert_int_equal(mh_leveugle_n(1000, 0.05, 0.95, 0.5), 278);
  // One frame, one instruction, one bit each: 32768 faults.
  assert_int_equal(mh_leveugle_n(32768, 0.02, 0.95, 0.5), 2238);
  // Never more trials than faults.
  assert_int_equal(mh_leveugle_n(10, 0.001, 0.99, 0.5), 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(z_quantiles),
      cmocka_unit_test(wilson_published),
      cmocka_unit_test(newcombe_published),
      cmocka_unit_test(leveugle_sample_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
