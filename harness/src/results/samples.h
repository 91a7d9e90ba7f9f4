// Reading results files back (docs/results.md) for compare and plot: the
// document checks every consumer needs, and the per-test samples of one
// (timing, workload), collected by the same rule as the summaries.
#ifndef MH_SAMPLES_H
#define MH_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

// Index of a variant in the sample arrays: native and memv6 always at the
// index of enum mh_variant, any other variant a results file names (a future
// kernel variant) after them in the order the runs name it, up to
// MH_S_NVARIANTS in all.
enum { MH_S_NATIVE = 0, MH_S_MEMV6 = 1, MH_S_NVARIANTS = 6 };

struct mh_test_samples {
  char name[64];
  double *v[MH_S_NVARIANTS];
  size_t n[MH_S_NVARIANTS];
};

// Samples of every test of one (timing, workload), in the order the tests
// first appear in the runs (the order of the summary's "tests").
struct mh_sample_set {
  char timing[16], workload[64], metric[16];
  char variant[MH_S_NVARIANTS][32]; // the name of each index
  int nvariants;                    // indices in use (at least native and memv6)
  struct mh_test_samples *t;
  size_t n, cap;
};

// Loads a results file and checks what every consumer relies on: JSON,
// "schema" == 1, and "runs" and "summaries" arrays (an overhead campaign) or
// a "trials" array (a fault campaign). NULL with e naming the file and the
// field otherwise.
json_object *mh_results_open(const char *path, struct mh_err *e);

// Small typed getters that tolerate missing keys (NULL / NAN / fallback).
json_object *mh_jget(json_object *o, const char *key);
const char *mh_jstr(json_object *o, const char *key);
double mh_jnum(json_object *o, const char *key, double fallback);

// Fills s with the samples of (timing, workload): "cycles" of every passing
// test of ok and failed runs, but for the workload's not_compared tests; a
// workload without @test lines gets one pseudo test named after it with the
// wall time of ok runs in µs ("wall_us").
// workload NULL pools every workload of the timing mode by test name (the
// not_compared tests of any workload left out, no wall pseudo tests): how
// compare matches a suite split into several workloads with one that runs
// it whole. Returns the number of tests (0: no samples at all).
size_t mh_samples_collect(json_object *doc, const char *timing, const char *workload,
                          struct mh_sample_set *s);
void mh_samples_free(struct mh_sample_set *s);
// The workload's not_compared list (an array of test names) from the
// campaign the document records; NULL when it has none.
json_object *mh_samples_not_compared(json_object *doc, const char *workload);
const struct mh_test_samples *mh_samples_find(const struct mh_sample_set *s, const char *name);

// The campaign's bootstrap settings recorded in a results document, with
// the defaults of docs/campaign.md when absent.
struct mh_boot_cfg {
  uint64_t seed;
  unsigned iterations;
  double level;
};
struct mh_boot_cfg mh_results_boot_cfg(json_object *doc);

#endif
