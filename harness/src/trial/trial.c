#include "trial.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "frameinfo.h"
#include "qmp.h"
#include "rsp.h"
#include "serial.h"
#include "util.h"

// How long the guest runs between two looks at its instruction count,
// and how many looks in a row that find no new instruction make a hang: a
// guest that halted with interrupts off never runs again (with -icount
// sleep=off an idle guest still runs its timer interrupts), and five
// seconds are more than a busy host starves a QEMU.
#define SLICE_MS 1000
#define STALL_SLICES 5

static const char *const outcome_names[] = {"benign", "recovered", "sdc",   "killed",
                                            "panic",  "hang",      "reset", "harness_error"};

static const char *const phase_names[] = {"restore", "to_point", "target", "flip",
                                          "trap",    "to_end",   "serial"};

const char *mh_phase_name(enum mh_phase p) {
  return p < MH_PH_COUNT ? phase_names[p] : "unknown";
}

// Adds the time since *mark to the phase and moves the mark to now.
static void lap(struct mh_trial_result *r, enum mh_phase p, double *mark) {
  double now = mh_now();
  r->phase_s[p] += now - *mark;
  *mark = now;
}

const char *mh_outcome_name(enum mh_outcome o) {
  return o < MH_OUT_COUNT ? outcome_names[o] : "unknown";
}

int mh_outcome_parse(const char *name) {
  for (int i = 0; i < MH_OUT_COUNT; i++)
    if (strcmp(outcome_names[i], name) == 0)
      return i;
  return -1;
}

// ---- classification ----

// Next line of text at *p (without the newline) into buf; false at the end.
static bool next_line(const char **p, char *buf, size_t cap) {
  if (!**p)
    return false;
  const char *nl = strchr(*p, '\n');
  size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
  size_t k = n < cap - 1 ? n : cap - 1;
  memcpy(buf, *p, k);
  buf[k] = 0;
  if (k && buf[k - 1] == '\r')
    buf[k - 1] = 0;
  *p += n + (nl ? 1 : 0);
  return true;
}

// What of a serial line the comparison with the golden run looks at: lines
// for people whole; @test without its cycle count and @usertests (a test
// that failed is wrong output); no other @ line (@mce, @panic, @exit are
// judged separately, @boot comes before the snapshot). False: not compared.
static bool reference_line(char *line) {
  if (line[0] != '@')
    return true;
  if (strncmp(line, "@usertests ", 11) == 0)
    return true;
  if (strncmp(line, "@test ", 6) != 0)
    return false;
  char *cycles = strstr(line, " cycles=");
  if (cycles)
    *cycles = 0;
  return true;
}

static bool may_differ(const struct mh_golden *g, const char *want, const char *have) {
  for (int i = 0; i < g->nmay_differ; i++)
    if (fnmatch(g->may_differ[i], want, 0) == 0 && fnmatch(g->may_differ[i], have, 0) == 0)
      return true;
  return false;
}

// The trial's reference lines must be the golden run's, one for one and in
// order; a line may differ only where both match one $.faults.may_differ
// pattern. Machine lines are judged on their own, so the kernel's notes
// about a machine check change nothing. On a mismatch, where says where.
static bool output_matches(const struct mh_golden *g, const char *serial, char *where, size_t cap) {
  char want[1024], have[1024];
  const char *gp = g->output, *sp = serial;
  for (int n = 1;; n++) {
    bool more_g = next_line(&gp, want, sizeof want), more_s = false;
    while ((more_s = next_line(&sp, have, sizeof have)) && !reference_line(have))
      ;
    if (!more_g && !more_s)
      return true;
    if (more_g && more_s && (strcmp(want, have) == 0 || may_differ(g, want, have)))
      continue;
    snprintf(where, cap, "output line %d: \"%.60s\"%s, golden \"%.60s\"%s", n, more_s ? have : "",
             more_s ? "" : " (missing)", more_g ? want : "",
             more_g ? "" : " (none: an extra line)");
    return false;
  }
}

void mh_trial_parse_mce(const char *serial, struct mh_trial_obs *o) {
  char line[1024];
  const char *p = serial;
  o->nmce = 0;
  while (next_line(&p, line, sizeof line)) {
    struct mh_event ev;
    struct mh_err e;
    if (strncmp(line, "@mce", 4) != 0 || mh_event_parse(line, &ev, &e) != 1 ||
        o->nmce >= MH_MAX_MCE)
      continue;
    struct mh_mce_obs *m = &o->mce[o->nmce++];
    const char *v;
    snprintf(m->action, sizeof m->action, "%s", (v = mh_event_get(&ev, "action")) ? v : "");
    snprintf(m->kind, sizeof m->kind, "%s", (v = mh_event_get(&ev, "kind")) ? v : "");
    m->pa = (v = mh_event_get(&ev, "pa")) ? strtoul(v, NULL, 0) : 0;
    m->newpa = (v = mh_event_get(&ev, "newpa")) ? strtoul(v, NULL, 0) : 0;
    m->cycles = (v = mh_event_get(&ev, "cycles")) ? strtoll(v, NULL, 0) : -1;
  }
}

