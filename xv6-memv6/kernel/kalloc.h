// Physical frames: allocation and the frame table.
//
// Every 4 KiB frame of [0, PHYSTOP) has an entry in the frame table: its kind
// (FRAME_* in introspect.h), a reference count and its owner. The table is
// what the harness reads to pick fault targets and what machine-check
// recovery consults; later issues add mirror partners and copy-on-write.
#ifndef KALLOC_H
#define KALLOC_H
#include "types.h"

struct frame {
  uchar kind; // FRAME_*
  uchar pad;
  ushort refs;  // page-table mappings (user frames), or 1
  uint partner; // memv6: frame number of the mirror/native partner, else 0
  int owner;    // pid of the owning process, 0 for the kernel or none
};

extern struct frame frames[];

void kalloc_init(void);                 // called once, after paging is on
void *kalloc(void);                     // a zero-filled frame (kernel va) or 0
void *kalloc_kind(int kind, int owner); // the same, recording kind/owner
void kfree(void *va);                   // drop a frame back on the free list
uint free_frames(void);                 // count of free frames
struct frame *frame_of(uint pa);        // table entry for a physical address
#endif
