// The guest's math library (user/umath.c), compiled for the host with its
// functions renamed um_*, against the host's libm over many arguments: each
// function's worst error in units of the last place must stay within the
// bound user/math.h documents.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

double um_fabs(double), um_floor(double), um_ceil(double), um_sqrt(double);
double um_sin(double), um_cos(double), um_tan(double), um_exp(double), um_log(double);
double um_pow(double, double);

// Distance between a and b in units of the last place of b.
static double ulps(double a, double b) {
  if (isnan(a) && isnan(b))
    return 0;
  if (a == b)
    return 0;
  if (isinf(a) || isinf(b) || isnan(a) || isnan(b))
    return INFINITY;
  double ulp = nextafter(fabs(b), INFINITY) - fabs(b);
  return fabs(a - b) / ulp;
}

// A deterministic spread of arguments in [lo, hi].
static double arg(int i, int n, double lo, double hi) {
  uint32_t h = (uint32_t)i * 2654435761u;
  return lo + (hi - lo) * ((double)(h % 1000003u) / 1000003.0) + (hi - lo) * i / n / 1e9;
}

struct unary {
  const char *name;
  double (*ours)(double);
  double (*ref)(double);
  double lo, hi, max_ulps;
};

static void check_unary(const struct unary *u) {
  double worst = 0, at = 0, got = 0, want = 0;
  for (int i = 0; i <= 20000; i++) {
    double x = arg(i, 20000, u->lo, u->hi);
    double e = ulps(u->ours(x), u->ref(x));
    if (e > worst) {
      worst = e;
      at = x;
      got = u->ours(x);
      want = u->ref(x);
    }
  }
  if (worst > u->max_ulps)
    fail_msg("%s(%.17g) = %.17g, libm says %.17g: %.1f ulps, bound %.1f", u->name, at, got, want,
             worst, u->max_ulps);
}

static void unary_functions_match_libm(void **state) {
  (void)state;
  const struct unary cases[] = {
      {"fabs", um_fabs, fabs, -1e300, 1e300, 0}, {"floor", um_floor, floor, -1e6, 1e6, 0},
      {"floor", um_floor, floor, -3, 3, 0},      {"floor", um_floor, floor, -1e17, 1e17, 0},
      {"ceil", um_ceil, ceil, -1e6, 1e6, 0},     {"sqrt", um_sqrt, sqrt, 0, 1e300, 1},
      {"sqrt", um_sqrt, sqrt, 0, 4, 1},          {"sin", um_sin, sin, -10, 10, 2},
      {"sin", um_sin, sin, -1e6, 1e6, 2},        {"cos", um_cos, cos, -10, 10, 2},
      {"cos", um_cos, cos, -1e6, 1e6, 2},        {"tan", um_tan, tan, -1.5, 1.5, 4},
      {"exp", um_exp, exp, -745, 709, 2},        {"exp", um_exp, exp, -1, 1, 2},
      {"log", um_log, log, 1e-300, 1e300, 2},    {"log", um_log, log, 0.5, 2, 2},
      {"log", um_log, log, 4.9e-324, 1e-310, 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_unary(&cases[i]);
}

static void pow_matches_libm(void **state) {
  (void)state;
  for (int i = 0; i <= 20000; i++) {
    double x = arg(i, 20000, 1e-3, 1e3);
    double y = arg(i * 7 + 1, 140000, -40, 40);
    double e = ulps(um_pow(x, y), pow(x, y));
    if (e > 16 + 2 * fabs(log(x)))
      fail_msg("pow(%.17g, %.17g) = %.17g, libm says %.17g (%.1f ulps)", x, y, um_pow(x, y),
               pow(x, y), e);
  }
  // Integral exponents are exact, negative bases included.
  assert_true(um_pow(2, 10) == 1024.0);
  assert_true(um_pow(-3, 3) == -27.0);
  assert_true(um_pow(2, -2) == 0.25);
  assert_true(um_pow(10, 22) == 1e22);
  assert_true(isnan(um_pow(-2, 0.5)));
  assert_true(um_pow(0, 2) == 0.0);
  assert_true(um_pow(5, 0) == 1.0);
}

static void special_values(void **state) {
  (void)state;
  assert_true(isnan(um_log(-1)));
  assert_true(isinf(um_log(0)) && um_log(0) < 0);
  assert_true(isinf(um_log(INFINITY)));
  assert_true(um_exp(0) == 1.0);
  assert_true(isinf(um_exp(710)));
  assert_true(um_exp(-746) == 0.0);
  assert_true(isnan(um_sin(INFINITY)));
  assert_true(isnan(um_cos(NAN)));
  assert_true(um_floor(-0.5) == -1.0);
  assert_true(um_floor(-1.0) == -1.0);
  assert_true(signbit(um_floor(-0.0)));
  assert_true(um_floor(4503599627370495.5) == 4503599627370495.0);
  assert_true(um_floor(-4503599627370495.5) == -4503599627370496.0);
  assert_true(um_ceil(0.25) == 1.0);
  assert_true(um_sqrt(2) * um_sqrt(2) - 2 < 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unary_functions_match_libm),
      cmocka_unit_test(pow_matches_libm),
      cmocka_unit_test(special_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
