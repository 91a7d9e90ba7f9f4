#include "lxtrial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "results.h"
#include "target.h"
#include "util.h"

#define PG 4096u
#define LX_SIGBUS 7 // the host's (Linux) number, as it stands in a siginfo_t

// ---- the program ----

int mh_lx_prepare(struct mh_lxprog *p, const char *build, enum mh_variant v,
                  const struct mh_campaign *c, int workload, struct mh_err *e) {
  memset(p, 0, sizeof *p);
  char path[1024];
  snprintf(path, sizeof path, "%.900s/linux/%s-%s/%.64s", build, mh_variant_arch(v),
           mh_variant_build(v), c->workloads[workload].program);
  if (access(path, X_OK) != 0)
    return mh_fail(e,
                   "%s not found: variant %s runs the workload's program as a Linux process "
                   "built in linux/ (docs/linux.md: the compute suite and benchall); build it "
                   "or point --build-dir at a build that has it",
                   path, mh_variant_name(v));
  return mh_lx_open(p, path, strcmp(mh_variant_build(v), "memv6") == 0, c, workload, e);
}

// target.page in this program: a register of its architecture, or an
// address (symbol[+offset] of its ELF, or "0x…"). A name that is a
// register of the other architecture only is refused as such.
static int resolve_page(struct mh_lxprog *p, const char *page, struct mh_err *e) {
  p->page_reg = -1;
  p->page_addr = 0;
  if (!page)
    return 0;
  if ((p->page_reg = mh_lx_register(p->arch, page)) >= 0)
    return 0;
  if (mh_lx_is_register(page))
    return mh_fail(e,
                   "$.faults.target.page: %s is not a register of %s (%s has %s): name one of "
                   "those, a symbol of the program or an address",
                   page, p->arch->name, p->path, mh_lx_register_names(p->arch));
  if (mh_elf_address(p->path, page, &p->page_addr, e) < 0)
    return mh_fail(e,
                   "$.faults.target.page: %s has no symbol %.*s: name a variable of its data or "
                   "bss (nm lists them), a register (%s) or an address (\"0x…\")",
                   p->path, (int)strcspn(page, "+"), page, mh_lx_register_names(p->arch));
  // An address ("0x…") may lie in the heap or stack: the trial checks it.
  bool symbol = strncmp(page, "0x", 2) != 0;
  if (symbol && (p->page_addr < p->data_lo || p->page_addr >= p->data_hi))
    return mh_fail(e,
                   "$.faults.target.page: %s is 0x%llx, outside %s's writable data and bss "
                   "[0x%llx, 0x%llx), the symbols its runtime mirrors: name a variable, or a "
                   "register for the heap and the stack",
                   page, (unsigned long long)p->page_addr, p->path, (unsigned long long)p->data_lo,
                   (unsigned long long)p->data_hi);
  return 0;
}

int mh_lx_open(struct mh_lxprog *p, const char *path, bool mirrored, const struct mh_campaign *c,
               int workload, struct mh_err *e) {
  const struct mh_faults *fm = &c->faults;
  const struct mh_workload *w = &c->workloads[workload];
  memset(p, 0, sizeof *p);
  snprintf(p->path, sizeof p->path, "%s", path);
  if (mh_lx_arch_of(p->path, &p->arch, e) < 0)
    return -1;
  p->mirrored = mirrored;
  if (fm->kind == MH_FK_MIRROR && !p->arch->mirror_offset)
    return mh_fail(e,
                   "$.faults.target.kind: mirror pages of %s programs: this harness does not "
                   "know their mirror offset yet; target native pages",
                   p->arch->name);
  if (mh_elf_symbol(p->path, fm->breakpoint, &p->bp, NULL, e) < 0)
    return mh_err_prefix(e, "$.faults.when.breakpoint: ");
  struct mh_err none;
  if (mh_elf_symbol(p->path, "mlx_brk", &p->brk_sym, NULL, &none) < 0)
    p->brk_sym = 0;
  struct mh_user_layout l;
  if (mh_user_layout(p->path, &l, e) < 0)
    return -1;
  p->data_lo = l.data_lo;
  p->data_hi = l.data_hi;
  if (resolve_page(p, fm->page, e) < 0)
    return -1;
  char **argv = calloc((size_t)w->nargs + 2, sizeof *argv);
  if (!argv)
    return mh_fail(e, "out of memory");
  argv[0] = p->path;
  for (int i = 0; i < w->nargs; i++)
    argv[i + 1] = (char *)w->args[i];
  p->argv = argv;
  p->connect_timeout_s = c->connect_timeout_s;
  p->run_timeout_s = c->run_timeout_s;
  p->hwpoison = mh_hwpoison_available(p->hwpoison_why, sizeof p->hwpoison_why);
  // Poisoning for real would need the program itself to madvise its page
  // (or a kernel interface to another process's page): not done yet, so
  // every error goes the siginfo way, and the records say so.
  p->path_used = "siginfo";
  return 0;
}

