// Machine-check recovery (design.md §3.1, docs/memv6.md). mce_init and
// mce_trap (the #MC handler) are declared in trap.h; this is the part the
// self-test system call shares with the handler.
#ifndef MCE_H
#define MCE_H
#include "types.h"

// What one error became; printed as one @mce line.
struct mce_event {
  uint pa;            // the failing frame
  const char *kind;   // native, mirror, kernel, pgtable, kmirror, mce_self, free, poisoned,
                      // unmanaged
  int pid;            // the process whose memory it was, 0 for none
  uint va;            // the user page it backed, 0 if not a user page
  const char *action; // recovered, repaired_mirror, killed, panic, ignored
  uint newpa;         // the frame that replaced it, 0 if none
  // memv6sys: the kernel frame one of whose copies recovery rewrote in
  // place from the other (kind kernel, pgtable or mce_self: the native
  // copy from the mirror; kmirror: the mirror from native), else 0.
  uint kpa;
};

// Handles an uncorrected error in the frame at pa, at a safe point (mce.c):
// no spinlock held, no frame or page table in the middle of a change.
void mce_recover(uint pa, struct mce_event *ev);

// Queues a machine check on the frame at pa as the #MC handler does (the
// self-tests raise one this way); -1 when the queue is full.
int mce_queue(uint pa);

// Recovers every queued machine check, printing its @mce lines, then calls
// mce_done once per check. Only at a safe point: interrupts were on.
void mce_run(void);
#ifdef MEMV6SYS
// The same, at the running process's crossing back to user mode (the end
// of a trap from user mode), where none of its kernel code is under way:
// its page directory and page tables may move to fresh frames there
// (kmirror_retire, docs/memv6.md "Retired or repaired in place").
void mce_run_user(void);
#endif

// Checks queued and not yet recovered: intr_on_pop and trap_dispatch test
// it before they let interrupts on again.
extern volatile uint mce_queued;

// Whether a machine check on the frame at pa is queued: a path that copied
// the frame's bytes meanwhile takes them from the mirror instead.
int mce_pending(uint pa);

// The end of one handled machine check, for the harness (a breakpoint).
void mce_done(void);

// MCETEST_FORK (sysmem.c): in fork, sharing pages [va, va + pages*PGSIZE):
// 0, or how many pages to share before mce_fork_test_fire raises the
// test's machine check on the frame of the last one shared (pte).
uint mce_fork_test_at(uint va, uint pages);
void mce_fork_test_fire(pte_t pte);

// mcetest modes (system call 27).
#define MCETEST_NATIVE 0 // flip the bit in the native frame, then recover it
#define MCETEST_MIRROR 1 // flip it in the mirror frame, then repair that
#define MCETEST_FLIP 2   // flip it in the native frame only (silent corruption)
#define MCETEST_FORK                                                                               \
  3 // the caller's next fork: flip it and raise a #MC while fork is sharing (test)
// memv6sys: flip bit `bit` of a kernel frame the caller uses (va names
// which, MCETEST_K*), in its native copy or in its kernel mirror, and
// raise a machine check on that frame.
#define MCETEST_KERNEL 4
#define MCETEST_KMIRROR 5
// memv6sys: like MCETEST_KERNEL, but the check is recovered where one that
// came while the caller ran user code is: at its return to user mode (the
// flip and the check happen with interrupts off, which the return turns on).
#define MCETEST_KRETURN 6
// memv6sys: nothing flipped; returns the physical address of the target's
// frame (tests see a retired frame replaced).
#define MCETEST_KFRAME 7
#define MCETEST_KDATA 0   // the caller's proc entry (its size field)
#define MCETEST_KSTACK 1  // the caller's kernel stack (its trap frame's eip)
#define MCETEST_KPGDIR 2  // the caller's page directory (the entry for va 0)
#define MCETEST_KPGTAB 3  // the caller's page table (the entry for its stack page)
#define MCETEST_KTEXT 4   // kernel text (the first byte of the getpid call)
#define MCETEST_KKPGDIR 5 // the kernel's page directory (its first kernel entry)
#define MCETEST_KKTABLE 6 // a kernel page table (the direct map's entry of the caller's page 0)
#endif
