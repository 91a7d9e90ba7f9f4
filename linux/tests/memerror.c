// memerror: recovery of a memory error the Linux way in a mirrored process.
// A byte of a data page goes bad behind the program's back (Linux writes it
// through a raw read from stdin, /dev/zero in the test, so the mirror keeps
// the good value); then the program receives what Linux sends for an
// uncorrected memory error it consumed: SIGBUS, BUS_MCEERR_AR, the address
// (sent to itself with rt_sigqueueinfo: this host cannot poison pages). The
// runtime replaces the page and fills it from the mirror; the program checks
// the byte and the oracle. Prints "memerror: before=B after=A byte=ok|BAD";
// the untranslated build has no mirror and says so.
#include "types.h"
#include "user.h"

static uchar page[2 * 4096] __attribute__((aligned(4096)));

int main(void) {
  for (uint i = 0; i < sizeof page; i++)
    page[i] = (uchar)(i * 7 + 1);
  if (mirrorcheck(0) < 0) {
    printf(1, "memerror: no mirror in this build\n");
    return 0;
  }
  uchar *bad = &page[4096 + 100];
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(3), "b"(0), "c"(bad), "d"(1) : "memory");
  int before = mirrorcheck(0);
  int info[32] = {7, 0, 4, (int)bad}; // SIGBUS, errno, BUS_MCEERR_AR, si_addr
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(178), "b"(getpid()), "c"(7), "d"(info) : "memory");
  int after = mirrorcheck(0);
  int ok = *bad == (uchar)((4096 + 100) * 7 + 1);
  printf(1, "memerror: before=%d after=%d byte=%s sigqueue=%d\n", before, after, ok ? "ok" : "BAD",
         r);
  return ok && after == 0 ? 0 : 1;
}
