// rm NAME...: remove directory entries (empty directories included).
#include "types.h"
#include "user.h"

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) {
    printf(2, "usage: rm NAME...\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      printf(2, "rm: cannot remove %s\n", argv[i]);
      status = 1;
    }
  }
  return status;
}
