// Fault campaigns (`memharness run` with a $.faults section) and
// `memharness replay`: golden run, the trial loop over long-lived QEMUs,
// trial records written atomically, resume, and the outcome table.
#ifndef MH_CAMPAIGN_FAULTS_H
#define MH_CAMPAIGN_FAULTS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "campaign.h"
#include "shard.h"

struct mh_faults_env {
  const char *campaign_path, *output, *qemu, *qemu_version, *sha;
  bool resume, fresh;
  int jobs; // 0: the campaign's
  const struct mh_campaign *c;
  const char *kernel[MH_MAX_VARIANTS], *disk[MH_MAX_VARIANTS]; // by enum mh_variant
  const char *build; // the build's directory: linux-* variants' programs (lxtrial.h)
  atomic_bool *stop;
  struct mh_shard shard; // {0, 0} or {0, 1}: the whole campaign (shard.h)
};

// faults.summary.<variant> of a results document from its trial records
// (outcomes, restore_ms, recovery_cycles); merge.c rebuilds it the same way.
json_object *mh_faults_variant_summary(json_object *trials, const char *variant);
// Returns a process exit code (enum mh_exit).
int mh_faults_cmd(const struct mh_faults_env *env);
// `memharness replay RESULTS.json TRIAL`: 0 when the outcome is the recorded
// one, 1 when it differs, 2 usage, 4 environment.
int mh_cmd_replay(int argc, char **argv);

#endif