static bool mce_said(const struct mh_trial_obs *o, const char *action) {
  for (int i = 0; i < o->nmce; i++)
    if (strcmp(o->mce[i].action, action) == 0)
      return true;
  return false;
}

// The classification's reason, with a note when fewer faults than
// planned were injected (count > 1): the record must not claim more.
static enum mh_outcome said(const struct mh_trial_obs *o, enum mh_outcome out, char *reason,
                            size_t cap) {
  size_t n = strlen(reason);
  if (o->ninjected > 0 && o->ninjected < o->nfaults && n < cap)
    snprintf(reason + n, cap - n, " (%d of %d faults injected: %s)", o->ninjected, o->nfaults,
             o->why_not);
  return out;
}

enum mh_outcome mh_trial_classify(const struct mh_golden *g, const struct mh_trial_obs *o,
                                  char *reason, size_t cap) {
  // Under icount the budget decides, whatever came after it: a run that
  // needed more instructions than it allows hung, even if it ended later.
  if (g->hang_icount > 0 && o->icount > g->hang_icount && o->ended != MH_AT_DEAD) {
    snprintf(reason, cap,
             "no shutdown within the trial's budget of %lld instructions since main() (hang_factor "
             "x the golden run's %lld): it ran %lld",
             (long long)g->hang_icount, (long long)g->icount, (long long)o->icount);
    return said(o, MH_OUT_HANG, reason, cap);
  }
  switch (o->ended) {
  case MH_AT_PANIC:
    snprintf(reason, cap, "kernel panic: %s", o->panic_msg);
    return said(o, MH_OUT_PANIC, reason, cap);
  case MH_AT_DEAD: // the session's own failures are retried, not classified
    snprintf(reason, cap,
             "the guest reset before shutdown (a triple fault: QEMU runs with "
             "-no-reboot)");
    return said(o, MH_OUT_RESET, reason, cap);
  case MH_AT_TIMEOUT:
    if (o->stalled)
      snprintf(reason, cap,
               "no shutdown: the guest ran no instruction for %d s (halted for good), after %lld "
               "of the %lld instructions its budget allows",
               STALL_SLICES * SLICE_MS / 1000, (long long)o->icount, (long long)g->hang_icount);
    else if (g->hang_icount > 0 && o->icount >= 0)
      snprintf(reason, cap,
               "no shutdown within the trial's host-time limit, after %lld of the %lld "
               "instructions its budget allows",
               (long long)o->icount, (long long)g->hang_icount);
    else
      snprintf(reason, cap, "no shutdown within the trial timeout");
    return said(o, MH_OUT_HANG, reason, cap);
  case MH_AT_SHUTDOWN:
    break;
  default:
    snprintf(reason, cap, "the trial ended in an unexpected stop");
    return MH_OUT_HARNESS_ERROR;
  }
  char where[256] = "";
  bool same_output = output_matches(g, o->serial, where, sizeof where);
  bool correct = o->status == g->status && same_output;
  if (o->status == -1 || mce_said(o, "killed")) {
    snprintf(reason, cap, "the workload was killed (exit status %d%s)", o->status,
             mce_said(o, "killed") ? ", @mce action=killed" : "");
    return said(o, MH_OUT_KILLED, reason, cap);
  }
  // A repaired mirror frame is the mirror-side recovery.
  bool repaired = mce_said(o, "recovered") || mce_said(o, "repaired_mirror");
  if (correct && repaired) {
    snprintf(reason, cap, "recovered (@mce action=%s), output and status as golden",
             mce_said(o, "recovered") ? "recovered" : "repaired_mirror");
    return said(o, MH_OUT_RECOVERED, reason, cap);
  }
  if (correct && !o->injected) {
    snprintf(reason, cap, "nothing injected: %s",
             o->why_not[0] ? o->why_not : "the workload finished first");
    return MH_OUT_BENIGN;
  }
  if (correct) {
    snprintf(reason, cap, "output and status as golden");
    return said(o, MH_OUT_BENIGN, reason, cap);
  }
  snprintf(reason, cap, "finished with %s (status %d, golden %d%s%s)%s",
           o->status == g->status ? "wrong output" : "a wrong status", o->status, g->status,
           same_output ? "" : "; ", where,
           o->nmce ? " although the kernel logged a machine check" : ", nothing detected");
  return said(o, MH_OUT_SDC, reason, cap);
}

// ---- running ----

// The message of the @panic line the kernel prints right before power-off.
static void panic_message(const char *serial, char *out, size_t cap) {
  char line[1024];
  snprintf(out, cap, "(no @panic line in the serial log)");
  for (const char *p = serial; next_line(&p, line, sizeof line);) {
    struct mh_event ev;
    struct mh_err e;
    const char *msg;
    if (strncmp(line, "@panic", 6) == 0 && mh_event_parse(line, &ev, &e) == 1 &&
        (msg = mh_event_get(&ev, "msg")))
      snprintf(out, cap, "%s", msg);
  }
}

