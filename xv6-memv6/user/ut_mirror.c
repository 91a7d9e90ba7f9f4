// usertests: the MemV6 mirror oracle (mirrorcheck, docs/memv6.md).
//
// In the translated (memv6) build every store of this program also lands
// in the mirror, and the kernel mirrors its own writes, so the oracle must
// find no difference anywhere, after any mix of user stores, kernel writes
// (pipe reads), sbrk up and down and fork. It runs last in the suite, so
// its check of all processes also covers what the whole suite left behind.
// The untranslated build runs only on the native kernel, which has no
// mirror: there the call must fail.
#include "types.h"
#include "user.h"
#include "ut.h"

#define MCETEST_NATIVE 0 // mcetest modes (kernel/mce.h)
#define MCETEST_MIRROR 1
#define MCETEST_FLIP 2

#ifdef XV6_MIRRORED
#define PAGES 3

// Kernel writes into user memory: a pipe read lands in the heap.
static int pipe_into(char *dst, const char *src, int n) {
  int p[2];
  if (pipe(p) < 0)
    return -1;
  int ok = write(p[1], src, n) == n && read(p[0], dst, n) == n;
  close(p[0]);
  close(p[1]);
  return ok ? 0 : -1;
}

// A whole page of the scratch buffer, written before the fork and only read
// after it: its mirror frame stays shared between parent and child (the
// kernel copies mirrors on write).
static char *shared_page(void) {
  return (char *)(((uint)ut_buf2 + PGSIZE - 1) & ~(uint)(PGSIZE - 1));
}

static int child_checks_itself(int seed) {
  char *p = sbrk(PGSIZE);
  ut_pattern(p, PGSIZE, seed);
  if (mirrorcheck(getpid()) != 0)
    return 1;
  // Repair a shared mirror frame and recover a native frame whose mirror
  // is shared; the parent, blocked in wait, must see no difference either.
  if (mcetest((uint)shared_page() + 10, 1, MCETEST_MIRROR) < 0 ||
      mcetest((uint)shared_page() + 20, 2, MCETEST_NATIVE) < 0 ||
      !ut_is_pattern(shared_page(), PGSIZE, seed - 1))
    return 2;
  // The child's first store to the page copies the shared mirror frame.
  shared_page()[30] ^= 1;
  return mirrorcheck(0) == 0 ? 0 : 3;
}

// The oracle sees one flipped bit, and recovering either copy removes it.
static int flips_are_seen_and_repaired(void) {
  volatile char *p = sbrk(PGSIZE);
  uint va = (uint)p + 100;
  p[100] = 0x5a;
  CHECK(mcetest(va, 3, MCETEST_FLIP) == 0);
  CHECK(p[100] == (0x5a ^ 8));
  CHECK(mirrorcheck(getpid()) == 1);
  CHECK(mcetest(va, 3, MCETEST_FLIP) == 0);
  CHECK(mirrorcheck(getpid()) == 0);
  CHECK(mcetest(va, 5, MCETEST_MIRROR) == 0);
  CHECK(mirrorcheck(getpid()) == 0);
  CHECK(mcetest(va, 6, MCETEST_NATIVE) == 0);
  CHECK(p[100] == 0x5a);
  CHECK(mirrorcheck(getpid()) == 0);
  CHECK(mcetest(va, 8, MCETEST_NATIVE) == -1); // bits 0-7 only
  return 0;
}

int t_mirror(void) {
  CHECK(mirrorcheck(getpid()) == 0);
  CHECK(flips_are_seen_and_repaired() == 0);
  char *heap = sbrk(PAGES * PGSIZE);
  CHECK(heap != (char *)-1);
  ut_pattern(heap, PAGES * PGSIZE, 11);
  // 400 bytes fit the pipe's buffer and cross a page boundary.
  ut_pattern(ut_buf, 400, 12);
  CHECK(pipe_into(heap + PGSIZE - 200, ut_buf, 400) == 0);
  CHECK(memcmp(heap + PGSIZE - 200, ut_buf, 400) == 0);
  CHECK(mirrorcheck(getpid()) == 0);
  ut_pattern(shared_page(), PGSIZE, 13 - 1);
  CHECK(ut_run_child(child_checks_itself, 13) == 0);
  CHECK(ut_is_pattern(shared_page(), PGSIZE, 13 - 1)); // the child's store stayed its own
  CHECK(sbrk(-PGSIZE - 100) != (char *)-1);
  CHECK(sbrk(100) != (char *)-1); // the kernel re-zeroes those bytes
  CHECK(mirrorcheck(getpid()) == 0);
  // Every process: the suite's parent, init, and this one.
  CHECK(mirrorcheck(0) == 0);
  CHECK(mirrorcheck(1000000) == -1);
  return 0;
}