void mh_lx_free(struct mh_lxprog *p) {
  free((void *)p->argv);
  p->argv = NULL;
}

// ---- running ----

// Starts of gdbserver tried before a trial or golden run gives up: on a
// host loaded with other work a start can miss its deadline (it did at
// load 17, 1 in 400), as a QEMU's can (campaign_faults.c retries those).
#define LX_STARTS 3

static int start(const struct mh_lxprog *p, struct mh_gdbserver *s, struct mh_err *e) {
  int rc = -1;
  for (int i = 0; i < LX_STARTS && rc < 0 && !mh_proc_shutting_down(); i++) {
    if (i)
      fprintf(stderr, "memharness: starting gdbserver for %s failed, retrying: %s\n", p->path,
              e->msg);
    rc = mh_gdbserver_start(s, p->argv, p->connect_timeout_s, 10000, e);
  }
  return rc;
}

// GDB's numbers of the signals a program usually dies of, named.
static const char *signal_name(int gdb_signal) {
  static const char *const names[] = {
      "",       "SIGHUP",  "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT",
      "SIGFPE", "SIGKILL", "SIGBUS", "SIGSEGV", "SIGSYS", "SIGPIPE", "SIGALRM", "SIGTERM"};
  return gdb_signal > 0 && gdb_signal < 16 ? names[gdb_signal] : "GDB's numbering";
}

enum lx_stop { LX_BP, LX_END, LX_TIMEOUT, LX_ERROR };

// How a run ended (a W or X stop): exit status, or -1 and the signal.
static enum lx_stop ended(const struct mh_rsp_stop *st, int *status, int *signal) {
  *status = st->kind == 'W' ? st->status : -1;
  *signal = st->kind == 'X' ? st->signal : 0;
  return LX_END;
}

// Resumes (delivering gdb_signal unless 0) until a SIGTRAP (the breakpoint)
// or the end. Every other signal the program gets is passed on, as it
// would arrive without a debugger. At LX_END, *status is the exit status,
// or -1 with *signal the signal that killed it.
static enum lx_stop run_until(struct mh_gdbserver *s, int gdb_signal, double deadline, int *status,
                              int *signal, struct mh_err *e) {
  for (int sig = gdb_signal;;) {
    char cmd[16];
    snprintf(cmd, sizeof cmd, sig ? "C%02x" : "c", (unsigned)sig & 0xff);
    int rc = mh_rsp_resume(s->rsp, cmd);
    s->running = rc == 0;
    struct mh_rsp_stop st;
    if (rc == 0)
      rc = mh_rsp_wait_stop(s->rsp, mh_ms_left(deadline), &st);
    if (rc == MH_RSP_ETIMEOUT && !mh_rsp_broken(s->rsp))
      return LX_TIMEOUT;
    if (rc < 0) {
      mh_fail(e, "gdbserver: %s", mh_rsp_error(s->rsp));
      return LX_ERROR;
    }
    s->running = false;
    if (st.kind == 'W' || st.kind == 'X') {
      s->exited = true;
      return ended(&st, status, signal);
    }
    if (st.signal == MH_GDB_SIGTRAP)
      return LX_BP;
    sig = st.signal;
  }
}

