#include "snapshot.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"
#include "qemu.h"
#include "qmp.h"
#include "rsp.h"
#include "util.h"

enum mh_stop_at mh_session_run(struct mh_session *s, int timeout_ms, struct mh_err *e);

// While the guest runs QEMU owes the harness nothing on the gdbstub, so a
// hung QEMU shows only when asked: a QMP query this often.
#define PING_S 2.0

static int control_ms(const struct mh_session *s) {
  double c = s->o.control_timeout_s > 0 ? s->o.control_timeout_s : MH_CONTROL_TIMEOUT_S;
  return (int)(c * 1000);
}

static const char *watch_proc(void *arg);
static void mark_broken(struct mh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// The first reason is the one that counts: what follows is its consequence.
// What became of the process is added when it is news.
static void mark_broken(struct mh_session *s, const char *fmt, ...) {
  if (s->broken)
    return;
  s->broken = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->why, sizeof s->why, fmt, ap);
  va_end(ap);
  const char *proc = s->proc.pid > 0 ? watch_proc(s) : NULL;
  size_t n = strlen(s->why);
  if (proc && !strstr(s->why, proc) && n + 2 < sizeof s->why)
    snprintf(s->why + n, sizeof s->why - n, "; %s", proc);
}

// NULL while the QEMU process runs; else what became of it.
static const char *watch_proc(void *arg) {
  struct mh_session *s = arg;
  struct mh_proc *p = &s->proc;
  switch (mh_proc_state(p)) {
  case MH_PROC_RUNNING:
    return NULL;
  case MH_PROC_STOPPED:
    snprintf(s->watch_msg, sizeof s->watch_msg, "QEMU (pid %d) is stopped (SIGSTOP?)", (int)p->pid);
    break;
  case MH_PROC_GONE:
    if (mh_proc_signal(p))
      snprintf(s->watch_msg, sizeof s->watch_msg, "QEMU (pid %d) was killed by signal %d",
               (int)p->pid, mh_proc_signal(p));
    else
      snprintf(s->watch_msg, sizeof s->watch_msg, "QEMU (pid %d) exited with status %d",
               (int)p->pid, mh_proc_exit_code(p));
    break;
  }
  return s->watch_msg;
}

// Every MH_WATCH_MS of a wait on the gdbstub: the process, the serial log's
// size, and now and then whether QEMU's main loop still answers.
static const char *watch_rsp(void *arg) {
  struct mh_session *s = arg;
  const char *why = watch_proc(s);
  if (why)
    return why;
  mh_serlog_trim(&s->log);
  if (!s->qmp || mh_now() - s->last_ping < PING_S)
    return NULL;
  struct mh_err e;
  if (mh_qmp_execute(s->qmp, "query-status", NULL, NULL, control_ms(s), &e) < 0) {
    snprintf(s->watch_msg, sizeof s->watch_msg, "QEMU does not answer: %.100s", e.msg);
    return s->watch_msg;
  }
  s->last_ping = mh_now();
  return NULL;
}

static int add_arg(struct mh_argv *a, const char *s) {
  char **v = realloc(a->v, (size_t)(a->n + 2) * sizeof *v);
  if (!v)
    return -1;
  a->v = v;
  if (!(v[a->n] = strdup(s)))
    return -1;
  v[++a->n] = NULL;
  return 0;
}

