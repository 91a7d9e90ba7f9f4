// steptest: instruction-exact memory errors inside mirrored writes, in a
// mirrored Linux process, natively (no gdb; stepinject.c). A window of
// translated code rich in the forms the translator mirrors with more than
// one instruction (stepwin.h: stepwin_i386.c, stepwin_x86_64.c) runs once
// untraced for the expected result, once traced (EFLAGS.TF) to count its
// instructions, and once traced with a child forked at every instruction
// for each target: before that instruction a memory error strikes a page
// the window writes, its data page or its stack page, the native side or
// the mirror side (a bit flipped, then the runtime's recovery as for
// BUS_MCEERR_AO there). Every child must end the window with the expected
// result and the oracle at 0. Prints per target "steptest: TARGET trials=N
// rolled=R wrong=W" and exits 0 when every instruction was tried and no
// child went wrong; the untranslated build only checks a traced run's
// result.
#include "types.h"
#include "user.h"
#include "mlx.h"
#include "lx_arch.h"
#include "stepinject.h"
#include "stepwin.h"

static unsigned char ref[4096];

static __attribute__((noinline)) void traced(void) {
  step_on();
  step_window_run();
  step_off();
}

// Overwrites, in both copies, the stack an untranslated callee just used.
static __attribute__((noinline)) uint scrub(void) {
  volatile uint pad[128];
  for (uint i = 0; i < 128; i++)
    pad[i] = 0;
  return pad[0];
}

static int differ(void) {
  int n = 0;
  for (uint i = 0; i < step_window.size; i++)
    n += step_window.data[i] != ref[i];
  return n;
}

static const char *target_name[] = {"data-native", "data-mirror", "stack-native", "stack-mirror"};

// In a child of the sweep (stepinject.c): the error was injected before
// one instruction of the traced run that just ended; judge it and exit.
static void judge_child(void) {
  int t = (int)step_ctl.child - 1, bad = differ(), oracle = mirrorcheck(0);
  int wrong = step_ctl.hit != 1 || bad != 0 || oracle != 0;
  if (wrong && step_ctl.wrong[t] < 5)
    printf(1,
           "steptest: WRONG %s at instruction %d (pc 0x%x): error taken %d (expected 1), "
           "result bytes differing %d (expected 0), mirrorcheck %d (expected 0)\n",
           target_name[t], (int)step_ctl.at, (uint)step_ctl.pc, (int)step_ctl.hit, bad, oracle);
  for (;;) // no oracle line at exit: the verdict is the status
    lx_sys3(LX_NR_EXIT_GROUP, STEP_STATUS(wrong, step_ctl.rolled), 0, 0);
}

int main(void) {
  step_init();
  scrub();
  step_window_init();
  step_ctl.steps = 0;
  step_window_run();
  memmove(ref, step_window.data, (int)step_window.size);
  traced();
  long steps = step_ctl.steps;
  int same = differ() == 0;
  printf(1, "steptest: traced steps=%d result=%s\n", (int)steps, same ? "ok" : "BAD");
  if (mirrorcheck(0) < 0) {
    printf(1, "steptest: no mirror in this build\n");
    return same ? 0 : 1;
  }
  step_ctl.data = (unsigned long)step_window.data;
  step_ctl.steps = 0;
  step_ctl.sweep = 1;
  traced();
  if (step_ctl.child)
    judge_child();
  int wrong = differ() != 0;
  for (int t = 0; t < STEP_TARGETS; t++) {
    printf(1, "steptest: %s trials=%d rolled=%d wrong=%d\n", target_name[t],
           (int)step_ctl.trials[t], (int)step_ctl.rolled_n[t], (int)step_ctl.wrong[t]);
    wrong += step_ctl.wrong[t] != 0 || step_ctl.trials[t] != steps;
  }
  return same && steps > 200 && wrong == 0 ? 0 : 1;
}