// A hardware breakpoint (Z1): a software one's int3 changes a byte of the
// program, and where text shares a page with data (x86-64: etext's page)
// the mirrored runtime copies that page, int3 included, into the mirror at
// start-up, so the oracle would find the harness's byte at exit.
static int breakpoint(struct mh_gdbserver *s, uint64_t addr, bool on, struct mh_err *e) {
  if (mh_rsp_breakpoint(s->rsp, 1, on, addr, 1) < 0)
    return mh_fail(e, "%s the breakpoint at 0x%llx: %s", on ? "inserting" : "removing",
                   (unsigned long long)addr, mh_rsp_error(s->rsp));
  return 0;
}

// gdbserver leaves stepping over a breakpoint it stopped at to the client
// (as gdb does it): out, one instruction, in again. Then run_until.
static enum lx_stop step_over(struct mh_gdbserver *s, uint64_t bp, double deadline, int *status,
                              int *signal, struct mh_err *e) {
  struct mh_rsp_stop st;
  if (breakpoint(s, bp, false, e) < 0)
    return LX_ERROR;
  if (mh_gdbserver_step(s, 0, mh_ms_left(deadline), &st, e) < 0) {
    mh_err_prefix(e, "stepping over the breakpoint: ");
    return LX_ERROR;
  }
  if (st.kind == 'W' || st.kind == 'X')
    return ended(&st, status, signal);
  if (breakpoint(s, bp, true, e) < 0)
    return LX_ERROR;
  // A signal that arrived during the step is the program's: deliver it.
  return run_until(s, st.signal == MH_GDB_SIGTRAP ? 0 : st.signal, deadline, status, signal, e);
}

// Runs to the hit-th stop at the breakpoint (hit >= 1). LX_BP there, else
// how the run ended first.
static enum lx_stop run_to_hit(struct mh_gdbserver *s, const struct mh_lxprog *p, int64_t hit,
                               double deadline, int *status, int *signal, struct mh_err *e) {
  if (breakpoint(s, p->bp, true, e) < 0)
    return LX_ERROR;
  for (int64_t n = 0; n < hit;) {
    enum lx_stop at = n == 0 ? run_until(s, 0, deadline, status, signal, e)
                             : step_over(s, p->bp, deadline, status, signal, e);
    if (at != LX_BP)
      return at;
    uint64_t sp, pc;
    if (mh_gdbserver_sp_pc(s, p->arch, &sp, &pc, e) < 0)
      return LX_ERROR;
    n += pc == p->bp;
  }
  return breakpoint(s, p->bp, false, e) < 0 ? LX_ERROR : LX_BP;
}

// when.icount: n more instructions from the stop at the hit (breakpoint
// removed), one vCont;s each (docs/campaign.md, "Linux processes": what one
// step is). A signal the program gets stops it instead of the step: the
// next step delivers it (vCont;S) and is the one counted, ending at the
// handler's first instruction. LX_BP when all n ran (r->lx.pc and r->at
// say where it stands), else how the run ended (r->lx.steps: how many ran).
static enum lx_stop step_n(struct mh_gdbserver *s, const struct mh_lxprog *p, int64_t n,
                           double deadline, struct mh_trial_result *r, int *status,
                           struct mh_err *e) {
  int sig = 0;
  for (r->lx.steps = 0; r->lx.steps < n;) {
    struct mh_rsp_stop st;
    int rc = mh_gdbserver_step(s, sig, mh_ms_left(deadline), &st, e);
    if (rc == MH_RSP_ETIMEOUT && !mh_rsp_broken(s->rsp))
      return LX_TIMEOUT;
    if (rc < 0)
      return LX_ERROR;
    if (st.kind == 'W' || st.kind == 'X')
      return ended(&st, status, &r->lx.signal);
    r->lx.steps += st.signal == MH_GDB_SIGTRAP;
    sig = st.signal == MH_GDB_SIGTRAP ? 0 : st.signal;
  }
  uint64_t sp;
  if (mh_gdbserver_sp_pc(s, p->arch, &sp, &r->lx.pc, e) < 0)
    return LX_ERROR;
  struct mh_err none;
  if (mh_elf_where(p->path, r->lx.pc, r->at, sizeof r->at, &none) < 0)
    snprintf(r->at, sizeof r->at, "?");
  return LX_BP;
}

