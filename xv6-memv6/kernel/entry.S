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
  .long 0 + PTE_P + PTE_W + PTE_PS
  .fill (KERNBASE >> PDXSHIFT) - 1, 4, 0
  .set pa, 0
  .rept PHYSTOP >> PDXSHIFT
    .long pa + PTE_P + PTE_W + PTE_PS
    .set pa, pa + (1 << PDXSHIFT)
  .endr
  .fill NPDENTRIES - (KERNBASE >> PDXSHIFT) - (PHYSTOP >> PDXSHIFT), 4, 0

.bss
.balign 16
boot_stack:
  .space BOOT_STACK
