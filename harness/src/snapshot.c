#include "snapshot.h"

#include <fcntl.h>
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

static int blank_qcow2(const char *path, struct mh_err *e) {
  char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", (char *)path, "64M", NULL};
  char out[512];
  int rc = mh_proc_capture(argv, out, sizeof out, 30000, e);
  if (rc < 0)
    return mh_fail(e, "%s (qemu-img is in the Debian package qemu-utils)", e->msg);
  if (rc != 0)
    return mh_fail(e, "qemu-img create %s failed (exit %d): %s", path, rc, out);
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
  int rc = mh_proc_spawn(a.v, s->err, &s->proc, e);
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
  if (!(s->qmp = mh_qmp_connect(s->qmp_path, ms, e)))
    return -1;
  char err[256];
  if (!(s->rsp = mh_rsp_connect_unix(s->gdb, (int)(s->o.timeout_s * 1000), ms, err, sizeof err)))
    return mh_fail(e, "gdbstub: %s", err);
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
    if (at != MH_AT_USER)
      return mh_fail(e, "%s did not reach main() within %.0f s%s%s", s->o.program, s->o.timeout_s,
                     at == MH_AT_DEAD ? ": " : "", at == MH_AT_DEAD ? e->msg : "");
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
  if (mh_qmp_hmp(s->qmp, cmd, &out, (int)(s->o.timeout_s * 1000), e) < 0)
    return -1;
  // HMP reports failures as text; success is silent.
  int rc = out && out[0] ? mh_fail(e, "%s: QEMU said: %s", cmd, out) : 0;
  free(out);
  return rc;
}

int mh_session_start(struct mh_session *s, const struct mh_session_opts *o, struct mh_err *e) {
  memset(s, 0, sizeof *s);
  s->o = *o;
  s->proc.pid = -1;
  double t0 = mh_now();
  if (scratch(s, e) < 0)
    return -1;
  if (symbols(s, e) < 0 || (o->snapshot && blank_qcow2(s->snapimg, e) < 0) || spawn(s, e) < 0)
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
  if (mh_session_hmp(s, cmd, e) < 0)
    return -1;
  *cost_s = mh_now() - t0;
  mh_session_mark(s);
  s->serial_prefix = NULL; // a checkpoint's restore sets its own (checkpoint.c)
  return 0;
}

int mh_session_restore(struct mh_session *s, double *cost_s, struct mh_err *e) {
  return mh_session_loadvm(s, MH_SNAP_MAIN, cost_s, e);
}

void mh_session_stop(struct mh_session *s) {
  if (s->qmp && s->alive) {
    struct mh_err e;
    mh_qmp_execute(s->qmp, "quit", NULL, NULL, 2000, &e);
  }
  if (s->proc.pid > 0) {
    if (mh_proc_wait(&s->proc, 2000) != 1)
      mh_proc_kill(&s->proc);
  }
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

enum mh_stop_at mh_session_run(struct mh_session *s, int timeout_ms, struct mh_err *e) {
  struct mh_rsp_stop st;
  if (step_over(s, e) < 0)
    return MH_AT_DEAD;
  if (mh_rsp_continue(s->rsp) < 0) {
    mh_fail(e, "continue: %s", mh_rsp_error(s->rsp));
    return MH_AT_DEAD;
  }
  int rc = mh_rsp_wait_stop(s->rsp, timeout_ms, &st);
  if (rc == MH_RSP_ETIMEOUT) {
    if (mh_rsp_interrupt(s->rsp, &st) < 0) {
      mh_fail(e, "the guest ran past the timeout and did not stop for ^C: %s",
              mh_rsp_error(s->rsp));
      return MH_AT_DEAD;
    }
    return MH_AT_TIMEOUT;
  }
  if (rc < 0 || st.kind == 'W' || st.kind == 'X') {
    mh_fail(e, "QEMU ended (%s)", rc < 0 ? mh_rsp_error(s->rsp) : "exit reported by the gdbstub");
    return MH_AT_DEAD;
  }
  uint32_t eip, esp;
  if (mh_session_regs(s, &eip, &esp, e) < 0)
    return MH_AT_DEAD;
  return eip == s->a_poweroff ? mh_session_poweroff_stop(s, esp, e) : MH_AT_USER;
}

void mh_session_mark(struct mh_session *s) {
  struct stat st;
  s->mark = stat(s->serial, &st) == 0 ? (long)st.st_size : 0;
}

char *mh_session_serial(struct mh_session *s) {
  FILE *f = fopen(s->serial, "r");
  if (!f)
    return strdup("");
  fseek(f, 0, SEEK_END);
  long end = ftell(f);
  long n = end > s->mark ? end - s->mark : 0;
  size_t pre = s->serial_prefix ? strlen(s->serial_prefix) : 0;
  char *buf = malloc(pre + (size_t)n + 1);
  if (buf) {
    memcpy(buf, s->serial_prefix ? s->serial_prefix : "", pre);
    fseek(f, s->mark, SEEK_SET);
    buf[pre + fread(buf + pre, 1, (size_t)n, f)] = 0;
  }
  fclose(f);
  return buf;
}
