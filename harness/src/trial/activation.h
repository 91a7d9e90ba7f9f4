// Activation of a silent fault (trap: none): after the flip, GDB
// watchpoints on the bytes that hold flipped bits tell whether the guest
// read them before it overwrote them or the run ended (docs/campaign.md,
// "Activation"). A benign trial whose fault was read was masked; one whose
// fault was never read was not activated.
#ifndef MH_ACTIVATION_H
#define MH_ACTIVATION_H

#include <stdint.h>

#include <json-c/json.h>

#include "fault.h"
#include "snapshot.h"
#include "target.h"

enum mh_act_state {
  MH_ACT_UNKNOWN,     // not watched (trap mce, or nothing injected)
  MH_ACT_READ,        // an instruction read a flipped byte: activated
  MH_ACT_OVERWRITTEN, // a store replaced the flipped bytes first: not activated
  MH_ACT_UNTOUCHED,   // neither before the run ended: not activated
};
const char *mh_act_name(enum mh_act_state s);

struct mh_activation {
  enum mh_act_state state;
  uint32_t eip;  // the accessing instruction's successor (QEMU stops after it)
  uint32_t addr; // the virtual address the stub reported
  char at[128];  // eip as function+offset
  int foreign;   // hits of the user watchpoint in other address spaces, ignored
};

// Runs the guest from the injection point until the first access to the
// flipped bytes of fault f in frame t (or the end), with watchpoints on
// the kernel's direct map of the bytes and, for a user frame, on the user
// address its owner maps it at. Leaves the watchpoints removed. Returns
// the stop that ended the watch (MH_AT_USER after an access: the caller
// runs on to the end); a with what happened.
enum mh_stop_at mh_run_watched(struct mh_session *s, const struct mh_target *t,
                               const struct mh_fault *f, int timeout_ms, struct mh_activation *a,
                               struct mh_err *e);

// The bytes of a word that hold the bits of mask: [*lo, *lo + *len).
void mh_act_span(uint64_t mask, uint32_t *lo, uint32_t *len);
// Records where the guest stopped (eip, function+offset) in a.
void mh_act_where(struct mh_session *s, struct mh_activation *a);

// Whether the address space the guest runs in maps uva to pa (a watchpoint
// at a user address fires in every process that uses the address): 1 yes,
// 0 no, -1 error.
int mh_watch_ours(struct mh_session *s, uint32_t uva, uint32_t pa, struct mh_err *e);

json_object *mh_activation_json(const struct mh_activation *a);

#endif
