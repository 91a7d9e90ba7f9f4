// The vector numbers a user program may want by name, spelled the way classic
// xv6 user programs spell them (they include traps.h). The numbers are the
// processor's own: vectors 0-31 are its exceptions, 32 onwards the PIC's
// remapped lines, 64 the system call gate. The kernel's trap.h agrees.
#ifndef TRAPS_H
#define TRAPS_H

enum {
  // Faults and traps raised by the CPU itself.
  T_DIVIDE = 0,
  T_DEBUG = 1,
  T_NMI = 2,
  T_BRKPT = 3,
  T_OFLOW = 4,
  T_BOUND = 5,
  T_ILLOP = 6,  // undefined opcode
  T_DEVICE = 7, // FPU used while unavailable
  T_DBLFLT = 8, // a fault while delivering a fault
  T_TSS = 10,
  T_SEGNP = 11,
  T_STACK = 12,
  T_GPFLT = 13, // general protection
  T_PGFLT = 14, // page fault
  T_FPERR = 16,
  T_ALIGN = 17,
  T_MCHK = 18, // machine check: what MemV6 recovers from
  T_SIMDERR = 19,

  T_IRQ0 = 32,     // first PIC line once remapped above the exceptions
  T_DEFAULT = 500, // "no particular vector"
};

// Offsets from T_IRQ0 of the devices this machine wires up.
enum { IRQ_TIMER = 0, IRQ_KBD = 1, IRQ_COM1 = 4, IRQ_IDE = 14, IRQ_ERROR = 19, IRQ_SPURIOUS = 31 };

// The system call gate is a macro (syscall.h has it too, for int $T_SYSCALL
// in assembly), defined once whichever header comes first.
#ifndef T_SYSCALL
#define T_SYSCALL 64
#endif

#endif
