// Helpers shared by the usertests areas.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "user.h"
#include "ut.h"

char ut_buf[16 * 1024];
char ut_buf2[16 * 1024];

void ut_complain(const char *file, int line, const char *what) {
  printf(1, "usertests: check failed at %s:%d: %s\n", file, line, what);
}

int ut_wait_for(int pid) {
  int status = 0;
  return waitpid_st(pid, &status) < 0 ? -1000 : status;
}

int ut_wait_all(const int *pids, int n) {
  int left = n;
  int bad = 0;
  for (int i = 0; i < n; i++) {
    if (pids[i] < 0) {
      bad = 1;
      left--;
    }
  }
  while (left > 0) {
    int status = 0;
    int got = waitst(&status);
    if (got < 0)
      return -1;
    for (int i = 0; i < n; i++) {
      if (pids[i] == got) {
        left--;
        if (status != 0)
          bad = 1;
      }
    }
  }
  return bad ? -1 : 0;
}

int ut_run_child(int (*fn)(int), int arg) {
  int pid = fork();
  if (pid < 0)
    return -1000;
  if (pid == 0)
    exitst(fn(arg));
  return ut_wait_for(pid);
}

// Bytes that differ between neighbouring positions and between seeds, so a
// block written to the wrong place or twice shows up.
static char pattern_byte(int i, int seed) {
  return (char)(i * 7 + seed * 131 + (i >> 9) * 13);
}

void ut_pattern(char *buf, int n, int seed) {
  for (int i = 0; i < n; i++)
    buf[i] = pattern_byte(i, seed);
}

int ut_is_pattern(const char *buf, int n, int seed) {
  for (int i = 0; i < n; i++) {
    if (buf[i] != pattern_byte(i, seed))
      return 0;
  }
  return 1;
}

int ut_write_file(const char *name, const char *data, int n) {
  int fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0)
    return -1;
  int w = write(fd, data, n);
  close(fd);
  return w == n ? 0 : -1;
}

int ut_file_size(const char *name) {
  struct stat st;
  if (stat(name, &st) < 0)
    return -1;
  return (int)st.size;
}

int ut_exists(const char *name) {
  int fd = open(name, O_RDONLY);
  if (fd < 0)
    return 0;
  close(fd);
  return 1;
}

uint ut_brk(void) {
  return (uint)sbrk(0);
}

// Arguments execargs hands over: lengths and letters vary with k so that a
// shifted or truncated argument cannot pass for the right one.
void ut_expected_arg(char *out, int k) {
  int len = (k * 5) % 37 + 1;
  for (int i = 0; i < len; i++)
    out[i] = (char)('a' + (k + i) % 26);
  out[len] = '\0';
}

// usertests -argv ARG...: exit with argc when argument k (k >= 2) is what
// ut_expected_arg(k) says and argv[argc] is null, else with 1.
int ut_argv_helper(int argc, char **argv) {
  char want[40];
  if (argv[argc] != 0)
    return 1;
  for (int k = 2; k < argc; k++) {
    ut_expected_arg(want, k);
    if (strcmp(argv[k], want) != 0)
      return 1;
  }
  return argc;
}
