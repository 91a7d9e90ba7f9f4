// mce_e2e: a real machine check, end to end through QEMU (docs/memv6.md).
//
//   mce_e2e QEMU GDB KERNEL FS_IMAGE EXPECT      EXPECT: recovered | killed
//
// Boots KERNEL with `memcheck -e` and a gdbstub on a unix socket. memcheck
// fills its heap, prints the va and physical address of one heap byte and
// waits for a console line. Through `gdb -batch` this program then flips a
// bit of that byte in guest physical memory (the corruption) and raises a
// #MC on its frame with QEMU's `mce` monitor command (the report), and then
// sends the line. On memv6 the kernel must rebuild the frame from its mirror
// (@mce ... action=recovered) and memcheck must find its heap intact and
// exit 0; on native the kernel must kill memcheck (action=killed, status
// -1). Every process is started from an argv, every child is reaped, and a
// deadline bounds the whole run.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_S 120
#define GDB_TIMEOUT_S 30

struct guest {
  pid_t pid;
  int to;   // QEMU's serial input
  int from; // QEMU's serial output
  char log[1 << 16];
  size_t len;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static pid_t spawn(char *const argv[], int in_fd, int out_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    if (in_fd >= 0)
      dup2(in_fd, STDIN_FILENO);
    if (out_fd >= 0)
      dup2(out_fd, STDOUT_FILENO);
    execv(argv[0], argv);
    fprintf(stderr, "mce_e2e: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

static int start_qemu(struct guest *g, const char *qemu, const char *kernel, const char *image,
                      const char *gdb_chardev) {
  int in[2], out[2];
  if (pipe(in) < 0 || pipe(out) < 0)
    return -1;
  char *argv[] = {(char *)qemu,  "-machine",
                  "pc",          "-accel",
                  "tcg",         "-cpu",
                  "qemu32,+mca", "-m",
                  "256M",        "-display",
                  "none",        "-no-reboot",
                  "-monitor",    "none",
                  "-serial",     "stdio",
                  "-device",     "isa-debug-exit,iobase=0xf4,iosize=0x04",
                  "-gdb",        (char *)gdb_chardev,
                  "-kernel",     (char *)kernel,
                  "-initrd",     (char *)image,
                  "-append",     "memcheck -e",
                  NULL};
  g->pid = spawn(argv, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  g->to = in[1];
  g->from = out[0];
  return g->pid < 0 ? -1 : 0;
}

// Appends what QEMU printed next to the log; -1 at its end or the deadline.
static int read_more(struct guest *g, double deadline) {
  for (;;) {
    double left = deadline - now_s();
    if (left <= 0 || g->len + 1 >= sizeof g->log)
      return -1;
    struct pollfd p = {.fd = g->from, .events = POLLIN};
    if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
      continue;
    ssize_t n = read(g->from, g->log + g->len, sizeof g->log - 1 - g->len);
    if (n <= 0)
      return -1;
    fwrite(g->log + g->len, 1, n, stdout);
    g->len += n;
    g->log[g->len] = 0;
    return 0;
  }
}

// Waits for text in the serial output.
static int wait_for(struct guest *g, const char *text, double deadline) {
  while (!strstr(g->log, text)) {
    if (read_more(g, deadline) < 0)
      return -1;
  }
  return 0;
}

// Waits for a whole line that starts with prefix; returns it (in the log).
static const char *wait_line(struct guest *g, const char *prefix, double deadline) {
  for (;;) {
    const char *at = strstr(g->log, prefix);
    if (at && strchr(at, '\n'))
      return at;
    if (read_more(g, deadline) < 0)
      return NULL;
  }
}

static int reap(pid_t pid, double deadline) {
  int status;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 || now_s() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(20000);
  }
}

// gdb corrupts the byte at pa (physical) and raises the machine check.
static int corrupt_and_raise(const char *gdb, const char *sock, unsigned pa) {
  char target[600], flip[128], mce[128];
  snprintf(target, sizeof target, "target remote %s", sock);
  snprintf(flip, sizeof flip, "set {unsigned char}0x%x = {unsigned char}0x%x ^ 0x10", pa, pa);
  snprintf(mce, sizeof mce, "monitor mce 0 1 0xbd00000000000000 0x5 0x%x 0x86", pa & ~0xfffu);
  char *argv[] = {(char *)gdb,
                  "-nx",
                  "-batch",
                  "-ex",
                  "set confirm off",
                  "-ex",
                  target,
                  "-ex",
                  "maintenance packet Qqemu.PhyMemMode:1",
                  "-ex",
                  flip,
                  "-ex",
                  mce,
                  "-ex",
                  "detach",
                  NULL};
  pid_t pid = spawn(argv, -1, -1);
  return pid < 0 ? -1 : reap(pid, now_s() + GDB_TIMEOUT_S);
}

static int check(int ok, const char *what) {
  printf("mce_e2e: %s: %s\n", ok ? "ok" : "FAILED", what);
  return ok ? 0 : 1;
}

static int run(struct guest *g, const char *gdb, const char *sock, int want_recovered) {
  double deadline = now_s() + DEADLINE_S;
  const char *line = wait_line(g, "memcheck: e2e va=", deadline);
  if (!line)
    return check(0, "memcheck printed its heap address");
  unsigned va, pa;
  if (sscanf(line, "memcheck: e2e va=0x%x pa=0x%x", &va, &pa) != 2 || pa == 0xffffffffu)
    return check(0, "memcheck's va/pa line parses");
  printf("mce_e2e: corrupting pa 0x%x (va 0x%x) and raising #MC\n", pa, va);
  // On native the check kills memcheck and the guest powers off as soon as
  // gdb's detach lets it run, so gdb can lose the connection on its way
  // out (Broken pipe) after doing its work: the kernel's @mce line below,
  // not gdb's exit status, says whether the check was raised.
  int grc = corrupt_and_raise(gdb, sock, pa);
  if (grc != 0)
    printf("mce_e2e: note: gdb exited with %d; judged by the kernel's report\n", grc);
  char want[128];
  snprintf(want, sizeof want, "@mce pa=0x%x kind=native", pa & ~0xfffu);
  int bad = check(wait_for(g, want, deadline) == 0, "the kernel reported the frame");
  // memcheck goes on once it gets a line (on native it is dead already).
  if (write(g->to, "go\n", 3) != 3 && want_recovered)
    return check(0, "sent the go line");
  if (!wait_line(g, "@exit status=", deadline))
    return check(0, "the guest reached @exit");
  if (want_recovered) {
    bad |= check(strstr(g->log, "action=recovered") != NULL, "action=recovered");
    bad |= check(strstr(g->log, "memcheck: e2e data=intact") != NULL, "heap intact afterwards");
    bad |= check(strstr(g->log, "@exit status=0") != NULL, "memcheck exited 0");
  } else {
    bad |= check(strstr(g->log, "action=killed") != NULL, "action=killed");
    bad |= check(strstr(g->log, "memcheck: e2e data=") == NULL, "memcheck did not go on");
    bad |= check(strstr(g->log, "@exit status=-1") != NULL, "memcheck's status is -1");
  }
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 6 || (strcmp(argv[5], "recovered") && strcmp(argv[5], "killed"))) {
    fprintf(stderr, "usage: mce_e2e QEMU GDB KERNEL FS_IMAGE recovered|killed\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  char dir[] = "/tmp/mce_e2e.XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mce_e2e: mkdtemp");
    return 2;
  }
  char sock[sizeof dir + 16], chardev[sizeof sock + 64];
  snprintf(sock, sizeof sock, "%s/gdb", dir);
  snprintf(chardev, sizeof chardev, "unix:%s,server=on,wait=off", sock);
  static struct guest g;
  int rc = 2;
  if (start_qemu(&g, argv[1], argv[3], argv[4], chardev) == 0)
    rc = run(&g, argv[2], sock, strcmp(argv[5], "recovered") == 0);
  if (g.pid > 0) {
    kill(g.pid, SIGKILL);
    reap(g.pid, now_s() + 10);
    close(g.to);
    close(g.from);
  }
  unlink(sock);
  rmdir(dir);
  printf("mce_e2e: %s\n", rc ? "FAILED" : "passed");
  return rc;
}
