// Shared pieces of the compute benchmarks (bench.h).
#include "types.h"
#include "user.h"
#include "bench.h"

uint bench_rand(uint *state) {
  uint x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

void bench_fill(uchar *buf, uint n, uint seed) {
  uint s = seed | 1; // xorshift never leaves 0
  for (uint i = 0; i < n; i++)
    buf[i] = (uchar)(bench_rand(&s) >> 24);
}

int bench_report(const char *name, int ok, uint64 cycles) {
  printf(1, "@test name=%s status=%s cycles=%lu\n", name, ok ? "ok" : "fail", cycles);
  return ok ? 0 : 1;
}
