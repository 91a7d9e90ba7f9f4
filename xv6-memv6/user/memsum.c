// memsum [MIB [ROUNDS]]: a memory checker for fault-injection campaigns.
//
// Fills MIB MiB (default 1) of heap with a fixed pseudo-random pattern, then
// reads it back ROUNDS times (default 4), checksumming every round, and
// prints one digest line. The pattern is fixed, so the golden digest is the
// same in every run; the buffer is never rewritten after the fill, so a bit
// flipped in it and not repaired stays there and changes every later round's
// checksum and hence the digest. memsum_round() is a real call once per round
// so that a harness can stop at "round N" with a breakpoint (exact under
// icount).
#include "types.h"
#include "user.h"

#define MIB (1024 * 1024)

// Odd multiplier: s = s * K + w is a bijection in each word w, so any change
// of a single word changes the round's checksum.
#define SUM_K 0x9e3779b1u

static uint checksum(const uint *buf, uint words) {
  uint s = 0;
  for (uint i = 0; i < words; i++)
    s = s * SUM_K + buf[i];
  return s;
}

// A breakpoint target: one call per finished round. noinline and the empty
// asm keep it a real function with its own address.
__attribute__((noinline)) void memsum_round(int round, uint sum) {
  __asm__ volatile("" : : "r"(round), "r"(sum) : "memory");
}

int main(int argc, char **argv) {
  int mib = argc > 1 ? atoi(argv[1]) : 1;
  int rounds = argc > 2 ? atoi(argv[2]) : 4;
  if (mib < 1 || mib > 64 || rounds < 1 || rounds > 1000) {
    printf(2, "usage: memsum [MIB (1-64) [ROUNDS (1-1000)]]\n");
    return 2;
  }
  uint words = (uint)mib * MIB / sizeof(uint);
  uint *buf = (uint *)sbrk((int)(words * sizeof(uint)));
  if (buf == (uint *)-1) {
    printf(2, "memsum: cannot allocate %d MiB\n", mib);
    return 1;
  }
  uint x = 12345;
  for (uint i = 0; i < words; i++) {
    x = x * 1103515245u + 12345u; // a fixed LCG: the same pattern every run
    buf[i] = x;
  }
  uint first = 0, digest = 2166136261u, changed = 0;
  for (int r = 0; r < rounds; r++) {
    uint s = checksum(buf, words);
    if (r == 0)
      first = s;
    changed += s != first;
    digest = (digest ^ s) * 16777619u;
    memsum_round(r + 1, s);
  }
  printf(1, "memsum: mib=%d rounds=%d digest=%x changed=%d\n", mib, rounds, digest, changed);
  return 0;
}
