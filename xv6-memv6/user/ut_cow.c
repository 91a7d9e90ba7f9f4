// usertests: copy-on-write fork and dedup (docs/kernel.md, "Sharing frames").
//
// fork shares every frame read-only and a write copies it; dedup() merges
// identical pages of all processes. What a program relies on: each process
// sees only its own writes, whoever writes first and however the sharing
// came about (fork, dedup, sbrk, exec, the kernel writing for it); framerefs
// shows the sharing start and end; no frame is lost; and on memv6 a machine
// check in a merged frame is recovered for every process that maps it (on
// the native kernel every one of them is killed).
//
// Every test runs its scenario twice in a child and requires the free
// frames of both zones to come back to the same count. The counts are taken
// right after a dedup() of their own: dedup merges pages of every process,
// this one and the runner included, and a later write to such a page copies
// it, which would look like a leak; a frame that really leaked is mapped by
// no one, so no dedup() gives it back.
#include "types.h"
#include "user.h"
#include "ut.h"
#include "memlayout.h"

#define MCETEST_NATIVE 0 // mcetest modes (kernel/mce.h)
#define MCETEST_FORK 3

// A heap region of whole pages starting on a page boundary (the old break
// may lie inside a page that also holds data); 0 if sbrk refuses.
static char *grow(int pages) {
  uint brk = ut_brk();
  uint pad = ((brk + PGSIZE - 1) & ~(uint)(PGSIZE - 1)) - brk;
  char *p = sbrk(pad + pages * PGSIZE);
  return p == (char *)-1 ? 0 : p + pad;
}

static char *page_at(char *heap, int i) {
  return heap + i * PGSIZE;
}

static int refs(char *va) {
  return framerefs((uint)va);
}

// The memv6 oracle on this process, under `usertests -oracle` (ut.h); the
// native image has no mirror. Not over all processes: a process blocked in
// a call may have stack slots its function allocated but never wrote,
// holding translator scratch that was never mirrored (dead stack, but above
// the saved esp), which the oracle would report.
static int oracle_clean(void) {
#ifdef XV6_MIRRORED
  return !ut_oracle_checks || mirrorcheck(getpid()) == 0;
#else
  return 1;
#endif
}

// fn(0) in a child twice. The counts include retired frames
// (leakcheck_frames): a machine check the scenario or anyone else takes
// is no leak.
static int no_leak(const char *name, int (*fn)(int)) {
  int st = ut_run_child(fn, 0);
  if (st != 0) {
    printf(1, "usertests: %s: first run status %d\n", name, st);
    return 1;
  }
  dedup();
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1);
  st = ut_run_child(fn, 0);
  dedup();
  int free1 = leakcheck_frames(0), mirror1 = leakcheck_frames(1);
  if (st != 0 || free1 != free0 || mirror1 != mirror0) {
    printf(1, "usertests: %s: status %d; free+retired %d -> %d, mirror %d -> %d\n", name, st, free0,
           free1, mirror0, mirror1);
    return 1;
  }
  return 0;
}

// ---- cowfork: many children share a big heap; their writes stay theirs ----

#define FORK_PAGES 32
#define FORK_KIDS 4
#define FORK_SLICE (FORK_PAGES / FORK_KIDS * PGSIZE)

static int heap_as_left(char *heap, int changed_slice, int seed) {
  for (int k = 0; k < FORK_KIDS; k++) {
    int s = k == changed_slice ? seed : 40 + k;
    if (!ut_is_pattern(heap + k * FORK_SLICE, FORK_SLICE, s))
      return 0;
  }
  return 1;
}

// Waits for the go (EOF on the pipe), then overwrites its own slice.
static int fork_kid(char *heap, int k, int go) {
  char c;
  read(go, &c, 1);
  close(go);
  if (!heap_as_left(heap, -1, 0))
    return 1;
  ut_pattern(heap + k * FORK_SLICE, FORK_SLICE, 50 + k);
  return heap_as_left(heap, k, 50 + k) && oracle_clean() ? 0 : 2;
}

