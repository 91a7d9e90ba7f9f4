// One run end to end against the fake QEMU: outcomes, timeouts, reaping,
// QMP lifecycle events, and the accelerator probe's fallback.
#include "cm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "run.h"

static char dir[32], kernel_native[128], kernel_memv6[128], launches[128];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-run-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(kernel_native, sizeof kernel_native, "%s/kernel-native.elf", dir);
  snprintf(kernel_memv6, sizeof kernel_memv6, "%s/kernel-memv6.elf", dir);
  snprintf(launches, sizeof launches, "%s/launches", dir);
  fclose(fopen(kernel_native, "w"));
  fclose(fopen(kernel_memv6, "w"));
  setenv("FAKE_QEMU_LOG", launches, 1);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return mh_test_rm_tree(dir);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct mh_run_spec spec_for(const char *program, const char *const *args, int nargs) {
  struct mh_run_spec s = {.qemu = FAKE_QEMU,
                          .kernel = kernel_native,
                          .program = program,
                          .args = args,
                          .nargs = nargs,
                          .accel = "tcg",
                          .timeout_s = 10,
                          .connect_timeout_s = 2,
                          .expect_tests = -1};
  return s;
}

// The pid of the last fake QEMU started, from its launch log.
static pid_t last_launch(void) {
  FILE *f = fopen(launches, "r");
  assert_non_null(f);
  int pid = 0, p;
  char rest[512];
  while (fscanf(f, "%d %511[^\n]", &p, rest) == 2)
    pid = p;
  fclose(f);
  return pid;
}

static void usertests_run_is_ok_with_every_test(void **state) {
  (void)state;
  static const char *const args[] = {"forktest", "sbrkbasic"};
  static const char *const want[] = {"@usertests passed=2 failed=0"};
  struct mh_run_spec s = spec_for("usertests", args, 2);
  s.kernel = kernel_memv6;
  s.icount = true;
  s.expect_tests = 2;
  s.expect_output = want;
  s.nexpect_output = 1;
  struct mh_run_result r;
  mh_run(&s, &r);
  assert_string_equal(mh_run_status_name(r.status), "ok");
  assert_int_equal(r.qemu_exit, 1);
  assert_true(r.guest_exited);
  assert_int_equal(r.guest_status, 0);
  assert_string_equal(r.serial.boot_variant, "memv6");
  assert_int_equal(r.serial.ntests, 2);
  assert_string_equal(r.serial.tests[1].name, "sbrkbasic");
  assert_true(r.boot_s >= 0 && r.boot_s <= r.wall_s);
  mh_run_result_free(&r);
}

static void unmet_expectations_fail_with_a_reason(void **state) {
  (void)state;
  struct mh_run_result r;
  struct mh_run_spec s = spec_for("fail", NULL, 0);
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_FAIL);
  assert_non_null(strstr(r.reason, "exit status 1, expected 0"));
  mh_run_result_free(&r);

  static const char *const args[] = {"a"};
  s = spec_for("usertests", args, 1);
  s.expect_tests = 3;
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_FAIL);
  assert_non_null(strstr(r.reason, "1 @test lines, expected 3"));
  mh_run_result_free(&r);

  s = spec_for("garbage", NULL, 0);
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_FAIL);
  assert_non_null(strstr(r.reason, "broke the protocol"));
  mh_run_result_free(&r);
}

static void a_guest_that_never_shuts_down_is_a_crash(void **state) {
  (void)state;
  struct mh_run_result r;
  struct mh_run_spec s = spec_for("crash", NULL, 0);
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_CRASH);
  assert_int_equal(r.qemu_exit, 0);
  assert_non_null(strstr(r.events, "SHUTDOWN:guest-reset"));
  assert_non_null(strstr(r.reason, "never reached shutdown"));
  mh_run_result_free(&r);
}

static void a_hang_is_killed_at_the_timeout_and_reaped(void **state) {
  (void)state;
  struct mh_run_result r;
  struct mh_run_spec s = spec_for("hang", NULL, 0);
  s.timeout_s = 1;
  double t0 = now();
  mh_run(&s, &r);
  double el = now() - t0;
  assert_int_equal(r.status, MH_RUN_TIMEOUT);
  assert_true(el >= 1 && el < 3);
  assert_non_null(strstr(r.reason, "@boot variant=native")); // the last serial line
  pid_t pid = last_launch();
  assert_true(pid > 0);
  assert_int_equal(kill(pid, 0), -1); // gone, and reaped (not a zombie we own)
  assert_int_equal(errno, ESRCH);
  mh_run_result_free(&r);
}

static void the_stop_flag_interrupts_a_run(void **state) {
  (void)state;
  atomic_bool stop = true;
  struct mh_run_result r;
  struct mh_run_spec s = spec_for("hang", NULL, 0);
  s.stop = &stop;
  double t0 = now();
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_INTERRUPTED);
  assert_true(now() - t0 < 1);
  mh_run_result_free(&r);
}

static void qemu_failures_are_harness_errors_that_say_why(void **state) {
  (void)state;
  struct mh_run_result r;
  struct mh_run_spec s = spec_for("usertests", NULL, 0);
  s.kernel = "/nonexistent/kernel.elf";
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_HARNESS_ERROR);
  assert_non_null(strstr(r.reason, "could not load kernel"));
  mh_run_result_free(&r);

  s = spec_for("usertests", NULL, 0);
  s.qemu = "/nonexistent/qemu-system-i386";
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_HARNESS_ERROR);
  assert_non_null(strstr(r.reason, "cannot run /nonexistent/qemu-system-i386"));
  mh_run_result_free(&r);
}

static void auto_accel_falls_back_quickly_when_kvm_cannot_run_the_kernel(void **state) {
  (void)state;
  struct mh_accel_env env = {.qemu = FAKE_QEMU,
                             .kernel = kernel_native,
                             .kvm_device = "/dev/null", // opens, like a paravirtual /dev/kvm
                             .probe_timeout_s = 20};
  struct mh_accel_choice c;
  struct mh_err e;
  double t0 = now();
  assert_int_equal(mh_accel_choose(MH_ACCEL_AUTO, &env, &c, &e), 0);
  assert_true(now() - t0 < 5); // the STOP event, not the 20 s timeout, ended it
  assert_string_equal(c.used, "tcg");
  assert_true(c.probed);
  assert_non_null(strstr(c.reason, "fell back to TCG"));
  assert_non_null(strstr(c.reason, "internal-error"));

  assert_int_equal(mh_accel_choose(MH_ACCEL_KVM, &env, &c, &e), -1);
  assert_non_null(strstr(e.msg, "KVM cannot run our kernel"));

  env.kvm_device = "/nonexistent/kvm";
  assert_int_equal(mh_accel_choose(MH_ACCEL_AUTO, &env, &c, &e), 0);
  assert_string_equal(c.used, "tcg");
  assert_non_null(strstr(c.reason, "/nonexistent/kvm cannot be opened"));

  assert_int_equal(mh_accel_choose(MH_ACCEL_TCG, &env, &c, &e), 0);
  assert_false(c.probed);
}

static void kvm_echo_probe_passes_when_kvm_works(void **state) {
  (void)state;
  // Under TCG the fake runs echo normally: the same probe path, succeeding.
  static const char *const args[] = {"probe"};
  struct mh_run_spec s = spec_for("echo", args, 1);
  static const char *const want[] = {"probe"};
  s.expect_output = want;
  s.nexpect_output = 1;
  struct mh_run_result r;
  mh_run(&s, &r);
  assert_int_equal(r.status, MH_RUN_OK);
  mh_run_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(usertests_run_is_ok_with_every_test),
      cmocka_unit_test(unmet_expectations_fail_with_a_reason),
      cmocka_unit_test(a_guest_that_never_shuts_down_is_a_crash),
      cmocka_unit_test(a_hang_is_killed_at_the_timeout_and_reaped),
      cmocka_unit_test(the_stop_flag_interrupts_a_run),
      cmocka_unit_test(qemu_failures_are_harness_errors_that_say_why),
      cmocka_unit_test(auto_accel_falls_back_quickly_when_kvm_cannot_run_the_kernel),
      cmocka_unit_test(kvm_echo_probe_passes_when_kvm_works),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
