#include "run.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "proc.h"
#include "qemu.h"
#include "qmp.h"
#include "util.h"

const char *mh_run_status_name(enum mh_run_status s) {
  static const char *const names[] = {"ok",    "fail",          "timeout",
                                      "crash", "harness_error", "interrupted"};
  return names[s];
}

void mh_run_cmdline(const struct mh_run_spec *spec, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s", spec->program);
  for (int i = 0; i < spec->nargs && n > 0 && (size_t)n < cap; i++)
    n += snprintf(out + n, cap - (size_t)n, " %s", spec->args[i]);
}

// Per-run scratch: a private directory for the sockets and the serial log.
struct scratch {
  char dir[64];
  char serial[96], qmp[96], gdb[96], err[96];
};

static int make_scratch(struct scratch *s, struct mh_err *e) {
  // Unix socket paths must stay under 108 bytes: /tmp, not $TMPDIR. The pid
  // in the name lets a later harness remove what a SIGKILLed one left.
  snprintf(s->dir, sizeof s->dir, "/tmp/memharness-%d-XXXXXX", (int)getpid());
  if (!mkdtemp(s->dir))
    return mh_fail_errno(e, "cannot create a scratch directory in /tmp");
  snprintf(s->serial, sizeof s->serial, "%s/serial.log", s->dir);
  snprintf(s->qmp, sizeof s->qmp, "%s/qmp.sock", s->dir);
  snprintf(s->gdb, sizeof s->gdb, "%s/gdb.sock", s->dir);
  snprintf(s->err, sizeof s->err, "%s/qemu.out", s->dir);
  return 0;
}

static void remove_scratch(const struct scratch *s) {
  unlink(s->serial);
  unlink(s->qmp);
  unlink(s->gdb);
  unlink(s->err);
  rmdir(s->dir);
}

int mh_run_sweep_stale(void) {
  DIR *d = opendir("/tmp");
  if (!d)
    return 0;
  int removed = 0;
  struct dirent *ent;
  while ((ent = readdir(d))) {
    int pid;
    char rest[16];
    if (sscanf(ent->d_name, "memharness-%d-%15s", &pid, rest) != 2 || pid <= 0)
      continue;
    if (kill(pid, 0) == 0 || errno != ESRCH)
      continue; // its harness still runs (or is not ours to judge)
    struct scratch sc;
    snprintf(sc.dir, sizeof sc.dir, "/tmp/%.50s", ent->d_name);
    snprintf(sc.serial, sizeof sc.serial, "%s/serial.log", sc.dir);
    snprintf(sc.qmp, sizeof sc.qmp, "%s/qmp.sock", sc.dir);
    snprintf(sc.gdb, sizeof sc.gdb, "%s/gdb.sock", sc.dir);
    snprintf(sc.err, sizeof sc.err, "%s/qemu.out", sc.dir);
    remove_scratch(&sc);
    removed++;
  }
  closedir(d);
  return removed;
}

// Live state of a run while QEMU executes.
struct live {
  const struct mh_run_spec *spec;
  struct mh_run_result *r;
  struct scratch sc;
  struct mh_proc proc;
  int serial_fd, inotify_fd;
  struct mh_qmp *qmp;
  bool qmp_given_up, qmp_eof;
  size_t events_seen;
  char stopped_status[64]; // set when QEMU paused the guest on its own
  double start;
};

static void drain_serial(struct live *L) {
  if (L->serial_fd < 0) {
    L->serial_fd = open(L->sc.serial, O_RDONLY | O_CLOEXEC);
    if (L->serial_fd < 0)
      return;
  }
  char buf[8192];
  ssize_t n;
  while ((n = read(L->serial_fd, buf, sizeof buf)) > 0) {
    bool was_booted = L->r->serial.booted;
    mh_serial_feed(&L->r->serial, buf, (size_t)n, mh_now() - L->start);
    if (!was_booted && L->r->serial.booted)
      L->r->boot_s = mh_now() - L->start;
  }
}

