// The IDT and trap dispatch: device interrupts, system calls, and faults.
// A fault in user mode kills the process (status -1); in the kernel it is
// a bug, so it panics.
#include "types.h"
#include "mmu.h"
#include "x86.h"
#include "syscall.h"
#include "introspect.h"
#include "klib.h"
#include "console.h"
#include "proc.h"
#include "pic.h"
#include "syscalls.h"
#include "trap.h"
#include "mce.h"
#include "cow.h"
#include "kmirror.h"

#define GATE_INTR 0x8e         // present, DPL 0, interrupt gate (IF cleared on entry)
#define GATE_SYSCALL_USER 0xef // present, DPL 3, trap gate (IF kept)

struct gate {
  ushort off_lo;
  ushort sel;
  uchar zero;
  uchar attr;
  ushort off_hi;
};

extern uint trap_vectors[256]; // trapentry.S
static struct gate idt[256];

const void *trap_idt(void) {
  return idt;
}

void trap_init(void) {
  for (int v = 0; v < 256; v++) {
    uint off = trap_vectors[v];
    idt[v] = (struct gate){(ushort)off, SEG_KCODE << 3, 0, GATE_INTR, (ushort)(off >> 16)};
  }
  idt[T_SYSCALL].attr = GATE_SYSCALL_USER;
  load_idt(idt, sizeof(idt));
}

static const char *trap_name(uint n) {
  static const char *names[] = {"divide error",
                                "debug",
                                "nmi",
                                "breakpoint",
                                "overflow",
                                "bound range",
                                "invalid opcode",
                                "no fpu",
                                "double fault",
                                "fpu overrun",
                                "invalid tss",
                                "no segment",
                                "stack fault",
                                "general protection",
                                "page fault",
                                "reserved",
                                "fpu error",
                                "alignment check",
                                "machine check",
                                "simd error"};
  return n < NELEM(names) ? names[n] : "unexpected trap";
}

static void fault(struct trapframe *tf) {
  struct proc *p = myproc();
  uint addr = tf->trapno == T_PGFLT ? read_cr2() : 0;
  // A store to a page fork or dedup left shared (native or mirror address).
  if (tf->trapno == T_PGFLT && p && (tf->cs & 3) == DPL_USER &&
      cow_fault(p->pgdir, p->sz, addr, tf->err, p->pid))
    return;
  if ((tf->cs & 3) != DPL_USER || !p) {
    kprintf("kernel trap %d (%s) err %x eip %p addr %p\n", tf->trapno, trap_name(tf->trapno),
            tf->err, tf->eip, addr);
    panic("trap in kernel mode");
  }
  kprintf("pid %d %s: %s (trap %d err %x) eip %p addr %p: killed\n", p->pid, p->name,
          trap_name(tf->trapno), tf->trapno, tf->err, tf->eip, addr);
  p->killed = 1;
}

static void device_irq(int irq) {
  switch (irq) {
  case IRQ_TIMER:
    timer_tick();
    break;
  case IRQ_COM1:
    console_intr();
    break;
  case IRQ_SPURIOUS_MASTER:
    return; // not a real request: no EOI
  case IRQ_SPURIOUS_SLAVE:
    pic_eoi(0); // the master did see the cascade line
    return;
  default:
    kprintf("unexpected irq %d\n", irq);
  }
  pic_eoi(irq);
}

static void system_call(struct trapframe *tf) {
  struct proc *p = myproc();
  if (p->killed)
    exit_proc(-1);
  p->tf = tf;
  syscall_run();
  if (p->killed)
    exit_proc(-1);
}

static void dispatch(struct trapframe *tf);

// The safe point at the end of a trap. memv6sys: at the end of a trap from
// user mode the process's kernel code is done, so recovery may move its page
// tables (mce_run_user); native and memv6 run exactly mce_run.
#if KMIRRORED
#define mce_run_after(tf) (((tf)->cs & 3) == DPL_USER ? mce_run_user() : mce_run())
#else
#define mce_run_after(tf) mce_run()
#endif

void trap_dispatch(struct trapframe *tf) {
  // memv6sys: kernel code this trap cut may be inside a mirrored write
  // (a trap from user mode cut none: no call for the common case).
  int slot = (tf->cs & 3) == DPL_USER ? -1 : kmirror_trap_enter(tf);
  dispatch(tf);
  if (slot >= 0)
    kmirror_trap_leave(slot);
}

static void dispatch(struct trapframe *tf) {
  // Every trap from user code records where it stopped: machine-check
  // recovery rolls a process cut inside a mirrored write (mce_inflight.c).
  if ((tf->cs & 3) == DPL_USER && myproc())
    myproc()->tf = tf;
  if (tf->trapno == T_SYSCALL) {
    system_call(tf);
#if KMIRRORED
    // A check queued with interrupts off to the end of the call (mcetest's
    // MCETEST_KRETURN) is recovered before the return turns them on.
    if ((tf->eflags & EFLAGS_IF) && mce_queued)
      mce_run_user();
#endif
    return;
  }
  if (tf->trapno >= T_IRQ0 && tf->trapno < T_IRQ0 + 16)
    device_irq(tf->trapno - T_IRQ0);
  else if (tf->trapno == T_MCHK)
    mce_trap(tf);
  else
    fault(tf);
  // Back to code that had interrupts on: a safe point for machine checks
  // that came while this trap was handled (mce.c).
  if ((tf->eflags & EFLAGS_IF) && mce_queued)
    mce_run_after(tf);

  // A killed process leaves at its next crossing to user mode; a running
  // process gives up the CPU at each timer tick.
  struct proc *p = myproc();
  if (!p)
    return;
  int from_user = (tf->cs & 3) == DPL_USER;
  if (p->killed && from_user)
    exit_proc(-1);
  if (p->state == PSTATE_RUNNING && tf->trapno == T_IRQ0 + IRQ_TIMER)
    yield();
  // A check that came while another process held the CPU with interrupts
  // off (its own yield, with the table lock) found no safe point on the
  // way back here: run it before this process sees its memory again.
  if ((tf->eflags & EFLAGS_IF) && mce_queued)
    mce_run_after(tf);
  if (p->killed && from_user)
    exit_proc(-1);
}
