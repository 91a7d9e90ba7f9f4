// Instruction-exact memory errors in a mirrored Linux process without gdb
// (stepinject.c, docs/linux.md "Tests"). Untranslated.
#ifndef STEPINJECT_H
#define STEPINJECT_H

// The pages an error strikes: the page of step_ctl.data or of the
// interrupted stack pointer, its native side or its mirror side.
enum { STEP_DATA_NATIVE, STEP_DATA_MIRROR, STEP_STACK_NATIVE, STEP_STACK_MIRROR, STEP_TARGETS };

// A traced run (step_on(), the code, step_off()) traps every instruction
// (EFLAGS.TF). With sweep set, at every instruction the handler forks once
// per target; the child flips a bit of the target page's byte and runs the
// runtime's recovery for a memory error reported there at that instruction
// (mlx_memory_error, as for BUS_MCEERR_AO), then goes on untraced and
// judges its own run (step_verdict); the parent waits for it and counts.
// Plain data: the test writes data and sweep with translated stores (a call
// into this untranslated file would leave native-only words on the
// program's stack, which a later frame's padding holds while the oracle
// looks); the handler keeps its own writes in both copies.
struct step_ctl {
  unsigned long data; // the byte of the data target
  long sweep;         // 1: inject (in children) at every instruction
  long steps;         // instructions trapped so far in the traced run
  // In a child: which target (1 + STEP_*), the instruction it was injected
  // before, whether recovery took the error and moved the cut.
  long child, at;
  unsigned long pc;
  long hit, rolled;
  // In the parent: per target, children run, gone wrong, cuts moved.
  long trials[STEP_TARGETS], wrong[STEP_TARGETS], rolled_n[STEP_TARGETS];
};
extern struct step_ctl step_ctl;

// Catches SIGTRAP (on the runtime's signal stack). Call it first, then let
// a translated function overwrite the stack below the caller (its frame is
// native-only).
void step_init(void);

// EFLAGS.TF on / off around a traced run: an int3 each, whose trap turns
// the flag on or off in the frame the handler returns to (no stack word
// written). Called from translated code.
void step_on(void);
void step_off(void);

// A child's exit status: bit 0 its run went wrong, bit 1 recovery moved the cut.
#define STEP_STATUS(wrong, rolled) ((wrong ? 1 : 0) | (rolled ? 2 : 0))
#endif