static int scratch(struct mh_session *s, struct mh_err *e) {
  // The harness pid in the name lets a later harness sweep what a SIGKILLed
  // one left behind (run.c, mh_run_sweep_stale).
  snprintf(s->dir, sizeof s->dir, "/tmp/memharness-%d-XXXXXX", (int)getpid());
  if (!mkdtemp(s->dir))
    return mh_fail_errno(e, "cannot create a scratch directory in /tmp");
  snprintf(s->serial, sizeof s->serial, "%s/serial.log", s->dir);
  snprintf(s->qmp_path, sizeof s->qmp_path, "%s/qmp.sock", s->dir);
  snprintf(s->gdb, sizeof s->gdb, "%s/gdb.sock", s->dir);
  snprintf(s->err, sizeof s->err, "%s/qemu.out", s->dir);
  // The snapshot image lives in RAM when /dev/shm exists: savevm and loadvm
  // flush the image, and a flush to a busy disk costs more than the restore.
  char shm[64];
  snprintf(shm, sizeof shm, "/dev/shm/memharness-%d-%s", (int)getpid(), strrchr(s->dir, '-') + 1);
  if (access("/dev/shm", W_OK) == 0)
    snprintf(s->snapimg, sizeof s->snapimg, "%s.qcow2", shm);
  else
    snprintf(s->snapimg, sizeof s->snapimg, "%s/snap.qcow2", s->dir);
  return 0;
}

static int spawn(struct mh_session *s, struct mh_err *e) {
  struct mh_qemu_opts q = {.qemu = s->o.qemu,
                           .kernel = s->o.kernel,
                           .disk = s->o.disk,
                           .disk_in_ram = true,
                           .append = s->o.cmdline,
                           .accel = "tcg",
                           .icount = s->o.icount,
                           .mem_mb = s->o.mem_mb,
                           .serial_path = s->serial,
                           .serial_append = true,
                           .gdb_socket = s->gdb,
                           .qmp_socket = s->qmp_path,
                           .paused = true};
  struct mh_argv a;
  if (mh_qemu_argv(&q, &a) < 0)
    return mh_fail(e, "cannot build QEMU's command line for %s", s->o.kernel);
  char drive[160];
  snprintf(drive, sizeof drive, "if=none,id=snap,format=qcow2,file=%s", s->snapimg);
  if (s->o.snapshot && (add_arg(&a, "-drive") < 0 || add_arg(&a, drive) < 0)) {
    mh_argv_free(&a);
    return mh_fail(e, "out of memory");
  }
  int rc = mh_serlog_open(&s->log, s->serial) < 0 ? mh_fail_errno(e, "cannot create %s", s->serial)
                                                  : mh_proc_spawn(a.v, s->err, &s->proc, e);
  mh_argv_free(&a);
  return rc;
}

static int symbols(struct mh_session *s, struct mh_err *e) {
  if (mh_user_layout(s->o.workload_elf, &s->guest.lay, e) < 0)
    return -1;
  if (mh_elf_symbol(s->o.workload_elf, "main", &s->a_main, NULL, e) < 0 ||
      mh_elf_symbol(s->o.kernel, "power_off", &s->a_poweroff, NULL, e) < 0 ||
      mh_elf_symbol(s->o.kernel, "sys_shutdown", &s->a_shutdown, &s->n_shutdown, e) < 0 ||
      mh_elf_symbol(s->o.kernel, "panic", &s->a_panic, &s->n_panic, e) < 0)
    return -1;
  return 0;
}

static int connect_all(struct mh_session *s, struct mh_err *e) {
  int ms = (int)(s->o.connect_timeout_s * 1000);
  if (!(s->qmp = mh_qmp_connect(s->qmp_path, ms, watch_proc, s, e)))
    return -1;
  char err[256];
  if (!(s->rsp = mh_rsp_connect_unix(s->gdb, control_ms(s), ms, err, sizeof err)))
    return mh_fail(e, "gdbstub: %s", err);
  mh_rsp_set_watch(s->rsp, watch_rsp, s);
  s->last_ping = mh_now();
  if (mh_rsp_handshake(s->rsp, true) < 0)
    return mh_fail(e, "gdbstub handshake: %s", mh_rsp_error(s->rsp));
  s->guest.rsp = s->rsp;
  s->guest.program = s->o.program;
  return 0;
}