// Runs to the end of the workload; fills o->ended, status, panic message.
// Under icount g's instruction budget applies as well (g may be NULL).
static void run_to_end(struct mh_session *s, const struct mh_golden *g, int timeout_ms,
                       struct mh_trial_obs *o, struct mh_err *e);

// A silent fault is watched until the guest first reads or overwrites it
// (activation.h), then the run goes on to its end. 1, or -1 when a
// watchpoint could not be set or cleared (the harness's part failed).
static int run_watched(struct mh_session *s, const struct mh_golden *g, struct mh_trial_result *r,
                       const struct mh_fault *f, int watch_ms, int timeout_ms, struct mh_err *e) {
  double t0 = mh_now();
  enum mh_stop_at at = mh_run_watched(s, &r->targets[0], f, watch_ms, &r->obs.act, e);
  int left = timeout_ms - (int)((mh_now() - t0) * 1000);
  if (at == MH_AT_DEAD && s->alive)
    return -1;
  if (at == MH_AT_USER) {
    run_to_end(s, g, left > 1 ? left : 1, &r->obs, e);
    return 1;
  }
  r->obs.ended = at;
  r->obs.status = s->power_value;
  if (at == MH_AT_DEAD)
    s->alive = false;
  return 1;
}

// The stuck bits are forced again after every store until the kernel
// retires the frame (stuck.h), then the run goes on to its end; at the end
// the frame table says whether the frame was retired. 1, or -1 when the
// harness's part failed.
static int run_stuck(struct mh_session *s, const struct mh_golden *g, struct mh_trial_result *r,
                     const struct mh_fault *f, int value, int watch_ms, int timeout_ms,
                     struct mh_err *e) {
  double t0 = mh_now();
  r->obs.stuck =
      (struct mh_stuck){.value = value, .differs = r->flips[0].after != r->flips[0].before};
  enum mh_stop_at at = mh_run_stuck(s, &r->targets[0], f, watch_ms, &r->obs.stuck, &r->obs.act, e);
  int left = timeout_ms - (int)((mh_now() - t0) * 1000);
  if (at == MH_AT_DEAD && s->alive)
    return -1;
  if (at == MH_AT_USER)
    run_to_end(s, g, left > 1 ? left : 1, &r->obs, e);
  else {
    r->obs.ended = at;
    r->obs.status = s->power_value;
  }
  if (r->obs.ended == MH_AT_DEAD)
    s->alive = false;
  int retired = s->alive ? mh_frame_retired(s, r->targets[0].pa, e) : 0;
  if (retired < 0)
    return -1;
  r->obs.stuck.retired = r->obs.stuck.retired || retired;
  return 1;
}

// QEMU's count of the instructions the guest has executed (QMP
// query-replay; under -icount, and carried by snapshots).
static int read_icount(struct mh_session *s, int64_t *n, struct mh_err *e) {
  json_object *ret = NULL, *v;
  double c = s->o.control_timeout_s > 0 ? s->o.control_timeout_s : MH_CONTROL_TIMEOUT_S;
  if (mh_qmp_execute(s->qmp, "query-replay", NULL, &ret, (int)(c * 1000), e) < 0)
    return mh_err_prefix(e, "reading the instruction count: ");
  bool ok = json_object_object_get_ex(ret, "icount", &v);
  *n = ok ? json_object_get_int64(v) : 0;
  json_object_put(ret);
  return ok ? 0 : mh_fail(e, "QMP query-replay gave no icount (is QEMU running with -icount?)");
}

// Reads the instructions since main() into o->icount: 1 over g's budget,
// 0 not, -1 error.
static int over_budget(struct mh_session *s, const struct mh_golden *g, struct mh_trial_obs *o,
                       struct mh_err *e) {
  int64_t n;
  if (read_icount(s, &n, e) < 0)
    return -1;
  o->icount = n - g->icount_main;
  return o->icount > g->hang_icount;
}

static void run_to_end(struct mh_session *s, const struct mh_golden *g, int timeout_ms,
                       struct mh_trial_obs *o, struct mh_err *e) {
  enum mh_stop_at at = MH_AT_USER;
  double deadline = mh_now() + timeout_ms / 1000.0;
  bool budget = g && g->hang_icount > 0;
  int stalled = 0;
  // Stray user stops (a breakpoint of ours hit again) are continued. Under
  // an instruction budget the guest runs in slices, and after each one its
  // count says whether it has hung: a verdict the host's speed cannot
  // change (the wall-time limit is only the backstop).
  for (int i = 0; i < 100000; i++) {
    int left = mh_ms_left(deadline);
    int slice = budget && left > SLICE_MS ? SLICE_MS : left;
    at = mh_session_run(s, slice, e);
    if (at == MH_AT_TIMEOUT && slice < left) {
      int64_t before = o->icount;
      int over = over_budget(s, g, o, e);
      stalled = over == 0 && o->icount == before ? stalled + 1 : 0;
      o->stalled = stalled >= STALL_SLICES;
      at = over < 0 ? MH_AT_DEAD : over || o->stalled ? MH_AT_TIMEOUT : MH_AT_USER;
    }
    if (at != MH_AT_USER)
      break;
  }
  o->ended = at;
  o->status = s->power_value; // meaningful at a shutdown only
  if (at == MH_AT_DEAD)
    s->alive = false;
}

