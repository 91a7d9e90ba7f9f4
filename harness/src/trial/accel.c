#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

// A program that needs user mode, system calls and timer interrupts: exactly
// what a paravirtual KVM that only gets as far as the first serial line fails.
static bool probe(const struct mh_accel_env *env, struct mh_accel_choice *out) {
  int fd = open(env->kvm_device ? env->kvm_device : "/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    snprintf(out->reason, sizeof out->reason, "%s cannot be opened (%s)",
             env->kvm_device ? env->kvm_device : "/dev/kvm", strerror(errno));
    return false;
  }
  close(fd);
  static const char *const args[] = {"probe"};
  static const char *const want[] = {"probe"};
  struct mh_run_spec spec = {.qemu = env->qemu,
                             .kernel = env->kernel,
                             .disk = env->disk,
                             .program = "echo",
                             .args = args,
                             .nargs = 1,
                             .accel = "kvm",
                             .mem_mb = env->mem_mb,
                             .timeout_s = env->probe_timeout_s,
                             .connect_timeout_s = 2,
                             .expect_status = 0,
                             .expect_output = want,
                             .nexpect_output = 1,
                             .expect_tests = -1,
                             .stop = env->stop};
  struct mh_run_result r;
  mh_run(&spec, &r);
  out->probed = true;
  out->probe_s = r.wall_s;
  bool ok = r.status == MH_RUN_OK;
  if (ok)
    snprintf(out->reason, sizeof out->reason,
             "probe: our kernel ran `echo probe` under KVM to @exit status=0 in %.2f s", r.wall_s);
  else
    snprintf(out->reason, sizeof out->reason,
             "probe: `echo probe` under KVM did not finish: %.600s", r.reason);
  mh_run_result_free(&r);
  return ok;
}

int mh_accel_choose(enum mh_accel requested, const struct mh_accel_env *env,
                    struct mh_accel_choice *out, struct mh_err *e) {
  memset(out, 0, sizeof *out);
  if (requested == MH_ACCEL_TCG) {
    snprintf(out->used, sizeof out->used, "tcg");
    snprintf(out->reason, sizeof out->reason, "requested by the campaign");
    return 0;
  }
  bool ok = probe(env, out);
  if (ok) {
    snprintf(out->used, sizeof out->used, "kvm");
    return 0;
  }
  if (requested == MH_ACCEL_KVM)
    return mh_fail(e,
                   "the campaign asks for accel \"kvm\", but KVM cannot run our kernel here: "
                   "%s. Use \"auto\" or \"tcg\".",
                   out->reason);
  snprintf(out->used, sizeof out->used, "tcg");
  char why[sizeof out->reason];
  snprintf(why, sizeof why, "auto: fell back to TCG: %.700s", out->reason);
  snprintf(out->reason, sizeof out->reason, "%s", why);
  return 0;
}