// Runs to the workload's main(): the breakpoint is by virtual address, so a
// stop there counts only once the workload's process exists.
static int run_to_main(struct mh_session *s, struct mh_err *e) {
  if (mh_session_bp(s, s->a_main, true, e) < 0)
    return -1;
  double deadline = mh_now() + s->o.timeout_s;
  for (;;) {
    enum mh_stop_at at = mh_session_run(s, mh_ms_left(deadline), e);
    if (at == MH_AT_DEAD) {
      char why[MH_ERR_CAP]; // mh_fail writes e->msg
      snprintf(why, sizeof why, "%s", s->broken ? s->why : e->msg);
      return mh_fail(e, "QEMU failed before %s reached main(): %.3000s", s->o.program, why);
    }
    if (at != MH_AT_USER)
      return mh_fail(e, "%s did not reach main() within %.0f s", s->o.program, s->o.timeout_s);
    if (!s->guest.in.magic && mh_introspect_load(s->rsp, s->o.kernel, &s->guest.in, NULL, e) < 0)
      return -1;
    if (mh_rsp_phys_mode(s->rsp, true) < 0)
      return mh_fail(e, "Qqemu.PhyMemMode:1 refused: %s", mh_rsp_error(s->rsp));
    struct mh_proc_info p;
    struct mh_err ignore;
    bool ours = mh_guest_workload(&s->guest, &p, &ignore) == 0 && p.state == PSTATE_RUNNING;
    if (mh_rsp_phys_mode(s->rsp, false) < 0)
      return mh_fail(e, "Qqemu.PhyMemMode:0 refused: %s", mh_rsp_error(s->rsp));
    if (ours)
      break;
  }
  return mh_session_bp(s, s->a_main, false, e);
}

int mh_session_hmp(struct mh_session *s, const char *cmd, struct mh_err *e) {
  char *out = NULL;
  if (mh_qmp_hmp(s->qmp, cmd, &out, control_ms(s), e) < 0) {
    if (mh_qmp_broken(s->qmp))
      mark_broken(s, "%s: %.200s", cmd, e->msg);
    return -1;
  }
  // HMP reports failures as text; success is silent.
  int rc = out && out[0] ? mh_fail(e, "%s: QEMU said: %s", cmd, out) : 0;
  free(out);
  return rc;
}

int mh_session_start(struct mh_session *s, const struct mh_session_opts *o, struct mh_err *e) {
  memset(s, 0, sizeof *s);
  s->o = *o;
  s->proc.pid = -1;
  s->log.fd = -1;
  double t0 = mh_now();
  if (scratch(s, e) < 0)
    return -1;
  if (symbols(s, e) < 0 || (o->snapshot && mh_qcow2_blank(s->snapimg, "64M", e) < 0) ||
      spawn(s, e) < 0)
    goto fail;
  s->alive = true;
  if (connect_all(s, e) < 0)
    goto fail;
  // QEMU holds the image open from here on; without a name it cannot
  // outlive QEMU, even when a SIGKILLed harness never cleans up.
  if (o->snapshot)
    unlink(s->snapimg);
  if (run_to_main(s, e) < 0)
    goto fail;
  // A kernel breakpoint ends every trial: power_off, where shutdown (the
  // workload finished) and panic end. gdbstub breakpoints are not part of
  // the VM state, so it survives loadvm.
  if (mh_session_bp(s, s->a_poweroff, true, e) < 0)
    goto fail;
  double t1 = mh_now();
  if (o->snapshot && mh_session_hmp(s, "savevm " MH_SNAP_MAIN, e) < 0)
    goto fail;
  s->save_s = mh_now() - t1;
  if (mh_rsp_phys_mode(s->rsp, true) < 0) {
    mh_fail(e, "Qqemu.PhyMemMode:1 refused: %s", mh_rsp_error(s->rsp));
    goto fail;
  }
  s->start_s = mh_now() - t0;
  mh_session_mark(s);
  return 0;
fail:;
  // QEMU's own words usually say why (a bad option, a missing file).
  char msg[MH_ERR_CAP], qerr[512] = "";
  FILE *f = s->dir[0] ? fopen(s->err, "r") : NULL;
  if (f) {
    qerr[fread(qerr, 1, sizeof qerr - 1, f)] = 0;
    fclose(f);
  }
  snprintf(msg, sizeof msg, "%.3000s%s%.500s", e->msg, qerr[0] ? "; QEMU said: " : "", qerr);
  mh_session_stop(s);
  return mh_fail(e, "%s", msg);
}

