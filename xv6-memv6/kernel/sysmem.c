// System calls for MemV6: the mirror oracle, and debugging aids for machine
// checks. They exist in both builds so that user programs run on either.
#include "types.h"
#include "sysarg.h"
#include "syscalls.h"
#include "oracle.h"

int sys_mirrorcheck(void) {
  int pid;
  if (arg_int(0, &pid) < 0 || pid < 0)
    return -1;
  return oracle_check(pid);
}
