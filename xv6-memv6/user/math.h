// Basic floating-point functions of the guest's user library (umath.c), in
// double precision with the standard C names, so compute programs written
// for a hosted C library build against it unchanged. Accuracy, as
// tools/umath_test.c measures it against the host's libm: fabs, floor and
// ceil exact; sqrt within 1 unit in the last place, exp, log, sin and cos
// (|x| < 2^20) within 2, tan within 4; pow exact for integral exponents
// while the result is, else within about 16 + 2 |log x| units.
#ifndef MATH_H
#define MATH_H
#define M_PI 3.14159265358979323846
#define M_E 2.7182818284590452354
#define HUGE_VAL (__builtin_huge_val())
#define INFINITY (__builtin_inff())
#define NAN (__builtin_nanf(""))

double fabs(double x);
double floor(double x);
double ceil(double x);
double sqrt(double x);
double sin(double x);
double cos(double x);
double tan(double x);
double exp(double x);
double log(double x);
double pow(double x, double y);
#endif