static int cowfork_run(int unused) {
  (void)unused;
  char *heap = grow(FORK_PAGES);
  int go[2];
  if (!heap || pipe(go) < 0)
    return 1;
  for (int k = 0; k < FORK_KIDS; k++)
    ut_pattern(heap + k * FORK_SLICE, FORK_SLICE, 40 + k);
  int before = leakcheck_frames(0);
  int pids[FORK_KIDS];
  for (int k = 0; k < FORK_KIDS; k++) {
    pids[k] = fork();
    if (pids[k] == 0) {
      close(go[1]);
      exitst(fork_kid(heap, k, go[0]));
    }
  }
  // Shared, not copied: page tables, kernel stacks and a few stack pages.
  int used = before - leakcheck_frames(0);
  close(go[0]);
  close(go[1]);
  int st = ut_wait_all(pids, FORK_KIDS);
  if (used >= FORK_PAGES)
    printf(1, "usertests: cowfork: %d children of a %d-page heap took %d frames\n", FORK_KIDS,
           FORK_PAGES, used);
  return used < FORK_PAGES && st == 0 && heap_as_left(heap, -1, 0) ? 0 : 2;
}

int t_cowfork(void) {
  return no_leak("cowfork", cowfork_run);
}

// ---- cowwrite: parent first, then child first; framerefs 2, then 1 ----

// The parent has written (and so copied) the page: this is the last mapping.
static int child_writes_last(char *page, int go) {
  char c;
  read(go, &c, 1);
  close(go);
  int ok = refs(page) == 1 && ut_is_pattern(page, PGSIZE, 60);
  ut_pattern(page, PGSIZE, 61);
  return ok && refs(page) == 1 && ut_is_pattern(page, PGSIZE, 61) && oracle_clean() ? 0 : 1;
}

static int child_writes_first(char *page) {
  int ok = refs(page) == 2 && ut_is_pattern(page, PGSIZE, 62);
  ut_pattern(page, PGSIZE, 63);
  return ok && refs(page) == 1 && ut_is_pattern(page, PGSIZE, 63) && oracle_clean() ? 0 : 1;
}

static int cowwrite_run(int unused) {
  (void)unused;
  char *page = grow(1);
  int go[2];
  if (!page || pipe(go) < 0)
    return 1;
  ut_pattern(page, PGSIZE, 60);
  int fresh = refs(page);
  int pid = fork();
  if (pid == 0) {
    close(go[1]);
    exitst(child_writes_last(page, go[0]));
  }
  close(go[0]);
  int shared = refs(page);
  ut_pattern(page, PGSIZE, 62);
  int own = refs(page);
  write(go[1], "g", 1);
  close(go[1]);
  int st1 = ut_wait_for(pid);
  pid = fork();
  if (pid == 0)
    exitst(child_writes_first(page));
  int st2 = ut_wait_for(pid);
  if (fresh != 1 || shared != 2 || own != 1 || st1 != 0 || st2 != 0) {
    printf(1, "usertests: cowwrite: refs %d %d %d, children %d %d\n", fresh, shared, own, st1, st2);
    return 2;
  }
  return refs(page) == 1 && ut_is_pattern(page, PGSIZE, 62) && oracle_clean() ? 0 : 3;
}

int t_cowwrite(void) {
  return no_leak("cowwrite", cowwrite_run);
}

// ---- cowdedup: merged pages, then writes from several processes ----

#define DD_PAGES 16
#define DD_KIDS 3

// Page i holds seed 69 except the one page `mine` that holds seed.
static int dd_view(char *heap, int mine, int seed) {
  for (int i = 0; i < DD_PAGES; i++) {
    if (!ut_is_pattern(page_at(heap, i), PGSIZE, i == mine ? seed : 69))
      return 0;
  }
  return 1;
}

