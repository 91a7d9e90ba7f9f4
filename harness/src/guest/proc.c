#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

// The registry is the one piece of process-wide state: a signal can arrive at
// any time and must reach every QEMU whichever thread started it.
#define MAX_CHILDREN 256
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t reg_pids[MAX_CHILDREN];
static bool reg_closed;

static int reg_add(pid_t pid) {
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (reg_pids[i] == 0) {
      reg_pids[i] = pid;
      return 0;
    }
  return -1;
}

static void reg_remove(pid_t pid) {
  pthread_mutex_lock(&reg_lock);
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (reg_pids[i] == pid)
      reg_pids[i] = 0;
  pthread_mutex_unlock(&reg_lock);
}

void mh_proc_shutdown_all(void) {
  pthread_mutex_lock(&reg_lock);
  reg_closed = true;
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (reg_pids[i] > 0)
      kill(reg_pids[i], SIGKILL);
  pthread_mutex_unlock(&reg_lock);
}

bool mh_proc_shutting_down(void) {
  pthread_mutex_lock(&reg_lock);
  bool c = reg_closed;
  pthread_mutex_unlock(&reg_lock);
  return c;
}

// Only async-signal-safe calls between fork and exec: this process has threads.
static void child(char *const argv[], int outfd, int errfd, int errpipe, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127);
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int in = open("/dev/null", O_RDONLY);
  if (in >= 0)
    dup2(in, 0);
  if (outfd >= 0)
    dup2(outfd, 1);
  if (errfd >= 0)
    dup2(errfd, 2);
  execvp(argv[0], argv);
  int err = errno;
  ssize_t w = write(errpipe, &err, sizeof err);
  (void)w;
  _exit(127);
}

static int open_out(const char *path, struct mh_err *e) {
  int fd = open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    mh_fail_errno(e, "cannot create %s", path);
  return fd;
}

int mh_proc_spawn(char *const argv[], const char *out_path, struct mh_proc *p, struct mh_err *e) {
  return mh_proc_spawn_split(argv, out_path, NULL, p, e);
}

int mh_proc_spawn_split(char *const argv[], const char *out_path, const char *err_path,
                        struct mh_proc *p, struct mh_err *e) {
  memset(p, 0, sizeof *p);
  p->pidfd = -1;
  int outfd = open_out(out_path, e);
  if (outfd < 0)
    return -1;
  int errfd = err_path ? open_out(err_path, e) : outfd;
  if (errfd < 0) {
    close(outfd);
    return -1;
  }
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) {
    close(outfd);
    if (errfd != outfd)
      close(errfd);
    return mh_fail_errno(e, "pipe");
  }
  pid_t parent = getpid();
  pthread_mutex_lock(&reg_lock);
  pid_t pid = reg_closed ? 0 : fork();
  if (pid == 0 && !reg_closed)
    child(argv, outfd, errfd, pipefd[1], parent);
  if (pid > 0)
    reg_add(pid);
  pthread_mutex_unlock(&reg_lock);
  close(outfd);
  if (errfd != outfd)
    close(errfd);
  close(pipefd[1]);
  if (pid <= 0) {
    close(pipefd[0]);
    return pid == 0 ? mh_fail(e, "the harness is shutting down") : mh_fail_errno(e, "fork");
  }
  p->pid = pid;
  int err = 0;
  ssize_t n = read(pipefd[0], &err, sizeof err);
  close(pipefd[0]);
  if (n == (ssize_t)sizeof err) {
    mh_proc_wait(p, 1000);
    errno = err;
    return mh_fail_errno(e, "cannot run %s", argv[0]);
  }
  p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  return 0;
}

static int try_reap(struct mh_proc *p, int flags) {
  int st;
  pid_t r;
  do
    r = waitpid(p->pid, &st, flags);
  while (r < 0 && errno == EINTR);
  if (r == p->pid) {
    p->reaped = true;
    p->wstatus = st;
    if (p->pidfd >= 0)
      close(p->pidfd);
    p->pidfd = -1;
    reg_remove(p->pid);
    return 1;
  }
  return r < 0 ? -1 : 0;
}

int mh_proc_wait(struct mh_proc *p, int timeout_ms) {
  if (p->reaped)
    return 1;
  double deadline = mh_now() + timeout_ms / 1000.0;
  for (;;) {
    int r = try_reap(p, WNOHANG);
    if (r != 0)
      return r;
    int left = mh_ms_left(deadline);
    if (left == 0)
      return 0;
    if (p->pidfd >= 0) {
      struct pollfd pf = {.fd = p->pidfd, .events = POLLIN};
      poll(&pf, 1, left);
    } else {
      usleep(left < 10 ? (useconds_t)left * 1000 : 10000);
    }
  }
}

void mh_proc_kill(struct mh_proc *p) {
  if (p->pid <= 0 || p->reaped)
    return;
  kill(p->pid, SIGKILL);
  try_reap(p, 0);
}

int mh_proc_exit_code(const struct mh_proc *p) {
  return p->reaped && WIFEXITED(p->wstatus) ? WEXITSTATUS(p->wstatus) : -1;
}

int mh_proc_signal(const struct mh_proc *p) {
  return p->reaped && WIFSIGNALED(p->wstatus) ? WTERMSIG(p->wstatus) : 0;
}

enum mh_proc_state mh_proc_state(struct mh_proc *p) {
  if (p->pid <= 0 || p->reaped || try_reap(p, WNOHANG) != 0)
    return MH_PROC_GONE;
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)p->pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n <= 0)
    return MH_PROC_RUNNING; // no /proc: only the exit is visible
  buf[n] = 0;
  // "pid (comm) S ...": comm may hold spaces and parentheses, the last ')' ends it.
  const char *rp = strrchr(buf, ')');
  char st = rp && rp[1] == ' ' ? rp[2] : 'R';
  return st == 'T' || st == 't' ? MH_PROC_STOPPED : MH_PROC_RUNNING;
}

int mh_proc_capture(char *const argv[], char *out, size_t cap, int timeout_ms, struct mh_err *e) {
  char path[] = "/tmp/memharness-capture-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return mh_fail_errno(e, "mkstemp");
  struct mh_proc p;
  int rc = mh_proc_spawn(argv, path, &p, e);
  if (rc == 0 && mh_proc_wait(&p, timeout_ms) != 1) {
    mh_proc_kill(&p);
    rc = mh_fail(e, "%s did not finish within %d ms", argv[0], timeout_ms);
  }
  ssize_t n = rc == 0 ? pread(fd, out, cap ? cap - 1 : 0, 0) : 0;
  if (cap)
    out[n > 0 ? n : 0] = 0;
  close(fd);
  unlink(path);
  return rc == 0 ? mh_proc_exit_code(&p) : -1;
}
