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

        .section .note.GNU-stack,"",@progbits