// Child k writes page 4(k+1) of the merged heap.
static int dd_kid(char *heap, int k) {
  int mine = 4 * (k + 1);
  if (refs(page_at(heap, mine)) < DD_PAGES)
    return 1;
  ut_pattern(page_at(heap, mine), PGSIZE, 70 + k);
  if (refs(page_at(heap, mine)) != 1)
    return 2;
  return dd_view(heap, mine, 70 + k) && oracle_clean() ? 0 : 3;
}

static int merged(char *heap, int from, int to) {
  for (int i = from; i < to; i++) {
    if (vtop((uint)page_at(heap, i)) != vtop((uint)page_at(heap, from)))
      return 0;
  }
  return 1;
}

static int cowdedup_run(int unused) {
  (void)unused;
  char *heap = grow(DD_PAGES);
  if (!heap)
    return 1;
  for (int i = 0; i < DD_PAGES; i++)
    ut_pattern(page_at(heap, i), PGSIZE, 69);
  int mirror0 = leakcheck_frames(1);
  int freed = dedup();
  int mirror_freed = leakcheck_frames(1) - mirror0;
#ifdef XV6_MIRRORED
  int mirror_ok = mirror_freed >= DD_PAGES - 1;
#else
  int mirror_ok = mirror_freed == 0;
#endif
  if (freed < DD_PAGES - 1 || !mirror_ok || refs(heap) != DD_PAGES || !merged(heap, 0, DD_PAGES)) {
    printf(1, "usertests: cowdedup: freed %d (mirror %d), refs %d\n", freed, mirror_freed,
           refs(heap));
    return 2;
  }
  int pids[DD_KIDS];
  for (int k = 0; k < DD_KIDS; k++) {
    pids[k] = fork();
    if (pids[k] == 0)
      exitst(dd_kid(heap, k));
  }
  ut_pattern(heap, PGSIZE, 80); // the parent writes page 0 meanwhile
  if (refs(heap) != 1 || ut_wait_all(pids, DD_KIDS) != 0 || !dd_view(heap, 0, 80))
    return 3;
  // The children are gone: the other pages are one frame, mapped here only.
  if (refs(page_at(heap, 1)) != DD_PAGES - 1 || !merged(heap, 1, DD_PAGES) || !oracle_clean())
    return 4;
  // Page 0 equal again: the next dedup merges it back.
  ut_pattern(heap, PGSIZE, 69);
  freed = dedup();
  return freed >= 1 && refs(heap) == DD_PAGES && merged(heap, 0, DD_PAGES) ? 0 : 5;
}

int t_cowdedup(void) {
  return no_leak("cowdedup", cowdedup_run);
}

// ---- cowsbrk: shrinking (and the kernel zeroing) a shared page ----

#define SB_PAGES 4

// The parent shrank its heap and re-zeroed bytes of a page it shared with
// this child: none of that may show here.
static int sbrk_child(char *heap, int go) {
  char c;
  read(go, &c, 1);
  close(go);
  if (!ut_is_pattern(heap, SB_PAGES * PGSIZE, 85))
    return 1;
  if (refs(page_at(heap, 2)) != 1 || refs(heap) != 2)
    return 2;
  if (sbrk(-2 * PGSIZE) == (char *)-1 || refs(heap) != 2)
    return 3;
  char *again = sbrk(2 * PGSIZE);
  if (again != page_at(heap, 2))
    return 4;
  for (int i = 0; i < 2 * PGSIZE; i++) {
    if (again[i] != 0)
      return 5; // regrown memory starts zero, not with the old frame's bytes
  }
  return oracle_clean() ? 0 : 6;
}

static int tail_zero(char *end, int n) {
  for (int i = 1; i <= n; i++) {
    if (end[-i] != 0)
      return 0;
  }
  return 1;
}

