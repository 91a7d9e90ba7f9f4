#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define MAX_EVENTS 256

struct mh_qmp {
  int fd;
  char buf[65536]; // bytes read, not yet split into lines
  size_t len;
  struct mh_qmp_event events[MAX_EVENTS];
  size_t nevents;
  size_t dropped;
  mh_watch_fn watch;
  void *watch_arg;
  bool broken;
};

void mh_qmp_set_watch(struct mh_qmp *q, mh_watch_fn fn, void *arg) {
  q->watch = fn;
  q->watch_arg = arg;
}
bool mh_qmp_broken(const struct mh_qmp *q) {
  return q->broken;
}

int mh_qmp_fd(const struct mh_qmp *q) {
  return q->fd;
}
size_t mh_qmp_nevents(const struct mh_qmp *q) {
  return q->nevents;
}
const struct mh_qmp_event *mh_qmp_event_at(const struct mh_qmp *q, size_t i) {
  return i < q->nevents ? &q->events[i] : NULL;
}

static void record_event(struct mh_qmp *q, json_object *msg) {
  json_object *ev, *data, *reason;
  if (!json_object_object_get_ex(msg, "event", &ev))
    return;
  if (q->nevents == MAX_EVENTS) {
    q->dropped++;
    return;
  }
  struct mh_qmp_event *e = &q->events[q->nevents++];
  snprintf(e->name, sizeof e->name, "%s", json_object_get_string(ev));
  e->detail[0] = 0;
  if (json_object_object_get_ex(msg, "data", &data) &&
      json_object_object_get_ex(data, "reason", &reason))
    snprintf(e->detail, sizeof e->detail, "%s", json_object_get_string(reason));
  e->t = mh_now();
}

// Splits complete lines off the buffer. Events are recorded; the first
// non-event message is returned (caller puts), else NULL.
static json_object *next_message(struct mh_qmp *q) {
  for (;;) {
    char *nl = memchr(q->buf, '\n', q->len);
    if (!nl)
      return NULL;
    *nl = 0;
    json_object *msg = json_tokener_parse(q->buf);
    size_t used = (size_t)(nl - q->buf) + 1;
    memmove(q->buf, q->buf + used, q->len - used);
    q->len -= used;
    if (!msg)
      continue;
    json_object *tmp;
    if (json_object_object_get_ex(msg, "event", &tmp)) {
      record_event(q, msg);
      json_object_put(msg);
      continue;
    }
    return msg;
  }
}

// Reads once; -1 on EOF/error, 0 when nothing was available before timeout.
static int read_some(struct mh_qmp *q, int timeout_ms) {
  struct pollfd p = {.fd = q->fd, .events = POLLIN};
  int n = poll(&p, 1, timeout_ms);
  if (n <= 0)
    return n < 0 && errno != EINTR ? -1 : 0;
  if (q->len == sizeof q->buf)
    return -1; // a line longer than 64 KiB: not QEMU
  ssize_t got = read(q->fd, q->buf + q->len, sizeof q->buf - q->len);
  if (got <= 0)
    return got < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
  q->len += (size_t)got;
  return 1;
}

static json_object *wait_message(struct mh_qmp *q, double deadline, struct mh_err *e) {
  double t0 = mh_now();
  for (;;) {
    json_object *m = next_message(q);
    if (m)
      return m;
    int left = mh_ms_left(deadline);
    if (left == 0) {
      q->broken = true;
      mh_fail(e, "QMP: no answer within %.1f s", mh_now() - t0);
      return NULL;
    }
    int slice = q->watch && left > MH_WATCH_MS ? MH_WATCH_MS : left;
    int rc = read_some(q, slice);
    const char *why = rc == 0 && slice < left ? q->watch(q->watch_arg) : NULL;
    if (rc < 0 || why) {
      q->broken = true;
      mh_fail(e, "QMP: %s", why ? why : "connection closed (QEMU exited?)");
      return NULL;
    }
  }
}

int mh_qmp_pump(struct mh_qmp *q) {
  for (;;) {
    int rc = read_some(q, 0);
    json_object *m;
    while ((m = next_message(q)))
      json_object_put(m); // stray replies: nobody is waiting for them
    if (rc <= 0)
      return rc;
  }
}

static int send_line(struct mh_qmp *q, const char *s, struct mh_err *e) {
  size_t len = strlen(s);
  while (len) {
    ssize_t n = send(q->fd, s, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      q->broken = true;
      return mh_fail_errno(e, "QMP: send");
    }
    s += n;
    len -= (size_t)n;
  }
  return 0;
}

