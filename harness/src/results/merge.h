// `memharness merge`: the results of a fault campaign's shards (`run --shard
// K/N`, one per Slurm array task) joined into the one result a single
// machine would have written (docs/slurm.md). Shards of different campaigns,
// builds or schemas are refused, and so are missing or duplicated trials.
#ifndef MH_MERGE_H
#define MH_MERGE_H

#include <json-c/json.h>

#include "err.h"

// Joins n shard documents (names[i] names docs[i] in messages). Returns the
// merged document, or NULL with e listing every problem, one per line.
json_object *mh_merge_shards(json_object *const *docs, const char *const *names, int n,
                             struct mh_err *e);

// The command line: `merge SHARD.json... -o ALL.json` (exit 0 merged, 1
// refused, 2 usage or unreadable input, 5 write failure) and `merge
// --compare A.json B.json` (0 same trials and summaries, 1 different).
int mh_cmd_merge(int argc, char **argv);

#endif
