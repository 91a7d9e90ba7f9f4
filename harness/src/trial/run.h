// One QEMU run of one workload: launch, follow the serial log live, watch
// QMP events, enforce the timeout, reap, and classify the outcome.
#ifndef MH_RUN_H
#define MH_RUN_H

#include <stdatomic.h>
#include <stdbool.h>

#include "serial.h"

struct mh_run_spec {
  const char *qemu;
  const char *kernel;
  const char *disk; // NULL: no disk
  const char *program;
  const char *const *args;
  int nargs;
  const char *accel; // "tcg" / "kvm"
  bool icount;
  unsigned mem_mb; // guest RAM; 0: QEMU's default of the harness (256 MiB)
  double timeout_s;
  double connect_timeout_s;
  // Expectations; a run that meets them all is MH_RUN_OK.
  int expect_status;
  const char *const *expect_output;
  int nexpect_output;
  int expect_tests;        // -1: any
  const atomic_bool *stop; // set when the harness is shutting down (may be NULL)
};

enum mh_run_status {
  MH_RUN_OK,
  MH_RUN_FAIL,          // finished, but an expectation was not met
  MH_RUN_TIMEOUT,       // killed after timeout_s
  MH_RUN_CRASH,         // QEMU ended without the guest reaching shutdown
  MH_RUN_HARNESS_ERROR, // we could not run it (QEMU would not start, I/O …)
  MH_RUN_INTERRUPTED,   // the harness was told to stop; not a result
};

const char *mh_run_status_name(enum mh_run_status s);

struct mh_run_result {
  enum mh_run_status status;
  char reason[1024];
  int qemu_exit; // exit code, -1 when killed by a signal
  int qemu_signal;
  bool guest_exited;       // QEMU's code says the guest wrote isa-debug-exit
  long guest_status;       // from @exit, or decoded from the exit code
  double wall_s;           // QEMU start to exit
  double boot_s;           // QEMU start to @boot, -1 if never
  struct mh_serial serial; // tests, summary, tail (mh_run_result_free frees)
  char events[512];        // QMP lifecycle events, space-separated
  char qemu_stderr[1024];
};

// Sets the run's status and its reason (printf format).
void mh_run_set(struct mh_run_result *r, enum mh_run_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// The program exited with status: judges the output in r->serial against the
// spec's expectations (status, @test count and results, expected lines) and
// sets r->status and r->reason. Shared by QEMU runs and host runs (hostrun.h).
void mh_run_judge_output(const struct mh_run_spec *spec, struct mh_run_result *r, long status);

// Always fills r (even on harness errors) and always reaps QEMU.
void mh_run(const struct mh_run_spec *spec, struct mh_run_result *r);
void mh_run_result_free(struct mh_run_result *r);
// Removes scratch directories left by harness processes that no longer
// exist (a SIGKILLed harness cannot clean up). Returns how many.
int mh_run_sweep_stale(void);
// The kernel command line for the spec: program and args joined by spaces.
void mh_run_cmdline(const struct mh_run_spec *spec, char *out, size_t cap);

#endif