static int cowsbrk_run(int unused) {
  (void)unused;
  char *heap = grow(SB_PAGES);
  int go[2];
  if (!heap || pipe(go) < 0 || (char *)ut_brk() != page_at(heap, SB_PAGES))
    return 1;
  ut_pattern(heap, SB_PAGES * PGSIZE, 85);
  int pid = fork();
  if (pid == 0) {
    close(go[1]);
    exitst(sbrk_child(heap, go[0]));
  }
  close(go[0]);
  // sbrk down inside the last page and up again: the kernel zeroes those
  // bytes through copyout, which must copy the shared page first.
  int ok = sbrk(-100) != (char *)-1 && sbrk(100) != (char *)-1;
  char *end = page_at(heap, SB_PAGES);
  ok = ok && tail_zero(end, 100) && ut_is_pattern(heap, SB_PAGES * PGSIZE - 100, 85);
  ok = ok && refs(page_at(heap, 3)) == 1 && sbrk(-2 * PGSIZE) != (char *)-1;
  write(go[1], "g", 1);
  close(go[1]);
  int st = ut_wait_for(pid);
  if (!ok || st != 0) {
    printf(1, "usertests: cowsbrk: parent checks %s, child status %d\n", ok ? "ok" : "failed", st);
    return 2;
  }
  return ut_is_pattern(heap, 2 * PGSIZE, 85) && refs(heap) == 1 && oracle_clean() ? 0 : 3;
}

int t_cowsbrk(void) {
  return no_leak("cowsbrk", cowsbrk_run);
}

// ---- cowexec: exec drops the child's share of the image ----

#define EXEC_WAIT_TICKS 200

static int cowexec_run(int unused) {
  (void)unused;
  char *page = grow(1);
  int in[2];
  if (!page || pipe(in) < 0)
    return 1;
  ut_pattern(page, PGSIZE, 90);
  int pid = fork();
  if (pid == 0) {
    // cat waits on the pipe: the new image runs while the old one is gone.
    close(0);
    dup(in[0]);
    close(in[0]);
    close(in[1]);
    char *argv[] = {"cat", 0};
    exec("/cat", argv);
    exitst(9);
  }
  close(in[0]);
  int waited = 0;
  while (refs(page) != 1 && waited < EXEC_WAIT_TICKS) {
    sleep(1);
    waited++;
  }
  int r = refs(page);
  close(in[1]); // EOF: cat exits
  int st = ut_wait_for(pid);
  if (r != 1 || st != 0) {
    printf(1, "usertests: cowexec: refs %d after %d ticks, cat status %d\n", r, waited, st);
    return 2;
  }
  return ut_is_pattern(page, PGSIZE, 90) && oracle_clean() ? 0 : 3;
}

int t_cowexec(void) {
  return no_leak("cowexec", cowexec_run);
}

// ---- cowlazy: a forked child's mirror, made on first touch ----
//
// fork gives the child no mirror PTEs (memv6) and takes the parent's away;
// the first access to a page's mirror address, or the first store to the
// page, makes them. What must hold: the mirror window shows each page's
// own bytes however it was first touched (read through the mirror, written
// with or without a mirror read before, not touched at all); sbrk down
// takes the mirror mappings with the pages (regrown pages are zero in both
// halves); a mirror frame is freed with its native frame, so both zones
// come back after sbrk down and after exit; and the oracle finds every pair
// equal. Only memv6 can read the mirror window; the rest runs on both.

#define LZ_PAGES 4

// Bytes this far apart are compared: the pattern differs at each of them
// between seeds, so a wrong or stale frame shows, and these memv6-only
// reads stay a small part of the work (the overhead table compares the
// test's cycles across the two kernels).
#define LZ_STRIDE 16

#ifdef XV6_MIRRORED
// A load passes through the translator as it is: this reads the mirror.
static int mirror_shows(const char *va, int n) {
  const volatile char *m = (const volatile char *)(va + MIRROR_OFFSET);
  for (int i = 0; i < n; i += LZ_STRIDE) {
    if (m[i] != va[i])
      return 0;
  }
  return 1;
}
#else
static int mirror_shows(const char *va, int n) {
  (void)va;
  (void)n;
  return 1; // no mirror window on the native kernel
}
#endif

