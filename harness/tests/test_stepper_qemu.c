// when.icount's stepper against real QEMU (docs/campaign.md, "Instruction-
// exact injection"): N single steps land where a free run is after the same
// N instructions, interrupts included, and only with the flags memharness
// uses (QEMU's default flags, which mask interrupts while stepping, give a
// different execution: the check can fail).
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "snapshot.h"
#include "stepper.h"
#include "util.h"

static struct mh_session s;
static char elf[512], kernel[512], disk[512];

static uint64_t sym(const char *path, const char *name) {
  uint64_t a = 0;
  struct mh_err e;
  if (mh_elf_symbol(path, name, &a, NULL, &e) < 0)
    fail_msg("%s", e.msg);
  return a;
}

static void restore(void) {
  double cost;
  struct mh_err e;
  if (mh_session_restore(&s, &cost, &e) < 0)
    fail_msg("%s", e.msg);
}

// Free run to the next stop at addr (a breakpoint there only meanwhile).
static void run_to(uint64_t addr, int times) {
  struct mh_err e;
  assert_int_equal(mh_session_bp(&s, addr, true, &e), 0);
  for (int i = 0; i < times; i++) {
    enum mh_stop_at at = mh_session_run(&s, 60000, &e);
    if (at != MH_AT_USER)
      fail_msg("run to 0x%llx (hit %d of %d): stopped at %d: %s", (unsigned long long)addr, i + 1,
               times, at, e.msg);
  }
  assert_int_equal(mh_session_bp(&s, addr, false, &e), 0);
}

static void regs(uint32_t r[MH_R_COUNT]) {
  struct mh_err e;
  if (mh_step_regs(&s, r, &e) < 0)
    fail_msg("%s", e.msg);
}

static uint32_t kword(uint32_t kva) {
  uint32_t v = 0;
  assert_int_equal(mh_session_kread(&s, kva, &v, 4), 0);
  return v;
}

#define N                                                                                          \
  2500 // from main(): the timer interrupt there, then sbrk's system call;
       // from mark_heap: a timer interrupt at 838

struct landing {
  uint32_t reg[MH_R_COUNT], ticks;
  int events;
  int64_t visits; // how often the final eip was reached by a counted instruction
};

static uint32_t trace[N];
static uint64_t start_bp; // 0: windows start at main(), else at this breakpoint's first hit

// The window's start: main() (the snapshot), or the breakpoint's first hit.
static void to_start(void) {
  restore();
  if (start_bp)
    run_to(start_bp, 1);
}

// From the start, n steps with the given flags; where they end.
static void step_from_main(int flags, int n, struct landing *l) {
  struct mh_step_out o = {.trace = trace, .trace_cap = N};
  struct mh_err e;
  to_start();
  double t0 = mh_now();
  int rc = mh_step(&s, n, flags, &o, &e);
  if (rc != 1)
    fail_msg("mh_step(%d, flags %d): %d, expected 1: %s", n, flags, rc, e.msg);
  printf("flags %d: %d steps in %.3f s (%.3f ms per instruction), %d events, at 0x%x\n", flags, n,
         mh_now() - t0, (mh_now() - t0) * 1000 / n, o.events, o.reg[MH_R_EIP]);
  memcpy(l->reg, o.reg, sizeof l->reg);
  l->ticks = kword((uint32_t)sym(kernel, "ticks"));
  l->events = o.events;
  l->visits = 0;
  for (int i = 0; i < n; i++)
    l->visits += trace[i] == o.reg[MH_R_EIP];
}

// Every debugger stop lets QEMU's icount clock jump to the next timer
// deadline (sleep=off treats a stopped vCPU as idle), so the free run must
// stop only once: at the last instruction of the first N whose eip was not
// reached before. Returns how many instructions that is.
static int unique_end(int flags) {
  struct landing l;
  step_from_main(flags, N, &l);
  for (int i = N - 1; i > N / 2; i--) {
    int seen = 0;
    for (int j = 0; j <= i; j++)
      seen += trace[j] == trace[i];
    if (seen == 1)
      return i + 1;
  }
  fail_msg("no eip reached only once in the second half of %d steps", N);
  return 0;
}

// The free run from main() to the same arrival at the same eip.
static void free_run_to(const struct landing *stepped, struct landing *l) {
  to_start();
  run_to(stepped->reg[MH_R_EIP], (int)stepped->visits);
  regs(l->reg);
  l->ticks = kword((uint32_t)sym(kernel, "ticks"));
}

