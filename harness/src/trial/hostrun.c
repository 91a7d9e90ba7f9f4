#include "hostrun.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

int mh_hostrun_program(const char *build, const char *arch, const char *variant,
                       const char *program, char *out, size_t cap, struct mh_err *e) {
  if (snprintf(out, cap, "%s/linux/%s-%s/%s", build, arch, variant, program) >= (int)cap)
    return mh_fail(e, "%s: path too long", build);
  if (access(out, X_OK) == 0)
    return 0;
  bool x64 = strcmp(arch, "x86_64") == 0;
  return mh_fail(
      e,
      "%s not found: timing \"%s\" runs the program as %s Linux process, built in "
      "linux/ (docs/linux.md) for the compute suite and benchall%s; build it (cmake "
      "--build %s --target %s_%s) or time this workload with icount",
      out, x64 ? "host64" : "host", x64 ? "an x86-64" : "a 32-bit",
      x64 ? " on an x86-64 host (its mirrored build once the translator has x86-64)" : "", build,
      x64 ? (strcmp(variant, "native") == 0 ? "lx64" : "lxm64")
          : (strcmp(variant, "native") == 0 ? "lx" : "lxm"),
      program);
}

static void feed_file(struct mh_run_result *r, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    mh_serial_feed(&r->serial, buf, n, r->wall_s);
  fclose(f);
  mh_serial_finish(&r->serial, r->wall_s);
}

// Waits for the exit, the deadline or the stop flag: 1 exited, 0 timeout, -1 stop.
static int supervise(const struct mh_run_spec *spec, struct mh_proc *p, double start) {
  for (;;) {
    int w = mh_proc_wait(p, 50);
    if (w != 0)
      return w > 0 ? 1 : 0;
    if (spec->stop && atomic_load(spec->stop))
      return -1;
    if (mh_now() - start >= spec->timeout_s)
      return 0;
  }
}

static void classify(const struct mh_run_spec *spec, struct mh_run_result *r,
                     const struct mh_proc *p, int how) {
  int sig = mh_proc_signal(p);
  if (how < 0 || (sig && spec->stop && atomic_load(spec->stop))) {
    mh_run_set(r, MH_RUN_INTERRUPTED, "the harness was interrupted");
  } else if (how == 0) {
    mh_run_set(
        r, MH_RUN_TIMEOUT,
        "no exit within %.0f s (killed; raise $.timeouts.run_s if the workload needs longer)",
        spec->timeout_s);
  } else if (sig) {
    mh_run_set(r, MH_RUN_CRASH, "the program died of signal %d", sig);
  } else {
    r->guest_exited = true;
    r->guest_status = mh_proc_exit_code(p);
    mh_run_judge_output(spec, r, r->guest_status);
  }
}

void mh_hostrun(const struct mh_run_spec *spec, struct mh_run_result *r) {
  memset(r, 0, sizeof *r);
  r->boot_s = -1;
  r->qemu_exit = -1; // no QEMU in a host run
  mh_serial_init(&r->serial, spec->expect_output, (size_t)spec->nexpect_output);
  char out[64];
  snprintf(out, sizeof out, "/tmp/memharness-host-%d-XXXXXX", (int)getpid());
  int fd = mkstemp(out);
  if (fd < 0) {
    mh_run_set(r, MH_RUN_HARNESS_ERROR, "cannot create an output file in /tmp");
    return;
  }
  close(fd);
  char **argv = calloc((size_t)spec->nargs + 2, sizeof *argv);
  struct mh_proc p;
  struct mh_err e;
  double start = mh_now();
  if (!argv) {
    mh_run_set(r, MH_RUN_HARNESS_ERROR, "out of memory");
  } else {
    argv[0] = (char *)spec->program;
    for (int i = 0; i < spec->nargs; i++)
      argv[i + 1] = (char *)spec->args[i];
    if (mh_proc_spawn(argv, out, &p, &e) < 0) {
      mh_run_set(r, mh_proc_shutting_down() ? MH_RUN_INTERRUPTED : MH_RUN_HARNESS_ERROR, "%s",
                 e.msg);
    } else {
      int how = supervise(spec, &p, start);
      if (how != 1)
        mh_proc_kill(&p);
      r->wall_s = mh_now() - start;
      feed_file(r, out);
      classify(spec, r, &p, how);
    }
  }
  free(argv);
  unlink(out);
}

// The probe opens a user-space instruction counter on the harness itself:
// what a run's counters would need. Refused where the kernel forbids it
// (perf_event_paranoid) or the machine shows no PMU (most VMs: ENOENT).
json_object *mh_hostrun_counters_json(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_HARDWARE;
  a.config = PERF_COUNT_HW_INSTRUCTIONS;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  int err = errno;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "available", json_object_new_boolean(fd >= 0));
  char paranoid[16] = "unknown";
  FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
  if (f) {
    if (!fgets(paranoid, sizeof paranoid, f))
      snprintf(paranoid, sizeof paranoid, "unreadable");
    paranoid[strcspn(paranoid, "\n")] = 0;
    fclose(f);
  }
  char why[256];
  if (fd >= 0) {
    close((int)fd);
    snprintf(why, sizeof why,
             "perf_event_open(instructions) allowed (perf_event_paranoid %s); the host timings "
             "are CPU time, counters are not read yet",
             paranoid);
  } else {
    snprintf(why, sizeof why,
             "perf_event_open(instructions) refused: %s (perf_event_paranoid %s%s)", strerror(err),
             paranoid, err == ENOENT ? "; no hardware PMU visible, as in most VMs" : "");
  }
  json_object_object_add(o, "reason", json_object_new_string(why));
  return o;
}
