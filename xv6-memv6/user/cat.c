// cat [FILE...]: copy the files, or standard input, to standard output.
#include "types.h"
#include "fcntl.h"
#include "user.h"

static char chunk[1024];

static int copy(int fd, const char *name) {
  int n;
  while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
    if (write(1, chunk, n) != n) {
      printf(2, "cat: write error\n");
      return -1;
    }
  }
  if (n < 0) {
    printf(2, "cat: cannot read %s\n", name);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2)
    return copy(0, "standard input") < 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      printf(2, "cat: cannot open %s\n", argv[i]);
      status = 1;
      continue;
    }
    if (copy(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  return status;
}
