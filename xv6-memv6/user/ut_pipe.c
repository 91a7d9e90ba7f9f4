// usertests: pipes and the descriptors around them.
#include "types.h"
#include "fcntl.h"
#include "param.h"
#include "user.h"
#include "ut.h"

#define PIPE_TOTAL 6000

// ---- pipebasic: bytes arrive complete and in order ----

static int pipe_writer(int fd) {
  static const int sizes[] = {1, 7, 100, 513, 1000, 64, 2};
  int sent = 0;
  ut_pattern(ut_buf2, PIPE_TOTAL, 9);
  for (int i = 0; sent < PIPE_TOTAL; i++) {
    int n = sizes[i % 7];
    if (n > PIPE_TOTAL - sent)
      n = PIPE_TOTAL - sent;
    if (write(fd, ut_buf2 + sent, n) != n)
      return 1;
    sent += n;
  }
  return 0;
}

int t_pipebasic(void) {
  int p[2];
  CHECK(pipe(p) == 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    exitst(pipe_writer(p[1]));
  }
  close(p[1]);
  int got = 0;
  int n;
  while ((n = read(p[0], ut_buf + got, 333)) > 0) {
    got += n;
    CHECK(got <= PIPE_TOTAL);
  }
  CHECK(n == 0);
  CHECK(got == PIPE_TOTAL);
  CHECK(ut_is_pattern(ut_buf, PIPE_TOTAL, 9));
  CHECK(ut_wait_for(pid) == 0);
  close(p[0]);
  return 0;
}

// ---- pipeeof: the end of the last writer is end of file ----

int t_pipeeof(void) {
  int p[2];
  char b[8];
  CHECK(pipe(p) == 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    write(p[1], "abc", 3);
    exitst(0); // exit closes p[1]
  }
  close(p[1]);
  CHECK(ut_wait_for(pid) == 0);
  CHECK(read(p[0], b, sizeof(b)) == 3 && memcmp(b, "abc", 3) == 0);
  CHECK(read(p[0], b, sizeof(b)) == 0);
  CHECK(read(p[0], b, sizeof(b)) == 0);
  close(p[0]);
  return 0;
}

// ---- pipenoreader: writing with no reader fails instead of blocking ----

int t_pipenoreader(void) {
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(close(p[0]) == 0);
  // More than any pipe buffer: the writer would block forever otherwise.
  CHECK(write(p[1], ut_buf, 4096) < 4096);
  close(p[1]);
  return 0;
}

// ---- pipewriters: many writers, nothing lost, each in its own order ----

#define WRITERS 4
#define PER_WRITER 800

// Writer k sends bytes (k << 6) | (i & 63) for i = 0, 1, ...
static int many_writer(int k) {
  int fd = k >> 8;
  k &= 0xff;
  char chunk[16];
  for (int i = 0; i < PER_WRITER; i += 16) {
    for (int j = 0; j < 16; j++)
      chunk[j] = (char)((k << 6) | ((i + j) & 63));
    if (write(fd, chunk, 16) != 16)
      return 1;
  }
  return 0;
}

int t_pipewriters(void) {
  int p[2];
  int next[WRITERS];
  int pids[WRITERS];
  CHECK(pipe(p) == 0);
  for (int k = 0; k < WRITERS; k++) {
    next[k] = 0;
    pids[k] = fork();
    CHECK(pids[k] >= 0);
    if (pids[k] == 0) {
      close(p[0]);
      exitst(many_writer((p[1] << 8) | k));
    }
  }
  close(p[1]);
  int n;
  while ((n = read(p[0], ut_buf, 100)) > 0) {
    for (int i = 0; i < n; i++) {
      int k = ((uchar)ut_buf[i]) >> 6;
      CHECK((ut_buf[i] & 63) == (next[k] & 63));
      next[k]++;
    }
  }
  for (int k = 0; k < WRITERS; k++)
    CHECK(next[k] == PER_WRITER);
  CHECK(ut_wait_all(pids, WRITERS) == 0);
  close(p[0]);
  return 0;
}

// ---- pipedup: a dup'ed write end keeps the pipe open ----

int t_pipedup(void) {
  int p[2];
  char b[4];
  CHECK(pipe(p) == 0);
  int w2 = dup(p[1]);
  CHECK(w2 >= 0);
  CHECK(close(p[1]) == 0);
  CHECK(write(w2, "hi", 2) == 2);
  CHECK(read(p[0], b, 4) == 2 && b[0] == 'h' && b[1] == 'i');
  CHECK(close(w2) == 0);
  CHECK(read(p[0], b, 4) == 0);
  close(p[0]);
  return 0;
}

// ---- pipefds: lowest free descriptors; a failed pipe leaks nothing ----

int t_pipefds(void) {
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(p[0] == 3 && p[1] == 4); // the test holds 0, 1 and 2 only
  close(p[0]);
  close(p[1]);
  // Leave exactly one descriptor free: pipe needs two.
  for (int fd = 3; fd < NOFILE - 1; fd++)
    CHECK(dup(0) == fd);
  int before = leakcheck_frames(0);
  p[0] = p[1] = -7;
  CHECK(pipe(p) == -1);
  CHECK(leakcheck_frames(0) == before);
  CHECK(dup(0) == NOFILE - 1); // the descriptor pipe tried is free again
  for (int fd = 3; fd < NOFILE; fd++)
    close(fd);
  CHECK(pipe(p) == 0);
  close(p[0]);
  close(p[1]);
  return 0;
}

// ---- pipechain: data through a process between two pipes ----

#define CHAIN_BYTES 4000

static int chain_filter(int fds) {
  int in = fds & 0xff;
  int out = fds >> 8;
  char b[64];
  int n;
  while ((n = read(in, b, sizeof(b))) > 0) {
    for (int i = 0; i < n; i++)
      b[i] = (char)(b[i] + 1);
    if (write(out, b, n) != n)
      return 1;
  }
  return n < 0 ? 2 : 0;
}

int t_pipechain(void) {
  int a[2], b[2];
  CHECK(pipe(a) == 0 && pipe(b) == 0);
  int filter = fork();
  CHECK(filter >= 0);
  if (filter == 0) {
    close(a[1]);
    close(b[0]);
    exitst(chain_filter(a[0] | (b[1] << 8)));
  }
  close(a[0]);
  close(b[1]);
  int feeder = fork();
  CHECK(feeder >= 0);
  if (feeder == 0) {
    close(b[0]);
    ut_pattern(ut_buf2, CHAIN_BYTES, 12);
    exitst(write(a[1], ut_buf2, CHAIN_BYTES) == CHAIN_BYTES ? 0 : 1);
  }
  close(a[1]);
  int got = 0;
  int n;
  while ((n = read(b[0], ut_buf + got, 512)) > 0 && got + n <= CHAIN_BYTES)
    got += n;
  CHECK(n == 0 && got == CHAIN_BYTES);
  ut_pattern(ut_buf2, CHAIN_BYTES, 12);
  for (int i = 0; i < CHAIN_BYTES; i++)
    CHECK(ut_buf[i] == (char)(ut_buf2[i] + 1));
  int pids[2] = {feeder, filter};
  CHECK(ut_wait_all(pids, 2) == 0);
  close(b[0]);
  return 0;
}
