// Enters a form's code with the registers and flags of a struct regs64 on
// the test stack in the arena, and comes back when the form jumps to
// harness_exit, saving every register and the flags. Not translated. It
// never writes below the form's stack pointer: the 128 bytes there are the
// form's red zone, which the test compares (run64.c).
//   void harness_enter(const struct regs64 *in, struct regs64 *out, void *entry)
// struct regs64: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 rflags (8 bytes each).
#include "run32.h"

	.text
	.globl	harness_enter
harness_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsi, out_ptr(%rip)
	movq	%rdx, entry_ptr(%rip)
	movq	%rsp, host_rsp(%rip)
	fninit
	pushq	128(%rdi)		// the flags, through the host stack
	popfq
	movq	8(%rdi), %rcx		// then only moves: the flags stay
	movq	16(%rdi), %rdx
	movq	24(%rdi), %rbx
	movq	32(%rdi), %rsp
	movq	40(%rdi), %rbp
	movq	48(%rdi), %rsi
	movq	64(%rdi), %r8
	movq	72(%rdi), %r9
	movq	80(%rdi), %r10
	movq	88(%rdi), %r11
	movq	96(%rdi), %r12
	movq	104(%rdi), %r13
	movq	112(%rdi), %r14
	movq	120(%rdi), %r15
	movq	0(%rdi), %rax
	movq	56(%rdi), %rdi
	jmp	*entry_ptr(%rip)

	.globl	harness_exit
harness_exit:
	movq	%rax, saved_rax(%rip)
	movq	out_ptr(%rip), %rax
	movq	%rcx, 8(%rax)
	movq	%rdx, 16(%rax)
	movq	%rbx, 24(%rax)
	movq	%rsp, 32(%rax)
	movq	%rbp, 40(%rax)
	movq	%rsi, 48(%rax)
	movq	%rdi, 56(%rax)
	movq	%r8, 64(%rax)
	movq	%r9, 72(%rax)
	movq	%r10, 80(%rax)
	movq	%r11, 88(%rax)
	movq	%r12, 96(%rax)
	movq	%r13, 104(%rax)
	movq	%r14, 112(%rax)
	movq	%r15, 120(%rax)
	movq	host_rsp(%rip), %rsp	// off the form's stack before pushing the flags
	pushfq
	popq	128(%rax)
	movq	saved_rax(%rip), %rcx
	movq	%rcx, 0(%rax)
	cld
	fninit
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

// Absolute data symbols the forms write to, as GCC's globals would be.
	.globl	gdata
	.set	gdata, ARENA + GDATA_OFF

	.data
out_ptr:	.quad 0
entry_ptr:	.quad 0
host_rsp:	.quad 0
saved_rax:	.quad 0
	.section	.note.GNU-stack,"",@progbits
