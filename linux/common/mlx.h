// Guest programs as Linux processes (docs/linux.md), i386 and x86-64: the
// layout of a process and the interface between its untranslated runtime
// (runtime.c, the architecture's entry.S) and the guest's user library
// ported to Linux (lsys.c).
//
// The program's stack and heap live in an arena at a fixed address, the same
// in both builds, so the untranslated and the translated program differ only
// in the instructions the translator added. In the mirrored build every
// writable byte (the image's data and bss, the arena) has its mirror at
// address + MIRROR_OFFSET, as in the memv6 kernel.
#ifndef MLX_H
#define MLX_H

#include "memlayout.h"

// The arena: heap from MLX_ARENA up, an unmapped guard, the stack below
// MLX_STACK_TOP. 0x10000000-0x18000000 and its mirror 0x50000000-0x58000000
// are free in a static non-PIE process of either architecture (the image
// is at 0x08048000 on i386, 0x400000 on x86-64; Linux puts its own mappings
// high). On x86-64 everything stays below 2 GiB, so a translated store's
// mirror address (address + MIRROR_OFFSET as a 32-bit displacement) reaches.
#define MLX_ARENA 0x10000000u
#define MLX_HEAP_MAX 0x07e00000u // 126 MiB of heap
#define MLX_STACK_TOP 0x18000000u
#define MLX_STACK_SIZE 0x00100000u // 1 MiB (the guest gives 32 KiB)
#define MLX_STACK_LO (MLX_STACK_TOP - MLX_STACK_SIZE)

// Where the linker puts entry.S's section mlx_trusted (the runtime's one
// mapping system call, rtint.h), the same in every program of the build.
#define MLX_TRUSTED_TEXT 0x0f000000u

// The SIGBUS handler's own stack (sigaltstack), outside the arena: a memory
// error on the program's stack page must not land the handler's frame on
// the page it replaces (rtsig.c).
#define MLX_SIGSTACK 0x1c000000u
#define MLX_SIGSTACK_SIZE 0x00010000u // 64 KiB

// A mirrored program whose oracle finds a mismatch exits with this status
// (after saying so on stderr), whatever main returned.
#define MLX_ORACLE_STATUS 125

// runtime.c (untranslated). The break lsys.c's sbrk moves: [MLX_ARENA, mlx_brk)
// is the heap, which the oracle compares.
extern unsigned long mlx_brk;
// What the kernel writes into user memory (read's buffer, pipe's fds) goes to
// the mirror too: the mirrored build copies [p, p+n) to its mirror; no-op in
// the untranslated build.
void mlx_mirror_sync(const void *p, unsigned long n);
// The mirror oracle: mismatched bytes between native and mirror in the
// image's data and bss, the heap and the live stack (from the caller's
// stack pointer up); -1 in the untranslated build.
int mlx_oracle(void);
// rtsig.c, mirrored build: what the SIGBUS handler does for a memory error
// Linux reports at addr (BUS_MCEERR_AR or _AO), without its message: the
// page replaced from the other side and a cut inside a mirrored write moved
// to an end of the sequence. context is the signal's ucontext, whose
// registers it changes. 1 when addr is in a mirrored or mirror page, 0
// (nothing done) otherwise. Tests call it from their own handlers.
int mlx_memory_error(unsigned long addr, void *context);
// Exits the process (exit_group); the mirrored build runs the oracle first.
void mlx_exit(int status) __attribute__((noreturn));

#endif
