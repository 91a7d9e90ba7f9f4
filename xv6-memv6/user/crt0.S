// Program entry. exec leaves %esp pointing at a fake return address
// (0xffffffff) with argc and argv above it, the frame a C function expects.
// We drop the fake address so main's own return address takes its place,
// and hand main's result to exitst: returning from main is an ordinary exit.
        .text
        .globl _start
_start:
        addl $4, %esp
        call main
        pushl %eax
        call exitst
spin:
        jmp spin

// No executable stack wanted (silences the linker).
        .section .note.GNU-stack,"",@progbits