int mh_qmp_execute(struct mh_qmp *q, const char *cmd, json_object *args, json_object **ret,
                   int timeout_ms, struct mh_err *e) {
  json_object *req = json_object_new_object();
  json_object_object_add(req, "execute", json_object_new_string(cmd));
  if (args)
    json_object_object_add(req, "arguments", json_object_get(args));
  char *line = NULL;
  int rc = asprintf(&line, "%s\n", json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
  json_object_put(req);
  if (rc < 0)
    return mh_fail(e, "out of memory");
  rc = send_line(q, line, e);
  free(line);
  if (rc < 0)
    return rc;
  json_object *msg = wait_message(q, mh_now() + timeout_ms / 1000.0, e);
  if (!msg)
    return -1;
  json_object *r, *err, *desc;
  if (json_object_object_get_ex(msg, "error", &err)) {
    const char *d = json_object_object_get_ex(err, "desc", &desc) ? json_object_get_string(desc)
                                                                  : "unknown error";
    mh_fail(e, "QMP %s failed: %s", cmd, d);
    json_object_put(msg);
    return -1;
  }
  if (!json_object_object_get_ex(msg, "return", &r)) {
    json_object_put(msg);
    return mh_fail(e, "QMP %s: reply without \"return\"", cmd);
  }
  if (ret)
    *ret = json_object_get(r);
  json_object_put(msg);
  return 0;
}

int mh_qmp_hmp(struct mh_qmp *q, const char *cmdline, char **output, int timeout_ms,
               struct mh_err *e) {
  json_object *args = json_object_new_object(), *ret = NULL;
  json_object_object_add(args, "command-line", json_object_new_string(cmdline));
  int rc = mh_qmp_execute(q, "human-monitor-command", args, &ret, timeout_ms, e);
  json_object_put(args);
  if (rc == 0 && output)
    *output = strdup(json_object_get_string(ret) ? json_object_get_string(ret) : "");
  json_object_put(ret);
  return rc;
}

static int handshake(struct mh_qmp *q, int timeout_ms, struct mh_err *e) {
  json_object *greeting = wait_message(q, mh_now() + timeout_ms / 1000.0, e), *tmp;
  if (!greeting)
    return -1;
  bool ok = json_object_object_get_ex(greeting, "QMP", &tmp);
  json_object_put(greeting);
  if (!ok)
    return mh_fail(e, "QMP: the socket did not greet with {\"QMP\": …}");
  return mh_qmp_execute(q, "qmp_capabilities", NULL, NULL, timeout_ms, e);
}

static struct mh_qmp *try_connect(const char *path, int timeout_ms, bool *again, mh_watch_fn watch,
                                  void *arg, struct mh_err *e) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  *again = false;
  if (strlen(path) >= sizeof sa.sun_path) {
    mh_fail(e, "QMP socket path too long: %s", path);
    return NULL;
  }
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    mh_fail_errno(e, "socket");
    return NULL;
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    *again = errno == ENOENT || errno == ECONNREFUSED;
    mh_fail_errno(e, "QMP: connect to %s", path);
    close(fd);
    return NULL;
  }
  struct mh_qmp *q = calloc(1, sizeof *q);
  if (!q) {
    close(fd);
    mh_fail(e, "out of memory");
    return NULL;
  }
  q->fd = fd;
  mh_qmp_set_watch(q, watch, arg);
  if (handshake(q, timeout_ms, e) < 0) {
    mh_qmp_close(q);
    return NULL;
  }
  return q;
}

struct mh_qmp *mh_qmp_try_connect(const char *path, int timeout_ms, bool *again, struct mh_err *e) {
  return try_connect(path, timeout_ms, again, NULL, NULL, e);
}

struct mh_qmp *mh_qmp_connect(const char *path, int timeout_ms, mh_watch_fn watch, void *arg,
                              struct mh_err *e) {
  double deadline = mh_now() + timeout_ms / 1000.0, asked = mh_now();
  for (;;) {
    bool again;
    struct mh_qmp *q = try_connect(path, timeout_ms, &again, watch, arg, e);
    // A harness shutting down has killed the QEMU that would listen.
    if (q || !again || mh_now() >= deadline || mh_proc_shutting_down())
      return q;
    // A QEMU that stopped or died before creating its socket never will.
    const char *why = NULL;
    if (watch && mh_now() - asked >= MH_WATCH_MS / 1000.0 && (asked = mh_now(), why = watch(arg))) {
      mh_fail(e, "QMP: %s", why);
      return NULL;
    }
    usleep(10000);
  }
}

void mh_qmp_close(struct mh_qmp *q) {
  if (!q)
    return;
  close(q->fd);
  free(q);
}
