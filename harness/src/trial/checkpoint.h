// Checkpoints: snapshots of a fault session at hits of the campaign's
// breakpoint, so that a trial injecting at hit h restores the nearest
// checkpoint at or before h instead of running there from main().
//
// Why it is the same trial: under icount the guest is deterministic, so the
// state at hit h does not depend on whether the run stopped, was saved or
// restored on the way (`memharness replay` runs from main() and must agree).
// Why it pays: while a breakpoint is inserted, TCG runs every instruction of
// its page as a block of its own, and a small workload's hot loop shares
// the page with the breakpoint symbol; the run to hit h is most of a trial.
#ifndef MH_CHECKPOINT_H
#define MH_CHECKPOINT_H

#include <stdint.h>

#include "err.h"
#include "snapshot.h"

// From the snapshot at main(): runs to the hits [lo, hi] of the breakpoint
// at bp and saves up to max of them (all when they fit, else evenly spread,
// lo always). Records them in s->ck_hit. The guest is left somewhere past
// main(); restore before a trial.
int mh_session_checkpoints(struct mh_session *s, uint64_t bp, int64_t lo, int64_t hi, int max,
                           struct mh_err *e);
// Restores the last checkpoint at or before hit (main() when none):
// *from_hit gets its hit (0 for main()), *cost_s the loadvm's duration.
int mh_session_restore_at(struct mh_session *s, int64_t hit, int *from_hit, double *cost_s,
                          struct mh_err *e);

#endif
