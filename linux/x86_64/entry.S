// Process entry of a guest program run as an x86-64 Linux process (mlx.h).
// Not translated: it runs on Linux's own stack, whose mirror does not exist.
// mlx_start maps the arena (and in the mirrored build the mirror) and builds
// the program's stack there: a return address, argc, argv. From then on
// everything runs on that stack, starting with mlx_main (lsys.c), which
// calls main and exits with its result.
        .text
        .globl _start
_start:
        movq %rsp, %rdi
        call mlx_start
        movq %rax, %rsp
        movq 8(%rsp), %rdi
        movq 16(%rsp), %rsi
        jmp mlx_main

// Where a signal handler returns to (rt_sigaction's restorer): x86-64 Linux
// requires one, and without a C library we provide it.
        .globl mlx_sigreturn
mlx_sigreturn:
        movl $15, %eax          // rt_sigreturn
        syscall

// long mlx_trusted_mmap(addr, n, prot, flags): anonymous memory (fd -1,
// offset 0). The one system call instruction the mirrored build's seccomp
// filter lets map memory (rtsig.c): mlx_trusted_ip follows it. Every
// mapping of the runtime goes through it, at the same address in every
// program, since a filter stays on across execve: a mirrored benchall's
// children map their arena through the same instruction.
        .section mlx_trusted, "ax", @progbits   // at MLX_TRUSTED_TEXT in every program
        .globl mlx_trusted_mmap, mlx_trusted_ip
mlx_trusted_mmap:
        movq %rcx, %r10
        movq $-1, %r8
        xorl %r9d, %r9d
        movl $9, %eax           // mmap
        syscall
mlx_trusted_ip:
        ret

        .section .note.GNU-stack,"",@progbits
