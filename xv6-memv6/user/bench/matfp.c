// matfp: double-precision matrix kernels, 64x64: C = A B, then one LU
// factorisation with partial pivoting of C + n I, solved for a known x.
// Checked by the column-sum identity of the product (within rounding) and
// by the residual of the solve.
#include "types.h"
#include "user.h"
#include "math.h"
#include "bench.h"

#define N 64

static double A[N][N], B[N][N], C[N][N], LU[N][N];
static double x[N], b[N], y[N];
static int piv[N];

static void multiply(void) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      C[i][j] = 0;
    for (int k = 0; k < N; k++) {
      double a = A[i][k];
      for (int j = 0; j < N; j++)
        C[i][j] += a * B[k][j];
    }
  }
}

static void factor(void) {
  for (int i = 0; i < N; i++) {
    piv[i] = i;
    for (int j = 0; j < N; j++)
      LU[i][j] = C[i][j] + (i == j ? N : 0);
  }
  for (int k = 0; k < N; k++) {
    int p = k;
    for (int i = k + 1; i < N; i++) {
      if (fabs(LU[i][k]) > fabs(LU[p][k]))
        p = i;
    }
    if (p != k) {
      for (int j = 0; j < N; j++) {
        double t = LU[k][j];
        LU[k][j] = LU[p][j];
        LU[p][j] = t;
      }
      int t = piv[k];
      piv[k] = piv[p];
      piv[p] = t;
    }
    for (int i = k + 1; i < N; i++) {
      double f = LU[i][k] / LU[k][k];
      LU[i][k] = f;
      for (int j = k + 1; j < N; j++)
        LU[i][j] -= f * LU[k][j];
    }
  }
}

static void solve(void) {
  for (int i = 0; i < N; i++) {
    double s = b[piv[i]];
    for (int j = 0; j < i; j++)
      s -= LU[i][j] * y[j];
    y[i] = s;
  }
  for (int i = N - 1; i >= 0; i--) {
    double s = y[i];
    for (int j = i + 1; j < N; j++)
      s -= LU[i][j] * y[j];
    y[i] = s / LU[i][i];
  }
}

int main(void) {
  uint s = 11;
  for (int i = 0; i < N; i++) {
    x[i] = sin(i * 0.37) + 2.0;
    for (int j = 0; j < N; j++) {
      A[i][j] = (double)(bench_rand(&s) % 2001) / 1000.0 - 1.0;
      B[i][j] = (double)(bench_rand(&s) % 2001) / 1000.0 - 1.0;
    }
  }
  uint64 t0 = rdtsc();
  multiply();
  uint64 t1 = rdtsc();
  for (int i = 0; i < N; i++) {
    b[i] = 0;
    for (int j = 0; j < N; j++)
      b[i] += (C[i][j] + (i == j ? N : 0)) * x[j];
  }
  uint64 t2 = rdtsc();
  factor();
  solve();
  uint64 t3 = rdtsc();
  double total = 0, identity = 0, err = 0;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      total += C[i][j];
  }
  for (int k = 0; k < N; k++) {
    double col = 0, row = 0;
    for (int i = 0; i < N; i++) {
      col += A[i][k];
      row += B[k][i];
    }
    identity += col * row;
  }
  for (int i = 0; i < N; i++)
    err = fabs(y[i] - x[i]) > err ? fabs(y[i] - x[i]) : err;
  int ok = fabs(total - identity) <= 1e-9 * (1.0 + fabs(identity)) && err < 1e-9;
  // Micro-units, as integers: printf has no %f.
  printf(1, "verify matfp %s sum_e6=%d identity_e6=%d solve_err_e12=%d\n", ok ? "ok" : "FAIL",
         (int)(total * 1e6), (int)(identity * 1e6), (int)(err * 1e12));
  return bench_report("matfp", ok, (t1 - t0) + (t3 - t2));
}