static void try_qmp(struct live *L) {
  if (L->qmp || L->qmp_given_up)
    return;
  bool again;
  struct mh_err e;
  L->qmp = mh_qmp_try_connect(L->sc.qmp, 2000, &again, &e);
  if (!L->qmp && (!again || mh_now() - L->start > L->spec->connect_timeout_s)) {
    // QMP only adds lifecycle detail; the run's verdict does not depend on it.
    L->qmp_given_up = true;
    snprintf(L->r->events, sizeof L->r->events, "qmp-unavailable");
  }
}

// Nobody debugs a measured run, so a STOP means QEMU paused the guest itself
// (KVM internal error, guest panic): waiting for the timeout would only waste
// time. Returns true when the run should end now.
static bool guest_paused(struct live *L) {
  bool stopped = false;
  for (; L->events_seen < mh_qmp_nevents(L->qmp); L->events_seen++)
    stopped |= strcmp(mh_qmp_event_at(L->qmp, L->events_seen)->name, "STOP") == 0;
  if (!stopped)
    return false;
  json_object *ret = NULL, *status;
  struct mh_err e;
  if (mh_qmp_execute(L->qmp, "query-status", NULL, &ret, 2000, &e) < 0)
    return false;
  bool paused = json_object_object_get_ex(ret, "status", &status) &&
                strcmp(json_object_get_string(status), "running") != 0;
  if (paused)
    snprintf(L->stopped_status, sizeof L->stopped_status, "%s", json_object_get_string(status));
  json_object_put(ret);
  return paused;
}

// Waits for QEMU to exit, the deadline, or the stop flag, consuming the
// serial log and QMP events as they arrive. Returns 1 exited, 0 timeout,
// -1 stop, 2 the guest was paused by QEMU.
static int supervise(struct live *L) {
  double deadline = L->start + L->spec->timeout_s;
  for (;;) {
    drain_serial(L);
    try_qmp(L);
    if (L->qmp && !L->qmp_eof && mh_qmp_pump(L->qmp) < 0)
      L->qmp_eof = true; // QEMU is exiting; keep the events it sent
    if (mh_proc_wait(&L->proc, 0) == 1)
      return 1;
    if (L->qmp && !L->qmp_eof && guest_paused(L))
      return 2;
    if (L->spec->stop && atomic_load(L->spec->stop))
      return -1;
    int left = mh_ms_left(deadline);
    if (left == 0)
      return 0;
    struct pollfd pf[3] = {
        {.fd = L->proc.pidfd, .events = POLLIN},
        {.fd = L->inotify_fd, .events = POLLIN},
        {.fd = L->qmp && !L->qmp_eof ? mh_qmp_fd(L->qmp) : -1, .events = POLLIN}};
    // The tick bounds how late we notice the stop flag or a QMP socket.
    poll(pf, 3, left < 50 ? left : 50);
    if (pf[1].revents & POLLIN) {
      char ev[4096];
      while (read(L->inotify_fd, ev, sizeof ev) > 0) {
      }
    }
  }
}

