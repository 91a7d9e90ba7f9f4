// What the boot loader told us: the kernel command line, memory size and
// the RAM disk module.
#ifndef BOOT_H
#define BOOT_H
#include "types.h"

// Copies the multiboot data the kernel keeps. Must run before the frame
// allocator, which reuses the memory QEMU left it in.
void boot_read_info(void);
const char *boot_cmdline(void); // the -append text, without the kernel's name
uint boot_phys_top(void);       // end of usable RAM, capped at PHYSTOP
uint boot_phys_base(void);      // first frame for the allocator: above kernel and module
// The first multiboot module (QEMU -initrd FILE), which the frame
// allocator leaves alone: 0 and its physical range, or -1 when none.
int boot_module(uint *pa, uint *len);
// Splits the command line into words (in a private copy); returns the count.
int boot_words(char **words, int max);
#ifdef MEMV6SYS
// The top of RAM (the kernel mirror lies above the memory it manages).
uint boot_ram_top(void);
#endif
#endif