static char *outputs(const struct mh_gdbserver *s, char **err) {
  *err = mh_gdbserver_output(s, true);
  return mh_gdbserver_output(s, false);
}

int mh_lx_golden(const struct mh_lxprog *p, const struct mh_faults *fm, double timeout_s,
                 struct mh_golden *g, struct mh_err *e) {
  memset(g, 0, sizeof *g);
  struct mh_gdbserver s;
  double t0 = mh_now(), deadline = t0 + timeout_s;
  if (start(p, &s, e) < 0)
    return -1;
  int rc = fm->icount ? mh_gdbserver_can_step(&s, e) : 0, status = 0, signal = 0;
  if (rc == 0)
    rc = breakpoint(&s, p->bp, true, e);
  enum lx_stop at = LX_BP;
  for (bool first = true; rc == 0 && at == LX_BP; first = false) {
    uint64_t sp, pc;
    at = first ? run_until(&s, 0, deadline, &status, &signal, e)
               : step_over(&s, p->bp, deadline, &status, &signal, e);
    if (at == LX_BP && (rc = mh_gdbserver_sp_pc(&s, p->arch, &sp, &pc, e)) == 0)
      g->hits += pc == p->bp;
  }
  g->wall_s = mh_now() - t0;
  char *err = NULL, *out = outputs(&s, &err);
  mh_gdbserver_stop(&s);
  if (rc == 0 && at == LX_END && signal)
    rc = mh_fail(e, "the golden run of %s died of signal %d (%s): %.300s", p->path, signal,
                 signal_name(signal), err ? err : "");
  else if (rc == 0 && at == LX_TIMEOUT)
    rc = mh_fail(e, "the golden run of %s did not end within %.0f s ($.timeouts.run_s)", p->path,
                 timeout_s);
  else if (rc == 0 && at != LX_END)
    rc = -1;
  g->status = status;
  g->may_differ = fm->may_differ;
  g->nmay_differ = fm->nmay_differ;
  g->lines = out;
  g->output = out ? mh_trial_reference_lines(out) : NULL;
  free(err);
  if (rc == 0 && !g->output)
    rc = mh_fail(e, "out of memory");
  return rc;
}

// ---- choosing the page ----

// The mapping of /proc/PID/maps that holds addr: [lo, hi). 0, or -1.
static int mapping_of(int pid, uint64_t addr, uint64_t *lo, uint64_t *hi) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *f = fopen(path, "r");
  int rc = -1;
  while (f && rc < 0 && fgets(line, sizeof line, f)) {
    unsigned long long a, b;
    if (sscanf(line, "%llx-%llx", &a, &b) == 2 && addr >= a && addr < b) {
      *lo = a, *hi = b;
      rc = 0;
    }
  }
  if (f)
    fclose(f);
  return rc;
}

struct span {
  const char *region;
  uint64_t lo, hi; // pages [lo, hi)
};