static void read_stderr(struct live *L) {
  int fd = open(L->sc.err, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  ssize_t n = read(fd, L->r->qemu_stderr, sizeof L->r->qemu_stderr - 1);
  L->r->qemu_stderr[n > 0 ? n : 0] = 0;
  close(fd);
  char *end = L->r->qemu_stderr + strlen(L->r->qemu_stderr);
  while (end > L->r->qemu_stderr && (end[-1] == '\n' || end[-1] == '\r'))
    *--end = 0;
}

static void record_events(struct live *L) {
  if (!L->qmp)
    return;
  if (!L->qmp_eof)
    mh_qmp_pump(L->qmp);
  size_t n = strlen(L->r->events);
  for (size_t i = 0; i < mh_qmp_nevents(L->qmp); i++) {
    const struct mh_qmp_event *ev = mh_qmp_event_at(L->qmp, i);
    n += (size_t)snprintf(L->r->events + n, n < sizeof L->r->events ? sizeof L->r->events - n : 0,
                          "%s%s%s%s", n ? " " : "", ev->name, ev->detail[0] ? ":" : "", ev->detail);
    if (n >= sizeof L->r->events)
      break;
  }
}

static const char *last_line(const struct mh_serial *s, char *buf, size_t cap) {
  mh_serial_tail(s, buf, cap);
  size_t n = strlen(buf);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = 0;
  char *nl = strrchr(buf, '\n');
  return nl ? nl + 1 : buf;
}

void mh_run_set(struct mh_run_result *r, enum mh_run_status st, const char *fmt, ...) {
  r->status = st;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
}

// The guest reached shutdown: check what it promised.
static void judge_expectations(const struct mh_run_spec *spec, struct mh_run_result *r) {
  const struct mh_serial *s = &r->serial;
  if (!s->have_exit) {
    mh_run_set(r, MH_RUN_FAIL,
               "QEMU exit code %d says the guest shut down, but no @exit line arrived",
               r->qemu_exit);
  } else if ((s->exit_status & 0x7f) != ((r->qemu_exit >> 1) & 0x7f)) {
    mh_run_set(r, MH_RUN_FAIL, "@exit status=%ld disagrees with QEMU exit code %d", s->exit_status,
               r->qemu_exit);
  } else {
    mh_run_judge_output(spec, r, s->exit_status);
  }
}

void mh_run_judge_output(const struct mh_run_spec *spec, struct mh_run_result *r, long status) {
  const struct mh_serial *s = &r->serial;
  if (status != spec->expect_status) {
    mh_run_set(r, MH_RUN_FAIL, "exit status %ld, expected %d", status, spec->expect_status);
  } else if (s->malformed) {
    mh_run_set(r, MH_RUN_FAIL, "%d serial line(s) broke the protocol, first: %s", s->malformed,
               s->first_malformed);
  } else if (spec->expect_tests >= 0 && (long)s->ntests != spec->expect_tests) {
    mh_run_set(r, MH_RUN_FAIL, "%zu @test lines, expected %d", s->ntests, spec->expect_tests);
  } else {
    for (size_t i = 0; i < s->nexpect; i++)
      if (!s->expect_seen[i]) {
        mh_run_set(r, MH_RUN_FAIL, "expected output not seen: \"%s\"", s->expect[i]);
        return;
      }
    for (size_t i = 0; i < s->ntests; i++)
      if (!s->tests[i].ok) {
        mh_run_set(r, MH_RUN_FAIL, "test %s failed", s->tests[i].name);
        return;
      }
    mh_run_set(r, MH_RUN_OK, "ok");
  }
}

static void classify(struct live *L, int how) {
  struct mh_run_result *r = L->r;
  char buf[MH_TAIL_CAP];
  const char *last = last_line(&r->serial, buf, sizeof buf);
  r->qemu_exit = mh_proc_exit_code(&L->proc);
  r->qemu_signal = mh_proc_signal(&L->proc);
  if (how < 0) {
    mh_run_set(r, MH_RUN_INTERRUPTED, "the harness was interrupted");
  } else if (how == 2) {
    mh_run_set(r, MH_RUN_CRASH,
               "QEMU paused the guest (run state %s; stderr: %.300s); last serial "
               "line: \"%.200s\"",
               L->stopped_status, r->qemu_stderr, last);
  } else if (how == 0) {
    mh_run_set(r, MH_RUN_TIMEOUT,
               "no shutdown within %.0f s (killed; raise $.timeouts.run_s if the workload needs "
               "longer); last serial line: \"%.200s\"",
               L->spec->timeout_s, last);
  } else if (r->qemu_signal) {
    mh_run_set(r, MH_RUN_CRASH, "QEMU died of signal %d; stderr: %.300s", r->qemu_signal,
               r->qemu_stderr);
  } else if (r->qemu_exit == 0) {
    mh_run_set(r, MH_RUN_CRASH,
               "QEMU exited with code 0: the guest never reached shutdown (triple fault or reset "
               "under -no-reboot; QMP: %s); last serial line: \"%.200s\"",
               r->events[0] ? r->events : "no events", last);
  } else if (!(r->qemu_exit & 1) || (!r->serial.booted && !r->serial.have_exit)) {
    // Even codes and exits before @boot are QEMU's own failures, not the guest's.
    mh_run_set(r, MH_RUN_HARNESS_ERROR, "QEMU failed (exit code %d) before the guest ran: %.400s",
               r->qemu_exit, r->qemu_stderr[0] ? r->qemu_stderr : "(no message)");
  } else {
    r->guest_exited = true;
    r->guest_status = r->serial.have_exit ? r->serial.exit_status : (r->qemu_exit >> 1);
    judge_expectations(L->spec, r);
  }
}

static int launch(struct live *L, struct mh_err *e) {
  char cmdline[1024];
  mh_run_cmdline(L->spec, cmdline, sizeof cmdline);
  struct mh_qemu_opts o = {.qemu = L->spec->qemu,
                           .kernel = L->spec->kernel,
                           .disk = L->spec->disk,
                           .disk_snapshot = true,
                           .disk_in_ram = L->spec->icount,
                           .append = cmdline,
                           .accel = L->spec->accel,
                           .icount = L->spec->icount,
                           .mem_mb = L->spec->mem_mb,
                           .serial_path = L->sc.serial,
                           .gdb_socket = L->sc.gdb,
                           .qmp_socket = L->sc.qmp};
  struct mh_argv argv;
  if (mh_qemu_argv(&o, &argv) < 0)
    return mh_fail(e,
                   "cannot build QEMU's command line (out of memory, or a ',' in the "
                   "disk path %s, which -initrd cannot take)",
                   o.disk ? o.disk : "(none)");
  // Watch the directory before QEMU creates the log so no write goes unnoticed.
  L->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (L->inotify_fd >= 0)
    inotify_add_watch(L->inotify_fd, L->sc.dir, IN_MODIFY | IN_CREATE);
  L->start = mh_now();
  int rc = mh_proc_spawn(argv.v, L->sc.err, &L->proc, e);
  mh_argv_free(&argv);
  return rc;
}

void mh_run(const struct mh_run_spec *spec, struct mh_run_result *r) {
  memset(r, 0, sizeof *r);
  r->boot_s = -1;
  r->qemu_exit = -1;
  mh_serial_init(&r->serial, spec->expect_output, (size_t)spec->nexpect_output);
  struct live L = {.spec = spec, .r = r, .serial_fd = -1, .inotify_fd = -1};
  struct mh_err e;
  if (make_scratch(&L.sc, &e) < 0) {
    mh_run_set(r, MH_RUN_HARNESS_ERROR, "%s", e.msg);
    return;
  }
  if (launch(&L, &e) < 0) {
    mh_run_set(r, mh_proc_shutting_down() ? MH_RUN_INTERRUPTED : MH_RUN_HARNESS_ERROR, "%s", e.msg);
  } else {
    int how = supervise(&L);
    if (how != 1)
      mh_proc_kill(&L.proc);
    // A QEMU that the shutdown killed is no result; one that finished is.
    if (how == 1 && mh_proc_signal(&L.proc) && spec->stop && atomic_load(spec->stop))
      how = -1;
    r->wall_s = mh_now() - L.start;
    drain_serial(&L);
    mh_serial_finish(&r->serial, r->wall_s);
    record_events(&L);
    read_stderr(&L);
    classify(&L, how);
  }
  mh_qmp_close(L.qmp);
  if (L.serial_fd >= 0)
    close(L.serial_fd);
  if (L.inotify_fd >= 0)
    close(L.inotify_fd);
  remove_scratch(&L.sc);
}

void mh_run_result_free(struct mh_run_result *r) {
  mh_serial_free(&r->serial);
}
