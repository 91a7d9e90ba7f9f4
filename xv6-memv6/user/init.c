// The first process. The kernel starts it as `init PROG ARGS...` from its
// command line. With a PROG, init runs it once and powers the machine off
// with its exit status, which is how the harness learns the result. Without
// one, init keeps a shell running on the console.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "user.h"

#define EXEC_FAILED 127 // the status shells use for "command not found"

// fds 0, 1 and 2 on the console, creating the device node on a fresh disk.
static void open_console(void) {
  int fd = open("console", O_RDWR);
  if (fd < 0) {
    mknod("console", 1, 1);
    fd = open("console", O_RDWR);
  }
  if (fd < 0) {
    shutdown(-1); // nowhere to even say what went wrong
  }
  while (fd < 2)
    fd = dup(0);
}

static int start(char **argv) {
  int pid = fork();
  if (pid == 0) {
    exec(argv[0], argv);
    printf(2, "init: cannot exec %s\n", argv[0]);
    exitst(EXEC_FAILED);
  }
  return pid;
}

// Wait for pid, reaping any orphans the kernel hands us meanwhile. Returns
// pid's status, or -1 if it vanished.
static int wait_for(int pid) {
  int status = 0;
  return waitpid_st(pid, &status) < 0 ? -1 : status;
}

int main(int argc, char **argv) {
  open_console();
  if (argc > 1) {
    int pid = start(argv + 1);
    int status = pid < 0 ? -1 : wait_for(pid);
    shutdown(status);
    exitst(status); // only if shutdown itself failed
  }
  char *shell[] = {"sh", 0};
  for (;;) {
    int pid = start(shell);
    if (pid < 0) {
      printf(2, "init: fork failed\n");
      sleep(100);
      continue;
    }
    wait_for(pid);
  }
}
