// Campaign files (docs/campaign.md): parsed and validated in one pass that
// reports every bad field with its JSON path and what was expected.
#ifndef MH_CAMPAIGN_H
#define MH_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

#define MH_CAMPAIGN_SCHEMA 1
#define MH_MAX_VARIANTS 7 // every enum mh_variant; a campaign lists each at most once
#define MH_MAX_TIMINGS 4

enum mh_accel { MH_ACCEL_TCG, MH_ACCEL_KVM, MH_ACCEL_AUTO };
// host: the workload's programs as 32-bit Linux processes on the host CPU
// (linux/, docs/linux.md), no QEMU: real-hardware cycles; host64 the same
// as x86-64 processes.
enum mh_timing { MH_TIMING_ICOUNT, MH_TIMING_WALL, MH_TIMING_HOST, MH_TIMING_HOST64 };
// The guest kernels, then the compute suite as Linux processes on the host
// (linux/ARCH-BUILD/, docs/linux.md), injected into through gdbserver
// (lxtrial.h): "linux-i386-native", "linux-i386-memv6", "linux-x86_64-…".
enum mh_variant {
  MH_VARIANT_NATIVE,
  MH_VARIANT_MEMV6,
  MH_VARIANT_MEMV6SYS,
  MH_VARIANT_LX_I386_NATIVE,
  MH_VARIANT_LX_I386_MEMV6,
  MH_VARIANT_LX_X86_64_NATIVE,
  MH_VARIANT_LX_X86_64_MEMV6
};

const char *mh_accel_name(enum mh_accel a);
const char *mh_timing_name(enum mh_timing t);
// Whether t runs Linux processes on the host (host, host64), and of which
// architecture (the build's linux/ARCH-VARIANT/ directories): "i386",
// "x86_64", or NULL for a QEMU timing.
const char *mh_timing_host_arch(enum mh_timing t);
const char *mh_variant_name(enum mh_variant v);
// The guest RAM a variant needs at least, in MiB; 0 when any will do.
// memv6sys: its kernel mirror lies above the managed RAM (memlayout.h,
// KMIRROR_RAM_MB).
unsigned mh_variant_min_mem_mb(enum mh_variant v);
// The userland a variant runs (its build's user-<name>/ directory):
// memv6sys runs the memv6 programs.
const char *mh_variant_userland(enum mh_variant v);
// A Linux-process variant: its architecture ("i386", "x86_64") and build
// ("native", "memv6"), the directory linux/ARCH-BUILD of the build.
bool mh_variant_is_linux(enum mh_variant v);
const char *mh_variant_arch(enum mh_variant v);
const char *mh_variant_build(enum mh_variant v);

struct mh_workload {
  const char *name; // strings point into the campaign's JSON tree
  const char *program;
  const char **args;
  int nargs;
  int expect_status;
  const char **expect_output;
  int nexpect_output;
  int expect_tests; // -1: any number of @test lines
  // Tests that do different work on the two kernels by design (usertests'
  // mirror runs the oracle on memv6 only): their cycles are reported, but
  // they have no ratio and stay out of the geomean, figures and compare.
  const char **not_compared;
  int nnot_compared;
};

// Whether test's memv6/native ratio means anything (not in not_compared).
bool mh_workload_compares(const struct mh_workload *w, const char *test);

enum mh_fault_kind {
  MH_FK_NATIVE,
  MH_FK_MIRROR,
  MH_FK_USER,
  MH_FK_KERNEL,
  MH_FK_PGTABLE,
  MH_FK_FREE,
  MH_FK_ANY,
  MH_FK_USED,   // any frame in use at the injection point: not free, not retired
  MH_FK_KMIRROR // memv6sys: the kernel mirror frame of a kernel or page-table frame
};
enum mh_fault_region { MH_FR_ANY, MH_FR_TEXT, MH_FR_DATA, MH_FR_HEAP, MH_FR_STACK };
enum mh_fault_when { MH_FW_DELAY_MS, MH_FW_ICOUNT, MH_FW_BREAKPOINT };
// Stepping costs host time per instruction (docs/campaign.md): a bound
// that a campaign cannot exceed by a typo.
#define MH_MAX_ICOUNT 10000000
enum mh_fault_trap { MH_FT_MCE, MH_FT_NONE };
// flip: transient bit flips; stuck0/stuck1: the bits stay stuck (stuck.h);
// rows: flips in physically neighbouring frames, as a row-hammer burst
// (fault.h, docs/campaign.md "Fault models").
enum mh_fault_model { MH_FM_FLIP, MH_FM_STUCK0, MH_FM_STUCK1, MH_FM_ROWS };
enum mh_fault_restore { MH_RESTORE_SNAPSHOT, MH_RESTORE_BOOT };

