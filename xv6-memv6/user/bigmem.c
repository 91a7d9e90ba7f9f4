// bigmem [MiB]: a process that uses a lot of memory, as xv6 programs that
// build big tables do. Grows the heap by MiB (default 100) with sbrk, writes
// a word of its own into every 64 bytes of every page, reads them all back,
// and on memv6 asks the mirror oracle to compare every page with its mirror
// (mirrorcheck; -1 on the native kernel). xv6's classic calls; the guest
// RAM and the zones are sized so that 100 MiB fits on both kernels
// (memlayout.h, docs/kernel.md).
#include "types.h"
#include "stat.h"
#include "user.h"

#define PGSIZE 4096
#define MB (1024 * 1024)
#define STRIDE 16 // words between two checked ones

static uint word(uint i) {
  return i * 2654435761u ^ 0x5a5a5a5a;
}

int main(int argc, char *argv[]) {
  uint i, n, bad;
  int mb, oracle;
  uint *p;

  mb = argc > 1 ? atoi(argv[1]) : 100;
  if (mb <= 0 || mb > 1024) {
    printf(1, "bigmem: FAIL give the size in MiB, 1 to 1024\n");
    exit();
  }
  p = (uint *)sbrk(mb * MB);
  if (p == (uint *)-1) {
    printf(1, "bigmem: FAIL sbrk of %d MiB refused\n", mb);
    exit();
  }
  n = (uint)mb * (MB / 4);
  // The heap comes zeroed: check that on the way, one word per page.
  bad = 0;
  for (i = 0; i < n; i += PGSIZE / 4)
    if (p[i] != 0)
      bad++;
  if (bad) {
    printf(1, "bigmem: FAIL %d pages not zero after sbrk\n", bad);
    exit();
  }
  // One word in every 64 bytes: every page and cache line, a value of its
  // own, at a tenth of the cost of every word under TCG.
  for (i = 0; i < n; i += STRIDE)
    p[i] = word(i);
  for (i = 0; i < n; i += STRIDE)
    if (p[i] != word(i))
      bad++;
  if (bad) {
    printf(1, "bigmem: FAIL %d of %d words read back wrong\n", bad, n / STRIDE);
    exit();
  }
  oracle = mirrorcheck(0);
  printf(1, "bigmem: ok %d MiB, %d pages written and read back, oracle %d\n", mb, n / (PGSIZE / 4),
         oracle);
  exit();
}
