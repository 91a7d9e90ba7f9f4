// How a fault session on the real kernel tells a guest that ended QEMU
// (a triple fault under -no-reboot: the trial's result) from QEMU failing
// the harness (killed, stopped, silent: the session is broken and the trial
// runs again), and how fast (docs/campaign.md "How sessions fail and are
// retried").
#include "cm.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "mh_config.h"
#include "rsp.h"
#include "snapshot.h"
#include "util.h"

static void start(struct mh_session *s) {
  struct mh_session_opts o = {.qemu = MH_QEMU_DEFAULT,
                              .kernel = KERNEL_DIR "/kernel-native.elf",
                              .disk = KERNEL_DIR "/fs-native.img",
                              .workload_elf = KERNEL_DIR "/user-native/memsum",
                              .program = "memsum",
                              .cmdline = "memsum 1 4",
                              .icount = true,
                              .mem_mb = 48,
                              .snapshot = true,
                              .timeout_s = 60,
                              .connect_timeout_s = 30,
                              .control_timeout_s = 5};
  struct mh_err e;
  if (mh_session_start(s, &o, &e) < 0)
    fail_msg("session start: %s", e.msg);
}

static bool pid_exists(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", (int)pid);
  return access(path, F_OK) == 0;
}

// Stops the session and checks that its QEMU is gone (killed and reaped).
static void stop_and_check_reaped(struct mh_session *s) {
  pid_t pid = s->proc.pid;
  double t0 = mh_now();
  mh_session_stop(s);
  double took = mh_now() - t0;
  printf("stop: %.3f s, pid %d %s\n", took, (int)pid, pid_exists(pid) ? "still exists" : "gone");
  assert_false(pid_exists(pid));
  assert_true(took < 3.0);
}

// The guest wrecks its own interrupt table: the next interrupt triple
// faults, QEMU (-no-reboot) exits 0. A result (panic), not a QEMU failure.
static void guest_triple_fault_is_not_broken(void **state) {
  (void)state;
  struct mh_session s;
  start(&s);
  uint64_t idt;
  struct mh_err e;
  if (mh_elf_symbol(KERNEL_DIR "/kernel-native.elf", "idt", &idt, NULL, &e) < 0)
    fail_msg("%s", e.msg);
  static const uint8_t zero[256 * 8];
  // The session leaves the gdbstub in physical mode.
  assert_int_equal(mh_rsp_write_memory(s.rsp, idt - s.guest.in.kernbase, zero, sizeof zero), 0);
  enum mh_stop_at at = mh_session_run(&s, 30000, &e);
  printf("after the triple fault: stop %d, broken %d (%s), exit code %d\n", at, s.broken, s.why,
         mh_proc_exit_code(&s.proc));
  assert_int_equal(at, MH_AT_DEAD);
  assert_false(s.alive);
  assert_false(mh_session_broken(&s));
  assert_int_equal(mh_proc_exit_code(&s.proc), 0);
  stop_and_check_reaped(&s);
}

// A QEMU stopped while the guest runs is noticed within a watch slice or
// two, not at the 30 s the run may last.
static void stopped_qemu_is_noticed_while_the_guest_runs(void **state) {
  (void)state;
  struct mh_session s;
  start(&s);
  kill(s.proc.pid, SIGSTOP);
  struct mh_err e;
  double t0 = mh_now();
  enum mh_stop_at at = mh_session_run(&s, 30000, &e);
  double took = mh_now() - t0;
  printf("stopped during a run: stop %d after %.3f s: %s\n", at, took, s.why);
  assert_int_equal(at, MH_AT_DEAD);
  assert_true(took < 1.5);
  assert_true(mh_session_broken(&s));
  assert_non_null(strstr(s.why, "stopped"));
  stop_and_check_reaped(&s);
}

// loadvm on a stopped QEMU (a QEMU that hangs in loadvm) fails within a
// watch slice or two; on a killed one at once. Either breaks the session.
static void restore_fails_fast_on_stopped_or_killed_qemu(void **state) {
  (void)state;
  for (int sig = 0; sig < 2; sig++) {
    struct mh_session s;
    start(&s);
    double cost;
    struct mh_err e;
    assert_int_equal(mh_session_restore(&s, &cost, &e), 0);
    assert_false(mh_session_broken(&s));
    kill(s.proc.pid, sig ? SIGKILL : SIGSTOP);
    double t0 = mh_now();
    int rc = mh_session_restore(&s, &cost, &e);
    double took = mh_now() - t0;
    printf("loadvm after %s: rc %d after %.3f s: %s\n", sig ? "SIGKILL" : "SIGSTOP", rc, took,
           s.why);
    assert_int_equal(rc, -1);
    assert_true(took < 1.5);
    assert_true(mh_session_broken(&s));
    stop_and_check_reaped(&s);
  }
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(guest_triple_fault_is_not_broken),
      cmocka_unit_test(stopped_qemu_is_noticed_while_the_guest_runs),
      cmocka_unit_test(restore_fails_fast_on_stopped_or_killed_qemu),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
