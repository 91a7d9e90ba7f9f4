// Instruction-exact stops in Linux processes (lxtrial.h, when.icount): a
// sweep's trial t stops t instructions after the breakpoint's hit. Checked
// against the program's disassembly (objdump, not gdbserver): trial 0 stands
// at the breakpoint and every next trial one instruction further, the next
// one in the listing or a jump's, call's or return's target (the same
// instruction again only for a rep string instruction's next iteration); the
// target page is the one the named register points into; replaying a trial
// (again, and through `memharness replay`) stops at the same instruction and
// page with the same outcome.
#include "cm.h"
#include "lxskip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "fault.h"
#include "lxtrial.h"
#include "mh_config.h"
#include "proc.h"

// ---- the disassembly ----

struct insn {
  uint64_t addr, next, target; // target: a direct jump's or call's, else 0
  char mn[16];                 // the operation, without prefixes ("movs", "ret", "jne", "call")
  bool rep;                    // a rep/repz/repnz prefix
};

struct listing {
  struct insn *v;
  int n;
};

static void parse_line(const char *line, struct listing *l) {
  unsigned long long a, t;
  char mn[16], rest[256] = "";
  if (line[0] != ' ' || sscanf(line, " %llx:\t%15s %255[^\n]", &a, mn, rest) < 2)
    return;
  struct insn *i = &l->v[l->n++];
  i->addr = a;
  i->rep = strncmp(mn, "rep", 3) == 0;
  if (i->rep || strcmp(mn, "bnd") == 0 || strcmp(mn, "notrack") == 0) // prefixes
    sscanf(rest, "%15s %255[^\n]", mn, rest);
  snprintf(i->mn, sizeof i->mn, "%s", mn);
  bool direct = rest[0] != '*' && sscanf(rest, "%llx", &t) == 1;
  i->target = (mn[0] == 'j' || strncmp(mn, "call", 4) == 0) && direct ? t : 0;
  if (l->n > 1)
    l->v[l->n - 2].next = a;
}

// objdump -d of elf (started from an argv, into a file).
static struct listing disassemble(const char *elf) {
  char out[] = "/tmp/mh-lxsteps-XXXXXX";
  int fd = mkstemp(out);
  assert_true(fd >= 0);
  close(fd);
  char *argv[] = {"objdump", "-d", "--no-show-raw-insn", (char *)elf, NULL};
  struct mh_proc p;
  struct mh_err e;
  if (mh_proc_spawn(argv, out, &p, &e) < 0)
    fail_msg("objdump: %s", e.msg);
  assert_int_equal(mh_proc_wait(&p, 60000), 1);
  assert_int_equal(mh_proc_exit_code(&p), 0);
  FILE *f = fopen(out, "r");
  assert_non_null(f);
  struct listing l = {calloc(400000, sizeof(struct insn)), 0};
  char line[512];
  while (l.n < 400000 && fgets(line, sizeof line, f))
    parse_line(line, &l);
  fclose(f);
  unlink(out);
  printf("%s: %d instructions in the listing\n", elf, l.n);
  assert_true(l.n > 100);
  return l;
}

static const struct insn *find(const struct listing *l, uint64_t addr) {
  for (int i = 0; i < l->n; i++)
    if (l->v[i].addr == addr)
      return &l->v[i];
  return NULL;
}

// Whether pc may follow prev after one step; calls push their return
// address on stack (returns out of the window's first function: any).
static bool follows(const struct insn *prev, uint64_t pc, uint64_t *stack, int *depth) {
  const char *m = prev->mn;
  if (strncmp(m, "ret", 3) == 0)
    return *depth == 0 || stack[--*depth] == pc;
  if (strncmp(m, "call", 4) == 0) {
    if (*depth < 64)
      stack[(*depth)++] = prev->next;
    return prev->target == 0 || pc == prev->target;
  }
  if (m[0] == 'j')
    return pc == prev->next || prev->target == 0 || pc == prev->target;
  if (prev->rep) // one iteration per step: the same instruction until the count runs out
    return pc == prev->next || pc == prev->addr;
  return pc == prev->next;
}

// ---- the trials ----

