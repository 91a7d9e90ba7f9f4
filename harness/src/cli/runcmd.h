// `memharness run`: a campaign from file to results document.
#ifndef MH_RUNCMD_H
#define MH_RUNCMD_H

#include <stdbool.h>

#include "shard.h"

struct mh_run_opts {
  const char *campaign;
  const char *output; // NULL: results/<campaign name>.json
  int jobs;           // 0: the campaign's
  int trials;         // 0: the campaign's $.faults.trials (--trials N)
  bool resume;
  bool fresh;             // start over even if an interrupted result exists
  const char *qemu;       // NULL: the QEMU found at configure time
  const char *build_dir;  // NULL: the campaign's build_dir, else this build
  const char *kvm_device; // NULL: /dev/kvm
  struct mh_shard shard;  // n == 0: not sharded (--shard K/N, fault campaigns only)
};

// Returns a process exit code (enum mh_exit).
int mh_cmd_run(const struct mh_run_opts *o);

#endif
