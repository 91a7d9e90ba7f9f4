// usertests: processes (fork, exit status, wait, kill, exec, scheduling).
#include "types.h"
#include "fcntl.h"
#include "param.h"
#include "user.h"
#include "ut.h"

// Spin without system calls, so only a timer interrupt can take the CPU.
// The spin is bounded (a few seconds) so that a kernel whose kill does not
// work fails the test instead of hanging the suite; the status then tells.
#define SPIN_CYCLES 3000000000ull
#define SPIN_SURVIVED 3

static void spin_a_while(void) {
  uint64 start = rdtsc();
  while (rdtsc() - start < SPIN_CYCLES)
    ;
  exitst(SPIN_SURVIVED);
}

// ---- forkwait: every child is reaped once, with its own status ----

#define NKIDS 8

int t_forkwait(void) {
  int pids[NKIDS];
  int reaped[NKIDS];
  for (int i = 0; i < NKIDS; i++) {
    pids[i] = fork();
    CHECK(pids[i] >= 0);
    if (pids[i] == 0)
      exitst(10 + i);
    reaped[i] = 0;
  }
  for (int n = 0; n < NKIDS; n++) {
    int status;
    int pid = waitst(&status);
    int i = 0;
    while (i < NKIDS && pids[i] != pid)
      i++;
    CHECK(i < NKIDS);
    CHECK(!reaped[i]);
    CHECK(status == 10 + i);
    reaped[i] = 1;
  }
  CHECK(waitst(0) == -1);
  // xv6's own pair: exit() and wait().
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    exit();
  CHECK(wait() == pid);
  CHECK(wait() == -1);
  return 0;
}

// ---- exitstatus: the whole int comes back ----

int t_exitstatus(void) {
  static const int values[] = {0, 1, 42, 127, 255, 256, -5, 100000, -2147483647};
  for (int i = 0; i < (int)(sizeof(values) / sizeof(values[0])); i++) {
    int pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
      exitst(values[i]);
    int status = 12345;
    CHECK(waitst(&status) == pid);
    CHECK(status == values[i]);
  }
  return 0;
}

// ---- zombies: exited children free their slots once reaped ----

#define ZOMBIE_ROUNDS (3 * NPROC)

int t_zombies(void) {
  for (int i = 0; i < ZOMBIE_ROUNDS; i++) {
    int pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
      exit();
    CHECK(wait() == pid);
  }
  return 0;
}

// ---- killrun: kill a process that never enters the kernel ----

int t_killrun(void) {
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    spin_a_while();
  sleep(1);
  CHECK(kill(pid) == 0);
  CHECK(ut_wait_for(pid) == UT_KILLED);
  return 0;
}

// ---- killsleep: kill a process blocked in a read ----

int t_killsleep(void) {
  int p[2];
  char c;
  CHECK(pipe(p) == 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    read(p[0], &c, 1); // nobody writes; only kill ends this
    exitst(0);
  }
  sleep(2);
  CHECK(kill(pid) == 0);
  // Should kill have failed, this byte releases the child (status 0).
  sleep(2);
  write(p[1], "k", 1);
  CHECK(ut_wait_for(pid) == UT_KILLED);
  close(p[0]);
  close(p[1]);
  return 0;
}

// ---- killbad: no such process; and killing oneself ----

int t_killbad(void) {
  CHECK(kill(-1) == -1);
  CHECK(kill(0) == -1);
  CHECK(kill(1000000) == -1);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    kill(getpid());
    for (int i = 0; i < 1000; i++)
      getpid(); // each return to user space is a chance to die
    exitst(0);
  }
  CHECK(ut_wait_for(pid) == UT_KILLED);
  return 0;
}

// ---- preempt: a spinning process does not keep the CPU ----
//
// The child wakes us with one byte and then spins. On one CPU we can only
// run again if the timer takes the CPU away from the child.

int t_preempt(void) {
  int p[2];
  char c = 0;
  CHECK(pipe(p) == 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    write(p[1], "s", 1);
    spin_a_while();
  }
  CHECK(read(p[0], &c, 1) == 1 && c == 's');
  CHECK(kill(pid) == 0);
  CHECK(ut_wait_for(pid) == UT_KILLED);
  close(p[0]);
  close(p[1]);
  return 0;
}

// ---- execargs: exec with the most arguments allowed, and too many ----
//
// usertests exec's itself in helper mode, which checks every argument and
// exits with argc.

static char argtext[MAXARG + 2][40];
static char *args[MAXARG + 3];

