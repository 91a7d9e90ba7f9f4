// Basic math for user programs (math.h says what and how accurately).
//
// Arguments are reduced to a small interval with constants split into a
// short leading part (whose products with small integers are exact) and
// the rest, then evaluated by Taylor series in Horner form, whose terms
// are small enough there that a fixed number of them is exact to double
// precision. sqrt is the FPU's own instruction.
#include "types.h"
#include "math.h"

// pi/2 in three parts of at most 33 significant bits each, and ln 2 in two.
#define PIO2_1 1.5707963267341256
#define PIO2_2 6.077100506303966e-11
#define PIO2_3 2.0222662487959506e-21
#define TWO_OVER_PI 0.6366197723675814
#define LN2_HI 0.6931471803691238
#define LN2_LO 1.9082149292705877e-10
#define INV_LN2 1.4426950408889634
#define EXP_MAX 709.782712893384     // exp overflows above
#define EXP_MIN (-745.1332191019412) // and is 0 below
#define SIGN (1ULL << 63)
#define EXPONENT_SHIFT 52
#define FRACTION ((1ULL << EXPONENT_SHIFT) - 1)

union bits {
  double d;
  uint64 u;
};

static uint64 bits_of(double x) {
  union bits b;
  b.d = x;
  return b.u;
}

static double from_bits(uint64 u) {
  union bits b;
  b.u = u;
  return b.d;
}

// The unbiased binary exponent of x (1024 for inf and NaN).
static int exponent_of(double x) {
  return (int)((bits_of(x) >> EXPONENT_SHIFT) & 0x7ff) - 1023;
}

static int is_nan(double x) {
  return x != x;
}

// 2^k for any k, subnormal and infinite results included.
static double pow2(int k) {
  if (k > 1023)
    return from_bits(0x7ffULL << EXPONENT_SHIFT);
  if (k >= -1022)
    return from_bits((uint64)(k + 1023) << EXPONENT_SHIFT);
  if (k < -1074)
    return 0.0;
  return from_bits(1ULL << (k + 1074)); // subnormal
}

double fabs(double x) {
  return from_bits(bits_of(x) & ~SIGN);
}

double floor(double x) {
  uint64 u = bits_of(x);
  int e = exponent_of(x);
  if (e >= EXPONENT_SHIFT)
    return x; // already integral, or inf, or NaN
  if (e < 0) {
    if ((u & ~SIGN) == 0)
      return x; // +0 or -0
    return (u & SIGN) ? -1.0 : 0.0;
  }
  uint64 frac = FRACTION >> e;
  if ((u & frac) == 0)
    return x;
  if (u & SIGN)
    u += frac + 1; // towards -inf: up in magnitude (a carry may raise e)
  return from_bits(u & ~frac);
}

double ceil(double x) {
  return -floor(-x);
}

double sqrt(double x) {
  double r;
#ifdef __x86_64__
  __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x)); // doubles live in SSE registers there
#else
  __asm__("fsqrt" : "=t"(r) : "0"(x));
#endif
  return r;
}

// sin and cos of |r| <= pi/4: 1 - r^2/(2*3) (1 - r^2/(4*5) (...)) and the
// like; nine levels leave a first omitted term below 2^-60.
static double sin_small(double r) {
  double r2 = r * r;
  double t = 1.0;
  for (int n = 9; n >= 1; n--)
    t = 1.0 - r2 / (double)((2 * n) * (2 * n + 1)) * t;
  return r * t;
}

static double cos_small(double r) {
  double r2 = r * r;
  double t = 1.0;
  for (int n = 9; n >= 1; n--)
    t = 1.0 - r2 / (double)((2 * n - 1) * (2 * n)) * t;
  return t;
}

// x = q * pi/2 + r with |r| <= pi/4; returns r and q mod 4 in *quadrant.
static double reduce(double x, int *quadrant) {
  double k = floor(x * TWO_OVER_PI + 0.5);
  double q = k - 4.0 * floor(k / 4.0);
  *quadrant = (int)q;
  return ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3;
}

