// Processor exception and interrupt vectors, numbered as on every x86 and
// as xv6 x86 names them, for user programs that include traps.h (the
// kernel's own trap.h uses the same numbers).
#ifndef TRAPS_H
#define TRAPS_H
#define T_DIVIDE 0   // divide error
#define T_DEBUG 1    // debug exception
#define T_NMI 2      // non-maskable interrupt
#define T_BRKPT 3    // breakpoint
#define T_OFLOW 4    // overflow
#define T_BOUND 5    // bound range exceeded
#define T_ILLOP 6    // invalid opcode
#define T_DEVICE 7   // device not available
#define T_DBLFLT 8   // double fault
#define T_TSS 10     // invalid task switch segment
#define T_SEGNP 11   // segment not present
#define T_STACK 12   // stack exception
#define T_GPFLT 13   // general protection fault
#define T_PGFLT 14   // page fault
#define T_FPERR 16   // floating-point error
#define T_ALIGN 17   // alignment check
#define T_MCHK 18    // machine check
#define T_SIMDERR 19 // SIMD floating-point error

#define T_SYSCALL 64  // the system call vector
#define T_DEFAULT 500 // catch-all

#define T_IRQ0 32 // the PICs' first interrupt, after the remap
#define IRQ_TIMER 0
#define IRQ_KBD 1
#define IRQ_COM1 4
#define IRQ_IDE 14
#define IRQ_ERROR 19
#define IRQ_SPURIOUS 31
#endif