// Parsed and validated here; executed by the fault-injection work.
struct mh_faults {
  int trials;
  // trials given as a target precision {"margin", "confidence", "p"}:
  // trials is Leveugle's n for them (mh_faults_sample_size); margin 0 when
  // trials was a number. population: the fault space when the campaign
  // bounds it (one page), else 0 (unbounded: no correction).
  double margin, margin_confidence, margin_p, population;
  int workload; // index into workloads
  // $.faults.workload "*" (linux-* variants): trial t runs workload t mod
  // the number of workloads, so one campaign covers a suite (lxfaults.h).
  bool every_workload;
  enum mh_fault_kind kind;
  enum mh_fault_region region;
  // target.page: the page of a user register ("esp", "eax", …), of a va
  // ("0x…") or of a workload symbol ("buf", "buf+0x1000"); NULL: any page of region.
  const char *page;
  int bits;
  bool burst; // the bits are adjacent (a burst within one 64-bit word)
  int count;
  enum mh_fault_when when;
  int64_t when_lo, when_hi; // delay_ms range, or breakpoint hits (0: main())
  const char *breakpoint;   // symbol, for MH_FW_BREAKPOINT
  // when.icount: inject after exactly N guest instructions (stepper.h)
  // counted from the stop above (breakpoint hit, or main() for MH_FW_ICOUNT).
  bool icount;
  int64_t icount_lo, icount_hi;
  bool sweep; // trial i: N = icount_lo + i mod (icount_hi - icount_lo + 1)
  enum mh_fault_trap trap;
  int si_code; // Linux processes: the SIGBUS's si_code, BUS_MCEERR_AR (4) or _AO (5)
  enum mh_fault_model model;
  int rows;                      // model rows: frames each fault hits, physically consecutive rows
  int row_kib;                   // model rows: physical distance between neighbouring rows
  enum mh_fault_restore restore; // per trial: loadvm of a snapshot, or a fresh boot
  int mem_mb;                    // guest RAM; 0: per variant (campaign_faults.c)
  // A trial hangs when it runs this many times as long as the golden run:
  // in instructions under icount (trial.h), else in host time.
  double hang_factor;
  int checkpoints; // at most this many snapshots at breakpoint hits per session (checkpoint.h)
  uint64_t seed;
  // Glob patterns (fnmatch) of output lines that may differ from the golden
  // run's after a fault (docs/campaign.md, "Output comparison").
  const char **may_differ;
  int nmay_differ;
};

struct mh_campaign {
  json_object *root; // owns every string below
  const char *name;
  const char *description;
  enum mh_variant variants[MH_MAX_VARIANTS];
  int nvariants;
  struct mh_workload *workloads;
  int nworkloads;
  int repetitions;        // wall mode
  int icount_repetitions; // icount mode (>= 2 lets the harness check exactness)
  enum mh_accel accel;
  enum mh_timing timings[MH_MAX_TIMINGS];
  int ntimings;
  double run_timeout_s, probe_timeout_s, connect_timeout_s;
  double control_timeout_s; // a command to QEMU unanswered this long: QEMU hangs (snapshot.h)
  int jobs;
  uint64_t seed;
  double geomean_max, worst_max; // 0: no threshold
  // thresholds.host: the bar of the host timing mode (real hardware),
  // which differs from the icount one; 0: none.
  double host_geomean_max, host_worst_max;
  int bootstrap_iterations;
  double confidence;
  const char *build_dir; // NULL: the build this harness came from
  // The researcher's own programs (docs/campaign.md, "Your own programs"):
  // a directory of C sources, relative to the campaign file unless
  // absolute, built into copies of the disk images before the first run.
  const char *programs_dir; // NULL: the images of the build as they are
  const char **programs_cflags;
  int nprograms_cflags;
  bool has_faults;
  struct mh_faults faults;
};

// Parses and validates; on error e lists every problem, one per line, each
// starting with the JSON path ($.workloads[0].args[1]: expected …).
int mh_campaign_from_json(json_object *root, struct mh_campaign *c, struct mh_err *e);
int mh_campaign_parse(const char *text, struct mh_campaign *c, struct mh_err *e);
int mh_campaign_load(const char *path, struct mh_campaign *c, struct mh_err *e);
void mh_campaign_free(struct mh_campaign *c);

#endif
