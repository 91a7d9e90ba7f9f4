// Machine-check recovery (DESIGN.md §3.1, docs/memv6.md). mce_init and
// mce_trap (the #MC handler) are declared in trap.h; this is the part the
// self-test system call shares with the handler.
#ifndef MCE_H
#define MCE_H
#include "types.h"

// What one error became; printed as one @mce line.
struct mce_event {
  uint pa;            // the failing frame
  const char *kind;   // native, mirror, kernel, pgtable, free, poisoned, unmanaged
  int pid;            // the process whose memory it was, 0 for none
  uint va;            // the user page it backed, 0 if not a user page
  const char *action; // recovered, repaired_mirror, killed, panic, ignored
  uint newpa;         // the frame that replaced it, 0 if none
};

// Handles an uncorrected error in the frame at pa. may_lock: the
// interrupted code held no spinlock (interrupts were on), so locks may be
// taken; otherwise only lock-free steps are used.
void mce_recover(uint pa, int may_lock, struct mce_event *ev);

// Prints ev's @mce line (now, or at the next trap that may take locks).
void mce_report(const struct mce_event *ev, uint cycles, int may_lock);

// Prints @mce lines deferred by a handler that could not take the console
// lock. trap_dispatch calls it when the trapped code held no lock.
void mce_flush(void);

// mcetest modes (system call 27).
#define MCETEST_NATIVE 0 // flip the bit in the native frame, then recover it
#define MCETEST_MIRROR 1 // flip it in the mirror frame, then repair that
#define MCETEST_FLIP 2   // flip it in the native frame only (silent corruption)
#endif
