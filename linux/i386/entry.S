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

        .section .note.GNU-stack,"",@progbits
