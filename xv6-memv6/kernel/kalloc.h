// Physical frames: allocation and the frame table.
//
// Every 4 KiB frame of [0, PHYSTOP) has an entry in the frame table: its kind
// (FRAME_* in introspect.h), a reference count and its owner. The table is
// what the harness reads to pick fault targets and what machine-check
// recovery consults; later issues add mirror partners and copy-on-write.
//
// Free frames live in zones, each a list linked through the frame table.
// The normal zone serves the kernel, page tables and native user pages; in
// the memv6 build the mirror zone [MIRROR_ZONE_BASE, PHYSTOP) is kept apart
// for mirror frames only.
#ifndef KALLOC_H
#define KALLOC_H
#include "types.h"
#include "introspect.h"

struct frame {
  uchar kind;   // FRAME_*
  uchar scan;   // dedup: the frame is in the running scan's table
  ushort refs;  // native PTEs mapping it (native user frames), or 1
  uint partner; // memv6: frame number of the mirror/native partner, else 0
  int owner;    // pid of the owning process, 0 for the kernel or none
  // Free frames: the frame number of the next free frame of the zone (0 ends
  // the list). The list lives here, not in the free pages, so RAM the kernel
  // never used stays all zero (QEMU's snapshots skip zero pages).
  uint next_free;
};

extern struct frame frames[];
#define NFRAMES (PHYSTOP / 4096)

#define ZONE_NORMAL 0
#define ZONE_MIRROR 1 // empty in the native build
#define NZONES 2

void kalloc_init(void);                 // called once, after boot_read_info()
void *kalloc(void);                     // a zero-filled kernel frame (kernel va) or 0
void *kalloc_kind(int kind, int owner); // the same, recording kind/owner
void *kalloc_zone(int zone, int kind, int owner);
// Like kalloc_zone but not zeroed: for frames the caller overwrites whole.
void *kalloc_zone_raw(int zone, int kind, int owner);
// A zero-filled kernel stack of KSTACKSIZE. memv6sys keeps a stack's mirror
// itself (kmirror.h, kmirror_unmirrored), so it zeroes the native copy only.
// A zero-filled page directory whose kernel half the caller fills at once,
// in both copies (uvm_create): memv6sys leaves that half's mirror alone.
#ifdef MEMV6SYS
void *kalloc_stack(int owner);
void *kalloc_pgdir(int owner);
#else
static inline void *kalloc_stack(int owner) {
  return kalloc_kind(FRAME_KERNEL, owner);
}
static inline void *kalloc_pgdir(int owner) {
  return kalloc_kind(FRAME_PGTABLE, owner);
}
#endif
void kfree(void *va); // drop a frame back on its zone's free list
#ifdef MEMV6SYS
// kfree of a page table whose kernel mirror its last user left zero, as
// kmirror_free_zeroed says (zero, for kmirror_mark_zero): kalloc_zone hands
// such frames out first as kernel and page-table frames.
void kfree_zeroed(void *va, int zero);
#endif
// User frames are shared (copy-on-write fork, dedup): refs counts the PTEs
// that map one. A frame is freed when its last mapping is released. memv6:
// a mirror frame is not counted (refs 1); it is freed with its native
// partner, and releasing it on its own is a bug.
#define FRAME_MAX_REFS 0xffff // refs is a ushort
int frame_retain(uint pa);    // 0, or -1 for a retired frame (it takes no new mappings)
int frame_release(uint pa);   // 1 if that freed the frame
// Machine-check recovery: the frame is FRAME_POISONED for good, never handed
// out again, counted as retired in its zone. refs: the mappings it still
// has (they are released one by one as their address spaces go; a free
// frame has none). A free frame stops counting as free.
void frame_retire(uint pa, uint refs);
uint zone_retired_frames(int zone);             // frames retired so far in a zone
uint free_frames(void);                         // free frames in the normal zone
uint zone_free_frames(int zone);                // free frames in a zone
struct frame *frame_of(uint pa);                // table entry for a physical address
void zone_bounds(int zone, uint *lo, uint *hi); // physical [lo, hi)
#endif