static int zero_page(const char *va) {
  for (int i = 0; i < PGSIZE; i++) {
    if (va[i] != 0)
      return 0;
  }
  return mirror_shows(va, PGSIZE);
}

// Pages 2 and 3 are still shared (page 2's mirror mapped by a read): sbrk
// down over them frees nothing; regrown they are new and zero; written and
// shrunk again, their frames of both zones go back.
static int lazy_sbrk(char *heap) {
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1);
  if (sbrk(-2 * PGSIZE) == (char *)-1 || leakcheck_frames(0) != free0 ||
      leakcheck_frames(1) != mirror0)
    return 1;
  char *again = sbrk(2 * PGSIZE);
  if (again != page_at(heap, 2) || !zero_page(again) || !zero_page(again + PGSIZE))
    return 2;
  ut_pattern(again, 2 * PGSIZE, 133);
  if (!mirror_shows(again, 2 * PGSIZE) || !oracle_clean())
    return 3;
  if (sbrk(-2 * PGSIZE) == (char *)-1)
    return 4;
  if (leakcheck_frames(0) != free0 || leakcheck_frames(1) != mirror0) {
    printf(1, "usertests: cowlazy: sbrk down: free+retired %d -> %d, mirror %d -> %d\n", free0,
           leakcheck_frames(0), mirror0, leakcheck_frames(1));
    return 5;
  }
  return 0;
}

static int lazy_child(char *heap) {
  // Nothing touched since fork: pages 0 and 2 are read through the mirror.
  if (!mirror_shows(page_at(heap, 0), PGSIZE) || !mirror_shows(page_at(heap, 2), PGSIZE))
    return 10;
  if (refs(page_at(heap, 0)) != 2 || !ut_is_pattern(page_at(heap, 0), PGSIZE, 120))
    return 11;
  ut_pattern(page_at(heap, 0), PGSIZE, 131); // its mirror was mapped (read-only)
  ut_pattern(page_at(heap, 1), PGSIZE, 132); // its mirror was not mapped
  if (refs(page_at(heap, 0)) != 1 || refs(page_at(heap, 1)) != 1 || refs(page_at(heap, 3)) != 2)
    return 12;
  if (!mirror_shows(page_at(heap, 0), PGSIZE) || !mirror_shows(page_at(heap, 1), PGSIZE) ||
      !mirror_shows(page_at(heap, 3), PGSIZE) || !oracle_clean())
    return 13;
  int st = lazy_sbrk(heap);
  if (st != 0)
    return 20 + st;
  return ut_is_pattern(page_at(heap, 0), PGSIZE, 131) &&
                 ut_is_pattern(page_at(heap, 1), PGSIZE, 132)
             ? 0
             : 14;
}

static int cowlazy_run(int unused) {
  (void)unused;
  char *heap = grow(LZ_PAGES);
  if (!heap)
    return 1;
  for (int i = 0; i < LZ_PAGES; i++)
    ut_pattern(page_at(heap, i), PGSIZE, 120 + i);
  int pid = fork();
  if (pid == 0)
    exitst(lazy_child(heap));
  int st = ut_wait_for(pid);
  // The child's copies are gone: every page is this process's own again.
  int ok = st == 0;
  for (int i = 0; i < LZ_PAGES; i++) {
    char *p = page_at(heap, i);
    ok = ok && refs(p) == 1 && ut_is_pattern(p, PGSIZE, 120 + i) && mirror_shows(p, PGSIZE);
  }
  if (!ok) {
    printf(1, "usertests: cowlazy: child status %d, parent's pages %s\n", st,
           st == 0 ? "not its own again (refs or bytes)" : "not checked");
    return 2;
  }
  ut_pattern(heap, PGSIZE, 140); // the last mapping: written in place
  return mirror_shows(heap, PGSIZE) && oracle_clean() ? 0 : 3;
}

