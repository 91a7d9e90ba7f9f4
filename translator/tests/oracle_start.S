// Start-up of the mirrored corpus program (not translated): maps the mirror
// of [etext, _end) at +MIRROR_OFFSET with Linux i386 system calls, copies the
// initial contents (as exec does), runs main on a stack inside .bss, then
// compares every byte of the region with its mirror, leaving out the dead
// stack below %esp. Prints main's result in hex; exit status 0 when all
// match, 1 on a mismatch, 3 if mmap failed. Built with -DNATIVE for the
// untranslated program: no mirror, just the result.
	.text
	.globl	_start
_start:
#ifndef NATIVE
	movl	$etext, %ebx
	andl	$-4096, %ebx
	movl	%ebx, region
	movl	$_end, %ecx
	addl	$4095, %ecx
	andl	$-4096, %ecx
	subl	%ebx, %ecx
	movl	%ecx, region_len
	addl	$MIRROR_OFFSET, %ebx
	movl	$192, %eax		// mmap2(addr, len, RW, PRIVATE|ANON|FIXED, -1, 0)
	movl	$3, %edx
	movl	$0x32, %esi
	movl	$-1, %edi
	xorl	%ebp, %ebp
	int	$0x80
	cmpl	%eax, %ebx
	jne	.Lnomap
	movl	region, %esi		// the mirror starts equal to native
	movl	%ebx, %edi
	movl	region_len, %ecx
	cld
	rep movsb
#endif
	movl	$stack_top, %esp
	call	main
	movl	%eax, %edx		// the result (stored after the compare)
	xorl	%ebx, %ebx		// exit status
#ifndef NATIVE
	movl	region, %esi
	movl	region_len, %ecx
.Lcmp:
	cmpl	$stack_lo, %esi		// dead stack: [stack_lo, %esp)
	jb	1f
	cmpl	%esp, %esi
	jb	2f
1:	movb	(%esi), %al
	cmpb	MIRROR_OFFSET(%esi), %al
	je	2f
	movl	$1, %ebx
2:	incl	%esi
	decl	%ecx
	jnz	.Lcmp
#endif
	movl	%edx, result		// print the result as 8 hex digits
	movl	$8, %ecx
3:	movl	%edx, %eax
	shrl	$28, %eax
	movb	hex(%eax), %al
	movl	$8, %esi
	subl	%ecx, %esi
	movb	%al, line(%esi)
	shll	$4, %edx
	decl	%ecx
	jnz	3b
	pushl	%ebx
	movl	$4, %eax		// write(1, line, 9)
	movl	$1, %ebx
	movl	$line, %ecx
	movl	$9, %edx
	int	$0x80
	popl	%ebx
	jmp	.Lexit
.Lnomap:
	movl	$3, %ebx
.Lexit:
	movl	$1, %eax		// exit(status)
	int	$0x80

	.data
region:	.long 0
region_len: .long 0
result:	.long 0
hex:	.ascii	"0123456789abcdef"
line:	.ascii	"00000000\n"
	.bss
	.p2align 12
stack_lo:
	.skip	65536
stack_top:
	.section	.note.GNU-stack,"",@progbits
