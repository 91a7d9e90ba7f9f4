// memcheck: the machine-check recovery self-test workload (docs/memv6.md).
//
//   memcheck [-k] FLIPS SEED   FLIPS trials; trial i forks a child that fills
//                              heap, data and stack with patterns, checksums
//                              its text, has the kernel flip one seeded bit
//                              (text, data, heap or stack) through mcetest and
//                              the #MC recovery path, and verifies everything.
//                              Expected: every child recovers and exits 0, or
//                              with -k every child is killed (status -1: the
//                              native kernel's policy).
//   memcheck -e                end-to-end: fills the heap, prints the va and pa
//                              of one heap byte, waits for a console line (the
//                              host corrupts that byte and raises a real #MC
//                              meanwhile) and exits 0 if the heap is intact.
//
// The exit status is 0 when every trial ended as expected.
#include "types.h"
#include "user.h"

#define PGSIZE 4096
#define HEAP_PAGES 4
#define HEAP_WORDS (HEAP_PAGES * PGSIZE / 4)
#define DATA_WORDS 1024 // 4 KiB: spans a data page boundary
#define STACK_WORDS 256
#define WRONG 2 // a child's status when its data did not survive

extern char etext[]; // user.ld: the end of text and read-only data

// Initialised, so it lives in .data, not .bss.
static uint data_area[DATA_WORDS] = {1};
static uint rng;

static uint next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static uint pattern(uint seed, uint i) {
  return (seed * 2654435761u) ^ (i * 40503u + 0x9e3779b9u);
}

static void fill(uint *w, uint n, uint seed) {
  for (uint i = 0; i < n; i++)
    w[i] = pattern(seed, i);
}

static int intact(const uint *w, uint n, uint seed) {
  for (uint i = 0; i < n; i++) {
    if (w[i] != pattern(seed, i))
      return 0;
  }
  return 1;
}

// Text starts at address 0; the empty asm hides that from the compiler,
// which would otherwise treat reads through it as undefined.
static const uchar *text_base(void) {
  const uchar *p = 0;
  __asm__("" : "+r"(p));
  return p;
}

static uint text_sum(void) {
  const uchar *t = text_base();
  uint s = 2166136261u;
  for (uint i = 0; i < (uint)etext; i++)
    s = (s ^ t[i]) * 16777619u;
  return s;
}

static const char *region_names[] = {"text", "data", "heap", "stack"};
static int region_counts[4];

// Picks the byte to corrupt: one of the four kinds of native page.
static uint pick(int region, const uint *heap, const uint *stack) {
  uint r = next_random();
  switch (region) {
  case 0:
    return r % (uint)etext;
  case 1:
    return (uint)data_area + r % sizeof(data_area);
  case 2:
    return (uint)heap + r % (HEAP_WORDS * 4);
  default:
    return (uint)stack + r % (STACK_WORDS * 4);
  }
}

// Fork shares the parent's text with the child copy-on-write, and on the
// native kernel a machine check in a shared frame kills every process that
// maps it, the parent too. Rewriting one byte per page gives the child text
// frames of its own, so a trial corrupts only the child.
static void own_text(void) {
  volatile uchar *t = (volatile uchar *)text_base();
  for (uint va = 0; va < (uint)etext; va += PGSIZE) {
    uchar b = t[va];
    t[va] = b;
  }
}

static int trial(uint seed) {
  uint stack[STACK_WORDS];
  uint *heap = (uint *)sbrk(HEAP_PAGES * PGSIZE);
  if (heap == (uint *)-1)
    return 3;
  fill(heap, HEAP_WORDS, seed);
  fill(data_area, DATA_WORDS, seed + 1);
  fill(stack, STACK_WORDS, seed + 2);
  uint sum = text_sum();
  rng = seed * 7919 + 1;
  int region = next_random() % 4;
  if (region == 0)
    own_text();
  if (mcetest(pick(region, heap, stack), next_random() % 8, 0) < 0)
    return 4;
  int ok = intact(heap, HEAP_WORDS, seed) && intact(data_area, DATA_WORDS, seed + 1) &&
           intact(stack, STACK_WORDS, seed + 2) && text_sum() == sum;
  return ok ? 0 : WRONG;
}

static int run_trials(int flips, uint seed, int expect_killed) {
  int recovered = 0, killed = 0, wrong = 0;
  for (int i = 0; i < flips; i++) {
    uint s = seed + 1000 * i;
    rng = s * 7919 + 1;
    region_counts[next_random() % 4]++; // the child draws the same region
    int pid = fork();
    if (pid == 0)
      exitst(trial(s));
    int status = -1000;
    if (pid < 0 || waitst(&status) != pid)
      status = -1000;
    if (status == 0)
      recovered++;
    else if (status == -1)
      killed++;
    else
      wrong++;
  }
  printf(1, "memcheck: flips=%d recovered=%d killed=%d wrong=%d", flips, recovered, killed, wrong);
  for (int r = 0; r < 4; r++)
    printf(1, " %s=%d", region_names[r], region_counts[r]);
  printf(1, "\n");
  return (expect_killed ? killed : recovered) == flips ? 0 : 1;
}

static int end_to_end(void) {
  uint *heap = (uint *)sbrk(HEAP_PAGES * PGSIZE);
  if (heap == (uint *)-1)
    return 3;
  fill(heap, HEAP_WORDS, 77);
  uint va = (uint)heap + PGSIZE + 123;
  printf(1, "memcheck: e2e va=0x%x pa=0x%x\n", va, vtop(va));
  char c;
  read(0, &c, 1);
  int ok = intact(heap, HEAP_WORDS, 77);
  printf(1, "memcheck: e2e data=%s\n", ok ? "intact" : "corrupt");
  return ok ? 0 : WRONG;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "-e") == 0)
    return end_to_end();
  int expect_killed = argc > 1 && strcmp(argv[1], "-k") == 0;
  if (argc != 3 + expect_killed) {
    printf(2, "usage: memcheck [-k] FLIPS SEED | memcheck -e\n");
    return 1;
  }
  return run_trials(atoi(argv[1 + expect_killed]), atoi(argv[2 + expect_killed]), expect_killed);
}
