// Traps: the frame every trap entry builds, vector numbers, dispatch.
#ifndef TRAP_H
#define TRAP_H
#include "types.h"

// Built on the kernel stack by the CPU (from eip up) and trapentry.S (the
// rest); the order is fixed by pushal and the hardware.
struct trapframe {
  uint edi, esi, ebp, kesp, ebx, edx, ecx, eax; // pushal; kesp is ignored
  ushort gs, gs_pad;
  ushort fs, fs_pad;
  ushort es, es_pad;
  ushort ds, ds_pad;
  uint trapno;
  uint err; // error code, or 0 for vectors without one
  uint eip;
  ushort cs, cs_pad;
  uint eflags;
  uint esp; // only when the trap came from ring 3
  ushort ss, ss_pad;
};

#define T_DIVIDE 0
#define T_GPFLT 13
#define T_PGFLT 14
#define T_MCHK 18
#define T_IRQ0 32 // the PICs are remapped here
#define IRQ_TIMER 0
#define IRQ_COM1 4
#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE 15

void trap_init(void);
const void *trap_idt(void); // the IDT (the #MC handler's own data, mce.c)
void trap_dispatch(struct trapframe *tf);
void trap_return(void); // trapentry.S: pops a trapframe and irets

// mce.c: machine checks.
void mce_init(void);
void mce_trap(struct trapframe *tf);
#endif