// Stops at the injection point. Returns 1 there, 0 when the workload ended
// first (o->ended says how), -1 on a harness problem.
static int run_to_point(struct mh_session *s, const struct mh_faults *fm, uint64_t bp, int64_t when,
                        int from, int timeout_ms, struct mh_trial_obs *o, struct mh_err *e) {
  if (fm->when == MH_FW_DELAY_MS) {
    enum mh_stop_at at = mh_session_run(s, (int)when, e);
    if (at == MH_AT_TIMEOUT)
      return 1;
    if (at == MH_AT_DEAD)
      return -1;
    o->ended = at;
    o->status = s->power_value;
    return 0;
  }
  if (from >= when)
    return 1; // restored at the injection point itself
  if (mh_session_bp(s, bp, true, e) < 0)
    return -1;
  double deadline = mh_now() + timeout_ms / 1000.0;
  int hit = from;
  enum mh_stop_at at = MH_AT_USER;
  while (hit < when) {
    at = mh_session_run(s, mh_ms_left(deadline), e);
    uint32_t eip, esp;
    if (at != MH_AT_USER || mh_session_regs(s, &eip, &esp, e) < 0)
      break;
    hit += eip == bp;
  }
  if (at == MH_AT_DEAD)
    return -1;
  if (mh_session_bp(s, bp, false, e) < 0)
    return -1;
  if (hit == when)
    return 1;
  o->ended = at;
  o->status = s->power_value;
  return 0;
}

// when.icount: from the stop run_to_point reached, exactly p->icount more
// instructions (stepper.h); names the instruction the guest stopped before.
static int step_to_point(struct mh_session *s, const struct mh_trial_plan *p,
                         struct mh_trial_result *r, struct mh_err *e) {
  r->stepped = true;
  int rc = mh_step(s, p->icount, MH_SSTEP_FREE_RUN, &r->step, e);
  if (rc == 0) {
    r->obs.ended = r->step.ended;
    r->obs.status = s->power_value;
    return 0;
  }
  uint32_t eip = r->step.reg[MH_R_EIP];
  const char *elf = eip >= s->guest.in.kernbase ? s->o.kernel : s->o.workload_elf;
  struct mh_err ignore;
  if (rc == 1 && mh_elf_where(elf, eip, r->at, sizeof r->at, &ignore) < 0)
    snprintf(r->at, sizeof r->at, "?");
  return rc;
}

// After a #MC, lets the guest run until the kernel has handled it (its
// mce_done hook, called at the very end of each handled machine check):
// only then may the next #MC come (QEMU resets a guest that gets one while
// MCIP is set), and guest progress, not host time, decides when.
// Returns 1 handled, 0 the workload ended first (o->ended says how), -1 error.
static int await_handled(struct mh_session *s, uint64_t done, int timeout_ms,
                         struct mh_trial_obs *o, struct mh_err *e) {
  if (mh_session_bp(s, done, true, e) < 0)
    return -1;
  double deadline = mh_now() + timeout_ms / 1000.0;
  enum mh_stop_at at;
  uint32_t eip = 0, esp;
  bool regs_ok = true;
  do {
    at = mh_session_run(s, mh_ms_left(deadline), e);
  } while (at == MH_AT_USER && (regs_ok = mh_session_regs(s, &eip, &esp, e) == 0) && eip != done);
  if (at == MH_AT_DEAD || !regs_ok)
    return -1;
  if (mh_session_bp(s, done, false, e) < 0)
    return -1;
  if (at == MH_AT_USER)
    return 1;
  o->ended = at;
  o->status = s->power_value;
  return 0;
}

