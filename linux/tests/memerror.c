// memerror: recovery of a memory error the Linux way in a mirrored process.
// A byte of a data page goes bad behind the program's back (Linux writes it
// through a raw read from stdin, /dev/zero in the test, so the mirror keeps
// the good value); then the program receives what Linux sends for an
// uncorrected memory error it consumed: SIGBUS, BUS_MCEERR_AR, the address
// (sent to itself with rt_sigqueueinfo: this host cannot poison pages). The
// runtime replaces the page and fills it from the mirror; the program checks
// the byte and the oracle. Then the same for the byte's mirror, reported at
// the mirror address: the mirror page is refilled from native. Then a byte
// of the stack page the program is running on. Prints "memerror: before=B
// after=A byte=ok|BAD sigqueue=R mirror: before=B after=A stack=ok|BAD";
// the untranslated build has no mirror and says so.
#include "types.h"
#include "user.h"
#include "lx_arch.h"
#include "memlayout.h"

static uchar page[2 * 4096] __attribute__((aligned(4096)));

// What Linux sends for an uncorrected memory error the process consumed
// at addr: SIGBUS with the kernel's 128-byte siginfo (errno 0,
// BUS_MCEERR_AR, si_addr), sent to itself. rt_sigqueueinfo's result.
static int report(void *addr) {
  union {
    struct {
      int signo, err, code;
      void *addr;
    } f;
    char size[128];
  } info = {{7, 0, 4, addr}};
  return (int)lx_sys3(LX_NR_RT_SIGQUEUEINFO, getpid(), 7, (long)&info);
}

// The error on the page the program's stack pointer is in: the page is
// replaced while the signal is handled, so the handler's frame must not be
// there (it runs on the runtime's signal stack). 1 when the byte and the
// oracle came back.
static __attribute__((noinline)) int stack_error(void) {
  volatile uchar local[64];
  for (uint i = 0; i < sizeof local; i++)
    local[i] = (uchar)(i + 3);
  lx_sys3(LX_NR_READ, 0, (long)&local[10], 1);
  report((void *)&local[10]);
  return local[10] == 13 && mirrorcheck(0) == 0;
}

int main(void) {
  for (uint i = 0; i < sizeof page; i++)
    page[i] = (uchar)(i * 7 + 1);
  if (mirrorcheck(0) < 0) {
    printf(1, "memerror: no mirror in this build\n");
    return 0;
  }
  uchar *bad = &page[4096 + 100];
  lx_sys3(LX_NR_READ, 0, (long)bad, 1);
  int before = mirrorcheck(0);
  int r = report(bad);
  int after = mirrorcheck(0);
  int ok = *bad == (uchar)((4096 + 100) * 7 + 1);
  // The counterpart: the same byte's mirror goes bad and the error is
  // reported at the mirror address; the mirror page is refilled from native.
  uchar *bad_mirror = (uchar *)((uintptr)bad + MIRROR_OFFSET);
  lx_sys3(LX_NR_READ, 0, (long)bad_mirror, 1);
  int mirror_before = mirrorcheck(0);
  report(bad_mirror);
  int mirror_after = mirrorcheck(0);
  int stack = stack_error();
  printf(1,
         "memerror: before=%d after=%d byte=%s sigqueue=%d mirror: before=%d after=%d stack=%s\n",
         before, after, ok ? "ok" : "BAD", r, mirror_before, mirror_after, stack ? "ok" : "BAD");
  return ok && after == 0 && mirror_after == 0 && stack ? 0 : 1;
}
