#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(char **s, size_t *n, const char *p, size_t k) {
  char *q = realloc(*s, *n + k + 1);
  if (!q)
    abort();
  memcpy(q + *n, p, k);
  *n += k;
  q[*n] = 0;
  *s = q;
}

int proc_run(char *const argv[], struct proc_result *r) {
  int po[2], pe[2];
  memset(r, 0, sizeof *r);
  if (pipe(po) < 0 || pipe(pe) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int nul = open("/dev/null", O_RDONLY);
    dup2(nul, 0);
    dup2(po[1], 1);
    dup2(pe[1], 2);
    close(po[0]), close(pe[0]), close(po[1]), close(pe[1]);
    // execv for a path: execvp would run a binary it cannot execute as a
    // shell script instead of failing with ENOEXEC.
    if (strchr(argv[0], '/'))
      execv(argv[0], argv);
    else
      execvp(argv[0], argv);
    fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(po[1]), close(pe[1]);
  size_t no = 0, ne = 0;
  put(&r->out, &no, "", 0);
  put(&r->err, &ne, "", 0);
  struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char buf[4096];
      ssize_t k = read(fds[i].fd, buf, sizeof buf);
      if (k <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      } else if (i == 0)
        put(&r->out, &no, buf, (size_t)k);
      else
        put(&r->err, &ne, buf, (size_t)k);
    }
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return 0;
}

void proc_free(struct proc_result *r) {
  free(r->out);
  free(r->err);
  r->out = r->err = NULL;
}
