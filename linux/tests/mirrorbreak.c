// mirrorbreak: proves the host runtime's mirror oracle can fail. It lets
// Linux write 8 bytes of a global buffer (read from stdin, /dev/zero in the
// test) through a raw system call that, unlike lsys.c's read, does not copy
// them to the mirror: the oracle must then count exactly those 8 bytes.
// Prints "mirrorcheck before=B after=A"; B is 0 in the mirrored build, -1 in
// the untranslated one (no mirror).
#include "types.h"
#include "user.h"

static char buf[64] = "the mirror of these bytes stays as it is";

int main(void) {
  int before = mirrorcheck(0);
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(3), "b"(0), "c"(buf), "d"(8) : "memory");
  int after = mirrorcheck(0);
  printf(1, "mirrorcheck before=%d after=%d read=%d\n", before, after, r);
  return 0;
}
