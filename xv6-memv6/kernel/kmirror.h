// memv6sys: the kernel's own memory mirrored (docs/memv6.md, "The kernel
// mirror"). The kernel's C is translated like user code, so every kernel
// store to kernel address va is repeated at va + MIRROR_OFFSET, in the
// kernel mirror window (memlayout.h). What follows keeps the writes the
// translator never sees in step, maps the window, and checks it.
#ifndef KMIRROR_H
#define KMIRROR_H
#include "types.h"
#include "mmu.h"

#ifdef MEMV6SYS
#define KMIRRORED 1
#else
#define KMIRRORED 0
#endif

// Maps the kernel mirror window in pgdir (the kernel's page directory,
// which every address space shares above KERNBASE).
void kmirror_map_window(pde_t *pgdir);

// Copies [va, va+n) to its mirror: for kernel memory something other than
// a translated store changed (the CPU, a port, a copy made untranslated).
void kmirror_sync(const void *va, uint n);

// Panics unless the guest has the RAM the kernel mirror lives in.
void kmirror_check_ram(uint ram_top);

// The kernel mirror oracle: compares every kernel and page-table frame of
// the normal zone with its mirror, except dead stack, and prints
// `@koracle` lines. Returns the number of words that differ.
uint kmirror_check(void);
#endif