// The pages the program uses that its runtime mirrors, by region: the
// image's data and bss, the heap below the break, the live stack (from the
// stack pointer to the top of its mapping).
static int spans(struct mh_gdbserver *s, const struct mh_lxprog *p, struct span out[3],
                 struct mh_err *e) {
  uint64_t sp, pc, brk = 0, lo, hi;
  if (mh_gdbserver_sp_pc(s, p->arch, &sp, &pc, e) < 0)
    return -1;
  if (p->brk_sym && mh_rsp_read_memory(s->rsp, p->brk_sym, &brk, (size_t)p->arch->word) < 0)
    return mh_fail(e, "reading the break (mlx_brk): %s", mh_rsp_error(s->rsp));
  out[0] = (struct span){"data", p->data_lo, p->data_hi};
  out[1] = (struct span){"heap", 0, 0};
  if (brk && mapping_of(s->pid, brk - 1, &lo, &hi) == 0)
    out[1] = (struct span){"heap", lo, (brk + PG - 1) & ~(uint64_t)(PG - 1)};
  if (mapping_of(s->pid, sp, &lo, &hi) < 0)
    return mh_fail(e, "the stack pointer 0x%llx is in no mapping of process %d",
                   (unsigned long long)sp, s->pid);
  out[2] = (struct span){"stack", sp & ~(uint64_t)(PG - 1), hi};
  return 0;
}

static bool in_region(const struct span *sp, enum mh_fault_region r) {
  return r == MH_FR_ANY || (r == MH_FR_DATA && strcmp(sp->region, "data") == 0) ||
         (r == MH_FR_HEAP && strcmp(sp->region, "heap") == 0) ||
         (r == MH_FR_STACK && strcmp(sp->region, "stack") == 0);
}

// target.page: the page that holds the register's value at the stop, or
// the address; it must be one of the pages the runtime mirrors.
static int choose_page(struct mh_gdbserver *s, const struct mh_lxprog *p, const char *name,
                       const struct span sp[3], struct mh_lx_fault *t, struct mh_err *e) {
  uint64_t va = p->page_addr;
  if (p->page_reg >= 0 && mh_gdbserver_reg(s, p->arch, p->page_reg, &va, e) < 0)
    return -1;
  uint64_t page = va & ~(uint64_t)(PG - 1);
  for (int i = 0; i < 3; i++)
    if (page >= sp[i].lo && page < sp[i].hi) {
      t->region = sp[i].region;
      t->page = page;
      t->candidates = 1;
      return 0;
    }
  return mh_fail(e,
                 "target.page %s is 0x%llx here, in none of the pages the runtime mirrors (data "
                 "[0x%llx, 0x%llx), heap [0x%llx, 0x%llx), stack [0x%llx, 0x%llx)): aim it at a "
                 "register that holds such an address throughout the window, or at a variable",
                 name, (unsigned long long)va, (unsigned long long)sp[0].lo,
                 (unsigned long long)sp[0].hi, (unsigned long long)sp[1].lo,
                 (unsigned long long)sp[1].hi, (unsigned long long)sp[2].lo,
                 (unsigned long long)sp[2].hi);
}

// The page pick chooses among the region's pages, in address order per
// span; or target.page's.
static int choose(struct mh_gdbserver *s, const struct mh_lxprog *p, const struct mh_faults *fm,
                  uint64_t pick, struct mh_lx_fault *t, struct mh_err *e) {
  struct span sp[3];
  if (spans(s, p, sp, e) < 0)
    return -1;
  t->kind = fm->kind == MH_FK_MIRROR ? "mirror" : "native";
  if (fm->page) {
    if (choose_page(s, p, fm->page, sp, t, e) < 0)
      return -1;
    t->page += fm->kind == MH_FK_MIRROR ? p->arch->mirror_offset : 0;
    return 0;
  }
  uint64_t n = 0;
  for (int i = 0; i < 3; i++)
    n += in_region(&sp[i], fm->region) ? (sp[i].hi - sp[i].lo) / PG : 0;
  if (n == 0)
    return mh_fail(e, "the program has no %s pages at this point", mh_region_name(fm->region));
  uint64_t k = pick % n;
  for (int i = 0; i < 3; i++) {
    uint64_t m = in_region(&sp[i], fm->region) ? (sp[i].hi - sp[i].lo) / PG : 0;
    if (k < m) {
      t->region = sp[i].region;
      t->page = sp[i].lo + k * PG;
      break;
    }
    k -= m;
  }
  t->candidates = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
  if (fm->kind == MH_FK_MIRROR)
    t->page += p->arch->mirror_offset;
  return 0;
}

// ---- injecting ----

static int flip(struct mh_gdbserver *s, uint64_t va, uint64_t mask, struct mh_flip *f,
                struct mh_err *e) {
  uint64_t w;
  if (mh_rsp_read_memory(s->rsp, va, &w, 8) < 0)
    return mh_fail(e, "reading 0x%llx: %s", (unsigned long long)va, mh_rsp_error(s->rsp));
  f->mask = mask;
  f->before = w;
  f->after = w ^ mask;
  if (mh_rsp_write_verified(s->rsp, va, &f->after, 8) < 0)
    return mh_fail(e, "writing 0x%llx: %s", (unsigned long long)va, mh_rsp_error(s->rsp));
  return 0;
}

// The siginfo Linux gives a process for a memory error in its page: SIGBUS,
// si_code BUS_MCEERR_AR/AO, si_addr the page, si_addr_lsb its size's log2.
static int set_siginfo(struct mh_gdbserver *s, const struct mh_lx_arch *a, int code, uint64_t page,
                       struct mh_err *e) {
  uint8_t si[256] = {0};
  int32_t head[3] = {LX_SIGBUS, 0, code};
  memcpy(si, head, sizeof head);
  memcpy(si + a->siginfo_addr_off, &page, (size_t)a->word); // little-endian
  int16_t lsb = 12;
  memcpy(si + a->siginfo_addr_off + a->word, &lsb, sizeof lsb);
  if (mh_rsp_xfer_write(s->rsp, "siginfo", "", si, (size_t)a->siginfo_size) < 0)
    return mh_fail(e, "writing the siginfo: %s", mh_rsp_error(s->rsp));
  return 0;
}

// The runtime's notes on stderr, as the kernel's @mce lines: a page
// replaced from the mirror is recovered, a mirror page rebuilt from native
// the mirror side's recovery; a memory error it could not repair ended the
// program (killed, as Linux would).
static void runtime_notes(const char *err, struct mh_trial_obs *o, uint64_t page) {
  static const struct {
    const char *text, *action;
  } notes[] = {{": page replaced and filled from the mirror", "recovered"},
               {": mirror page replaced and filled from native", "repaired_mirror"},
               {": memory error outside the mirror", "killed"},
               {": not a memory error", "killed"}};
  o->nmce = 0;
  for (size_t i = 0; err && i < sizeof notes / sizeof *notes; i++)
    if (strstr(err, notes[i].text) && o->nmce < MH_MAX_MCE) {
      struct mh_mce_obs *m = &o->mce[o->nmce++];
      snprintf(m->action, sizeof m->action, "%s", notes[i].action);
      snprintf(m->kind, sizeof m->kind, "native");
      m->pa = (unsigned long)page;
      m->cycles = -1;
    }
}

static void lap(struct mh_trial_result *r, enum mh_phase ph, double *mark) {
  double now = mh_now();
  r->phase_s[ph] += now - *mark;
  *mark = now;
}

static void harness_error(struct mh_trial_result *r, const char *what, const struct mh_err *e) {
  r->outcome = MH_OUT_HARNESS_ERROR;
  snprintf(r->reason, sizeof r->reason, "%s: %.400s", what, e->msg);
}

// At the injection point: choose, flip, signal. 0, or -1 (harness error).
static int inject(struct mh_gdbserver *s, const struct mh_lxprog *p, const struct mh_faults *fm,
                  const struct mh_trial_plan *plan, struct mh_trial_result *r, double *mark,
                  struct mh_err *e) {
  struct mh_lx_fault *t = &r->lx;
  if (choose(s, p, fm, plan->f[0].pick, t, e) < 0)
    return -1;
  lap(r, MH_PH_TARGET, mark);
  t->va = t->page + plan->f[0].word * 8u;
  if (flip(s, t->va, plan->f[0].mask, &r->flips[0], e) < 0)
    return -1;
  r->obs.injected = true;
  r->obs.ninjected = 1;
  lap(r, MH_PH_FLIP, mark);
  t->si_code = fm->trap == MH_FT_MCE ? fm->si_code : 0;
  return t->si_code ? set_siginfo(s, p->arch, t->si_code, t->page, e) : 0;
}

