// Choosing the frame a fault hits, deterministically from the fault's pick,
// and confirming it: user frames through the owner's page table and the
// frame table, other kinds through the frame table.
#ifndef MH_TARGET_H
#define MH_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "err.h"
#include "mh_introspect.h"

// Where a workload's pieces lie in its address space (from its ELF): text
// and data segments; the guard page, the stack and the heap follow the last
// segment (exec: PGROUNDUP(end), guard page, USTACKPAGES stack pages, sbrk).
struct mh_user_layout {
  uint32_t text_lo, text_hi; // executable PT_LOAD segments
  uint32_t data_lo, data_hi; // writable PT_LOAD segments, bss included
  uint32_t end;              // page-rounded end of all segments = the guard page
};

int mh_user_layout(const char *elf, struct mh_user_layout *l, struct mh_err *e);

// A stopped guest seen through RSP (physical mode on).
struct mh_guest {
  struct mh_rsp *rsp;
  struct introspect in;
  struct mh_user_layout lay;
  const char *program; // the workload's process name
};

// Not a frame-table kind: a frame of memv6sys's kernel mirror zone (the
// mirror of a kernel or page-table frame, introspect.h kmirror_pa), which
// "used" targets choose among too.
#define MH_FRAME_KMIRROR 16

struct mh_target {
  uint32_t pa;     // frame base
  int kind;        // FRAME_* as the frame table says, confirmed
  int pid;         // the workload's pid (user kinds), else 0
  uint32_t va;     // page va in the workload (user kinds), else 0
  int region;      // enum mh_fault_region of va (user kinds)
  int owner;       // frame-table owner
  uint32_t nsel;   // how many candidates the pick chose among
  uint32_t uva;    // the page's user va in its owner, mirror window included; 0: none
  char holds[128]; // what the frame held (frameinfo.h), filled by the trial
};

const char *mh_frame_kind_name(int kind);
// The kernel virtual address of the target frame's first byte: the direct
// map, or for a kernel mirror frame the kernel mirror window (memlayout.h).
uint32_t mh_target_kva(const struct introspect *in, const struct mh_target *t);
const char *mh_region_name(int region);

// Returned (with e saying so) when the workload has no live process (it
// exited or was killed, and the guest has not shut down yet) or its page
// maps a frame the kernel retired (it was killed and has not exited yet).
// Not a harness error: there is nothing left to inject into.
#define MH_TARGET_GONE 1

// Finds the workload's live process (name == program); its slot info in p.
// 0 found, MH_TARGET_GONE, -1 the tables could not be read.
int mh_guest_workload(struct mh_guest *g, struct mh_proc_info *p, struct mh_err *e);
// 0 chosen and confirmed, MH_TARGET_GONE (user kinds), -1 a harness error.
int mh_target_choose(struct mh_guest *g, enum mh_fault_kind kind, enum mh_fault_region region,
                     uint64_t pick, struct mh_target *t, struct mh_err *e);

// model rows (fault.h): the frame of row `row` of the group centred on the
// anchor frame the group's pick chose: the anchor itself, or a neighbour
// found in the frame table (kind, owner; user frames without their page,
// which frameinfo.c looks up). The rows lie in the RAM around the anchor
// ([0, 640 KiB) or [1 MiB, the top of the managed zones)). 0, or -1.
int mh_target_row(struct mh_guest *g, const struct mh_target *anchor, int rows, int row_kib,
                  int row, struct mh_target *t, struct mh_err *e);

// The native frame (or with mirror its mirror frame) of the workload's page
// at va (campaign target.page).
int mh_target_page(struct mh_guest *g, bool mirror, uint32_t va, struct mh_target *t,
                   struct mh_err *e);

// target.page of kind kernel, pgtable or kmirror: the frame at pa (a kernel
// page the trial resolved), confirmed by the frame table to be of that kind,
// or for kmirror its kernel mirror frame (memv6sys). 0, or -1.
int mh_target_kpage(struct mh_guest *g, enum mh_fault_kind kind, uint32_t pa, struct mh_target *t,
                    struct mh_err *e);

#endif