int mh_session_loadvm(struct mh_session *s, const char *name, double *cost_s, struct mh_err *e) {
  char cmd[64];
  snprintf(cmd, sizeof cmd, "loadvm %s", name);
  double t0 = mh_now();
  if (mh_session_hmp(s, cmd, e) < 0) {
    // Half a restore is no state to run a trial in.
    mark_broken(s, "%.200s", e->msg);
    return -1;
  }
  *cost_s = mh_now() - t0;
  mh_session_mark(s);
  s->serial_prefix = NULL; // a checkpoint's restore sets its own (checkpoint.c)
  return 0;
}

int mh_session_restore(struct mh_session *s, double *cost_s, struct mh_err *e) {
  return mh_session_loadvm(s, MH_SNAP_MAIN, cost_s, e);
}

void mh_session_stop(struct mh_session *s) {
  // A QEMU the harness lost control of is not asked to quit: it is killed
  // (a stopped process dies of SIGKILL too) and reaped.
  bool broken = s->proc.pid > 0 && mh_session_broken(s);
  if (s->qmp && s->alive && !broken) {
    struct mh_err e;
    mh_qmp_execute(s->qmp, "quit", NULL, NULL, 2000, &e);
  }
  if (s->proc.pid > 0 && (broken || mh_proc_wait(&s->proc, 2000) != 1))
    mh_proc_kill(&s->proc);
  mh_rsp_close(s->rsp);
  mh_qmp_close(s->qmp);
  s->rsp = NULL;
  s->qmp = NULL;
  s->alive = false;
  s->proc.pid = -1;
  for (int i = 0; i < MH_MAX_CHECKPOINTS; i++) {
    free(s->ck_serial[i]);
    s->ck_serial[i] = NULL;
  }
  s->serial_prefix = NULL;
  mh_serlog_close(&s->log);
  if (s->dir[0]) {
    unlink(s->serial);
    unlink(s->qmp_path);
    unlink(s->gdb);
    unlink(s->err);
    unlink(s->snapimg);
    rmdir(s->dir);
    s->dir[0] = 0;
  }
}

int mh_session_regs(struct mh_session *s, uint32_t *eip, uint32_t *esp, struct mh_err *e) {
  uint8_t regs[512];
  size_t n;
  if (mh_rsp_read_registers(s->rsp, regs, sizeof regs, &n) < 0 || n < 40)
    return mh_fail(e, "reading registers: %s", mh_rsp_error(s->rsp));
  memcpy(esp, regs + 16, 4);
  memcpy(eip, regs + 32, 4);
  return 0;
}

int mh_session_kread(struct mh_session *s, uint32_t kva, void *buf, size_t len) {
  uint32_t kb = s->guest.in.kernbase;
  if (kva < kb)
    return -1;
  return mh_rsp_read_memory(s->rsp, kva - kb, buf, len) < 0 ? -1 : 0;
}

int mh_session_bp(struct mh_session *s, uint64_t addr, bool insert, struct mh_err *e) {
  if (mh_rsp_breakpoint(s->rsp, 0, insert, addr, 1) < 0)
    return mh_fail(e, "%s the breakpoint at 0x%llx: %s", insert ? "inserting" : "removing",
                   (unsigned long long)addr, mh_rsp_error(s->rsp));
  int i = 0;
  while (i < s->nbps && s->bps[i] != addr)
    i++;
  if (insert && i == s->nbps && s->nbps < 8)
    s->bps[s->nbps++] = addr;
  else if (!insert && i < s->nbps)
    s->bps[i] = s->bps[--s->nbps];
  return 0;
}

