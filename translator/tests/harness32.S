// Enters a form's code with the registers and flags of a struct regs on the
// test stack in the arena, and comes back when the form jumps to
// harness_exit, saving every register and the flags. Not translated: it only
// writes below the form's stack pointer (dead stack) and its own globals.
//   void harness_enter(const struct regs *in, struct regs *out, void *entry)
// struct regs: eax ecx edx ebx ebp esi edi esp eflags (4 bytes each).
#include "run32.h"

	.text
	.globl	harness_enter
harness_enter:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %eax
	movl	24(%esp), %ecx
	movl	%ecx, out_ptr
	movl	28(%esp), %ecx
	movl	%ecx, entry_ptr
	movl	%esp, host_esp
	fninit
	movl	28(%eax), %esp
	pushl	32(%eax)
	popfl
	movl	4(%eax), %ecx
	movl	8(%eax), %edx
	movl	12(%eax), %ebx
	movl	16(%eax), %ebp
	movl	20(%eax), %esi
	movl	24(%eax), %edi
	movl	0(%eax), %eax
	jmp	*entry_ptr

	.globl	harness_exit
harness_exit:
	movl	%eax, saved_eax
	movl	out_ptr, %eax
	movl	%ecx, 4(%eax)
	movl	%edx, 8(%eax)
	movl	%ebx, 12(%eax)
	movl	%ebp, 16(%eax)
	movl	%esi, 20(%eax)
	movl	%edi, 24(%eax)
	movl	%esp, 28(%eax)
	pushfl
	popl	32(%eax)
	movl	saved_eax, %ecx
	movl	%ecx, 0(%eax)
	cld
	fninit
	movl	host_esp, %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

// Absolute data symbols the forms write to, as GCC's globals would be.
	.globl	gdata
	.set	gdata, ARENA + GDATA_OFF

	.data
out_ptr:	.long 0
entry_ptr:	.long 0
host_esp:	.long 0
saved_eax:	.long 0
	.section	.note.GNU-stack,"",@progbits