#define STACK 0x17f00000, 0x17fff000 // pages of the arena's stack (common/mlx.h)
#define HEAP 0x10000000, 0x10000000  // the arena's first page: sweep's heap

// A sweep of n instructions from bp in program (crc32, or sweep: its
// string phase), the fault on the page the register page points into.
static const char *campaign_json(const char *variant, const char *program, const char *kind,
                                 const char *page, const char *bp, int n) {
  static char buf[2048];
  snprintf(buf, sizeof buf,
           "{\"schema\": 1, \"name\": \"lxsteps\", \"variants\": [\"%s\"],"
           " \"workloads\": [{\"name\": \"%s\", \"program\": \"%s\", \"expect\": {\"status\": 0}}],"
           " \"timeouts\": {\"run_s\": 60}, \"seed\": 26,"
           " \"faults\": {\"trials\": %d, \"target\": {\"kind\": \"%s\", \"page\": \"%s\"},"
           " \"when\": {\"breakpoint\": \"%s\", \"icount\": [0, %d], \"sweep\": true}}}",
           variant, program, program, n, kind, page, bp, n - 1);
  return buf;
}

struct stop {
  uint64_t pc, page;
  enum mh_outcome outcome;
};

static struct stop trial(const struct mh_lxprog *p, const struct mh_campaign *c,
                         const struct mh_golden *g, int t) {
  struct mh_trial_plan plan;
  mh_fault_plan(&c->faults, t, mh_trial_seed(c->faults.seed, t), &plan);
  struct mh_trial_result r;
  mh_lx_trial(p, &c->faults, g, &plan, 30, &r);
  if (r.outcome == MH_OUT_HARNESS_ERROR)
    fail_msg("trial %d: %s", t, r.reason);
  assert_int_equal(r.lx.steps, t);
  assert_int_equal(plan.icount, t);
  assert_int_equal(r.lx.si_code, 5); // BUS_MCEERR_AO: the default at an instruction
  struct stop s = {r.lx.pc, r.lx.page, r.outcome};
  mh_trial_result_free(&r);
  return s;
}

// Trials 0..n-1 of a sweep from bp on variant v: each one instruction past
// the last by the listing; the page the one the register is in, which lies
// in [lo, hi] (the arena's stack, or its heap).
static void sweep(enum mh_variant v, const char *program, const char *kind, const char *reg,
                  const char *bp, int n, uint64_t lo, uint64_t hi) {
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(campaign_json(mh_variant_name(v), program, kind, reg, bp, n), &c, &e) < 0)
    fail_msg("%s", e.msg);
  struct mh_lxprog p;
  if (mh_lx_prepare(&p, BUILD_DIR, v, &c, 0, &e) < 0)
    fail_msg("%s", e.msg);
  struct mh_golden g;
  if (mh_lx_golden(&p, &c.faults, 60, &g, &e) < 0)
    fail_msg("%s", e.msg);
  struct listing l = disassemble(p.path);
  uint64_t stack[64], offset = strcmp(kind, "mirror") == 0 ? p.arch->mirror_offset : 0;
  int depth = 0, reps = 0;
  struct stop s[200];
  assert_true(n <= 200);
  for (int t = 0; t < n; t++) {
    s[t] = trial(&p, &c, &g, t);
    const struct insn *prev = t ? find(&l, s[t - 1].pc) : NULL;
    printf("%s %s+%d: pc %#llx page %#llx %s\n", mh_variant_name(v), bp, t,
           (unsigned long long)s[t].pc, (unsigned long long)s[t].page,
           mh_outcome_name(s[t].outcome));
    if (t == 0)
      assert_int_equal(s[0].pc, p.bp);
    else if (!prev || !follows(prev, s[t].pc, stack, &depth))
      fail_msg("step %d: pc %#llx does not follow %#llx (%s, next %#llx, target %#llx)", t,
               (unsigned long long)s[t].pc, (unsigned long long)s[t - 1].pc,
               prev ? prev->mn : "not an instruction of the listing",
               prev ? (unsigned long long)prev->next : 0ULL,
               prev ? (unsigned long long)prev->target : 0ULL);
    assert_in_range(s[t].page - offset, lo, hi);
    reps += t && s[t].pc == s[t - 1].pc;
  }
  printf("%d steps stayed on a rep instruction (one iteration each)\n", reps);
  // sweep's string phase reaches its first rep stosl (32 iterations) within
  // half the window: a step that ran the whole rep at once shows here.
  if (strcmp(program, "sweep") == 0 && reps < n / 3)
    fail_msg("%d of %d steps in sweep's string phase were rep iterations, expected %d at least",
             reps, n, n / 3);
  // A trial run again stops at the same instruction and page, same outcome.
  for (int t = 1; t < n; t += n / 3) {
    struct stop again = trial(&p, &c, &g, t);
    printf("again %d: pc %#llx page %#llx %s\n", t, (unsigned long long)again.pc,
           (unsigned long long)again.page, mh_outcome_name(again.outcome));
    assert_int_equal(again.pc, s[t].pc);
    assert_int_equal(again.page, s[t].page);
    assert_int_equal(again.outcome, s[t].outcome);
  }
  free(l.v);
  mh_golden_free(&g);
  mh_lx_free(&p);
  mh_campaign_free(&c);
}

