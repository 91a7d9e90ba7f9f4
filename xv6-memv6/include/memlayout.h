// The one definition of the machine's memory layout, shared by the kernel,
// the user programs and the build (CMake reads MIRROR_OFFSET from this file
// and hands it to the translator, so the number exists exactly once).
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H

// Physical memory the kernel manages. QEMU is started with -m 256M; the top
// of RAM holds firmware tables, so we stop short of it.
#define EXTMEM 0x00100000  // where the multiboot loader puts the kernel
#define PHYSTOP 0x0E000000 // end of managed physical memory (224 MiB)

// Virtual layout: user space at the bottom, the kernel high.
#define KERNBASE 0x80000000 // all of [0, PHYSTOP) is mapped here
#define KERNLINK (KERNBASE + EXTMEM)

// User programs may use [0, USERTOP). The memv6 mirror of user address va
// lives at va + MIRROR_OFFSET, so [USERTOP, KERNBASE) is the mirror window.
// Both variants keep the same user limit so programs behave identically.
#define USERTOP 0x40000000
#define MIRROR_OFFSET 0x40000000

// memv6 splits physical memory into zones: the normal zone holds the kernel,
// page tables and native user frames; the mirror zone holds only mirror
// frames, so a mirror frame is never a native frame.
#define MIRROR_ZONE_BASE 0x08000000
#define MIRROR_ZONE_TOP PHYSTOP

#ifndef __ASSEMBLER__
#define V2P(a) (((unsigned int)(a)) - KERNBASE)
#define P2V(a) ((void *)(((char *)(a)) + KERNBASE))
#endif
#define V2P_ASM(x) ((x)-KERNBASE)
#define P2V_ASM(x) ((x) + KERNBASE)

#endif