// Sitting on one of our breakpoints, a plain continue would stop at once
// again: step over it with the breakpoint removed, then put it back.
static int step_over(struct mh_session *s, struct mh_err *e) {
  uint32_t eip, esp;
  if (mh_session_regs(s, &eip, &esp, e) < 0)
    return -1;
  for (int i = 0; i < s->nbps; i++) {
    if (s->bps[i] != eip)
      continue;
    struct mh_rsp_stop st;
    if (mh_rsp_breakpoint(s->rsp, 0, false, eip, 1) < 0 || mh_rsp_step(s->rsp, &st) < 0 ||
        mh_rsp_breakpoint(s->rsp, 0, true, eip, 1) < 0)
      return mh_fail(e, "stepping over the breakpoint at 0x%x: %s", eip, mh_rsp_error(s->rsp));
    break;
  }
  return 0;
}

static bool within(uint32_t a, uint64_t start, uint64_t size) {
  return a >= start && a < start + size;
}

// At power_off's entry (cdecl: [esp] the return address, [esp+4] the
// value): the caller tells a shutdown from a panic, the value is the exit
// status. Another caller is a kernel this harness does not know.
enum mh_stop_at mh_session_poweroff_stop(struct mh_session *s, uint32_t esp, struct mh_err *e) {
  uint32_t frame[2];
  if (mh_session_kread(s, esp, frame, sizeof frame) < 0) {
    mh_fail(e, "cannot read power_off's arguments at esp 0x%x", esp);
    return MH_AT_OTHER;
  }
  s->power_value = (int)frame[1];
  // The call's last byte: power_off does not return, so the return address
  // may lie just past the caller's end.
  uint32_t call = frame[0] - 1;
  if (within(call, s->a_shutdown, s->n_shutdown))
    return MH_AT_SHUTDOWN;
  if (within(call, s->a_panic, s->n_panic))
    return MH_AT_PANIC;
  mh_fail(e, "power_off called from 0x%x, neither sys_shutdown nor panic", frame[0]);
  return MH_AT_OTHER;
}

// QMP said the host, not the guest, shut QEMU down (a signal, a quit).
static bool host_shutdown(struct mh_session *s) {
  if (!s->qmp)
    return false;
  mh_qmp_pump(s->qmp);
  for (size_t i = 0; i < mh_qmp_nevents(s->qmp); i++) {
    const struct mh_qmp_event *ev = mh_qmp_event_at(s->qmp, i);
    if (strcmp(ev->name, "SHUTDOWN") == 0 && strncmp(ev->detail, "host", 4) == 0)
      return true;
  }
  return false;
}

// Whether QEMU ended on the guest's behalf: a reset or power-off under
// -no-reboot exits 0, isa-debug-exit with an odd status, and QMP's
// SHUTDOWN (when it got out) names a guest reason. A signal, another
// status, a host SHUTDOWN, a stopped or still running QEMU: not the guest.
// closing: the gdbstub just closed or said W/X, and a QEMU on its way out
// closes its sockets a few ms before it exits (one that did not answer in
// time had its chance).
static bool ended_by_guest(struct mh_session *s, bool closing) {
  enum mh_proc_state st = mh_proc_state(&s->proc);
  if (st == MH_PROC_RUNNING && closing)
    st = mh_proc_wait(&s->proc, control_ms(s)) == 1 ? MH_PROC_GONE : st;
  int code = mh_proc_exit_code(&s->proc);
  return st == MH_PROC_GONE && (code == 0 || (code > 0 && code % 2 == 1)) && !host_shutdown(s);
}