static int exec_helper(int nargs) {
  args[0] = "usertests";
  args[1] = UT_ARGV_FLAG;
  for (int k = 2; k < nargs; k++) {
    ut_expected_arg(argtext[k], k);
    args[k] = argtext[k];
  }
  args[nargs] = 0;
  int pid = fork();
  if (pid < 0)
    return -1000;
  if (pid == 0) {
    exec("/usertests", args);
    exitst(-2); // exec refused
  }
  return ut_wait_for(pid);
}

int t_execargs(void) {
  CHECK(exec_helper(2) == 2);
  CHECK(exec_helper(MAXARG - 1) == MAXARG - 1);
  CHECK(exec_helper(MAXARG + 2) == -2);
  return 0;
}

// ---- execbad: exec refuses what is not a program, and we go on ----

static int try_exec(int which) {
  static char *argv[] = {"x", 0};
  static const char *paths[] = {"/utnosuch", "utnotelf", "utbadelf", "/", "utempty"};
  exec((char *)paths[which], argv);
  return 0; // exec returned, as it must
}

static int execbad_body(void) {
  static char fake_elf[256];
  CHECK(ut_write_file("utnotelf", "#!/bin/sh\necho not a program\n", 29) == 0);
  fake_elf[0] = 0x7f;
  fake_elf[1] = 'E';
  fake_elf[2] = 'L';
  fake_elf[3] = 'F';
  for (int i = 4; i < (int)sizeof(fake_elf); i++)
    fake_elf[i] = (char)(i * 37); // a header of nonsense after the magic
  CHECK(ut_write_file("utbadelf", fake_elf, sizeof(fake_elf)) == 0);
  CHECK(ut_write_file("utempty", "", 0) == 0);
  for (int which = 0; which < 5; which++)
    CHECK(ut_run_child(try_exec, which) == 0);
  return 0;
}

int t_execbad(void) {
  int r = execbad_body();
  unlink("utnotelf");
  unlink("utbadelf");
  unlink("utempty");
  return r;
}

// ---- getpid: fork returns the child's pid ----

int t_getpid(void) {
  int me = getpid();
  CHECK(me > 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    exitst(getpid());
  CHECK(pid != me);
  CHECK(ut_wait_for(pid) == pid);
  CHECK(getpid() == me);
  return 0;
}

// ---- orphan: a process outlives its parent ----

int t_orphan(void) {
  int p[2];
  char c = 0;
  CHECK(pipe(p) == 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    if (fork() == 0) {
      sleep(3); // let the parent die first
      write(p[1], "o", 1);
      exitst(0);
    }
    exitst(0);
  }
  CHECK(ut_wait_for(pid) == 0);
  close(p[1]);
  CHECK(read(p[0], &c, 1) == 1 && c == 'o');
  CHECK(read(p[0], &c, 1) == 0); // its exit closed the last writer
  close(p[0]);
  return 0;
}

// ---- sleeptime: sleep and uptime agree ----

int t_sleeptime(void) {
  int t0 = uptime();
  CHECK(t0 >= 0);
  CHECK(sleep(0) == 0);
  CHECK(sleep(5) == 0);
  int t1 = uptime();
  CHECK(t1 - t0 >= 5);
  CHECK(t1 - t0 < 5 + TICK_HZ); // not absurdly long either
  return 0;
}

// ---- forkfd: children inherit descriptors; their close is their own ----

static int forkfd_body(void) {
  char b[16];
  int fd = open("utforkfd", O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int ok = write(fd, "child", 5) == 5;
    close(fd);
    exitst(ok ? 0 : 1);
  }
  CHECK(ut_wait_for(pid) == 0);
  CHECK(write(fd, "parent", 6) == 6);
  close(fd);
  fd = open("utforkfd", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, b, sizeof(b)) == 11 && memcmp(b, "childparent", 11) == 0);
  close(fd);
  return 0;
}

int t_forkfd(void) {
  unlink("utforkfd");
  int r = forkfd_body();
  unlink("utforkfd");
  return r;
}

// ---- forkmax: fork fails cleanly when the process table is full ----

int t_forkmax(void) {
  int p[2];
  char c;
  int made = 0;
  CHECK(pipe(p) == 0);
  for (; made < NPROC + 1; made++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      close(p[1]);
      read(p[0], &c, 1); // returns when the parent closes the write end
      exitst(0);
    }
  }
  close(p[1]);
  for (int i = 0; i < made; i++)
    CHECK(wait() >= 0);
  CHECK(wait() == -1);
  // init, the runner, its watchdog and this test hold slots; a few kernel
  // threads might too.
  CHECK(made < NPROC && made >= NPROC - 8);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    exitst(7);
  CHECK(ut_wait_for(pid) == 7);
  close(p[0]);
  return 0;
}
