// kill PID...: ask the kernel to terminate processes.
#include "types.h"
#include "user.h"

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) {
    printf(2, "usage: kill PID...\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    if (kill(atoi(argv[i])) < 0) {
      printf(2, "kill: no process %s\n", argv[i]);
      status = 1;
    }
  }
  return status;
}