static void finish(const struct mh_gdbserver *s, const struct mh_golden *g, int status,
                   struct mh_trial_result *r) {
  char *err = NULL;
  r->lines = outputs(s, &err);
  r->serial = err; // the program's stderr: the runtime's notes, kept for the record's tail
  r->obs.status = status;
  r->obs.serial = r->lines ? r->lines : "";
  runtime_notes(err, &r->obs, r->lx.page);
  r->outcome = mh_trial_classify(g, &r->obs, r->reason, sizeof r->reason);
  if (r->outcome == MH_OUT_RECOVERED) // in the runtime's words, not the guest kernel's
    snprintf(r->reason, sizeof r->reason,
             "recovered (the runtime replaced page 0x%llx from %s), output and status as golden",
             (unsigned long long)r->lx.page,
             strcmp(r->lx.kind, "mirror") == 0 ? "native" : "its mirror");
  size_t n = strlen(r->reason);
  if (r->lx.signal && n < sizeof r->reason)
    snprintf(r->reason + n, sizeof r->reason - n, "; it died of signal %d (%s)", r->lx.signal,
             signal_name(r->lx.signal));
}

// Runs to the injection point: hit plan->when of the breakpoint, then
// plan->icount steps. Fault-free, so a slow host is the only reason to be
// late: it has timeouts.run_s, and missing it is no verdict on the program.
static enum lx_stop to_point(struct mh_gdbserver *s, const struct mh_lxprog *p,
                             const struct mh_faults *fm, const struct mh_trial_plan *plan,
                             struct mh_trial_result *r, int *status, struct mh_err *e) {
  double deadline = mh_now() + p->run_timeout_s;
  enum lx_stop at = run_to_hit(s, p, plan->when, deadline, status, &r->lx.signal, e);
  bool hit = at == LX_BP;
  if (hit && fm->icount)
    at = step_n(s, p, plan->icount, deadline, r, status, e);
  if (at == LX_END && hit)
    snprintf(r->obs.why_not, sizeof r->obs.why_not,
             "the program ended %lld instructions after hit %lld, before instruction %lld",
             (long long)r->lx.steps, (long long)plan->when, (long long)plan->icount);
  else if (at == LX_END)
    snprintf(r->obs.why_not, sizeof r->obs.why_not, "the program ended before hit %lld",
             (long long)plan->when);
  if (at == LX_TIMEOUT) {
    mh_fail(e,
            "the fault-free run to hit %lld%s took longer than timeouts.run_s (%.0f s; %lld "
            "steps done): raise it, or narrow when.icount",
            (long long)plan->when, fm->icount ? " and its steps" : "", p->run_timeout_s,
            (long long)r->lx.steps);
    at = LX_ERROR;
  }
  return at;
}