// An instruction-exact injection claims the #MC interrupted the stopped
// instruction: one step shows where QEMU delivered it (item of the record).
static int check_delivery(struct mh_session *s, struct mh_trial_result *r, struct mh_err *e) {
  static const char *const names[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
  uint32_t reg[MH_R_COUNT];
  if (mh_step_delivery(s, &r->mce_vector, &r->mce_eip, reg, e) < 0)
    return -1;
  if (r->mce_vector != MH_VEC_MC || r->mce_eip != r->step.reg[MH_R_EIP])
    return mh_fail(e,
                   "the #MC was not delivered before the stopped instruction: vector %d "
                   "(expected %d), interrupted eip 0x%x (expected 0x%x)",
                   r->mce_vector, MH_VEC_MC, r->mce_eip, r->step.reg[MH_R_EIP]);
  // A rep string instruction keeps its eip between iterations: only the
  // registers show that no iteration ran before the #MC.
  for (int i = MH_R_EAX; i <= MH_R_EDI; i++)
    if (i != MH_R_ESP && reg[i] != r->step.reg[i])
      return mh_fail(e,
                     "the instruction at 0x%x ran (partly) before the #MC: %s 0x%x at the stop, "
                     "0x%x when the #MC was delivered",
                     r->mce_eip, names[i], r->step.reg[i], reg[i]);
  return 0;
}

// A page given as a va ("0x...") or as symbol[+0xoff] of an ELF.
static int address_of(const char *elf, const char *page, uint32_t *va, struct mh_err *e) {
  uint64_t a;
  if (mh_elf_address(elf, page, &a, e) < 0)
    return mh_err_prefix(e, "target.page: ");
  *va = (uint32_t)a;
  return 0;
}

// target.page as a va: a register's value is the user's at the stop (the
// last user-mode value the stepper saw when the stop is in the kernel).
static int page_va(struct mh_session *s, const char *page, const struct mh_trial_result *r,
                   uint32_t *va, struct mh_err *e) {
  static const char *const regs[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
  const char *name = strcmp(page, "sp") == 0 ? "esp" : page;
  for (int i = 0; i < 8; i++) {
    if (strcmp(name, regs[i]) != 0)
      continue;
    uint32_t now[MH_R_COUNT];
    if (r->stepped && r->step.have_ureg) {
      *va = r->step.ureg[i];
      return 0;
    }
    if (mh_step_regs(s, now, e) < 0)
      return -1;
    if ((now[MH_R_CS] & 3) != 3)
      return mh_fail(e, "target.page %s: stopped in the kernel with no user registers seen", page);
    *va = now[i];
    return 0;
  }
  return address_of(s->o.workload_elf, page, va, e);
}

static bool kernel_kind(enum mh_fault_kind k) {
  return k == MH_FK_KERNEL || k == MH_FK_PGTABLE || k == MH_FK_KMIRROR;
}

// target.page of a kernel kind as a physical address: "kstack" (the
// workload's kernel stack) and "pgdir" (its page directory) from its process
// slot, else a kernel va or symbol[+0xoff] of the kernel.
static int kernel_page_pa(struct mh_session *s, const char *page, uint32_t *pa, struct mh_err *e) {
  uint32_t kbase = s->guest.in.kernbase, kva = 0;
  if (strcmp(page, "kstack") == 0 || strcmp(page, "pgdir") == 0) {
    struct mh_proc_info p;
    int found = mh_guest_workload(&s->guest, &p, e);
    if (found != 0)
      return found;
    kva = page[0] == 'k' ? p.kstack_va : p.pgdir_va;
    if (!kva)
      return mh_fail(e, "target.page %s: %s (pid %d) has none", page, p.name, p.pid);
  } else if (address_of(s->o.kernel, page, &kva, e) < 0) {
    return -1;
  }
  if (kva < kbase)
    return mh_fail(e, "target.page %s: 0x%x is not a kernel address (below 0x%x)", page, kva,
                   kbase);
  *pa = kva - kbase;
  return 0;
}

static int choose(struct mh_session *s, const struct mh_faults *fm, uint64_t pick,
                  const struct mh_trial_result *r, struct mh_target *t, struct mh_err *e) {
  uint32_t va = 0;
  if (!fm->page)
    return mh_target_choose(&s->guest, fm->kind, fm->region, pick, t, e);
  if (kernel_kind(fm->kind)) {
    int rc = kernel_page_pa(s, fm->page, &va, e);
    return rc != 0 ? rc : mh_target_kpage(&s->guest, fm->kind, va, t, e);
  }
  if (page_va(s, fm->page, r, &va, e) < 0)
    return -1;
  return mh_target_page(&s->guest, fm->kind == MH_FK_MIRROR, va, t, e);
}

// The host-time limit of a watch phase (activation, stuck bits): those
// stop only at accesses to the word, not in slices, so under icount they
// keep the limit a hang had without the budget, hang_factor x the golden
// run's host time and at least 30 s (else a trial that hangs before it
// touches the word would wait for timeouts.run_s); ms, the whole limit,
// without icount.
static int watch_ms(const struct mh_faults *fm, const struct mh_golden *g, int ms) {
  double w = fm->hang_factor * g->wall_s * 1000;
  if (g->hang_icount <= 0 || w >= ms)
    return ms;
  return w > 30000 ? (int)w : 30000 < ms ? 30000 : ms;
}

static bool stuck_model(const struct mh_faults *fm) {
  return fm->model == MH_FM_STUCK0 || fm->model == MH_FM_STUCK1;
}

// The kernel's mce_done hook, needed between the faults of one trial.
static int handled_hook(struct mh_session *s, uint64_t *done, struct mh_err *e) {
  if (mh_elf_symbol(s->o.kernel, "mce_done", done, NULL, e) == 0)
    return 0;
  return mh_fail(e,
                 "%s has no mce_done symbol: count > 1 with trap mce needs a kernel that "
                 "calls mce_done after each handled machine check",
                 s->o.kernel);
}

// Injects the plan's faults in order. Returns 1 (go on to the end; fewer
// than planned when the workload ended or its process was gone, o->why_not
// says which), 0 the workload ended while a #MC was handled, -1 error.
static int inject_all(struct mh_session *s, const struct mh_faults *fm,
                      const struct mh_trial_plan *p, int timeout_ms, struct mh_trial_result *r,
                      struct mh_err *e) {
  double mark = mh_now();
  uint64_t done = 0;
  struct mh_trial_obs *o = &r->obs;
  if (fm->trap == MH_FT_MCE && p->nfaults > 1 && handled_hook(s, &done, e) < 0)
    return -1;
  struct mh_target anchor = {0}; // model rows: the frame the group's pick chose
  bool rows = fm->model == MH_FM_ROWS;
  for (int i = 0; i < p->nfaults; i++) {
    struct mh_target *t = &r->targets[i];
    int rc = p->f[i].row == 0 ? choose(s, fm, p->f[i].pick, r, rows ? &anchor : t, e) : 0;
    if (rc == 0 && rows)
      rc = mh_target_row(&s->guest, &anchor, fm->rows, fm->row_kib, p->f[i].row, t, e);
    lap(r, MH_PH_TARGET, &mark);
    if (rc == MH_TARGET_GONE) {
      snprintf(o->why_not, sizeof o->why_not, "fault %d: %.140s", i + 1, e->msg);
      return 1;
    }
    if (rc < 0 || mh_frame_holds(&s->guest, s->o.kernel, s->o.workload_elf, t, p->f[i].word,
                                 t->holds, sizeof t->holds, e) < 0)
      return -1;
    uint32_t pa = t->pa + p->f[i].word * 8;
    rc = stuck_model(fm)
             ? mh_inject_stuck(s->rsp, pa, p->f[i].mask, fm->model == MH_FM_STUCK1, &r->flips[i], e)
             : mh_inject_flip(s->rsp, pa, p->f[i].mask, &r->flips[i], e);
    lap(r, MH_PH_FLIP, &mark);
    if (rc < 0)
      return -1;
    r->ntargets = i + 1;
    o->injected = true;
    o->ninjected = i + 1;
    if (fm->trap != MH_FT_MCE)
      continue;
    int handled = mh_inject_mce(s->rsp, pa, e) < 0 ? -1 : 1;
    if (handled == 1 && r->stepped && i == 0)
      handled = check_delivery(s, r, e) < 0 ? -1 : 1;
    if (handled == 1 && i + 1 < p->nfaults)
      handled = await_handled(s, done, timeout_ms, o, e);
    lap(r, MH_PH_TRAP, &mark);
    if (handled < 0)
      return -1;
    if (handled == 0) {
      snprintf(o->why_not, sizeof o->why_not,
               "the workload ended while the kernel handled fault %d", i + 1);
      return 0;
    }
  }
  return 1;
}

void mh_trial_run(struct mh_session *s, const struct mh_faults *fm, uint64_t bp_addr,
                  const struct mh_golden *g, const struct mh_trial_plan *p, double timeout_s,
                  struct mh_trial_result *r) {
  double t0 = mh_now(), mark = t0;
  int ms = (int)(timeout_s * 1000);
  struct mh_err e = {""};
  r->obs.ended = MH_AT_OTHER;
  r->obs.nfaults = p->nfaults;
  r->obs.icount = -1;
  r->timeout_s = timeout_s;
  r->timeout_icount = g->hang_icount;
  r->phase_s[MH_PH_RESTORE] = r->restore_s;
  // Before the fault the guest runs fault-free and cannot hang: only the
  // host can be slow, so this part gets the campaign's run_s, not the
  // trial timeout (else a busy host would produce false hangs).
  int rc =
      run_to_point(s, fm, bp_addr, p->when, r->from_hit, (int)(s->o.timeout_s * 1000), &r->obs, &e);
  if (rc == 1 && fm->icount)
    rc = step_to_point(s, p, r, &e);
  lap(r, MH_PH_TO_POINT, &mark);
  if (rc == 1)
    rc = inject_all(s, fm, p, ms, r, &e);
  else if (rc == 0)
    snprintf(r->obs.why_not, sizeof r->obs.why_not, "the workload finished first");
  mark = mh_now();
  if (rc == 1 && stuck_model(fm) && r->ntargets > 0)
    rc = run_stuck(s, g, r, &p->f[0], fm->model == MH_FM_STUCK1, watch_ms(fm, g, ms), ms, &e);
  else if (rc == 1 && fm->trap == MH_FT_NONE && r->ntargets > 0)
    rc = run_watched(s, g, r, &p->f[0], watch_ms(fm, g, ms), ms, &e);
  else if (rc == 1)
    run_to_end(s, g, ms, &r->obs, &e);
  lap(r, MH_PH_TO_END, &mark);
  if (rc < 0 && !s->alive)
    r->obs.ended = MH_AT_DEAD;
  // Under icount every trial's count at its end is recorded and judged.
  if (g->hang_icount > 0 && s->alive && rc >= 0 && over_budget(s, g, &r->obs, &e) < 0)
    rc = -1;
  r->serial = s->alive || s->dir[0] ? mh_session_serial(s) : strdup("");
  r->lines = mh_serial_lines(r->serial ? r->serial : "");
  r->obs.serial = r->lines ? r->lines : "";
  mh_trial_parse_mce(r->obs.serial, &r->obs);
  if (r->obs.ended == MH_AT_PANIC)
    panic_message(r->obs.serial, r->obs.panic_msg, sizeof r->obs.panic_msg);
  if (rc < 0 && r->obs.ended != MH_AT_DEAD) {
    r->outcome = MH_OUT_HARNESS_ERROR;
    snprintf(r->reason, sizeof r->reason, "%.*s", (int)sizeof r->reason - 1, e.msg);
  } else {
    r->outcome = mh_trial_classify(g, &r->obs, r->reason, sizeof r->reason);
  }
  if (r->obs.ended == MH_AT_DEAD)
    s->alive = false;
  lap(r, MH_PH_SERIAL, &mark);
  r->wall_s = mh_now() - t0;
}

void mh_trial_result_free(struct mh_trial_result *r) {
  free(r->serial);
  free(r->lines);
  r->serial = r->lines = NULL;
}

// ---- golden ----

char *mh_trial_reference_lines(const char *serial) {
  char *out = malloc(strlen(serial) + 1), line[1024];
  if (!out)
    return NULL;
  out[0] = 0;
  size_t n = 0;
  for (const char *p = serial; next_line(&p, line, sizeof line);)
    if (reference_line(line))
      n += (size_t)sprintf(out + n, "%s\n", line);
  return out;
}

int mh_trial_golden(struct mh_session *s, const struct mh_faults *fm, uint64_t bp_addr,
                    double timeout_s, struct mh_golden *g, struct mh_err *e) {
  memset(g, 0, sizeof *g);
  double t0 = mh_now();
  if (s->o.icount && read_icount(s, &g->icount_main, e) < 0)
    return -1;
  if (fm->when == MH_FW_BREAKPOINT && mh_session_bp(s, bp_addr, true, e) < 0)
    return -1;
  struct mh_trial_obs o = {.ended = MH_AT_USER};
  double deadline = mh_now() + timeout_s;
  while (o.ended == MH_AT_USER) {
    o.ended = mh_session_run(s, mh_ms_left(deadline), e);
    uint32_t eip, esp;
    if (o.ended == MH_AT_USER && mh_session_regs(s, &eip, &esp, e) == 0)
      g->hits += eip == bp_addr;
  }
  if (fm->when == MH_FW_BREAKPOINT && o.ended != MH_AT_DEAD &&
      mh_session_bp(s, bp_addr, false, e) < 0)
    return -1;
  if (o.ended != MH_AT_SHUTDOWN) {
    char why[MH_ERR_CAP];
    snprintf(why, sizeof why, "%s", e->msg); // mh_fail writes e->msg
    return mh_fail(e, "the golden run did not finish (%s): %.3000s",
                   o.ended == MH_AT_TIMEOUT ? "timeout"
                   : o.ended == MH_AT_PANIC ? "kernel panic"
                   : o.ended == MH_AT_OTHER ? "unexpected stop"
                                            : "QEMU ended",
                   why);
  }
  g->status = s->power_value;
  g->wall_s = mh_now() - t0;
  int64_t end;
  if (s->o.icount) {
    if (read_icount(s, &end, e) < 0)
      return -1;
    g->icount = end - g->icount_main;
    g->hang_icount = (int64_t)(fm->hang_factor * (double)g->icount);
  }
  g->may_differ = fm->may_differ;
  g->nmay_differ = fm->nmay_differ;
  char *serial = mh_session_serial(s);
  g->lines = serial ? mh_serial_lines(serial) : NULL;
  g->output = g->lines ? mh_trial_reference_lines(g->lines) : NULL;
  free(serial);
  return g->output ? 0 : mh_fail(e, "out of memory");
}

void mh_golden_free(struct mh_golden *g) {
  free(g->output);
  free(g->lines);
  g->output = g->lines = NULL;
}

// ---- records ----

static json_object *hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return json_object_new_string(b);
}

static json_object *fault_json(const struct mh_fault *f, const struct mh_target *t,
                               const struct mh_flip *fl, bool rows) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "pick", hex(f->pick));
  if (rows)
    json_object_object_add(o, "row", json_object_new_int(f->row));
  json_object_object_add(o, "word", json_object_new_int((int)f->word));
  json_object_object_add(o, "mask", hex(f->mask));
  json_object_object_add(o, "injected", json_object_new_boolean(t != NULL));
  if (!t)
    return o;
  json_object_object_add(o, "frame_kind", json_object_new_string(mh_frame_kind_name(t->kind)));
  json_object_object_add(o, "frame_pa", hex(t->pa));
  json_object_object_add(o, "pa", hex(fl->pa));
  json_object_object_add(o, "candidates", json_object_new_int((int)t->nsel));
  json_object_object_add(o, "owner", json_object_new_int(t->owner));
  json_object_object_add(o, "holds", json_object_new_string(t->holds));
  if (t->pid) {
    json_object_object_add(o, "pid", json_object_new_int(t->pid));
    json_object_object_add(o, "va", hex(t->va + f->word * 8));
    json_object_object_add(o, "region", json_object_new_string(mh_region_name(t->region)));
  }
  json_object_object_add(o, "before", hex(fl->before));
  json_object_object_add(o, "after", hex(fl->after));
  return o;
}

static json_object *mce_json(const struct mh_mce_obs *m) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "pa", hex(m->pa));
  json_object_object_add(o, "kind", json_object_new_string(m->kind));
  json_object_object_add(o, "action", json_object_new_string(m->action));
  if (m->newpa)
    json_object_object_add(o, "newpa", hex(m->newpa));
  json_object_object_add(o, "cycles", m->cycles >= 0 ? json_object_new_int64(m->cycles) : NULL);
  return o;
}

static void tail(json_object *rec, const char *serial) {
  size_t n = strlen(serial);
  json_object_object_add(rec, "serial_tail",
                         json_object_new_string(n > 2048 ? serial + n - 2048 : serial));
}

// when.icount: N, and where the stop landed once the steps were made.
static void stop_json(json_object *o, const struct mh_trial_plan *p,
                      const struct mh_trial_result *r) {
  json_object_object_add(o, "icount", json_object_new_int64(p->icount));
  if (!r->stepped || r->step.n != p->icount)
    return;
  json_object_object_add(o, "eip", hex(r->step.reg[MH_R_EIP]));
  json_object_object_add(o, "cpl", json_object_new_int((int)(r->step.reg[MH_R_CS] & 3)));
  json_object_object_add(o, "at", json_object_new_string(r->at));
  json_object_object_add(o, "events", json_object_new_int(r->step.events));
  if (r->mce_eip)
    json_object_object_add(o, "mce_eip", hex(r->mce_eip));
}

