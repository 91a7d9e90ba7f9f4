// memv6sys: bulk writes into user frames in one copy. Built untranslated
// into the memv6sys kernel only (kmirror.h declares them).
//
// The kernel writes user frames (native and mirror) through the direct
// map; translated, each such store is repeated in the frame's kernel
// mirror, a copy nobody reads (user memory has its own mirror frames, and
// a frame that comes back to the kernel is brought in step when it is
// handed out: kalloc.c). Zeroing, copying pages and copyout were half of a
// fork's or an exec's kernel instructions that way (docs/memv6.md).
//
// No stack writes: %esi and %edi are kept in %eax and %edx, so nothing
// here needs mirroring, and a machine check in here finds the kernel stack
// as the translated caller left it.
#include "memlayout.h"
#include "param.h"

.text

// void kmirror_set_native(void *dst, uint word, uint n): n bytes of dst
// set to the low byte of word (word has it in all four bytes).
.globl kmirror_set_native
kmirror_set_native:
  movl %edi, %edx
  movl 4(%esp), %edi
  movl 8(%esp), %eax
  movl 12(%esp), %ecx
  shrl $2, %ecx
  cld
  rep stosl
  movl 12(%esp), %ecx
  andl $3, %ecx
  rep stosb
  movl %edx, %edi
  ret

// void kmirror_copy_native(void *dst, const void *src, uint n): memcpy of
// ranges that do not overlap.
.globl kmirror_copy_native
kmirror_copy_native:
  movl %edi, %edx
  movl %esi, %eax
  movl 4(%esp), %edi
  movl 8(%esp), %esi
  movl 12(%esp), %ecx
  shrl $2, %ecx
  cld
  rep movsl
  movl 12(%esp), %ecx
  andl $3, %ecx
  rep movsb
  movl %eax, %esi
  movl %edx, %edi
  ret

// ctx_switch (swtch.S) calls this with %eax = the stack pointer it saved:
// [%eax, top of that stack) is copied to its mirror, so a stack switched
// out is in step with its mirror above its saved pointer (the kernel's own
// stack writes are not mirrored: docs/memv6.md "Kernel stacks"). The top is
// boot_stack_end for the scheduler's stack (entry.S), else the end of the
// KSTACKSIZE-aligned process stack. Changes %eax, %ecx, %esi, %edi, which
// ctx_switch has saved or does not need; keeps %edx.
.globl kmirror_stack_out
kmirror_stack_out:
  movl %eax, %esi
  leal MIRROR_OFFSET(%eax), %edi
  movl $boot_stack_end, %ecx
  cmpl $boot_stack, %eax
  jb 1f
  cmpl %ecx, %eax
  jb 2f
1:
  movl %eax, %ecx
  orl $(KSTACKSIZE - 1), %ecx
  incl %ecx
2:
  subl %eax, %ecx
  shrl $2, %ecx
  cld
  rep movsl
  ret
