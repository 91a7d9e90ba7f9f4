// The rest of the small C library: file status by name, line input, number
// parsing and the cycle counter.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "user.h"

int stat(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, st);
  close(fd);
  return r;
}

// Read one line from fd 0 into buf, newline included, always terminated.
// Reading byte by byte is slow but never consumes input beyond the line,
// which matters when a child process inherits the same descriptor.
char *gets(char *buf, int max) {
  int n = 0;
  while (n + 1 < max) {
    char c;
    if (read(0, &c, 1) != 1)
      break;
    buf[n++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[n] = '\0';
  return buf;
}

// Decimal only, like xv6's; a leading '-' is accepted because kill and the
// tests pass negative numbers.
int atoi(const char *s) {
  int sign = 1;
  int v = 0;
  if (*s == '-') {
    sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    v = v * 10 + (*s++ - '0');
  return sign * v;
}

// Weak: a program run as a Linux process on a shared host times its kernel
// with its own CPU time instead (linux/common/lsys.c, docs/linux.md).
__attribute__((weak)) uint64 rdtsc(void) {
  uint lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64)hi << 32) | lo;
}

int waitpid_st(int pid, int *status) {
  int got;
  while ((got = waitst(status)) >= 0 && got != pid)
    ;
  return got < 0 ? -1 : 0;
}

int leakcheck_frames(int zone) {
  return (zone ? freemirror() : freepages()) + retired(zone);
}
