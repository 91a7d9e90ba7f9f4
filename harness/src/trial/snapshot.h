// A long-lived QEMU for fault trials: booted once, stopped at the
// workload's main(), saved with savevm, and restored with loadvm before each
// trial (design §6, campaign rate). The same session without savevm serves
// campaigns that boot afresh per trial.
//
// icount runs keep the file system in guest RAM (-initrd), so there is no
// disk drive to hold the snapshot; QEMU's savevm stores VM state in the
// first writable drive that can take snapshots, so the session gives QEMU a
// small blank qcow2 image as `-drive if=none,id=snap`. The RAM disk is
// guest memory and is restored with everything else.
#ifndef MH_SNAPSHOT_H
#define MH_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "proc.h"
#include "rsp.h"
#include "serlog.h"
#include "target.h"

struct mh_session_opts {
  const char *qemu;
  const char *kernel;       // kernel ELF (symbols: sys_shutdown, panic, kprintf)
  const char *disk;         // file system image, loaded as a RAM disk
  const char *workload_elf; // the workload's ELF (main, the breakpoint symbol)
  const char *program;      // process name of the workload
  const char *cmdline;      // kernel command line: program and arguments
  bool icount;
  unsigned mem_mb; // guest RAM: loadvm's cost grows with it
  bool snapshot;   // savevm at main() so mh_session_restore can go back there
  double timeout_s, connect_timeout_s;
  // Every command to QEMU (QMP, gdbstub packet: loadvm, savevm, memory and
  // register access, ^C) must be answered within this many seconds, or
  // the session counts as hung; 0: MH_CONTROL_TIMEOUT_S.
  double control_timeout_s;
};

#define MH_CONTROL_TIMEOUT_S 5.0

#define MH_MAX_CHECKPOINTS 64

enum mh_stop_at { MH_AT_USER, MH_AT_SHUTDOWN, MH_AT_PANIC, MH_AT_OTHER, MH_AT_TIMEOUT, MH_AT_DEAD };

struct mh_session {
  struct mh_session_opts o;
  struct mh_proc proc;
  struct mh_rsp *rsp;
  struct mh_qmp *qmp;
  char dir[64], serial[96], gdb[96], qmp_path[96], snapimg[96], err[96];
  struct mh_guest guest;
  uint64_t a_main;
  // Shutdown and panic both end in power_off(value); one breakpoint there
  // (in a page of cold code: a breakpoint makes TCG run every instruction
  // of its page one at a time) and the return address says who called.
  uint64_t a_poweroff, a_shutdown, n_shutdown, a_panic, n_panic;
  int power_value;              // power_off's argument at the last MH_AT_SHUTDOWN/PANIC stop
  struct mh_rsp_stop last_stop; // of the last mh_session_run (a watchpoint's, activation.h)
  struct mh_serlog log;         // the serial log, emptied at each mark
  double start_s;               // QEMU start to main() (and savevm), seconds
  double save_s;                // the savevm alone
  bool alive;                   // false once QEMU ended (the guest's doing, or broken)
  // The harness lost control of QEMU (docs/campaign.md "How sessions fail"):
  // why says how; nothing the session did since counts.
  bool broken;
  char why[256];
  double last_ping; // when QMP last answered while the guest ran
  char watch_msg[128];
  uint64_t bps[8]; // software breakpoints we set (continue steps over them)
  int nbps;
  int ck_hit[MH_MAX_CHECKPOINTS]; // breakpoint hits with a snapshot (checkpoint.h), ascending
  int nck;
  // The serial output from main() to each checkpoint (malloc'ed): a trial
  // restored there printed it too, and is judged on all it printed.
  char *ck_serial[MH_MAX_CHECKPOINTS];
  const char *serial_prefix; // the restored checkpoint's, or NULL at main()
};

// Whether the harness lost control of the session: a command to QEMU
// failed or went unanswered, a loadvm or savevm failed, or the QEMU process
// was stopped or ended without the guest asking for it. A QEMU that ended
// because the guest reset or powered off (-no-reboot) is over but not
// broken. A broken session's QEMU is killed by mh_session_stop; s->why says
// what happened.
bool mh_session_broken(struct mh_session *s);

// Inserts or removes a software breakpoint and remembers it.
int mh_session_bp(struct mh_session *s, uint64_t addr, bool insert, struct mh_err *e);

#define MH_SNAP_MAIN "mh0" // the snapshot at the workload's main()

int mh_session_start(struct mh_session *s, const struct mh_session_opts *o, struct mh_err *e);
// loadvm of the snapshot at main(); *cost_s gets its duration.
int mh_session_restore(struct mh_session *s, double *cost_s, struct mh_err *e);
// loadvm of a named snapshot; starts a new trial in the serial log.
int mh_session_loadvm(struct mh_session *s, const char *name, double *cost_s, struct mh_err *e);
// A monitor command through QMP; any text QEMU answers is an error.
int mh_session_hmp(struct mh_session *s, const char *cmd, struct mh_err *e);
void mh_session_stop(struct mh_session *s);
// Continues until a stop, timeout_ms, or QEMU's exit; returns where it stopped.
enum mh_stop_at mh_session_run(struct mh_session *s, int timeout_ms, struct mh_err *e);
// Stopped at power_off's entry with stack pointer esp: shutdown or panic
// (by the caller), the value in power_value; MH_AT_OTHER for another caller.
enum mh_stop_at mh_session_poweroff_stop(struct mh_session *s, uint32_t esp, struct mh_err *e);
// Serial output since the trial started (malloc'ed, NUL-terminated): since
// main(), including what a restored checkpoint's run printed before it; the
// trial's own output as its head and tail when it outgrew them (serlog.h;
// s->log.elided says how many bytes were left out).
char *mh_session_serial(struct mh_session *s);
// Marks the start of a trial in the serial log.
void mh_session_mark(struct mh_session *s);
// Registers: eip and esp.
int mh_session_regs(struct mh_session *s, uint32_t *eip, uint32_t *esp, struct mh_err *e);
// Kernel virtual memory through the physical view.
int mh_session_kread(struct mh_session *s, uint32_t kva, void *buf, size_t len);

#endif
