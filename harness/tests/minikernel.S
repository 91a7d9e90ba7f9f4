# A minimal multiboot guest for the RSP integration test: it greets on COM1
# and then counts forever in mini_counter, so a debugger always finds it
# running known code with known data.
        .section .text
        .align 4
multiboot_header:
        .long 0x1BADB002            # multiboot magic
        .long 0                     # flags: nothing asked of the loader
        .long -0x1BADB002           # checksum

        .globl _start
_start:
        cli
        movl $stack_top, %esp
        movl $greeting, %esi
1:      movb (%esi), %al
        testb %al, %al
        jz 2f
        movw $0x3f8, %dx
        outb %al, %dx
        incl %esi
        jmp 1b
2:
        .globl mini_loop
mini_loop:
        incl mini_counter
        jmp mini_loop

        .section .data
        .globl mini_value
        .align 4
mini_value:
        .long 0x5eed1234
        .globl mini_counter
mini_counter:
        .long 0
greeting:
        .asciz "minikernel up\n"

        .section .bss
        .align 16
        .space 4096
stack_top:
