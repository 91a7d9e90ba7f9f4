#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static void snap_name(int hit, char *out, size_t cap) {
  snprintf(out, cap, "mhhit%d", hit);
}

// The hits to save: every one of [lo, hi] when they fit in max, else every
// step-th from lo on.
static int choose_hits(int64_t lo, int64_t hi, int max, int *out) {
  if (max > MH_MAX_CHECKPOINTS)
    max = MH_MAX_CHECKPOINTS;
  int64_t span = hi - lo + 1, step = (span + max - 1) / (max > 0 ? max : 1);
  int n = 0;
  for (int64_t h = lo; max > 0 && h <= hi && n < max; h += step)
    out[n++] = (int)h;
  return n;
}

// Saves the state at this hit with the serial output printed since main():
// a trial restored here gets that output in front of its own, so it is
// judged on the same text as one that ran from main() or booted afresh.
static int save_at(struct mh_session *s, int hit, struct mh_err *e) {
  char name[32], cmd[48];
  snap_name(hit, name, sizeof name);
  snprintf(cmd, sizeof cmd, "savevm %s", name);
  char *printed = mh_session_serial(s);
  if (!printed)
    return mh_fail(e, "out of memory");
  if (mh_session_hmp(s, cmd, e) < 0) {
    free(printed);
    return -1;
  }
  free(s->ck_serial[s->nck]);
  s->ck_serial[s->nck] = printed;
  s->ck_hit[s->nck++] = hit;
  return 0;
}

int mh_session_checkpoints(struct mh_session *s, uint64_t bp, int64_t lo, int64_t hi, int max,
                           struct mh_err *e) {
  int want[MH_MAX_CHECKPOINTS], n = choose_hits(lo < 1 ? 1 : lo, hi, max, want), hit = 0;
  double cost;
  s->nck = 0;
  // Start exactly as a trial does: from a restored main().
  if (n == 0 || mh_session_restore(s, &cost, e) < 0 || mh_session_bp(s, bp, true, e) < 0)
    return n == 0 ? 0 : -1;
  double deadline = mh_now() + s->o.timeout_s;
  while (s->nck < n) {
    enum mh_stop_at at = mh_session_run(s, mh_ms_left(deadline), e);
    uint32_t eip, esp;
    if (at != MH_AT_USER)
      return mh_fail(e, "checkpoints: the workload %s before hit %d of its breakpoint",
                     at == MH_AT_TIMEOUT ? "timed out" : "ended", want[s->nck]);
    if (mh_session_regs(s, &eip, &esp, e) < 0)
      return -1;
    if (eip == bp && ++hit == want[s->nck] && save_at(s, hit, e) < 0)
      return -1;
  }
  return mh_session_bp(s, bp, false, e);
}

int mh_session_restore_at(struct mh_session *s, int64_t hit, int *from_hit, double *cost_s,
                          struct mh_err *e) {
  int k = s->nck - 1;
  while (k >= 0 && s->ck_hit[k] > hit)
    k--;
  *from_hit = k >= 0 ? s->ck_hit[k] : 0;
  if (k < 0)
    return mh_session_restore(s, cost_s, e);
  char name[32];
  snap_name(s->ck_hit[k], name, sizeof name);
  if (mh_session_loadvm(s, name, cost_s, e) < 0)
    return -1;
  s->serial_prefix = s->ck_serial[k];
  return 0;
}
