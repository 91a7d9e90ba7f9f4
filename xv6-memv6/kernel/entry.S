// The kernel's first instructions. QEMU's multiboot loader puts the ELF at
// its physical load addresses and jumps to the physical entry point with
// paging off, EAX = multiboot magic and EBX = physical address of the
// multiboot information. We turn on paging with a static page directory of
// 4 MiB pages, move to the high virtual addresses and call kmain().
#include "memlayout.h"
#include "mmu.h"

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003  // page-align modules, give us the memory map
#define BOOT_STACK 8192
#define BOOT_LOWMEM 0xA0000  // conventional memory, where QEMU puts the multiboot data
#define MBI_MODS 0x8
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#ifdef MEMV6SYS
// Entries the CPU would otherwise mark accessed and dirty itself: a store
// the kernel mirror never sees.
#define BOOT_PDE_AD (PTE_A | PTE_D)
#else
#define BOOT_PDE_AD 0
#endif

.section .multiboot, "a"
.balign 4
  .long MB_MAGIC
  .long MB_FLAGS
  .long -(MB_MAGIC + MB_FLAGS)

.text
.globl boot_entry
boot_entry:
  // Still physical: every symbol reference needs V2P_ASM.
  movl %ebx, V2P_ASM(boot_mbi_pa)
  movl %eax, V2P_ASM(boot_magic)
#ifdef MEMV6SYS
  // Everything QEMU loaded, and the two stores above, reach the kernel
  // mirror before the first translated store: the multiboot data in low
  // memory, then the kernel image up to the end of the RAM-disk module
  // (QEMU puts it after the kernel).
  cld
  xorl %esi, %esi
  movl $KMIRROR_PHYS, %edi
  movl $(BOOT_LOWMEM / 4), %ecx
  rep movsl
  movl $V2P_ASM(end), %edx
  testl $MBI_MODS, (%ebx)
  jz 1f
  cmpl $0, MBI_MODS_COUNT(%ebx)
  je 1f
  movl MBI_MODS_ADDR(%ebx), %eax
  movl 4(%eax), %eax  // the first module's end
  cmpl %edx, %eax
  jbe 1f
  movl %eax, %edx
1:
  movl $EXTMEM, %esi
  leal KMIRROR_PHYS(%esi), %edi
  movl %edx, %ecx
  subl %esi, %ecx
  addl $3, %ecx
  shrl $2, %ecx
  rep movsl
#endif

  movl %cr4, %eax
  orl $CR4_PSE, %eax
  movl %eax, %cr4
  movl $V2P_ASM(boot_pgdir), %eax
  movl %eax, %cr3
  movl %cr0, %eax
  orl $(CR0_PG | CR0_WP), %eax
  movl %eax, %cr0

  // Paging is on and the low 4 MiB are still identity mapped, so this
  // absolute jump is what moves us into the high half.
  movl $boot_stack + BOOT_STACK, %esp
  xorl %ebp, %ebp
  movl $kmain, %eax
  jmp *%eax

.data
.globl boot_mbi_pa, boot_magic
boot_mbi_pa: .long 0
boot_magic: .long 0

// Directory used only until kvm_init() builds the real kernel page table:
// entry 0 keeps the code we are running reachable while paging turns on;
// the high half maps all managed memory so kmain can read the multiboot
// data wherever QEMU put it.
.balign PGSIZE
.globl boot_pgdir
boot_pgdir:
  .long 0 + PTE_P + PTE_W + PTE_PS + BOOT_PDE_AD
  .fill (KERNBASE >> PDXSHIFT) - 1, 4, 0
  .set pa, 0
  .rept PHYSTOP >> PDXSHIFT
    .long pa + PTE_P + PTE_W + PTE_PS + BOOT_PDE_AD
    .set pa, pa + (1 << PDXSHIFT)
  .endr
#ifdef MEMV6SYS
  // The kernel mirror window (memlayout.h), from the first translated store.
  .fill (KMIRROR_VA - KERNBASE - PHYSTOP) >> PDXSHIFT, 4, 0
  .set pa, 0
  .rept MIRROR_ZONE_BASE >> PDXSHIFT
    .long KMIRROR_PHYS + pa + PTE_P + PTE_W + PTE_PS + BOOT_PDE_AD
    .set pa, pa + (1 << PDXSHIFT)
  .endr
  .rept (PHYSTOP - MIRROR_ZONE_BASE) >> PDXSHIFT
    .long KMIRROR_SINK + PTE_P + PTE_W + PTE_PS + BOOT_PDE_AD
  .endr
  .fill NPDENTRIES - ((KMIRROR_VA + PHYSTOP) >> PDXSHIFT), 4, 0
#else
  .fill NPDENTRIES - (KERNBASE >> PDXSHIFT) - (PHYSTOP >> PDXSHIFT), 4, 0
#endif

.bss
.balign 16
.globl boot_stack
boot_stack:
  .space BOOT_STACK
#ifdef MEMV6SYS
.globl boot_stack_end // kmirror_stack_out: the top of the scheduler's stack
boot_stack_end:
#endif
