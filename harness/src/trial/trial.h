// One fault trial on a session stopped at the workload's start: run to the
// injection point, choose and confirm frames, flip, raise the trap, run to
// the end, and classify against the golden run.
#ifndef MH_TRIAL_H
#define MH_TRIAL_H

#include <stdbool.h>

#include <json-c/json.h>

#include "activation.h"
#include "stuck.h"
#include "campaign.h"
#include "fault.h"
#include "inject.h"
#include "snapshot.h"
#include "stepper.h"
#include "target.h"

enum mh_outcome {
  MH_OUT_BENIGN,
  MH_OUT_RECOVERED,
  MH_OUT_SDC,
  MH_OUT_KILLED,
  MH_OUT_PANIC,
  MH_OUT_HANG,
  MH_OUT_RESET, // the guest reset itself (a triple fault under -no-reboot)
  MH_OUT_HARNESS_ERROR,
  MH_OUT_COUNT
};
const char *mh_outcome_name(enum mh_outcome o);
int mh_outcome_parse(const char *name); // -1 when unknown

// The fault-free run of the workload from the same snapshot.
struct mh_golden {
  int status;
  char *output;  // its reference lines (docs/campaign.md, "Output comparison")
  char *lines;   // all it printed since main(), as mh_serial_lines gives it
  int hits;      // how often the breakpoint symbol was hit (0 without one)
  double wall_s; // host seconds from restore to shutdown
  // Under icount: QEMU's instruction count at main() (absolute: snapshots
  // carry it), the instructions from there to the shutdown, and the trial
  // budget, hang_factor times that (0: not under icount, no budget).
  int64_t icount_main, icount, hang_icount;
  // Patterns of lines that may differ after a fault ($.faults.may_differ),
  // borrowed from the campaign.
  const char *const *may_differ;
  int nmay_differ;
};

struct mh_mce_obs {
  char action[16], kind[16];
  unsigned long pa, newpa;
  long long cycles; // -1 when not given
};

#define MH_MAX_MCE 8

// What the guest did after the faults (the classifier's input).
struct mh_trial_obs {
  bool injected;         // at least one fault was written
  int ninjected;         // faults written (and trapped), in plan order
  int nfaults;           // faults planned
  char why_not[160];     // why fewer than nfaults were injected
  enum mh_stop_at ended; // shutdown, panic, timeout or dead
  int status;            // the workload's exit status (ended == shutdown)
  char panic_msg[128];
  const char *serial; // the trial's output since main(), as mh_serial_lines gives it
  int nmce;
  struct mh_mce_obs mce[MH_MAX_MCE];
  // Under icount: the instructions since main() when the trial ended (-1:
  // not measured); more than the golden run's hang_icount is a hang.
  int64_t icount;
  bool stalled;             // under icount: ended because the guest ran no instruction for good
  struct mh_activation act; // trap none: was the first fault read (activation.h)
  struct mh_stuck stuck;    // model stuck0/stuck1: the first fault's bits forced again
};

// Decides the outcome from what was observed; reason says why, in a sentence.
enum mh_outcome mh_trial_classify(const struct mh_golden *g, const struct mh_trial_obs *o,
                                  char *reason, size_t cap);
// Parses the @mce lines of a serial log (mh_serial_lines) into o (nmce, mce).
void mh_trial_parse_mce(const char *serial, struct mh_trial_obs *o);
// The lines of an output that the comparison with the golden run looks at
// (people's lines whole, @test without its cycles), malloc'ed.
char *mh_trial_reference_lines(const char *lines);

// Where a trial's host time goes, phase by phase (researchers ask where the
// campaign rate is lost; the restore is the required figure).
enum mh_phase {
  MH_PH_RESTORE,  // loadvm (or the boot to main() without snapshots)
  MH_PH_TO_POINT, // run to the injection point
  MH_PH_TARGET,   // read the process and frame tables, walk the page table
  MH_PH_FLIP,     // read, flip, write and verify the word
  MH_PH_TRAP,     // raise the machine check (and, between faults, run until it is handled)
  MH_PH_TO_END,   // run to shutdown, panic or timeout, and read the exit status
  MH_PH_SERIAL,   // read the serial log, parse @mce lines, classify
  MH_PH_COUNT
};
const char *mh_phase_name(enum mh_phase p);

struct mh_trial_result {
  enum mh_outcome outcome;
  char reason[512];
  struct mh_trial_obs obs;
  int ntargets;
  struct mh_target targets[MH_MAX_FAULTS];
  struct mh_flip flips[MH_MAX_FAULTS];
  double restore_s, wall_s;
  double timeout_s;            // the trial timeout after the injection point (from the golden run)
  int64_t timeout_icount;      // under icount: the golden run's hang_icount, else 0
  int from_hit;                // breakpoint hits already behind the restored state (a checkpoint's)
  double phase_s[MH_PH_COUNT]; // seconds; mh_trial_run copies restore_s in
  // when.icount: where the stepped stop landed (docs/results.md).
  bool stepped;
  struct mh_step_out step; // n, events, registers at the stop, the user's registers
  char at[128];            // function+offset of the stop's eip (workload or kernel ELF)
  int mce_vector;          // the #MC's delivery, checked by one more step: vector and
  uint32_t mce_eip;        // the eip it interrupted (-1/0: not checked)
  // Linux processes (lxtrial.h): the page the fault hit, by its virtual
  // address, and how the error reached the program; path NULL in guest trials.
  struct mh_lx_fault {
    const char *path;   // "siginfo": ptrace's siginfo and SIGBUS
    const char *kind;   // "native" or "mirror" page
    const char *region; // "data", "heap", "stack"
    uint64_t va, page;  // the flipped word, its page
    uint32_t candidates;
    int si_code;   // BUS_MCEERR_AR 4, _AO 5; 0: no signal (trap none)
    int signal;    // the program died of this signal (GDB's number; 0: it did not)
    int64_t steps; // when.icount: instructions stepped after the hit (plan's icount when all ran)
    uint64_t pc;   // when.icount: the program counter where the steps stopped
  } lx;
  char *serial; // malloc'ed: the raw serial output since main()
  char *lines;  // malloc'ed: the same, mh_serial_lines (obs.serial)
};

// Fault-free run from the session's current state (restored or fresh).
int mh_trial_golden(struct mh_session *s, const struct mh_faults *fm, uint64_t bp_addr,
                    double timeout_s, struct mh_golden *g, struct mh_err *e);
void mh_golden_free(struct mh_golden *g);

// Runs one trial from the session's current state. Never fails: problems
// are MH_OUT_HARNESS_ERROR with the reason. The session may be dead after
// (s->alive false) when the guest reset or QEMU died.
void mh_trial_run(struct mh_session *s, const struct mh_faults *fm, uint64_t bp_addr,
                  const struct mh_golden *g, const struct mh_trial_plan *p, double timeout_s,
                  struct mh_trial_result *r);
void mh_trial_result_free(struct mh_trial_result *r);
// The trial record for the results file (docs/results.md, "Trial records").
json_object *mh_trial_record(const char *id, const char *variant, int trial,
                             const struct mh_faults *fm, const struct mh_trial_plan *p,
                             const struct mh_trial_result *r);

#endif
