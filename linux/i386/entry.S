// Process entry of a guest program run as a 32-bit Linux process (mlx.h).
// Not translated: it runs on Linux's own stack, whose mirror does not exist.
// mlx_start maps the arena (and in the mirrored build the mirror) and builds
// the program's stack there; from then on everything runs on that stack,
// starting with mlx_main (lsys.c), which calls main and exits with its result.
        .text
        .globl _start
_start:
        movl %esp, %eax
        pushl %eax
        call mlx_start
        movl %eax, %esp
        jmp mlx_main

// Where a signal handler returns to (rt_sigaction's restorer): Linux i386
// needs one from user space, and without a C library we provide it.
        .globl mlx_sigreturn
mlx_sigreturn:
        movl $173, %eax         // rt_sigreturn
        int $0x80

// long mlx_trusted_mmap(addr, n, prot, flags): anonymous memory (fd -1,
// offset 0) through old_mmap's argument block. The one system call
// instruction the mirrored build's seccomp filter lets map memory
// (rtsig.c): mlx_trusted_ip follows it. Every mapping of the runtime goes
// through it, at the same address in every program, since a filter stays
// on across execve: a mirrored benchall's children map their arena through
// the same instruction.
        .section mlx_trusted, "ax", @progbits   // at MLX_TRUSTED_TEXT in every program
        .globl mlx_trusted_mmap, mlx_trusted_ip
mlx_trusted_mmap:
        pushl %ebx
        pushl $0                // offset
        pushl $-1               // fd
        pushl 28(%esp)          // flags
        pushl 28(%esp)          // prot
        pushl 28(%esp)          // n
        pushl 28(%esp)          // addr
        movl %esp, %ebx
        movl $90, %eax          // old_mmap
        int $0x80
mlx_trusted_ip:
        addl $24, %esp
        popl %ebx
        ret

        .section .note.GNU-stack,"",@progbits
