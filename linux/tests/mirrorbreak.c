// mirrorbreak: proves the host runtime's mirror oracle can fail. It lets
// Linux write 8 bytes of a global buffer (read from stdin, /dev/zero in the
// test) through a raw system call that, unlike lsys.c's read, does not copy
// them to the mirror: the oracle must then count exactly those 8 bytes.
// Prints "mirrorcheck before=B after=A"; B is 0 in the mirrored build, -1 in
// the untranslated one (no mirror).
#include "types.h"
#include "user.h"
#include "lx_arch.h"

static char buf[64] = "the mirror of these bytes stays as it is";

int main(void) {
  int before = mirrorcheck(0);
  int r = (int)lx_sys3(LX_NR_READ, 0, (long)buf, 8);
  int after = mirrorcheck(0);
  printf(1, "mirrorcheck before=%d after=%d read=%d\n", before, after, r);
  return 0;
}
