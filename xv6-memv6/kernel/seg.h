// Segment descriptors and the task state segment. Paging does all the
// protection; segments are flat and exist because i386 requires them.
#ifndef SEG_H
#define SEG_H
#include "types.h"

void seg_init(void);
void tss_set_kstack(uint esp0); // stack the CPU switches to on a trap from ring 3
#endif