static void assert_same(const struct landing *a, const struct landing *b, const char *what) {
  static const char *const names[] = {"eax", "ecx",    "edx", "ebx", "esp", "ebp", "esi", "edi",
                                      "eip", "eflags", "cs",  "ss",  "ds",  "es",  "fs",  "gs"};
  for (int i = 0; i < MH_R_COUNT; i++)
    if (a->reg[i] != b->reg[i])
      fail_msg("%s: %s stepped 0x%x, free run 0x%x", what, names[i], a->reg[i], b->reg[i]);
  assert_int_equal(a->ticks, b->ticks);
}

// The flags memharness uses: the same registers and timer ticks as the
// free run, with an interrupt and a system call inside the window.
static void steps_land_where_the_free_run_is(void **state) {
  (void)state;
  struct landing st, fr;
  step_from_main(MH_SSTEP_FREE_RUN, unique_end(MH_SSTEP_FREE_RUN), &st);
  if (st.events < 2)
    fail_msg("the window holds %d interrupts/exceptions, expected >= 2 (the timer at main, "
             "sbrk's int)",
             st.events);
  free_run_to(&st, &fr);
  assert_same(&st, &fr, "flags ENABLE|NOTIMER");
}

// From a breakpoint stop, as a sweep starts: the window after sweep's
// mark_heap holds a timer interrupt that arrives mid-window (at 838).
static void steps_from_a_breakpoint_land_where_the_free_run_is(void **state) {
  (void)state;
  struct landing st, fr;
  start_bp = sym(elf, "mark_heap");
  step_from_main(MH_SSTEP_FREE_RUN, unique_end(MH_SSTEP_FREE_RUN), &st);
  if (st.events < 1)
    fail_msg("the window holds %d interrupts, expected >= 1 (a timer tick)", st.events);
  free_run_to(&st, &fr);
  start_bp = 0;
  assert_same(&st, &fr, "flags ENABLE|NOTIMER, from mark_heap");
}

// What the other flags do, so that the test above can fail: QEMU's default
// (7) masks the interrupt pending at main(); without NOTIMER (1) every stop
// advances the icount clock to the next timer deadline, so timers fire at
// nearly every step.
static void other_flags_change_the_execution(void **state) {
  (void)state;
  struct landing ok, fr, st;
  int n = unique_end(MH_SSTEP_FREE_RUN);
  step_from_main(MH_SSTEP_FREE_RUN, n, &ok);
  free_run_to(&ok, &fr);
  int flags[] = {7, 1};
  for (int i = 0; i < 2; i++) {
    step_from_main(flags[i], n, &st);
    bool same = memcmp(st.reg, fr.reg, sizeof st.reg) == 0 && st.ticks == fr.ticks;
    printf("flags %d: after %d instructions eip 0x%x, ticks %u; free run eip 0x%x, ticks %u\n",
           flags[i], n, st.reg[MH_R_EIP], st.ticks, fr.reg[MH_R_EIP], fr.ticks);
    if (same)
      fail_msg("flags %d: stepping agreed with the free run, expected a different execution",
               flags[i]);
  }
}

// Trial records name the stopped instruction as function+offset.
static void at_names_function_and_offset(void **state) {
  (void)state;
  char at[128];
  struct mh_err e;
  uint64_t a = sym(kernel, "copyout");
  assert_int_equal(mh_elf_where(kernel, a + 0x40, at, sizeof at, &e), 0);
  assert_string_equal(at, "copyout+0x40");
  a = sym(elf, "mark_heap"); // a lone ret: the bytes after it belong to no function
  assert_int_equal(mh_elf_where(elf, a, at, sizeof at, &e), 0);
  assert_string_equal(at, "mark_heap+0x0");
  assert_int_equal(mh_elf_where(elf, a + 3, at, sizeof at, &e), 0);
  assert_string_equal(at, "mark_heap+0x3 (past its end)");
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  snprintf(elf, sizeof elf, "%s/user-memv6/sweep", KERNEL_DIR);
  snprintf(kernel, sizeof kernel, "%s/kernel-memv6.elf", KERNEL_DIR);
  snprintf(disk, sizeof disk, "%s/fs-memv6.img", KERNEL_DIR);
  struct mh_session_opts o = {.qemu = "qemu-system-i386",
                              .kernel = kernel,
                              .disk = disk,
                              .workload_elf = elf,
                              .program = "sweep",
                              .cmdline = "sweep",
                              .icount = true,
                              .mem_mb = 136,
                              .snapshot = true,
                              .timeout_s = 60,
                              .connect_timeout_s = 30};
  struct mh_err e;
  if (mh_session_start(&s, &o, &e) < 0) {
    fprintf(stderr, "%s\n", e.msg);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(steps_land_where_the_free_run_is),
      cmocka_unit_test(steps_from_a_breakpoint_land_where_the_free_run_is),
      cmocka_unit_test(other_flags_change_the_execution),
      cmocka_unit_test(at_names_function_and_offset)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  mh_session_stop(&s);
  return rc;
}
