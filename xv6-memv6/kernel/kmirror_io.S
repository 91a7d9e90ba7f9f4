// memv6sys: port input into memory, which the translator refuses (`ins`
// writes memory it cannot repeat: the port gives each word once). Built
// untranslated into the memv6sys kernel only; x86.h declares it there.
#include "memlayout.h"
#include "mmu.h"

// void insl(ushort port, void *dst, uint words): the words, then the block
// copied to its mirror. The caller owns the block, so nothing changes it
// between the two copies.
.text
.globl insl
insl:
  pushl %edi
  pushl %esi
  movl 12(%esp), %edx
  movl 16(%esp), %edi
  movl 20(%esp), %ecx
  cld
  rep insl
  movl 16(%esp), %esi
  leal MIRROR_OFFSET(%esi), %edi
  movl 20(%esp), %ecx
  rep movsl
  popl %esi
  popl %edi
  ret

// void kmirror_flip(void *va, uint mask): xors one byte in one copy only,
// as a memory error would (mcetest's kernel modes, kmirror.h). A
// translated store would repeat it at the mirror. The kernel text is
// read-only: CR0.WP is off for the one store (the caller has interrupts
// off).
.globl kmirror_flip
kmirror_flip:
  movl 4(%esp), %eax
  movl 8(%esp), %edx
  pushl %ebx
  movl %cr0, %ebx
  pushl %ebx
  andl $~CR0_WP, %ebx
  movl %ebx, %cr0
  xorb %dl, (%eax)
  popl %ebx
  movl %ebx, %cr0
  popl %ebx
  ret
