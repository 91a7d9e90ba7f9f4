// What the boot loader told us: the kernel command line and memory size.
#ifndef BOOT_H
#define BOOT_H
#include "types.h"

// Copies the multiboot data the kernel keeps. Must run before the frame
// allocator, which reuses the memory QEMU left it in.
void boot_read_info(void);
const char *boot_cmdline(void); // the -append text, without the kernel's name
uint boot_phys_top(void);       // end of usable RAM, capped at PHYSTOP
// Splits the command line into words (in a private copy); returns the count.
int boot_words(char **words, int max);
#endif
