// Instruction-exact stops (campaign `when.icount`, docs/campaign.md): N
// guest instructions after the current stop, counted by single-stepping
// through QEMU's gdbstub.
//
// The stepped execution is the free run's (from the same stop): the stub
// is told to deliver interrupts while stepping but not to run timers at
// each step's stop (Qqemu.sstep=5; QEMU's default 7 masks interrupts, and
// 1 lets every stop advance the icount clock to the next timer deadline),
// so under -icount an interrupt arrives at the same instruction count as
// without stepping (measured: harness_test_stepper_qemu). Kernel instructions
// count like user ones. A step that delivers an interrupt or a faulting
// instruction's exception retires no instruction and is not counted (it is
// an event); `int n`, int3, into, and a hlt woken by an interrupt retire
// theirs. The count is then the icount difference (what rdtsc shows under
// -icount shift=0 outside idle time), measured in harness/tests.
#ifndef MH_STEPPER_H
#define MH_STEPPER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "snapshot.h"

// QEMU gdbstub single-step flags (gdbstub.c): SSTEP_ENABLE 1, SSTEP_NOIRQ 2,
// SSTEP_NOTIMER 4.
#define MH_SSTEP_FREE_RUN 5 // ENABLE, NOTIMER (why: the file comment)
#define MH_VEC_MC 18        // machine check

// i386 registers in the order of the stub's register block.
enum {
  MH_R_EAX,
  MH_R_ECX,
  MH_R_EDX,
  MH_R_EBX,
  MH_R_ESP,
  MH_R_EBP,
  MH_R_ESI,
  MH_R_EDI,
  MH_R_EIP,
  MH_R_EFLAGS,
  MH_R_CS,
  MH_R_SS,
  MH_R_DS,
  MH_R_ES,
  MH_R_FS,
  MH_R_GS,
  MH_R_COUNT
};

struct mh_step_out {
  int64_t n;                 // instructions executed (== the N asked for when it returns 1)
  int events;                // interrupt and exception deliveries in the window
  uint32_t reg[MH_R_COUNT];  // at the stop
  uint32_t ureg[MH_R_COUNT]; // the last user-mode registers seen (the user's while in the kernel)
  bool have_ureg;
  enum mh_stop_at ended; // MH_AT_SHUTDOWN/PANIC/OTHER when power_off came first
  uint32_t *trace;       // optional: the eip after every counted instruction
  int64_t trace_cap;
};

// Reads the register block (the first MH_R_COUNT registers).
int mh_step_regs(struct mh_session *s, uint32_t reg[MH_R_COUNT], struct mh_err *e);

// Steps n instructions from the current stop with the given single-step
// flags (MH_SSTEP_FREE_RUN for injections; other flags only for tests that
// show what they change) and restores the stub's flags after. Returns 1
// stopped after n instructions, 0 the workload ended first (power_off
// reached: out->ended and the session's power_value say how), -1 on error.
int mh_step(struct mh_session *s, int64_t n, int flags, struct mh_step_out *out, struct mh_err *e);

// One step from a stop with an interrupt or exception pending (a #MC just
// raised): which vector it was delivered through (-1: none, an instruction
// ran instead) and the eip it interrupted (the top of the interrupt frame,
// i386 vectors without an error code); reg gets the registers at the vector
// (the general registers are still the interrupted code's).
int mh_step_delivery(struct mh_session *s, int *vector, uint32_t *interrupted,
                     uint32_t reg[MH_R_COUNT], struct mh_err *e);

#endif