void mh_lx_trial(const struct mh_lxprog *p, const struct mh_faults *fm, const struct mh_golden *g,
                 const struct mh_trial_plan *plan, double timeout_s, struct mh_trial_result *r) {
  memset(r, 0, sizeof *r);
  r->obs.nfaults = 1;
  r->obs.icount = -1;
  r->lx.path = p->path_used;
  r->timeout_s = timeout_s;
  struct mh_gdbserver s;
  struct mh_err e;
  double t0 = mh_now(), mark = t0;
  if (start(p, &s, &e) < 0) {
    harness_error(r, "could not start the program under gdbserver", &e);
    r->obs.serial = "";
    return;
  }
  r->restore_s = mh_now() - t0;
  lap(r, MH_PH_RESTORE, &mark);
  int status = 0;
  enum lx_stop at = to_point(&s, p, fm, plan, r, &status, &e);
  lap(r, MH_PH_TO_POINT, &mark);
  double deadline = mh_now() + timeout_s;
  if (at == LX_BP) {
    if (inject(&s, p, fm, plan, r, &mark, &e) < 0)
      at = LX_ERROR;
    else
      at = run_until(&s, r->lx.si_code ? MH_GDB_SIGBUS : 0, deadline, &status, &r->lx.signal, &e);
    lap(r, MH_PH_TRAP, &mark);
  }
  // No breakpoint is left: a SIGTRAP now is the program's own, and passed on.
  while (at == LX_BP)
    at = run_until(&s, 0, deadline, &status, &r->lx.signal, &e);
  lap(r, MH_PH_TO_END, &mark);
  r->obs.ended = at == LX_TIMEOUT ? MH_AT_TIMEOUT : MH_AT_SHUTDOWN;
  if (at == LX_ERROR)
    harness_error(r, r->obs.injected ? "after the injection" : "before the injection", &e);
  else
    finish(&s, g, status, r);
  if (!r->obs.serial)
    r->obs.serial = "";
  mh_gdbserver_stop(&s);
  r->wall_s = mh_now() - t0;
  lap(r, MH_PH_SERIAL, &mark);
}

// ---- records ----

static json_object *hex(uint64_t v) {
  char b[32];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return json_object_new_string(b);
}

json_object *mh_lx_record(const char *id, const char *variant, int trial,
                          const struct mh_faults *fm, const struct mh_trial_plan *plan,
                          const struct mh_trial_result *r) {
  json_object *o = mh_trial_record(id, variant, trial, fm, plan, r), *faults, *f;
  const struct mh_lx_fault *t = &r->lx;
  mh_json_set_str(o, "path", t->path);
  if (fm->icount) { // where the steps stopped (the trial's instruction), as a guest's eip and at
    json_object_object_add(o, "steps", json_object_new_int64(t->steps));
    if (t->pc) {
      json_object_object_add(o, "pc", hex(t->pc));
      mh_json_set_str(o, "at", r->at);
    }
  }
  // The runtime's notes stand where the kernel's @mce lines do, by page va.
  json_object *notes = json_object_new_array();
  for (int i = 0; i < r->obs.nmce; i++) {
    json_object *m = json_object_new_object();
    mh_json_set_str(m, "action", r->obs.mce[i].action);
    json_object_object_add(m, "page", hex(t->page));
    json_object_array_add(notes, m);
  }
  json_object_object_add(o, "mce", notes);
  // stdout is the output compared (serial_tail); stderr holds the runtime's notes.
  if (r->outcome != MH_OUT_BENIGN && r->outcome != MH_OUT_RECOVERED && r->serial) {
    size_t n = strlen(r->serial);
    mh_json_set_str(o, "stderr_tail", n > 2048 ? r->serial + n - 2048 : r->serial);
  }
  if (!json_object_object_get_ex(o, "faults", &faults) || json_object_array_length(faults) < 1)
    return o;
  f = json_object_array_get_idx(faults, 0);
  json_object_object_add(f, "injected", json_object_new_boolean(r->obs.injected));
  if (!t->kind)
    return o;
  mh_json_set_str(f, "frame_kind", t->kind); // the page's kind: what summaries group by
  json_object_object_add(f, "va", hex(t->va));
  json_object_object_add(f, "page", hex(t->page));
  mh_json_set_str(f, "region", t->region);
  json_object_object_add(f, "candidates", json_object_new_int64(t->candidates));
  json_object_object_add(f, "before", hex(r->flips[0].before));
  json_object_object_add(f, "after", hex(r->flips[0].after));
  mh_json_set_str(f, "path", t->path);
  json_object_object_add(f, "si_code", t->si_code ? json_object_new_int(t->si_code) : NULL);
  return o;
}
