// What a frame held when a fault hit it, in words a reader of a trial
// record understands (docs/results.md, "holds"): the kernel symbol of a
// kernel-image word, the process and region of a user frame, with the
// symbol for text and data from the program's ELF.
#ifndef MH_FRAMEINFO_H
#define MH_FRAMEINFO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "target.h"

// The region (enum mh_fault_region; MH_FR_ANY: none) of a user va.
int mh_region_of(const struct mh_user_layout *l, uint32_t va);

// Describes the frame of t at word (8-byte index) into out:
//   kernel:SYMBOL+0xOFF   a word of the kernel image (kernel_elf's symbols)
//   kernel:low-memory     below the kernel image (BIOS, boot)
//   kernel:fs-image       the file-system image QEMU loaded (RAM disk)
//   kernel:kstack:NAME    the kernel stack of process NAME
//   kernel:kalloc         another frame the kernel allocated for itself
//   NAME:pgtable, kernel:pgtable   a page directory or table (owner's)
//   NAME:REGION[:SYMBOL+0xOFF]     a user frame (native or mirror) of
//                         process NAME: text, data (with the symbol from
//                         NAME's ELF beside workload_elf), heap or stack
//   free, retired
// 0, or -1 with e (the tables could not be read).
// A user frame chosen from the frame table gets its uva here.
int mh_frame_holds(struct mh_guest *g, const char *kernel_elf, const char *workload_elf,
                   struct mh_target *t, uint32_t word, char *out, size_t cap, struct mh_err *e);

#endif
