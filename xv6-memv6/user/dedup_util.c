// The dedup workloads' common parts; see dedup.h.
#include "types.h"
#include "user.h"
#include "dedup.h"

int dedup_pages_arg(int argc, char **argv, int defpages, const char *prog) {
  if (argc < 2)
    return defpages;
  int pages = atoi(argv[1]);
  // atoi stops at the first non-digit; "0" and "12x" are refused alike.
  for (const char *s = argv[1]; *s; s++) {
    if (*s < '0' || *s > '9')
      pages = -1;
  }
  if (pages < 1 || pages > DEDUP_MAX_PAGES) {
    printf(2, "usage: %s [PAGES (1-%d, default %d)]\n", prog, DEDUP_MAX_PAGES, defpages);
    return -1;
  }
  return pages;
}

uint *dedup_grow(int pages) {
  uint brk = (uint)sbrk(0);
  uint pad = (PGSIZE - brk % PGSIZE) % PGSIZE;
  char *old = sbrk((int)(pad + (uint)pages * PGSIZE));
  if (old == (char *)-1)
    return 0;
  return (uint *)(old + pad);
}

// Words differ from each other within a page (a multiplicative hash of j),
// so a page is never mistaken for a shifted or zero one.
uint dedup_word(uint seed, int j) {
  uint x = (seed + 1) * 0x9e3779b1u ^ ((uint)j * 0x85ebca6bu);
  return x ^ (x >> 15);
}

void dedup_fill(uint *page, uint seed, uint tail) {
  for (int j = 0; j < PAGE_WORDS - 1; j++)
    page[j] = dedup_word(seed, j);
  page[PAGE_WORDS - 1] = tail;
}

int dedup_page_is(const uint *page, uint seed, uint tail) {
  for (int j = 0; j < PAGE_WORDS - 1; j++) {
    if (page[j] != dedup_word(seed, j))
      return 0;
  }
  return page[PAGE_WORDS - 1] == tail;
}

void dedup_state(const char *prog, const char *phase) {
  int nfree = freepages();
  int mirror = freemirror();
  printf(1, "@dedup prog=%s phase=%s free=%d mirror_free=%d\n", prog, phase, nfree, mirror);
}

int dedup_report(const char *prog, const char *phase) {
  int freed = dedup();
  int nfree = freepages();
  int mirror = freemirror();
  printf(1, "@dedup prog=%s phase=%s freed=%d free=%d mirror_free=%d\n", prog, phase, freed, nfree,
         mirror);
  return freed;
}

int dedup_oracle_clean(const char *prog) {
#ifdef XV6_MIRRORED
  int bad = mirrorcheck(0);
  if (bad != 0) {
    printf(2, "%s: mirror oracle: %d mismatched bytes\n", prog, bad);
    return 0;
  }
#else
  (void)prog;
#endif
  return 1;
}

int dedup_complain(const char *prog, const char *what, int n) {
  if (n < 0)
    printf(2, "%s: %s\n", prog, what);
  else
    printf(2, "%s: %s %d\n", prog, what, n);
  return 1;
}
