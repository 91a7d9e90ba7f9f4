// matint: integer matrix multiply C = A B, 128x128, i-k-j order. Checked by
// the identity sum(C) = sum_k colsum_A(k) rowsum_B(k) and by sampled
// elements recomputed as dot products in the other loop order.
#include "types.h"
#include "user.h"
#include "bench.h"

#define N 128

static int A[N][N], B[N][N], C[N][N];

static void multiply(void) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      C[i][j] = 0;
    for (int k = 0; k < N; k++) {
      int a = A[i][k];
      for (int j = 0; j < N; j++)
        C[i][j] += a * B[k][j];
    }
  }
}

int main(void) {
  uint s = 7;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) {
      A[i][j] = (int)(bench_rand(&s) % 201) - 100;
      B[i][j] = (int)(bench_rand(&s) % 201) - 100;
    }
  }
  uint64 t0 = rdtsc();
  multiply();
  uint64 t1 = rdtsc();
  long long total = 0, identity = 0;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++)
      total += C[i][j];
  }
  for (int k = 0; k < N; k++) {
    long long col = 0, row = 0;
    for (int i = 0; i < N; i++) {
      col += A[i][k];
      row += B[k][i];
    }
    identity += col * row;
  }
  int bad = 0;
  for (int n = 0; n < 64; n++) {
    int i = (int)(bench_rand(&s) % N), j = (int)(bench_rand(&s) % N), dot = 0;
    for (int k = 0; k < N; k++)
      dot += A[i][k] * B[k][j];
    bad += dot != C[i][j];
  }
  int ok = total == identity && bad == 0;
  printf(1, "verify matint %s sum=%d identity=%d sampled_mismatches=%d\n", ok ? "ok" : "FAIL",
         (int)total, (int)identity, bad);
  return bench_report("matint", ok, t1 - t0);
}
