// Choosing the accelerator (design §6, §8): KVM only when our own kernel
// finishes a short program under it; otherwise TCG, with the reason recorded.
#ifndef MH_ACCEL_H
#define MH_ACCEL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "campaign.h"
#include "err.h"

struct mh_accel_env {
  const char *qemu, *kernel, *disk;
  unsigned mem_mb;        // the kernel's guest RAM (0: the default)
  const char *kvm_device; // normally /dev/kvm; tests point it elsewhere
  double probe_timeout_s;
  const atomic_bool *stop;
};

struct mh_accel_choice {
  char used[8]; // "tcg" or "kvm"
  char reason[768];
  bool probed;
  double probe_s; // how long the probe took
};

// tcg: no probe. kvm: probe, and fail (-1, e) when KVM does not work.
// auto: probe, fall back to TCG with the reason.
int mh_accel_choose(enum mh_accel requested, const struct mh_accel_env *env,
                    struct mh_accel_choice *out, struct mh_err *e);

#endif