int t_cowlazy(void) {
  return no_leak("cowlazy", cowlazy_run);
}

// ---- cowmce: a machine check on a frame that dedup merged ----
//
// Three processes fill MCE_PAGES identical pages each; one dedup() makes
// them all one frame (MCE_SHARERS * MCE_PAGES mappings), and one of the
// processes takes a machine check on it (mcetest). memv6 recovers it from
// the mirror and rewrites every mapping: all three go on with intact data
// on the new frame. The native kernel kills all three.

#define MCE_PAGES 8
#define MCE_SHARERS 3

struct mce_pipes {
  int ready[2]; // sharers -> taker: filled
  int go[2];    // taker -> sharers: the frame's address after recovery
};

static char *mce_fill(void) {
  char *heap = grow(MCE_PAGES);
  for (int i = 0; heap && i < MCE_PAGES; i++)
    ut_pattern(page_at(heap, i), PGSIZE, 100);
  return heap;
}

static int mce_intact(char *heap) {
  for (int i = 0; i < MCE_PAGES; i++) {
    if (!ut_is_pattern(page_at(heap, i), PGSIZE, 100))
      return 0;
  }
  return merged(heap, 0, MCE_PAGES);
}

static int mce_sharer(struct mce_pipes *p) {
  close(p->ready[0]);
  close(p->go[1]);
  char *heap = mce_fill();
  if (!heap)
    return 1;
  write(p->ready[1], "r", 1);
  close(p->ready[1]);
  uint pa = 0;
  int n = read(p->go[0], &pa, sizeof(pa));
  close(p->go[0]);
  return n == sizeof(pa) && (uint)vtop((uint)heap) == pa && mce_intact(heap) ? 0 : 2;
}

static int mce_taker(struct mce_pipes *p) {
  close(p->ready[1]);
  close(p->go[0]);
  char *heap = mce_fill();
  char c;
  if (!heap)
    return 1;
  for (int i = 0; i < MCE_SHARERS - 1; i++) {
    if (read(p->ready[0], &c, 1) != 1)
      return 2;
  }
  close(p->ready[0]);
  if (dedup() < MCE_SHARERS * MCE_PAGES - 1 || refs(heap) != MCE_SHARERS * MCE_PAGES)
    return 3;
  uint old = vtop((uint)heap);
  if (mcetest((uint)page_at(heap, 3) + 123, 5, MCETEST_NATIVE) < 0)
    return 4;
  // Only memv6 comes back here.
  uint pa = vtop((uint)heap);
  int ok = pa != old && refs(heap) == MCE_SHARERS * MCE_PAGES && mce_intact(heap);
  ok = ok && oracle_clean();
  for (int i = 0; i < MCE_SHARERS - 1; i++)
    write(p->go[1], &pa, sizeof(pa));
  close(p->go[1]);
  return ok ? 0 : 5;
}

static int cowmce_run(int unused) {
  (void)unused;
  struct mce_pipes p;
  if (pipe(p.ready) < 0 || pipe(p.go) < 0)
    return 1;
  int pids[MCE_SHARERS];
  for (int i = 0; i < MCE_SHARERS; i++) {
    pids[i] = fork();
    if (pids[i] == 0)
      exitst(i == 0 ? mce_taker(&p) : mce_sharer(&p));
  }
  close(p.ready[0]);
  close(p.ready[1]);
  close(p.go[0]);
  close(p.go[1]);
#ifdef XV6_MIRRORED
  int want = 0; // recovered for every sharer
#else
  int want = UT_KILLED; // every sharer loses the frame, and its life
#endif
  // They end in any order; every one must end as wanted.
  int bad = 0;
  for (int n = 0; n < MCE_SHARERS; n++) {
    int st = 0;
    int pid = waitst(&st);
    int known = 0;
    for (int i = 0; i < MCE_SHARERS; i++)
      known |= pid == pids[i];
    if (!known || st != want) {
      printf(1, "usertests: cowmce: process %d status %d, want %d\n", pid, st, want);
      bad = 1;
    }
  }
  return bad ? 2 : 0;
}

