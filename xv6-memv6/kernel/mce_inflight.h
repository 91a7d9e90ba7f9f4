// Recovery of a machine check that interrupted a mirrored write in user
// code, through the program's .mirror_pairs table (docs/memv6.md, "A machine
// check inside a mirrored write").
#ifndef MCE_INFLIGHT_H
#define MCE_INFLIGHT_H
#include "types.h"
#include "mce.h"

// After recovery replaced the frames of one machine check (ev[0..n)): every
// process whose user code was cut inside a mirrored write sequence (its
// last user trap frame, p->tf, points into its table) is rolled back or
// forward. Runs at recovery's safe point, so every process's user context
// is in its trap frame.
void mce_inflight(const struct mce_event *ev, int n);

// memv6sys: the same for kernel code that the trap with frame tf (from
// ring 0) cut, through the kernel's own table (kmirror_inflight).
struct trapframe;
void mce_inflight_ring0(struct trapframe *tf, const struct mce_event *ev, int n);
#endif
