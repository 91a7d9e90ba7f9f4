// memv6sys: port input into memory, which the translator refuses (`ins`
// writes memory it cannot repeat: the port gives each word once). Built
// untranslated into the memv6sys kernel only; x86.h declares it there.
#include "memlayout.h"

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