int t_cowmce(void) {
  return no_leak("cowmce", cowmce_run);
}

// ---- forkmce: a machine check on a frame while fork is sharing it ----
//
// mcetest(MCETEST_FORK) makes the caller's next fork raise a machine check
// on the frame of one heap page right after fork shared it with the child
// (the flip and #MC come from the kernel, at that exact point, every run).
// memv6: both processes go on with intact data on a new frame, and the
// child can fork again (a mapping left on the retired frame would make
// that fork fail or panic). Native: the forking process is killed and no
// child is born.

#define FMCE_PAGES 4
#define FMCE_PAGE 2

static int fmce_intact(char *heap) {
  return ut_is_pattern(heap, FMCE_PAGES * PGSIZE, 60) && oracle_clean();
}

// Forks first: a mapping fork left on the retired frame is shared again.
static int fmce_child(char *heap) {
  int pid = fork();
  if (pid == 0)
    exitst(fmce_intact(heap) ? 0 : 1);
  int st = pid > 0 ? ut_wait_for(pid) : -2;
  if (st != 0 || !fmce_intact(heap)) {
    printf(1, "usertests: forkmce: grandchild status %d, child's data intact %d\n", st,
           fmce_intact(heap));
    return 1;
  }
  return 0;
}

static int fmce_forker(int unused) {
  (void)unused;
  char *heap = grow(FMCE_PAGES);
  if (!heap)
    return 1;
  ut_pattern(heap, FMCE_PAGES * PGSIZE, 60);
  char *page = page_at(heap, FMCE_PAGE);
  int old = vtop((uint)page);
  if (mcetest((uint)page + 77, 3, MCETEST_FORK) < 0)
    return 2;
  int pid = fork(); // the native kernel kills this process here
  if (pid == 0)
    exitst(fmce_child(heap));
  if (pid < 0)
    return 3;
  int moved = vtop((uint)page) != old;
  int st = ut_wait_for(pid);
  if (!moved || st != 0 || !fmce_intact(heap) || refs(page) != 1) {
    printf(1, "usertests: forkmce: moved %d, child status %d, intact %d, refs %d\n", moved, st,
           fmce_intact(heap), refs(page));
    return 4;
  }
  return 0;
}

static int forkmce_run(int unused) {
  (void)unused;
#ifdef XV6_MIRRORED
  int want = 0;
#else
  int want = UT_KILLED;
#endif
  int st = ut_run_child(fmce_forker, 0);
  if (st != want)
    printf(1, "usertests: forkmce: forking process status %d, want %d\n", st, want);
  return st == want ? 0 : 1;
}

int t_forkmce(void) {
  return no_leak("forkmce", forkmce_run);
}

// ---- mcesplit: a machine line in the middle of a program's line ----
//
// The kernel prints the @mce line of a machine check that comes while this
// process's line is unfinished on a line of its own, marked split=1 (docs/
// serial-protocol.md); the ctest mce_split_line_* reads the serial log. On
// the native kernel the process dies and its parent finishes the line.

static int mcesplit_run(int unused) {
  (void)unused;
  char *heap = grow(1);
  if (!heap)
    return 1;
  heap[9] = 1;
  printf(1, "mcesplit:");
  if (mcetest((uint)heap + 9, 2, MCETEST_NATIVE) < 0)
    return 2;
  printf(1, " done\n"); // memv6: recovered, the line goes on
  return heap[9] == 1 ? 0 : 3;
}

int t_mcesplit(void) {
  int st = ut_run_child(mcesplit_run, 0);
#ifdef XV6_MIRRORED
  return st;
#else
  printf(1, " done\n");
  return st == UT_KILLED ? 0 : 1;
#endif
}
