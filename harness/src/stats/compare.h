// memharness compare: is the overhead ratio memv6/native of a new results
// file worse than a baseline's, beyond a threshold and with statistical
// support? (docs/nightly.md explains the test and the verdict.)
#ifndef MH_COMPARE_H
#define MH_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "err.h"

#define MH_COMPARE_DEFAULT_THRESHOLD 0.02
#define MH_COMPARE_DEFAULT_SEED 1
#define MH_COMPARE_DEFAULT_ITERATIONS 2000

// Verdicts, also compare's exit codes.
enum { MH_CMP_OK = 0, MH_CMP_REGRESSION = 1, MH_CMP_INCOMPATIBLE = 2 };

struct mh_compare_cfg {
  double threshold;    // allowed relative growth of a ratio, e.g. 0.02
  uint64_t seed;       // bootstrap seed: the same inputs give the same verdict
  unsigned iterations; // bootstrap resamples (raised for many tests, see compare.c)
  double level;        // confidence level of the intervals, e.g. 0.95
};

// Compares two loaded, schema-checked results documents (mh_results_open).
// Returns MH_CMP_OK or MH_CMP_REGRESSION with *report (a new object, the
// --json output), or MH_CMP_INCOMPATIBLE with e naming the file and field.
int mh_compare_docs(json_object *base, const char *base_path, json_object *fresh,
                    const char *fresh_path, const struct mh_compare_cfg *cfg, json_object **report,
                    struct mh_err *e);

// The human-readable table of a report; its last line is the one-line verdict.
void mh_compare_print(FILE *out, json_object *report);

// 0 when doc's $.status is "complete", else -1 with e naming path.
int mh_compare_require_complete(json_object *doc, const char *path, struct mh_err *e);

struct mh_compare_opts {
  const char *baseline, *fresh;
  struct mh_compare_cfg cfg;
  bool json;
};
// The command: loads both files, compares, prints; returns the exit code.
int mh_cmd_compare(const struct mh_compare_opts *o);

#endif
