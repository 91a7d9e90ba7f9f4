// What a fault campaign asks that can be checked before its first trial:
// from the files (the workload's ELF, the kernel's symbols) before any QEMU
// runs, and against each variant's golden run. A campaign that cannot work
// is refused with the JSON path of the key at fault; one whose trials would
// partly inject nothing says how many.
#ifndef MH_FAULTCHECK_H
#define MH_FAULTCHECK_H

#include <stdio.h>

#include "campaign.h"
#include "err.h"
#include "trial.h"

// The region exists in the workload's ELF (text, data); a kernel with the
// mce_done hook when several machine checks follow each other in a trial.
int mh_faults_check_files(const struct mh_campaign *c, const char *kernel, const char *elf,
                          struct mh_err *e);

// The golden run of the variant meets the workload's expect (status,
// output), reaches the breakpoint as often as when.hits asks, and ends after
// the delays of when.delay_ms; trials (their indices in todo) whose delay
// falls after its end are counted, and a warning naming them goes to warn.
int mh_faults_check_golden(const struct mh_campaign *c, const char *cmdline,
                           const struct mh_golden *g, const int *todo, int ntodo, FILE *warn,
                           struct mh_err *e);

// The host-time limit of a trial after the injection point: a hang is what
// outlasts the golden run hang_factor times over, never less than 30 s,
// never more than $.timeouts.run_s; under icount (the golden run has an
// instruction budget) host time is only the backstop: run_s.
double mh_faults_trial_timeout(const struct mh_campaign *c, const struct mh_golden *g);

#endif
