// Start-up of the mirrored x86-64 corpus program (not translated): the
// counterpart of oracle_start.S with Linux x86-64 system calls. Maps the
// mirror of [etext, _end) at +MIRROR_OFFSET, copies the initial contents
// (as the runtime's start-up would), runs main on a stack inside .bss, then
// compares every byte of the region with its mirror, leaving out the dead
// stack below %rsp (main has returned: its red zone is dead too). Prints
// main's result in hex; exit status 0 when all match, 1 on a mismatch, 3 if
// mmap failed. Built with -DNATIVE for the untranslated program.
	.text
	.globl	_start
_start:
#ifndef NATIVE
	movq	$etext, %rdi
	andq	$-4096, %rdi
	movq	%rdi, region(%rip)
	movq	$_end, %rsi
	addq	$4095, %rsi
	andq	$-4096, %rsi
	subq	%rdi, %rsi
	movq	%rsi, region_len(%rip)
	addq	$MIRROR_OFFSET, %rdi
	movq	%rdi, %r12
	movl	$9, %eax		// mmap(addr, len, RW, PRIVATE|ANON|FIXED, -1, 0)
	movl	$3, %edx
	movl	$0x32, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	syscall
	cmpq	%rax, %r12
	jne	.Lnomap
	movq	region(%rip), %rsi	// the mirror starts equal to native
	movq	%r12, %rdi
	movq	region_len(%rip), %rcx
	cld
	rep movsb
#endif
	movq	$stack_top, %rsp
	call	main
	movl	%eax, %edx		// the result (stored after the compare)
	xorl	%ebx, %ebx		// exit status
#ifndef NATIVE
	movq	region(%rip), %rsi
	movq	region_len(%rip), %rcx
.Lcmp:
	cmpq	$stack_lo, %rsi		// dead stack: [stack_lo, %rsp)
	jb	1f
	cmpq	%rsp, %rsi
	jb	2f
1:	movb	(%rsi), %al
	cmpb	MIRROR_OFFSET(%rsi), %al
	je	2f
	movl	$1, %ebx
2:	incq	%rsi
	decq	%rcx
	jnz	.Lcmp
#endif
	movl	%edx, result(%rip)	// print the result as 8 hex digits
	movl	$8, %ecx
	leaq	line(%rip), %rdi
3:	movl	%edx, %eax
	shrl	$28, %eax
	leaq	hex(%rip), %rsi
	movb	(%rsi,%rax), %al
	movb	%al, (%rdi)
	incq	%rdi
	shll	$4, %edx
	decl	%ecx
	jnz	3b
	movl	$1, %eax		// write(1, line, 9)
	movl	$1, %edi
	leaq	line(%rip), %rsi
	movl	$9, %edx
	syscall
	jmp	.Lexit
.Lnomap:
	movl	$3, %ebx
.Lexit:
	movl	$60, %eax		// exit(status)
	movl	%ebx, %edi
	syscall

	.data
region:	.quad 0
region_len: .quad 0
result:	.long 0
hex:	.ascii	"0123456789abcdef"
line:	.ascii	"00000000\n"
	.bss
	.p2align 12
stack_lo:
	.skip	65536
stack_top:
	.section	.note.GNU-stack,"",@progbits