double sin(double x) {
  if (is_nan(x) || exponent_of(x) == 1024)
    return x - x; // NaN, also for inf
  int q;
  double r = reduce(x, &q);
  switch (q) {
  case 0:
    return sin_small(r);
  case 1:
    return cos_small(r);
  case 2:
    return -sin_small(r);
  default:
    return -cos_small(r);
  }
}

double cos(double x) {
  if (is_nan(x) || exponent_of(x) == 1024)
    return x - x;
  int q;
  double r = reduce(x, &q);
  switch (q) {
  case 0:
    return cos_small(r);
  case 1:
    return -sin_small(r);
  case 2:
    return -cos_small(r);
  default:
    return sin_small(r);
  }
}

double tan(double x) {
  return sin(x) / cos(x);
}

// exp(x) = 2^k exp(r), |r| <= ln2/2; the series to r^14 is exact there.
double exp(double x) {
  if (is_nan(x))
    return x;
  if (x > EXP_MAX)
    return pow2(2000);
  if (x < EXP_MIN)
    return 0.0;
  double k = floor(x * INV_LN2 + 0.5);
  double r = (x - k * LN2_HI) - k * LN2_LO;
  double t = 1.0;
  for (int n = 14; n >= 1; n--)
    t = 1.0 + r / (double)n * t;
  int ki = (int)k;
  // Two steps, so 2^k stays representable while exp(x) itself is subnormal.
  return t * pow2(ki / 2) * pow2(ki - ki / 2);
}

// log(x) = e ln2 + log(m), m in [sqrt(1/2), sqrt(2)), where
// log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1).
double log(double x) {
  if (is_nan(x) || x < 0.0)
    return (x - x) / (x - x); // NaN
  if (x == 0.0)
    return -pow2(2000);
  if (exponent_of(x) == 1024)
    return x; // +inf
  int e = 0;
  if (exponent_of(x) == -1023) { // subnormal: make it normal first
    x *= pow2(54);
    e = -54;
  }
  e += exponent_of(x);
  double m = from_bits((bits_of(x) & FRACTION) | (1023ULL << EXPONENT_SHIFT));
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e++;
  }
  // With f = m - 1 (exact): 2s = f - s f, so log(m) = f - s (f - R), R =
  // 2 s^2/3 + 2 s^4/5 + ...: the exact f carries most of the value.
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double s2 = s * s;
  double t = 2.0 / 25.0;
  for (int n = 11; n >= 1; n--)
    t = 2.0 / (double)(2 * n + 1) + s2 * t;
  double r = s2 * t;
  return (double)e * LN2_HI + ((double)e * LN2_LO + (f - s * (f - r)));
}

// |y| for an integral y below 2^53, from its bits: a plain conversion would
// call libgcc, whose untranslated code must not run in a memv6 program.
static uint64 integral_magnitude(double y) {
  int e = exponent_of(y);
  if (e < 0)
    return 0;
  uint64 m = (bits_of(y) & FRACTION) | (1ULL << EXPONENT_SHIFT);
  return m >> (EXPONENT_SHIFT - e);
}

// x^n by repeated squaring, n >= 0 (exact while the result is).
static double pow_int(double x, uint64 n) {
  double r = 1.0;
  while (n) {
    if (n & 1)
      r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

double pow(double x, double y) {
  if (y == 0.0 || x == 1.0)
    return 1.0;
  if (is_nan(x) || is_nan(y))
    return x + y;
  // Integral exponents below 2^53: exact sign, no detour through log.
  if (floor(y) == y && fabs(y) < 9007199254740992.0) {
    uint64 n = integral_magnitude(y);
    double r = pow_int(x, n);
    return y < 0 ? 1.0 / r : r;
  }
  if (x < 0.0)
    return (x - x) / (x - x); // a negative base needs an integral exponent
  if (x == 0.0)
    return y > 0 ? 0.0 : pow2(2000);
  // x^y = x^n x^f with n integral and |f| < 1: the integral part is exact
  // or nearly, and the error exp adds grows with |f log x| <= |log x| only.
  double n = y < 0 ? ceil(y) : floor(y);
  double r = exp((y - n) * log(x));
  double xn = pow_int(x, integral_magnitude(n));
  return n < 0 ? r / xn : r * xn;
}