static void i386_steps(void **state) {
  (void)state;
  if (!mh_lx_can_run(BUILD_DIR "/linux/i386-memv6/crc32"))
    skip();
  // A system call (clock_gettime: one step), a return, calls and returns,
  // loops; the stack pointer stays in the arena's stack.
  sweep(MH_VARIANT_LX_I386_MEMV6, "crc32", "mirror", "sp", "rdtsc", 40, STACK);
  // sweep's string phase: rep stosl, one step per iteration; the page an
  // address (the arena's first page: sweep's one heap page).
  if (access(BUILD_DIR "/linux/i386-memv6/sweep", X_OK) == 0)
    sweep(MH_VARIANT_LX_I386_MEMV6, "sweep", "native", "0x10000000", "mark_string", 60, HEAP);
}

static void x86_64_steps(void **state) {
  (void)state;
  if (!mh_lx_can_run(BUILD_DIR "/linux/x86_64-memv6/crc32"))
    skip();
  sweep(MH_VARIANT_LX_X86_64_MEMV6, "crc32", "mirror", "rsp", "rdtsc", 40, STACK);
}

// `memharness run` of a short sweep, then `memharness replay` of two of its
// trials: exit 0, the same outcome, instruction and page.
static void replay_cli(void **state) {
  (void)state;
  if (!mh_lx_can_run(BUILD_DIR "/linux/i386-memv6/crc32"))
    skip();
  char dir[] = "/tmp/mh-lxreplay-XXXXXX", camp[96], out[96], log[96];
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/c.json", dir);
  snprintf(out, sizeof out, "%s/r.json", dir);
  snprintf(log, sizeof log, "%s/log", dir);
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fputs(campaign_json("linux-i386-memv6", "crc32", "native", "sp", "bench_fill", 12), f);
  fclose(f);
  char *run[] = {MEMHARNESS, "run", camp, "--build-dir", BUILD_DIR, "-o", out, NULL};
  char *again[][4] = {{MEMHARNESS, "replay", out, "linux-i386-memv6/7"},
                      {MEMHARNESS, "replay", out, "linux-i386-memv6/11"}};
  struct mh_proc p;
  struct mh_err e;
  if (mh_proc_spawn(run, log, &p, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(mh_proc_wait(&p, 60000), 1);
  assert_int_equal(mh_proc_exit_code(&p), 0);
  for (int i = 0; i < 2; i++) {
    char *argv[] = {again[i][0], again[i][1], again[i][2], again[i][3], NULL};
    if (mh_proc_spawn(argv, log, &p, &e) < 0)
      fail_msg("%s", e.msg);
    assert_int_equal(mh_proc_wait(&p, 60000), 1);
    int code = mh_proc_exit_code(&p);
    printf("memharness replay %s: exit %d (expected 0: same outcome, pc and page)\n", again[i][3],
           code);
    assert_int_equal(code, 0);
  }
  unlink(camp);
  unlink(out);
  unlink(log);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(i386_steps),
      cmocka_unit_test(x86_64_steps),
      cmocka_unit_test(replay_cli),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
