// Overhead runs: the plan (which runs, in which interleaved order) and the
// summaries computed from the recorded runs, so a resumed campaign and a
// fresh one summarize identically.
#ifndef MH_OVERHEAD_H
#define MH_OVERHEAD_H

#include <stddef.h>

#include <json-c/json.h>

#include "campaign.h"

struct mh_slot {
  char id[160]; // "<timing>/<workload>/<variant>/<rep>": the key --resume matches on
  enum mh_timing timing;
  int workload;
  enum mh_variant variant;
  int rep;
};

// Per timing mode, per repetition, per workload, every variant in turn:
// native memv6 native memv6 … so slow drift of the host hits both alike.
int mh_overhead_plan(const struct mh_campaign *c, struct mh_slot **slots, size_t *n);

// One summary object per (timing, workload) from the run records (see
// docs/results.md for the fields). Returns a new array.
json_object *mh_overhead_summarize(const struct mh_campaign *c, json_object *runs);

// Whether every summary met the campaign thresholds.
bool mh_overhead_thresholds_met(json_object *summaries);

#endif
