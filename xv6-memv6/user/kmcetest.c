// kmcetest: recovery of the kernel's own frames on memv6sys (docs/memv6.md,
// "Recovery of kernel frames").
//
//   kmcetest     for each kernel frame this process relies on (its proc
//                entry, its kernel stack, its page directory, the page
//                table of its stack, the kernel text of getpid) and each
//                bit of one byte there, has the kernel flip the bit in the
//                frame's native copy, then in its kernel mirror, and raise
//                a machine check on that frame (mcetest's kernel modes);
//                after each, checks that what the byte controls is intact,
//                and at the end that the kernel mirror oracle finds 0.
//
// Each flipped byte matters: its size (sbrk), the saved user eip it returns
// to, the page table behind its text, the frame behind its stack, the code
// of a system call. Prints `kmcetest: trials=N wrong=W oracle=M` and exits
// 0 when every trial returned intact and the oracle found nothing.
#include "types.h"
#include "user.h"

#define MCETEST_KERNEL 4 // mcetest modes and targets (kernel/mce.h)
#define MCETEST_KMIRROR 5
#define NTARGETS 5
static const char *const target_names[NTARGETS] = {"data", "stack", "pgdir", "pgtable", "text"};

#define STACK_WORDS 512
static uint text_sum_before;

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
  for (int mode = MCETEST_KERNEL; mode <= MCETEST_KMIRROR; mode++) {
    for (int t = 0; t < NTARGETS; t++) {
      for (int bit = 0; bit < 8; bit++) {
        trials++;
        if (mcetest((uint)t, bit, mode) < 0) {
          printf(1, "kmcetest: mcetest(%s, %d, %d) refused (not memv6sys?)\n", target_names[t], bit,
                 mode);
          exitst(1);
        }
        int why = broken(brk, pid, stack);
        if (why) {
          wrong++;
          printf(1, "kmcetest: %s bit %d %s: wrong after recovery (%d)\n", target_names[t], bit,
                 mode == MCETEST_KERNEL ? "native" : "mirror", why);
        }
      }
    }
  }
  int oracle = mirrorcheck(0);
  printf(1, "kmcetest: trials=%d wrong=%d oracle=%d\n", trials, wrong, oracle);
  exitst(wrong || oracle ? 1 : 0);
}
