// kmcetest: recovery of the kernel's own frames on memv6sys (docs/memv6.md,
// "Recovery of kernel frames").
//
//   kmcetest     for each kernel frame this process relies on (its proc
//                entry, its kernel stack, its page directory, the page
//                table of its stack, the kernel text of getpid, the
//                kernel's page directory, the kernel page table that maps
//                its first page's frame) and each bit of one byte there,
//                has the kernel flip the bit in the frame's native copy, or
//                in its kernel mirror, and raise a machine check on that
//                frame (mcetest's kernel modes): recovered inside the system
//                call (MCETEST_KERNEL, MCETEST_KMIRROR) or at its return to
//                user mode (MCETEST_KRETURN, where a check that cut user
//                code is recovered). After each, checks that what the byte
//                controls is intact, that the frame was retired and replaced
//                exactly where the kernel's policy says (a page directory or
//                table at the return to user mode, the kernel's page
//                directory and tables at any safe point; every other frame and every
//                kernel-mirror check repaired in place): the target's frame
//                address changed and retired(0) grew by one, or neither; and
//                at the end that the kernel mirror oracle finds 0.
//
// Each flipped byte matters: its size (sbrk), the saved user eip it returns
// to, the page table behind its stack, the frame behind its stack, the code
// of a system call, the kernel's mapping of itself (the scheduler runs on
// the kernel's page directory while this process sleeps); the kernel's
// mapping of a frame, which nothing here reads, only the oracle. Prints
// `kmcetest: trials=N wrong=W moved=R oracle=M` and exits 0 when every trial
// returned intact, frames moved where expected, and the oracle found
// nothing.
#include "types.h"
#include "user.h"

#define MCETEST_KERNEL 4 // mcetest modes and targets (kernel/mce.h)
#define MCETEST_KMIRROR 5
#define MCETEST_KRETURN 6
#define MCETEST_KFRAME 7
#define T_PGDIR 2
#define T_PGTABLE 3
#define T_KPGDIR 5
#define T_KTABLE 6
#define NTARGETS 7
static const char *const target_names[NTARGETS] = {"data", "stack",  "pgdir", "pgtable",
                                                   "text", "kpgdir", "ktable"};
static const char *const mode_names[] = {"native", "mirror", "return"};

#define STACK_WORDS 512
static uint text_sum_before;
static int frames_moved; // trials whose target frame was replaced

static uint pattern(uint i) {
  return i * 2654435761u + 0x9e3779b9u;
}

// What one trial may have broken, read back: 0 when all is as before.
static int broken(uint brk, int pid, const volatile uint *stack) {
  if ((uint)sbrk(0) != brk)
    return 1;
  if (getpid() != pid)
    return 2;
  for (uint i = 0; i < STACK_WORDS; i++)
    if (stack[i] != pattern(i))
      return 3;
  uint sum = 0;
  for (const volatile uchar *p = (const uchar *)(uint)broken; p < (const uchar *)(uint)broken + 64;
       p++)
    sum = sum * 31 + *p;
  return sum != text_sum_before ? 4 : 0;
}

// Whether recovery must move the target to a fresh frame (docs/memv6.md
// "Retired or repaired in place"): only page directories and tables, the
// kernel's at any safe point, a process's only at its return to user mode;
// a kernel-mirror frame never.
static int moves(int target, int mode) {
  if (mode == MCETEST_KMIRROR)
    return 0;
  if (target == T_KPGDIR || target == T_KTABLE)
    return 1;
  return mode == MCETEST_KRETURN && (target == T_PGDIR || target == T_PGTABLE);
}

static void fails(const char *what, const char *why, int bit, int mode) {
  printf(1, "kmcetest: mcetest(%s, %d, %s) %s\n", what, bit, mode_names[mode - MCETEST_KERNEL],
         why);
  exitst(1);
}

// One trial: the flip, the check, then what must hold. 0 when it did.
static int trial(int t, int bit, int mode, uint brk, int pid, const volatile uint *stack) {
  int before = mcetest((uint)t, 0, MCETEST_KFRAME), retired_before = retired(0);
  if (before < 0 || mcetest((uint)t, bit, mode) < 0)
    fails(target_names[t], "refused (not memv6sys?)", bit, mode);
  if (t == T_KPGDIR)
    sleep(1); // the scheduler runs on the kernel's page directory meanwhile
  int after = mcetest((uint)t, 0, MCETEST_KFRAME), retired_after = retired(0);
  int bad = 0, why = broken(brk, pid, stack), moved = after != before;
  frames_moved += moved;
  if (why) {
    bad = 1;
    printf(1, "kmcetest: %s bit %d %s: wrong after recovery (%d)\n", target_names[t], bit,
           mode_names[mode - MCETEST_KERNEL], why);
  }
  if (moved != moves(t, mode) || retired_after - retired_before != moves(t, mode)) {
    bad = 1;
    printf(1, "kmcetest: %s bit %d %s: frame %p -> %p, retired %d -> %d (expected %s)\n",
           target_names[t], bit, mode_names[mode - MCETEST_KERNEL], before, after, retired_before,
           retired_after,
           moves(t, mode) ? "a new frame and one more retired" : "the same frame, none retired");
  }
  return bad;
}

int main(void) {
  volatile uint stack[STACK_WORDS];
  for (uint i = 0; i < STACK_WORDS; i++)
    stack[i] = pattern(i);
  for (const volatile uchar *p = (const uchar *)(uint)broken; p < (const uchar *)(uint)broken + 64;
       p++)
    text_sum_before = text_sum_before * 31 + *p;
  uint brk = (uint)sbrk(0);
  int pid = getpid();
  int trials = 0, wrong = 0;
  for (int mode = MCETEST_KERNEL; mode <= MCETEST_KRETURN; mode++) {
    for (int t = 0; t < NTARGETS; t++) {
      for (int bit = 0; bit < 8; bit++) {
        trials++;
        wrong += trial(t, bit, mode, brk, pid, stack);
      }
    }
  }
  int oracle = mirrorcheck(0);
  printf(1, "kmcetest: trials=%d wrong=%d moved=%d oracle=%d\n", trials, wrong, frames_moved,
         oracle);
  exitst(wrong || oracle ? 1 : 0);
}
