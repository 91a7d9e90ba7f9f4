// One run of a workload as a 32-bit Linux process on the host (timing mode
// "host", docs/linux.md): no QEMU, the program's own rdtsc counts host CPU
// cycles. The result has the shape of a QEMU run's (run.h), so records,
// summaries, compare, plot and export treat both alike.
#ifndef MH_HOSTRUN_H
#define MH_HOSTRUN_H

#include <json-c/json.h>
#include <stddef.h>

#include "err.h"
#include "run.h"

// The program's file in a build: BUILD/linux/ARCH-VARIANT/PROGRAM (ARCH
// i386 or x86_64). Fails with a message saying what to build when it is
// missing (a workload whose program has no Linux-process build: only the
// compute suite has one).
int mh_hostrun_program(const char *build, const char *arch, const char *variant,
                       const char *program, char *out, size_t cap, struct mh_err *e);

// Whether this host lets the harness count hardware events of its runs
// (perf_event_open, user-space instructions): {"available": bool,
// "reason": why not (errno, perf_event_paranoid)}. Host timings are CPU
// time either way; the results say which counters could back them.
json_object *mh_hostrun_counters_json(void);

// Runs spec->program (a path from mh_hostrun_program) with spec->args,
// spec->timeout_s and spec->stop; stdout and stderr are the run's output.
// The process's exit status is the guest status; the expectations are the
// QEMU runs' (mh_run_judge_output). Always fills r and reaps the process.
void mh_hostrun(const struct mh_run_spec *spec, struct mh_run_result *r);

#endif
