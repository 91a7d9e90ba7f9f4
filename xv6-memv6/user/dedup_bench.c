// dedup_bench [PAGES...]: what one dedup() costs per user page.
//
// For each fill size (default 512 and 2560 pages) it times three dedup()
// calls with rdtsc, which counts guest instructions under qrun --icount
// (-icount shift=0), as usertests' @test cycles do (docs/campaign.md):
//   merge     a fresh fill of identical pages: scan, compare, merge, free
//   rescan    the same fill again: every page already shares one frame
//   distinct  a fresh fill whose pages all differ: scan and compare only
// Each is one `@test name=dedup_<kind>_<pages> status=ok cycles=N` line, so
// memharness can run this as a workload. Every call also scans the pages of
// init and of this program; the per-page figure is therefore the difference
// between two fill sizes divided by the difference in pages, which leaves
// that fixed part out. Each call must also free what a correct dedup()
// frees (see freed_ok); the exit status is 0 only when all of them did.
#include "types.h"
#include "user.h"
#include "dedup.h"

#define PROG "dedup_bench"
#define MAX_SIZES 8
#define KINDS 3

enum kind { MERGE, RESCAN, DISTINCT };
static const char *kind_names[KINDS] = {"merge", "rescan", "distinct"};

// What a correct dedup() returns for each kind: all but one frame of the
// identical fill (99 % of them at least), then nothing, since the second
// call finds every page merged and the distinct pages have no twin.
static int freed_ok(enum kind k, int freed, int pages) {
  if (k == MERGE)
    return freed * 100 >= (pages - 1) * 99;
  return freed == 0;
}

// One timed dedup(); the cycles, or -1 when dedup() failed or freed what it
// should not have.
static long long timed_dedup(enum kind k, int pages) {
  uint64 t0 = rdtsc();
  int freed = dedup();
  uint64 cycles = rdtsc() - t0;
  int ok = freed >= 0 && freed_ok(k, freed, pages);
  printf(1, "@test name=dedup_%s_%d status=%s cycles=%lu\n", kind_names[k], pages,
         ok ? "ok" : "fail", cycles);
  if (!ok)
    printf(2, "%s: %s of %d pages: dedup() returned %d\n", PROG, kind_names[k], pages, freed);
  return ok ? (long long)cycles : -1;
}

// Fills pages pages (all alike or all different), runs the timed calls and
// gives the memory back. 0, or -1 on failure.
static int measure(int pages, long long *cycles) {
  for (int distinct = 0; distinct < 2; distinct++) {
    uint *buf = dedup_grow(pages);
    if (!buf) {
      dedup_complain(PROG, "sbrk refused a fill of pages:", pages);
      return -1;
    }
    for (int i = 0; i < pages; i++) {
      uint seed = distinct ? (uint)i : 0;
      dedup_fill(buf + i * PAGE_WORDS, seed, dedup_word(seed, PAGE_WORDS - 1));
    }
    for (int k = distinct ? DISTINCT : MERGE; k <= (distinct ? DISTINCT : RESCAN); k++) {
      if ((cycles[k] = timed_dedup((enum kind)k, pages)) < 0)
        return -1;
    }
    sbrk(-pages * PGSIZE);
  }
  return 0;
}

static int parse_sizes(int argc, char **argv, int *sizes) {
  if (argc < 2) {
    sizes[0] = 512;
    sizes[1] = DEDUP_DEFAULT_PAGES;
    return 2;
  }
  if (argc - 1 > MAX_SIZES)
    return -1;
  for (int i = 1; i < argc; i++) {
    char *one[2] = {argv[0], argv[i]};
    if ((sizes[i - 1] = dedup_pages_arg(2, one, 0, PROG)) < 0)
      return -1;
  }
  return argc - 1;
}

int main(int argc, char **argv) {
  int sizes[MAX_SIZES];
  long long cycles[MAX_SIZES][KINDS];
  int n = parse_sizes(argc, argv, sizes);
  if (n < 0)
    return 2;
  for (int s = 0; s < n; s++) {
    if (measure(sizes[s], cycles[s]) < 0)
      return 1;
  }
  // Per page between consecutive sizes: the fixed part cancels out.
  for (int s = 1; s < n; s++) {
    int dp = sizes[s] - sizes[s - 1];
    for (int k = 0; k < KINDS && dp != 0; k++)
      printf(1, "%s: %s: %d cycles/page (%d -> %d pages)\n", PROG, kind_names[k],
             (int)((cycles[s][k] - cycles[s - 1][k]) / dp), sizes[s - 1], sizes[s]);
  }
  return 0;
}
