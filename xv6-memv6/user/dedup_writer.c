// dedup_writer [PAGES]: copy-on-write of deduplicated pages (issue 14, seed 004).
//
// Fills PAGES pages (default 2560, 10 MiB) with one page content and then
// goes through these stages, printing an @dedup line after each
// (docs/dedup.md) and checking every page of the fill after each:
//   write1   the last word of every page i with i % 4 == 1 ("A") changes
//   dedup1   the untouched pages and B merge; no A page may merge
//   write2   A and B (i % 4 == 2) pages change again: B pages are shared, so
//            each write must copy the frame and leave its sharers alone
//   dedup2   nothing may merge: A and B pages differ only in their last word
//   restore  A and B get the fill's content back
//   dedup3   the whole fill merges again
// The exit status is 0 only if every check held; on memv6 the mirror oracle
// must find 0 mismatched bytes after each dedup.
#include "types.h"
#include "user.h"
#include "dedup.h"

#define PROG "dedup_writer"
#define SEED 11

enum stage { FILL, WRITE1, WRITE2, RESTORE };

static uint fill_tail(void) {
  return dedup_word(SEED, PAGE_WORDS - 1);
}

static int in_a(int i) {
  return i % 4 == 1;
}

static int in_b(int i) {
  return i % 4 == 2;
}

// The last word of page i in a stage: the fill's, or a mark that differs
// from it and from every other page's mark.
static uint tail_at(enum stage s, int i) {
  int changed = (s == WRITE1 && in_a(i)) || (s == WRITE2 && (in_a(i) || in_b(i)));
  uint round = s == WRITE1 ? 1 : 2;
  return changed ? fill_tail() ^ (1 + (uint)i + (round << 16)) : fill_tail();
}

static uint *page(uint *buf, int i) {
  return buf + i * PAGE_WORDS;
}

// Writes the words that differ between two stages: one store per page,
// which on a shared page is what must trigger the copy.
static void write_stage(uint *buf, int pages, enum stage from, enum stage to) {
  for (int i = 0; i < pages; i++) {
    if (tail_at(from, i) != tail_at(to, i))
      page(buf, i)[PAGE_WORDS - 1] = tail_at(to, i);
  }
}

static int check_all(uint *buf, int pages, enum stage s) {
  for (int i = 0; i < pages; i++) {
    if (!dedup_page_is(page(buf, i), SEED, tail_at(s, i)))
      return dedup_complain(PROG, "contents differ from what was written in page", i);
  }
  return 0;
}

// Pages that hold content of their own must have a frame of their own.
static int check_private(uint *buf, int pages, enum stage s) {
  for (int i = 0; i < pages; i++) {
    if (tail_at(s, i) != fill_tail() && framerefs((uint)page(buf, i)) != 1)
      return dedup_complain(PROG, "a frame is shared by a page with unique content, page", i);
  }
  return 0;
}

// After a dedup the untouched page 0 shares its frame with page 3 at least.
static int check_shared(uint *buf, int pages) {
  if (pages >= 4 && framerefs((uint)buf) < 2)
    return dedup_complain(PROG, "untouched pages were not merged", -1);
  return 0;
}

static int dedup_stage(uint *buf, int pages, enum stage s, const char *phase) {
  if (dedup_report(PROG, phase) < 0)
    return dedup_complain(PROG, "dedup() failed", -1);
  int bad = check_all(buf, pages, s) + check_private(buf, pages, s) + check_shared(buf, pages);
  return bad + !dedup_oracle_clean(PROG);
}

static int write_and_check(uint *buf, int pages, enum stage from, enum stage to,
                           const char *phase) {
  write_stage(buf, pages, from, to);
  int bad = check_all(buf, pages, to) + check_private(buf, pages, to);
  dedup_state(PROG, phase);
  return bad;
}

// At least 99 % of the fill's frames are free again once it is one page
// content merged; counts 1 when not.
static int reclaimed(const char *zone, int at_fill, int now, int pages) {
  if ((now - at_fill) * 100 >= pages * 99)
    return 0;
  printf(2, "%s: %s zone: %d of %d frames reclaimed\n", PROG, zone, now - at_fill, pages);
  return 1;
}

int main(int argc, char **argv) {
  int pages = dedup_pages_arg(argc, argv, DEDUP_DEFAULT_PAGES, PROG);
  if (pages < 0)
    return 2;
  uint *buf = dedup_grow(pages);
  if (!buf)
    return dedup_complain(PROG, "sbrk refused a fill of pages:", pages);
  for (int i = 0; i < pages; i++)
    dedup_fill(page(buf, i), SEED, fill_tail());
  dedup_state(PROG, "fill");
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1);
  int bad = write_and_check(buf, pages, FILL, WRITE1, "write1");
  bad += dedup_stage(buf, pages, WRITE1, "dedup1");
  bad += write_and_check(buf, pages, WRITE1, WRITE2, "write2");
  bad += dedup_stage(buf, pages, WRITE2, "dedup2");
  bad += write_and_check(buf, pages, WRITE2, RESTORE, "restore");
  bad += dedup_stage(buf, pages, RESTORE, "dedup3");
  bad += reclaimed("normal", free0, leakcheck_frames(0), pages);
#ifdef XV6_MIRRORED
  bad += reclaimed("mirror", mirror0, leakcheck_frames(1), pages);
#else
  (void)mirror0;
#endif
  printf(1, "%s: %d pages: %s\n", PROG, pages, bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
