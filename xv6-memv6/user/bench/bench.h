// Shared pieces of the compute benchmarks (docs/benchmarks.md).
//
// Each benchmark builds its input, times its kernel with the time-stamp
// counter, checks the result by a second, independent route (a known test
// vector, an inverse operation, another algorithm or an invariant), and
// reports both the way usertests does:
//   @test name=NAME status=ok|fail cycles=N     (the overhead campaign's line)
//   verify NAME ok|FAIL <what was compared>     (for people)
// and exits 0 only when the check held.
#ifndef BENCH_H
#define BENCH_H
#include "types.h"

// A small deterministic generator (xorshift32): the same input on every
// kernel and every run.
uint bench_rand(uint *state);
void bench_fill(uchar *buf, uint n, uint seed);

// Prints the @test line; returns the exit status (0 when ok).
int bench_report(const char *name, int ok, uint64 cycles);
#endif
