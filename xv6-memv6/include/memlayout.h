// The one definition of the machine's memory layout, shared by the kernel,
// the user programs and the build (CMake reads MIRROR_OFFSET from this file
// and hands it to the translator, so the number exists exactly once).
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H

// Physical memory the kernel manages. QEMU is started with GUEST_RAM_MB of
// RAM (qrun and memharness read the number from here); the top of RAM holds
// firmware tables, so PHYSTOP stops short of it. On memv6 a user page takes
// a frame in each zone (below): the mirror zone [MIRROR_ZONE_BASE, PHYSTOP)
// of 108 MiB lets one process have more than 100 MiB, and it stays smaller
// than what the normal zone has free after the kernel and the RAM disk, so
// a process that grows until sbrk fails runs the mirror zone dry first
// (usertests mirrorlost needs that; docs/kernel.md).
#define EXTMEM 0x00100000  // where the multiboot loader puts the kernel
#define PHYSTOP 0x0EC00000 // end of managed physical memory (236 MiB)
#define GUEST_RAM_MB 256

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

// memv6sys mirrors the kernel too, with the same offset: the kernel's
// stores to kernel address va land at va + MIRROR_OFFSET as well, in the
// kernel mirror window [KERNBASE + MIRROR_OFFSET, + PHYSTOP) above the direct
// map. There, the window over the normal zone [0, MIRROR_ZONE_BASE) maps the
// kernel mirror zone KMIRROR_PHYS + pa (every normal-zone frame has its
// mirror frame at a fixed distance); the window over the user mirror zone
// maps the 4 MiB sink, which absorbs the kernel's second store to a user
// mirror frame (user frames have their own mirrors, kept by copyout and
// recovery). Both lie above PHYSTOP, outside the direct map and the
// allocator, so memv6sys needs KMIRROR_RAM_MB of guest RAM.
#define KMIRROR_VA (KERNBASE + MIRROR_OFFSET)
#define KMIRROR_PHYS 0x10000000
#define KMIRROR_SINK (KMIRROR_PHYS + MIRROR_ZONE_BASE)
#define KMIRROR_SINK_SIZE 0x00400000
#define KMIRROR_RAM_MB 512

#ifndef __ASSEMBLER__
#define V2P(a) (((unsigned int)(a)) - KERNBASE)
#define P2V(a) ((void *)(((char *)(a)) + KERNBASE))
#endif
#define V2P_ASM(x) ((x)-KERNBASE)
#define P2V_ASM(x) ((x) + KERNBASE)

#endif
