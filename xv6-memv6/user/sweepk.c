// sweepk: the kernel's own two-step writes of user memory, for
// instruction-exact fault sweeps (campaigns/sweeps/, docs/campaign.md).
//
// Four phases, each right after its marker function (a breakpoint target):
// sbrk growing the process (new native and mirror frames, zeroed), fork
// (frames shared copy-on-write), a copy-on-write break (the parent writes
// a page its child still shares) and exec (the process loads itself again:
// `sweepk exec` runs the last phase and the oracle in the new image). The
// page they write is `cowpage` (a global page of its own) or the stack
// page. At the end the mirror oracle's verdict is printed: mirrorcheck(0),
// every process and on memv6sys the kernel's own frames too (mismatched
// bytes; -1 on the native kernel).
#include "types.h"
#include "user.h"

#define PAGE 4096

static uint cowpage[PAGE / sizeof(uint)] __attribute__((aligned(PAGE)));

#define MARKER(name)                                                                               \
  __attribute__((noinline)) void name(void) {                                                      \
    __asm__ volatile("" : : : "memory");                                                           \
  }
MARKER(mark_sbrk)
MARKER(mark_fork)
MARKER(mark_cow)
MARKER(mark_exec)

static uint phase_sbrk(void) {
  uint *p = (uint *)sbrk(3 * PAGE);
  if (p == (uint *)-1)
    return 0;
  for (uint i = 0; i < 3 * PAGE / sizeof(uint); i += 256)
    p[i] = i + 1;
  uint s = p[0] + p[1024] + p[2048] + p[3000];
  sbrk(-PAGE);
  return s;
}

static uint phase_fork(void) {
  int pid = fork();
  if (pid == 0)
    exitst(7);
  int st = -1;
  waitst(&st);
  return pid > 0 ? (uint)st : 0;
}

// The child holds the shared page until the parent has written it.
static uint phase_cow(void) {
  int fds[2];
  char c = 0;
  if (pipe(fds) < 0)
    return 0;
  int pid = fork();
  if (pid == 0) {
    read(fds[0], &c, 1);
    exitst(cowpage[5] == 5 ? 3 : 4); // the child still sees the old value
  }
  mark_cow();
  for (uint i = 0; i < 64; i++)
    cowpage[i] = i * 3 + 1; // the first store breaks the sharing
  write(fds[1], "x", 1);
  int st = -1;
  waitst(&st);
  close(fds[0]);
  close(fds[1]);
  return (uint)st * 1000 + cowpage[63];
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec") == 0) {
    printf(1, "sweepk: exec ok\n");
    printf(1, "sweepk: oracle=%d\n", mirrorcheck(0));
    return 0;
  }
  for (uint i = 0; i < PAGE / sizeof(uint); i++)
    cowpage[i] = i;
  mark_sbrk();
  uint d_sbrk = phase_sbrk();
  mark_fork();
  uint d_fork = phase_fork();
  uint d_cow = phase_cow();
  printf(1, "sweepk: sbrk=%x fork=%x cow=%x\n", d_sbrk, d_fork, d_cow);
  printf(1, "sweepk: oracle=%d\n", mirrorcheck(0));
  char *args[] = {"sweepk", "exec", 0};
  mark_exec();
  exec("sweepk", args);
  printf(2, "sweepk: exec failed\n");
  return 1;
}
