#include "fault.h"

#include <string.h>

uint64_t mh_trial_seed(uint64_t campaign_seed, int trial) {
  struct mh_rng r;
  mh_rng_seed(&r, campaign_seed ^ (0x5eed0000ull + (uint64_t)trial) * 0x2545f4914f6cdd1dull);
  return mh_rng_next(&r);
}

uint64_t mh_fault_mask(struct mh_rng *r, int bits, bool burst) {
  if (bits >= 64)
    return UINT64_MAX;
  if (burst) {
    uint64_t run = (1ull << bits) - 1;
    return run << mh_rng_below(r, (uint64_t)(65 - bits));
  }
  uint64_t m = 0;
  for (int n = 0; n < bits;) {
    uint64_t bit = 1ull << mh_rng_below(r, 64);
    if (!(m & bit)) {
      m |= bit;
      n++;
    }
  }
  return m;
}

uint32_t mh_rows_first(uint32_t pfn, int rows, uint32_t stride, uint32_t lo, uint32_t hi) {
  uint32_t below = (uint32_t)(rows - 1) / 2, span = (uint32_t)(rows - 1) * stride;
  if (pfn - lo < below * stride) // too close to the bottom: as many below as fit
    below = (pfn - lo) / stride;
  if (pfn + (span - below * stride) >= hi) // too close to the top: the rest below
    below = (uint32_t)(rows - 1) - (hi - 1 - pfn) / stride;
  return pfn - below * stride;
}

void mh_fault_plan(const struct mh_faults *fm, int trial, uint64_t trial_seed,
                   struct mh_trial_plan *p) {
  struct mh_rng r;
  mh_rng_seed(&r, trial_seed);
  memset(p, 0, sizeof *p); // plans compare and print whole
  p->seed = trial_seed;
  uint64_t span = (uint64_t)(fm->when_hi - fm->when_lo) + 1;
  p->when = fm->when_lo + (int64_t)mh_rng_below(&r, span);
  // model rows: each of the count faults is a group of rows faults, one
  // per row, each at its own word (a row-hammer burst flips cells all
  // along the victim rows).
  int per = fm->model == MH_FM_ROWS ? fm->rows : 1;
  p->nfaults = fm->count * per < MH_MAX_FAULTS ? fm->count * per : MH_MAX_FAULTS;
  for (int i = 0; i < p->nfaults; i++) {
    p->f[i].pick = mh_rng_next(&r);
    p->f[i].word = (uint32_t)mh_rng_below(&r, MH_WORDS_PER_PAGE);
    p->f[i].mask = mh_fault_mask(&r, fm->bits, fm->burst);
    p->f[i].row = i % per;
  }
  // Drawn last, so that plans without icount stay what they always were.
  uint64_t n = fm->icount ? (uint64_t)(fm->icount_hi - fm->icount_lo) + 1 : 1;
  if (fm->icount)
    p->icount = fm->icount_lo + (int64_t)(fm->sweep ? (uint64_t)trial % n : mh_rng_below(&r, n));
}
