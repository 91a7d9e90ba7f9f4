// forktest: fill the process table with children, check that fork then
// fails cleanly, and that every child can be reaped exactly once.
#include "types.h"
#include "param.h"
#include "user.h"

int main(void) {
  int made = 0;
  printf(1, "forktest: start\n");
  for (; made < NPROC + 5; made++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0)
      exit();
  }
  if (made >= NPROC) {
    printf(1, "forktest: fork never failed (%d children)\n", made);
    return 1;
  }
  for (int i = 0; i < made; i++) {
    if (wait() < 0) {
      printf(1, "forktest: lost a child (%d of %d reaped)\n", i, made);
      return 1;
    }
  }
  if (wait() != -1) {
    printf(1, "forktest: wait found a child that was never forked\n");
    return 1;
  }
  printf(1, "forktest: ok (%d children)\n", made);
  return 0;
}
