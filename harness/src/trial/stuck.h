// Stuck-at faults (model "stuck0"/"stuck1", docs/campaign.md "Fault
// models"): the bits keep their stuck value however the guest writes the
// word, until the kernel retires the frame. Write watchpoints on the word
// stop the guest after every store to it and memharness forces the bits
// again, as a cell that cannot change would. Read watchpoints on the bytes
// that hold stuck bits say whether the guest read them while they differed
// from what it had stored: the fault's activation (activation.h).
#ifndef MH_STUCK_H
#define MH_STUCK_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "activation.h"
#include "fault.h"
#include "inject.h"
#include "snapshot.h"
#include "target.h"

struct mh_stuck {
  int value;     // 0 or 1
  int reapplied; // stores to the word after which the bits were forced again
  int foreign;   // stores at the user address in other address spaces, ignored
  bool retired;  // the frame table says retired at the end of the watch
  // The stuck bits differ from what the guest last stored there (from the
  // injection on: whether forcing them changed the word), so a read of
  // them now is an activation.
  bool differs;
};

// Forces the mask bits of the word at pa to value (0 or 1), verified; the
// connection must be in physical mode. out->after == out->before when the
// cells already held that value (the fault is latent until a store of the
// other value).
int mh_inject_stuck(struct mh_rsp *r, uint32_t pa, uint64_t mask, int value, struct mh_flip *out,
                    struct mh_err *e);

// Runs the guest from the injection point, forcing the bits again after
// every store to the word, until the kernel retires its frame or the run
// ends. Returns the stop that ended it (MH_AT_USER once the frame is
// retired: the caller runs on to the end).
// act gets read (the first such read) or untouched (none before the frame
// was retired or the run ended); a store never ends the watch.
enum mh_stop_at mh_run_stuck(struct mh_session *s, const struct mh_target *t,
                             const struct mh_fault *f, int timeout_ms, struct mh_stuck *st,
                             struct mh_activation *act, struct mh_err *e);
// Whether the frame table says the frame at pa is retired; -1 on error.
int mh_frame_retired(struct mh_session *s, uint32_t pa, struct mh_err *e);

json_object *mh_stuck_json(const struct mh_stuck *st);

#endif
