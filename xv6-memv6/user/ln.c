// ln OLD NEW: give the file OLD a second name NEW.
#include "types.h"
#include "user.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    printf(2, "usage: ln OLD NEW\n");
    return 1;
  }
  if (link(argv[1], argv[2]) < 0) {
    printf(2, "ln: cannot link %s to %s\n", argv[2], argv[1]);
    return 1;
  }
  return 0;
}
