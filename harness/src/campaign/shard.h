// Shards of a fault campaign (`memharness run --shard K/N`, design §9): which
// trials one array task of a Slurm job runs. A trial's shard follows from its
// seed alone, never from the order trials happen to run in, so every shard
// (and `memharness merge`) agrees on it on any machine.
#ifndef MH_SHARD_H
#define MH_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

#define MH_SHARD_MAX 100000 // more shards than any array job would want

// Shard k of n (0 <= k < n); n == 1 is the whole campaign.
struct mh_shard {
  unsigned k, n;
};

// Parses "K/N" (0-based K, as SLURM_ARRAY_TASK_ID counts). On bad input e
// says what was wrong and what a valid value looks like.
int mh_shard_parse(const char *text, struct mh_shard *out, struct mh_err *e);

// Whether the trial with this seed belongs to shard k of n.
bool mh_shard_owns(uint64_t trial_seed, unsigned k, unsigned n);

// {"k": K, "n": N, "rule": …}: the "shard" member of a shard's results.
json_object *mh_shard_json(const struct mh_shard *s);
// Reads the "shard" member of a results document; a document without one
// is the whole campaign (0/1). -1 with e when the member is malformed.
int mh_shard_from_json(json_object *doc, struct mh_shard *out, struct mh_err *e);

#endif