bool mh_session_broken(struct mh_session *s) {
  if (s->broken || !s->alive)
    return s->broken;
  bool rsp_bad = s->rsp && mh_rsp_broken(s->rsp), qmp_bad = s->qmp && mh_qmp_broken(s->qmp);
  if (!rsp_bad && !qmp_bad && mh_proc_state(&s->proc) == MH_PROC_RUNNING)
    return false;
  if (ended_by_guest(s, rsp_bad && mh_rsp_last_error(s->rsp) == MH_RSP_ECLOSED)) {
    s->alive = false; // over, by the guest's doing: the next trial boots afresh
    return false;
  }
  const char *why = watch_proc(s);
  if (rsp_bad)
    mark_broken(s, "gdbstub: %.200s", mh_rsp_error(s->rsp));
  else if (qmp_bad)
    mark_broken(s, "QMP: the connection failed");
  else
    mark_broken(s, "%s", why ? why : "QEMU failed");
  return true;
}

// The gdbstub is gone or failed. The guest may have ended QEMU itself (a
// reset or power-off under -no-reboot): a result of the trial. Anything
// else breaks the session.
static enum mh_stop_at qemu_ended(struct mh_session *s, struct mh_err *e) {
  if (!ended_by_guest(s, mh_rsp_last_error(s->rsp) != MH_RSP_ETIMEOUT))
    mark_broken(s, "%.200s", e->msg);
  s->alive = false;
  return MH_AT_DEAD;
}

enum mh_stop_at mh_session_run(struct mh_session *s, int timeout_ms, struct mh_err *e) {
  struct mh_rsp_stop st;
  if (step_over(s, e) < 0)
    return qemu_ended(s, e);
  if (mh_rsp_continue(s->rsp) < 0) {
    mh_fail(e, "continue: %s", mh_rsp_error(s->rsp));
    return qemu_ended(s, e);
  }
  int rc = mh_rsp_wait_stop(s->rsp, timeout_ms, &st);
  memset(&s->last_stop, 0, sizeof s->last_stop);
  if (rc == 0)
    s->last_stop = st;
  if (rc == MH_RSP_ETIMEOUT) {
    if (mh_rsp_interrupt(s->rsp, &st) < 0) {
      mh_fail(e, "the guest ran past the timeout and did not stop for ^C: %s",
              mh_rsp_error(s->rsp));
      return qemu_ended(s, e);
    }
    // The guest may have reached power_off just as the time ran out: then
    // that stop, not the ^C, answered, and the workload has ended.
    uint32_t eip, esp;
    if (mh_session_regs(s, &eip, &esp, e) < 0)
      return MH_AT_DEAD;
    return eip == s->a_poweroff ? mh_session_poweroff_stop(s, esp, e) : MH_AT_TIMEOUT;
  }
  if (rc < 0 || st.kind == 'W' || st.kind == 'X') {
    mh_fail(e, "QEMU ended (%s)", rc < 0 ? mh_rsp_error(s->rsp) : "exit reported by the gdbstub");
    return qemu_ended(s, e);
  }
  uint32_t eip, esp;
  if (mh_session_regs(s, &eip, &esp, e) < 0)
    return qemu_ended(s, e);
  return eip == s->a_poweroff ? mh_session_poweroff_stop(s, esp, e) : MH_AT_USER;
}

void mh_session_mark(struct mh_session *s) {
  mh_serlog_mark(&s->log);
}

char *mh_session_serial(struct mh_session *s) {
  // A restored checkpoint's output from main() comes first (checkpoint.c).
  char *own = mh_serlog_read(&s->log);
  if (!own || !s->serial_prefix)
    return own;
  size_t pre = strlen(s->serial_prefix), n = strlen(own);
  char *buf = malloc(pre + n + 1);
  if (buf) {
    memcpy(buf, s->serial_prefix, pre);
    memcpy(buf + pre, own, n + 1);
  }
  free(own);
  return buf;
}
