// Copy-on-write sharing of user frames (docs/kernel.md, "Sharing frames").
//
// fork and dedup map one frame into several places read-only, with PTE_COW
// set; the frame's refs counts the mappings. Before anyone writes such a
// page (a user store faults, the kernel calls cow_writable first) the
// writer gets its own copy, or just its write permission back when it holds
// the last mapping. In the memv6 build only the native frame is counted; its
// mirror frame (the partner) is shared with it and copied with it. Shared
// pages have no writable mirror PTE: fork leaves the child's mirror PTEs out
// and clears the parent's, and a fault on the mirror address makes them.
#ifndef COW_H
#define COW_H
#include "types.h"

// fork: maps the user pages [va, end) of from into to, shared read-only in
// both; from's mirror PTEs there are cleared, to gets none. The range lies under one page-directory
// entry, so each side's PTEs are one array. 0, or -1 when a page table could not be allocated (then
// to maps nothing new in the range).
int cow_share_range(pde_t *from, pde_t *to, uint va, uint end, int owner);

// The native PTE of user page va, writable, and its mirror PTE present and
// writable, copying shared frames for owner first. 0 if va is not a user page or its frames
// could not be copied.
pte_t *cow_writable(pde_t *pgdir, uint va, int owner);

// A user-mode page fault at addr with error code err: 1 if it was a write
// to a copy-on-write page (native or mirror address), or any access to a
// mirror page whose PTE is not made yet, and is resolved, so the
// instruction can be retried; 0 if it is a real fault.
int cow_fault(pde_t *pgdir, uint sz, uint addr, uint err, int owner);

// Flushes the TLB when pgdir is loaded (after PTEs lost PTE_W).
void cow_flush(pde_t *pgdir);

// Maps native frame npa (and so, memv6, its mirror partner) at the unmapped
// user page va read-only and copy-on-write, retaining it: a process that
// writes its text (memcheck does) gets a copy, and the frames of the holder
// (the exec image cache) are never written. The mirror PTE is made at
// first touch. 0, or -1 when a page table could not be allocated.
int pair_map_shared(pde_t *pgdir, uint va, uint npa, int owner);
#endif
