// The fault model turned into concrete faults: every random choice of a
// trial (when to stop, which frame, which word, which bits) comes from the
// trial's own seed, so a trial can be replayed alone from its record.
#ifndef MH_FAULT_H
#define MH_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "campaign.h"
#include "stats.h"

#define MH_MAX_FAULTS 64
#define MH_WORDS_PER_PAGE 512 // 8-byte words in a 4 KiB frame

// The seed of trial i of a campaign: the same on both variants, so native
// and memv6 get the same faults at the same points.
uint64_t mh_trial_seed(uint64_t campaign_seed, int trial);

struct mh_fault {
  uint64_t pick; // chooses the frame among the candidates (target.c)
  uint32_t word; // 8-byte word within the frame
  uint64_t mask; // bits to flip in that word
  // model rows: which of its group's rows this fault hits (0 .. rows-1, in
  // physical order); the pick of row 0 chooses the frame the group is
  // centred on (mh_rows_first), the others' picks go unused.
  int row;
};

struct mh_trial_plan {
  uint64_t seed;
  int64_t when;   // delay in ms, or the breakpoint hit to stop at (1-based; 0: main())
  int64_t icount; // when.icount: instructions to step after that stop (else 0)
  int nfaults;
  struct mh_fault f[MH_MAX_FAULTS];
};

// bits distinct random bits of a 64-bit word, or with burst a run of bits
// adjacent bits at a random position.
uint64_t mh_fault_mask(struct mh_rng *r, int bits, bool burst);
// model rows: the frame number of the first of `rows` rows, stride frames
// apart, that hit frame pfn: centred on pfn ((rows - 1) / 2 rows below it),
// moved up or down, pfn still among them, so that all lie in [lo, hi), the
// RAM the kernel manages. (rows - 1) * stride must be less than hi - lo.
uint32_t mh_rows_first(uint32_t pfn, int rows, uint32_t stride, uint32_t lo, uint32_t hi);
// trial is the trial's index in the campaign: a sweep (when.sweep) gives
// trial i the i-th instruction count of the range, else the seed draws it.
void mh_fault_plan(const struct mh_faults *fm, int trial, uint64_t trial_seed,
                   struct mh_trial_plan *p);

#endif
