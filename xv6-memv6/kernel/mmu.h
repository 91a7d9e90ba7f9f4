// i386 paging and segmentation constants shared by the kernel's C and
// assembly files.
#ifndef MMU_H
#define MMU_H

#define PGSIZE 4096
#define PGSHIFT 12
#define PDXSHIFT 22
#define NPDENTRIES 1024
#define NPTENTRIES 1024

#define PTE_P 0x001  // present
#define PTE_W 0x002  // writable
#define PTE_U 0x004  // reachable from ring 3
#define PTE_A 0x020  // accessed (set by the MMU)
#define PTE_D 0x040  // dirty (set by the MMU)
#define PTE_PS 0x080 // 4 MiB page (page directory entries only)
// One of the bits the MMU leaves to software: a user page that is read-only
// only because its frame may be shared (fork, dedup); a write copies it.
#define PTE_COW 0x200

#define CR0_PE 0x00000001
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PSE 0x00000010
#define CR4_MCE 0x00000040

#define EFLAGS_IF 0x00000200

// Segment selectors; the low two bits of a user selector are its RPL.
#define SEG_KCODE 1
#define SEG_KDATA 2
#define SEG_UCODE 3
#define SEG_UDATA 4
#define SEG_TSS 5
#define NSEGS 6
#define DPL_USER 3

#ifndef __ASSEMBLER__
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))
#define PDX(va) (((uint)(va) >> PDXSHIFT) & 0x3ff)
#define PTX(va) (((uint)(va) >> PGSHIFT) & 0x3ff)
#define PTE_ADDR(e) ((uint)(e) & ~0xfff)
#define PTE_FLAGS(e) ((uint)(e)&0xfff)
#endif
#endif