json_object *mh_trial_record(const char *id, const char *variant, int trial,
                             const struct mh_faults *fm, const struct mh_trial_plan *p,
                             const struct mh_trial_result *r) {
  json_object *o = json_object_new_object(), *faults = json_object_new_array(),
              *mces = json_object_new_array();
  json_object_object_add(o, "id", json_object_new_string(id));
  json_object_object_add(o, "variant", json_object_new_string(variant));
  json_object_object_add(o, "trial", json_object_new_int(trial));
  json_object_object_add(o, "seed", hex(p->seed));
  json_object_object_add(o, "when",
                         json_object_new_string(fm->when == MH_FW_DELAY_MS ? "delay_ms" : "hit"));
  json_object_object_add(o, "when_value", json_object_new_int64(p->when));
  json_object_object_add(o, "trap", json_object_new_string(fm->trap == MH_FT_MCE ? "mce" : "none"));
  if (fm->icount)
    stop_json(o, p, r);
  if (stuck_model(fm) && r->ntargets > 0)
    json_object_object_add(o, "stuck", mh_stuck_json(&r->obs.stuck));
  if (r->obs.act.state != MH_ACT_UNKNOWN)
    json_object_object_add(o, "activation", mh_activation_json(&r->obs.act));
  for (int i = 0; i < p->nfaults; i++)
    json_object_array_add(faults, fault_json(&p->f[i], i < r->ntargets ? &r->targets[i] : NULL,
                                             &r->flips[i], fm->model == MH_FM_ROWS));
  json_object_object_add(o, "faults", faults);
  json_object_object_add(o, "outcome", json_object_new_string(mh_outcome_name(r->outcome)));
  json_object_object_add(o, "reason", json_object_new_string(r->reason));
  json_object_object_add(o, "guest_status",
                         r->obs.ended == MH_AT_SHUTDOWN ? json_object_new_int(r->obs.status)
                                                        : NULL);
  for (int i = 0; i < r->obs.nmce; i++)
    json_object_array_add(mces, mce_json(&r->obs.mce[i]));
  json_object_object_add(o, "mce", mces);
  json_object_object_add(o, "restore_ms", json_object_new_double(r->restore_s * 1000));
  json_object_object_add(o, "wall_s", json_object_new_double(r->wall_s));
  // What made a hang a hang: the timeout the golden run set (docs/campaign.md).
  json_object_object_add(o, "timeout_s", json_object_new_double(r->timeout_s));
  if (r->timeout_icount > 0) { // under icount the budget in instructions decides
    json_object_object_add(o, "timeout_icount", json_object_new_int64(r->timeout_icount));
    json_object_object_add(o, "run_icount",
                           r->obs.icount >= 0 ? json_object_new_int64(r->obs.icount) : NULL);
  }
  json_object_object_add(o, "from_hit", json_object_new_int(r->from_hit));
  json_object *ph = json_object_new_object();
  for (int i = 0; i < MH_PH_COUNT; i++)
    json_object_object_add(ph, mh_phase_name(i), json_object_new_double(r->phase_s[i] * 1000));
  json_object_object_add(o, "phases_ms", ph);
  if (r->outcome != MH_OUT_BENIGN && r->outcome != MH_OUT_RECOVERED)
    tail(o, r->obs.serial);
  return o;
}
