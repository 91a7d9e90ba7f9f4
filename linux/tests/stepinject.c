// Instruction-exact memory errors in a mirrored Linux process without gdb
// (stepinject.h): EFLAGS.TF traps every instruction of a traced run into a
// SIGTRAP handler, which forks there; the child corrupts a byte of the
// target page and calls the runtime's memory-error recovery with the
// signal's context, exactly what its SIGBUS handler runs for
// BUS_MCEERR_AO at that instruction. One traced run covers every
// instruction (a child per instruction and target), not one run per
// instruction. Untranslated: what it writes into the image is copied to the
// mirror (the oracle compares it like every byte of the image).
#include "rtint.h"
#include "stepinject.h"

#define LX_SIGTRAP 5
#define LX_SA_SIGINFO 0x4
#define LX_SA_RESTORER 0x04000000
#define LX_SA_ONSTACK 0x08000000
#define EFLAGS_TF 0x100ul

struct lx_sigaction {
  ulong handler, flags, restorer;
  unsigned mask[2];
};

struct step_ctl step_ctl;

static void keep(void) {
  mlx_mirror_sync(&step_ctl, sizeof step_ctl);
}

extern const char step_on_trap[], step_off_trap[];

static ulong *gregs(void *context) {
  return (ulong *)((char *)context + LX_UC_GREGS);
}

// In the child: the error on target t before the interrupted instruction.
static void inject(int t, long at, void *context) {
  static const int slot[] = LX_UC_MODRM_REGS;
  ulong *g = gregs(context);
  ulong addr = t == STEP_DATA_NATIVE || t == STEP_DATA_MIRROR ? step_ctl.data : g[slot[4]];
  if (t == STEP_DATA_MIRROR || t == STEP_STACK_MIRROR)
    addr += MIRROR_OFFSET;
  step_ctl.child = t + 1;
  step_ctl.at = at;
  step_ctl.pc = g[LX_UC_REG_IP];
  keep();                                  // before the error: its page may be this one
  *(volatile unsigned char *)addr ^= 0x10; // the bad bit
  step_ctl.hit = mlx_memory_error(addr, context);
  step_ctl.rolled = g[LX_UC_REG_IP] != step_ctl.pc;
  g[LX_UC_REG_FLAGS] &= ~EFLAGS_TF; // the rest of the run untraced
  keep();
}

// In the parent: a child per target, each waited for and counted.
static void fork_children(long at, void *context) {
  for (int t = 0; t < STEP_TARGETS; t++) {
    long pid = lx_sys3(LX_NR_FORK, 0, 0, 0);
    if (pid == 0) {
      inject(t, at, context);
      return;
    }
    int status = 0;
    if (pid < 0 || lx_waitpid(pid, &status) != pid)
      rt_die("stepinject: cannot fork or wait", (ulong)at);
    int exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff;
    step_ctl.trials[t]++;
    step_ctl.wrong[t] += !exited || (code & ~2) != 0;
    step_ctl.rolled_n[t] += exited && (code & 2);
    keep();
  }
}

static void on_trap(int sig, void *info, void *context) {
  ulong *g = gregs(context);
  (void)sig, (void)info;
  if (g[LX_UC_REG_IP] == (ulong)step_on_trap) {
    g[LX_UC_REG_FLAGS] |= EFLAGS_TF;
    return;
  }
  if (g[LX_UC_REG_IP] == (ulong)step_off_trap) {
    g[LX_UC_REG_FLAGS] &= ~EFLAGS_TF;
    return;
  }
  long at = step_ctl.steps++;
  keep();
  if (step_ctl.sweep)
    fork_children(at, context);
}

void step_init(void) {
  struct lx_sigaction act = {
      (ulong)on_trap, LX_SA_SIGINFO | LX_SA_RESTORER | LX_SA_ONSTACK, (ulong)mlx_sigreturn, {0, 0}};
  if (lx_sys4(LX_NR_RT_SIGACTION, LX_SIGTRAP, (long)&act, 0, 8) != 0)
    rt_die("stepinject: cannot catch SIGTRAP", 0);
}

// int3 traps into the same handler, which turns EFLAGS.TF on or off in the
// frame it returns to: no word of the program's stack is written (pushf
// would leave one native-only, which a later frame's padding then holds
// while the oracle looks).
__asm__(".text\n"
        ".globl step_on, step_off\n"
        "step_on: int3\n"
        "step_on_trap: ret\n"
        "step_off: int3\n"
        "step_off_trap: ret\n");
