// dedup_reader [PAGES]: deduplication of identical pages (issue 14, seed 004).
//
// Fills PAGES pages (default 2560, 10 MiB) of fresh heap with one and the
// same page content, asks the kernel to merge identical pages, and reads
// everything back. Prints @dedup lines at each phase (docs/dedup.md). The
// exit status is 0 only when the contents survived, the fill's pages ended
// up sharing frames, and at least 99 % of the fill's frames (native, and
// mirror on memv6) came back free; on memv6 the mirror oracle must also find
// 0 mismatched bytes afterwards.
#include "types.h"
#include "user.h"
#include "dedup.h"

#define PROG "dedup_reader"
#define SEED 7

static uint tail(void) {
  return dedup_word(SEED, PAGE_WORDS - 1);
}

static int check_all(const uint *buf, int pages) {
  for (int i = 0; i < pages; i++) {
    if (!dedup_page_is(buf + i * PAGE_WORDS, SEED, tail()))
      return dedup_complain(PROG, "contents changed in page", i);
  }
  return 0;
}

// At least 99 % of the fill's frames must have been given back.
static int enough(const char *zone, int before, int after, int pages) {
  if ((after - before) * 100 >= pages * 99)
    return 0;
  printf(2, "%s: %s zone: %d of %d frames reclaimed\n", PROG, zone, after - before, pages);
  return 1;
}

// Merges the fill and checks what the kernel reports; counts failures.
static int merge(const uint *buf, int pages) {
  int bad = 0;
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1);
  if (dedup_report(PROG, "dedup") < 0)
    return dedup_complain(PROG, "dedup() failed", -1);
  bad += enough("normal", free0, leakcheck_frames(0), pages);
#ifdef XV6_MIRRORED
  bad += enough("mirror", mirror0, leakcheck_frames(1), pages);
#else
  (void)mirror0;
#endif
  if (pages > 1 && framerefs((uint)buf) < 2)
    bad += dedup_complain(PROG, "the fill's first page is not shared", -1);
  return bad;
}

int main(int argc, char **argv) {
  int pages = dedup_pages_arg(argc, argv, DEDUP_DEFAULT_PAGES, PROG);
  if (pages < 0)
    return 2;
  uint *buf = dedup_grow(pages);
  if (!buf)
    return dedup_complain(PROG, "sbrk refused a fill of pages:", pages);
  for (int i = 0; i < pages; i++)
    dedup_fill(buf + i * PAGE_WORDS, SEED, tail());
  int bad = 0;
  if (framerefs((uint)buf) != 1)
    bad += dedup_complain(PROG, "a freshly written page is not private", -1);
  dedup_state(PROG, "fill");
  bad += merge(buf, pages);
  int merged_free = leakcheck_frames(0);
  bad += check_all(buf, pages);
  // Reading shared pages must not unshare them.
  if (leakcheck_frames(0) != merged_free)
    bad += dedup_complain(PROG, "reading the merged fill allocated frames", -1);
  dedup_state(PROG, "check");
  if (!dedup_oracle_clean(PROG))
    bad++;
  printf(1, "%s: %d pages: %s\n", PROG, pages, bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
