// Fault trials on Linux processes (docs/campaign.md, "Linux processes"): the
// workload's program from the build's linux/ARCH-BUILD/ directory runs under
// gdbserver (gdbserver.h); at the campaign's breakpoint hit a page the
// program uses (or its mirror) gets its bits flipped and the program gets
// the memory-error signal Linux would send (SIGBUS, BUS_MCEERR_AR/AO,
// si_addr the page), then runs to its end and is judged as guest trials are
// (mh_trial_classify): the same golden-run comparison and outcomes.
#ifndef MH_LXTRIAL_H
#define MH_LXTRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "campaign.h"
#include "gdbserver.h"
#include "trial.h"

// One Linux-process variant's program, prepared once per campaign.
struct mh_lxprog {
  char path[1024];
  const struct mh_lx_arch *arch;
  bool mirrored; // the memv6 build: the runtime recovers from its mirror
  uint64_t bp;   // when.breakpoint's address in this program
  // target.page: a register's value at the stop (page_reg, its index in
  // the g packet), else the address of a symbol[+offset] or va (page_addr);
  // page_reg -1 and page_addr 0: a page of the region.
  int page_reg;
  uint64_t page_addr;
  uint64_t brk_sym;          // the runtime's break (mlx_brk); 0: no heap known
  uint64_t data_lo, data_hi; // the image's writable pages (ELF), bss included
  char *const *argv;         // path and the workload's arguments
  double connect_timeout_s;
  double run_timeout_s; // timeouts.run_s: the fault-free run to the injection point
  // How memory errors reach the program: "siginfo" (ptrace's siginfo and a
  // SIGBUS) always here; hwpoison says whether the host could poison for
  // real and why not (records say which path each result came from).
  const char *path_used;
  bool hwpoison;
  char hwpoison_why[160];
};

// The program of variant v (a Linux-process variant) for the campaign's
// workload with that index in build: BUILD/linux/ARCH-BUILD/PROGRAM, its
// architecture, symbols and layout. Fails naming what to build or what the
// campaign asks wrongly.
int mh_lx_prepare(struct mh_lxprog *p, const char *build, enum mh_variant v,
                  const struct mh_campaign *c, int workload, struct mh_err *e);
// The same for the program at path (replay: the one a results file names).
int mh_lx_open(struct mh_lxprog *p, const char *path, bool mirrored, const struct mh_campaign *c,
               int workload, struct mh_err *e);
void mh_lx_free(struct mh_lxprog *p);

// The fault-free run: status, output, breakpoint hits, host time.
int mh_lx_golden(const struct mh_lxprog *p, const struct mh_faults *fm, double timeout_s,
                 struct mh_golden *g, struct mh_err *e);

// One trial; never fails: what memharness could not do is harness_error.
void mh_lx_trial(const struct mh_lxprog *p, const struct mh_faults *fm, const struct mh_golden *g,
                 const struct mh_trial_plan *plan, double timeout_s, struct mh_trial_result *r);

// The trial record (docs/results.md): mh_trial_record's, with the page the
// fault hit described by its virtual address instead of a frame.
json_object *mh_lx_record(const char *id, const char *variant, int trial,
                          const struct mh_faults *fm, const struct mh_trial_plan *plan,
                          const struct mh_trial_result *r);

#endif