// ---- mirrorlost: a mirror frame recovery cannot rebuild ----
//
// With the mirror zone empty a machine check on a mirror frame cannot be
// repaired. The pair is then worthless to everyone who maps its native
// frame: all of them die, not only the frame's recorded owner. A allocates
// a page (so A owns the pair) and forks B, which shares it, fills memory
// and injects the fault. Before the fix A died and B lived on with its page
// still linked to the retired mirror: B's next write mapped it as its
// mirror, and a native machine check then "recovered" the page from it
// (byte 5 came back with the injected bit set).

static int lost_b(char *x, int fd) {
  int n = 0;
  while (sbrk(PGSIZE) != (char *)-1)
    n++;
  if (freemirror() != 0) {
    write(fd, "Z", 1); // the mirror zone did not run dry: no test
    return 1;
  }
  mcetest((uint)x + 5, 0, MCETEST_MIRROR);
  write(fd, "B", 1); // B must not get here
  sbrk(-n * PGSIZE);
  x[0] = 3;
  mcetest((uint)x + 10, 0, MCETEST_NATIVE);
  write(fd, x[5] ? "C" : "b", 1);
  return 0;
}

static int lost_a(int fd) {
  char *x = sbrk(PGSIZE);
  if (x == (char *)-1)
    return 1;
  x[0] = 1;
  int b = fork();
  if (b == 0)
    exitst(lost_b(x, fd));
  ut_wait_for(b);
  write(fd, "A", 1); // nor A
  return 0;
}

int t_mirrorlost(void) {
  int fd[2];
  char got[8];
  int free0 = leakcheck_frames(0), mirror0 = leakcheck_frames(1), retired0 = retired(1);
  CHECK(pipe(fd) == 0);
  int a = fork();
  if (a == 0) {
    close(fd[0]);
    exitst(lost_a(fd[1]));
  }
  close(fd[1]);
  int st = ut_wait_for(a);
  int n = 0, r; // EOF once B is gone too
  while (n < (int)sizeof(got) - 1 && (r = read(fd[0], got + n, 1)) == 1)
    n++;
  got[n] = 0;
  close(fd[0]);
  // B's parent is init now; its frames come back once init reaps it. The
  // bad mirror frame stays retired, and only it (leakcheck_frames counts
  // it; retired(1) says it is one).
  for (int i = 0; i < 100 && (leakcheck_frames(0) != free0 || leakcheck_frames(1) != mirror0); i++)
    sleep(1);
  int retired1 = retired(1);
  if (st != -1 || n != 0 || leakcheck_frames(0) != free0 || leakcheck_frames(1) != mirror0 ||
      retired1 != retired0 + 1)
    printf(1,
           "usertests: mirrorlost: A status %d, survivors said '%s', free+retired %d -> %d, "
           "mirror %d -> %d, mirror frames retired %d -> %d\n",
           st, got, free0, leakcheck_frames(0), mirror0, leakcheck_frames(1), retired0, retired1);
  CHECK(st == -1 && n == 0);
  CHECK(leakcheck_frames(0) == free0 && leakcheck_frames(1) == mirror0);
  CHECK(retired1 == retired0 + 1);
  CHECK(mirrorcheck(0) == 0);
  return 0;
}
#else
int t_mirrorlost(void) {
  CHECK(mcetest((uint)ut_buf, 0, MCETEST_MIRROR) == -1); // no mirror here
  return 0;
}

int t_mirror(void) {
  CHECK(mirrorcheck(getpid()) == -1);
  CHECK(mirrorcheck(0) == -1);
  CHECK(mcetest((uint)ut_buf, 0, MCETEST_MIRROR) == -1); // no mirror here
  return 0;
}
#endif
