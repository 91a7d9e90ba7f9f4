// wc [FILE...]: count lines, words and bytes.
#include "types.h"
#include "fcntl.h"
#include "user.h"

struct counts {
  uint lines, words, bytes;
};

static char chunk[1024];

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Count fd into c. A word starts at a non-space byte that follows a space
// (or the start of input); in_word carries that state across reads.
static int count(int fd, struct counts *c) {
  int in_word = 0;
  int n;
  while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
    c->bytes += n;
    for (int i = 0; i < n; i++) {
      if (chunk[i] == '\n')
        c->lines++;
      if (is_space(chunk[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
  return n;
}

static void report(struct counts *c, const char *name) {
  printf(1, "%d %d %d %s\n", c->lines, c->words, c->bytes, name);
}

int main(int argc, char **argv) {
  struct counts c;
  int status = 0;
  if (argc < 2) {
    memset(&c, 0, sizeof(c));
    if (count(0, &c) < 0)
      return 1;
    report(&c, "");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    memset(&c, 0, sizeof(c));
    if (fd < 0 || count(fd, &c) < 0) {
      printf(2, "wc: cannot read %s\n", argv[i]);
      status = 1;
    } else {
      report(&c, argv[i]);
    }
    if (fd >= 0)
      close(fd);
  }
  return status;
}
