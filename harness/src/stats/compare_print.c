// The table `memharness compare` prints: one block per (timing, workload),
// then a single verdict line that scripts/nightly passes on as its summary.
#include <math.h>
#include <string.h>

#include "compare.h"
#include "samples.h"

static void pct(FILE *out, const char *fmt, double change) {
  char buf[32];
  if (isnan(change))
    snprintf(buf, sizeof buf, "-");
  else // +0.0 for changes that round to zero: "-0.00%" would read as a slowdown's sign
    snprintf(buf, sizeof buf, "%+.2f%%", fabs(change - 1) < 5e-5 ? 0.0 : 100 * (change - 1));
  fprintf(out, fmt, buf);
}

static void row(FILE *out, const char *name, json_object *c) {
  fprintf(out, "%-20.20s %9.4f %9.4f", name, mh_jnum(c, "baseline", NAN), mh_jnum(c, "new", NAN));
  pct(out, " %9s", mh_jnum(c, "change", NAN));
  pct(out, "  [%s,", mh_jnum(c, "lo", NAN));
  pct(out, " %s]", mh_jnum(c, "hi", NAN));
  fprintf(out, "%s\n", json_object_get_boolean(mh_jget(c, "regression")) ? "  REGRESSION" : "");
}

static const char *met_word(json_object *m) {
  return !m ? "not judged" : json_object_get_boolean(m) ? "met" : "EXCEEDED";
}

static void print_group(FILE *out, json_object *g) {
  fprintf(out, "\n== %s  %s  (ratio memv6/native of medians of %s%s)\n", mh_jstr(g, "timing"),
          mh_jstr(g, "workload"), mh_jstr(g, "metric"),
          json_object_get_boolean(mh_jget(g, "exact"))
              ? "; exact samples: a plain threshold comparison"
              : "");
  fprintf(out, "%-20s %9s %9s %9s  %s\n", "test", "baseline", "new", "change", "CI of the change");
  json_object *tests = mh_jget(g, "tests"), *missing = mh_jget(g, "missing");
  for (size_t i = 0; i < json_object_array_length(tests); i++) {
    json_object *t = json_object_array_get_idx(tests, i);
    row(out, mh_jstr(t, "name"), t);
  }
  if (mh_jget(g, "geomean"))
    row(out, "geomean", mh_jget(g, "geomean"));
  else
    fprintf(out, "(no test compared: every test of the workload is not_compared)\n");
  for (size_t i = 0; i < json_object_array_length(missing); i++)
    fprintf(out, "%-20.20s not compared: no samples of both variants in both files\n",
            json_object_get_string(json_object_array_get_idx(missing, i)));
  json_object *l = mh_jget(g, "limits");
  fprintf(out, "campaign thresholds: baseline %s, new %s%s\n", met_word(mh_jget(l, "baseline_met")),
          met_word(mh_jget(l, "new_met")),
          json_object_get_boolean(mh_jget(l, "newly_exceeded")) ? "  REGRESSION" : "");
}

// "icount/usertests geomean 1.0286 -> 1.0290 (+0.04%)" for each group.
static void verdict(FILE *out, json_object *r) {
  bool reg = json_object_get_boolean(mh_jget(r, "regression"));
  fprintf(out, "%s (threshold %+.1f%%):", reg ? "REGRESSION" : "no regression",
          100 * mh_jnum(r, "threshold", NAN));
  json_object *groups = mh_jget(r, "groups");
  for (size_t i = 0; i < json_object_array_length(groups); i++) {
    json_object *g = json_object_array_get_idx(groups, i), *gm = mh_jget(g, "geomean");
    if (!gm)
      continue;
    fprintf(out, "%s %s/%s geomean %.4f -> %.4f", i ? ";" : "", mh_jstr(g, "timing"),
            mh_jstr(g, "workload"), mh_jnum(gm, "baseline", NAN), mh_jnum(gm, "new", NAN));
    pct(out, " (%s)", mh_jnum(gm, "change", NAN));
    int n = json_object_get_int(mh_jget(g, "regressed_tests"));
    if (n)
      fprintf(out, ", %d test%s regressed", n, n == 1 ? "" : "s");
    if (json_object_get_boolean(mh_jget(mh_jget(g, "limits"), "newly_exceeded")))
      fprintf(out, ", campaign threshold newly exceeded");
  }
  fprintf(out, "\n");
}

void mh_compare_print(FILE *out, json_object *r) {
  fprintf(out, "baseline %s\nnew      %s\n", mh_jstr(r, "baseline"), mh_jstr(r, "new"));
  fprintf(out,
          "regression = the %.0f%% bootstrap interval of the change lies above %+.1f%% "
          "(per-test intervals Bonferroni-corrected; %d resamples, seed %lld)\n",
          100 * mh_jnum(r, "level", NAN), 100 * mh_jnum(r, "threshold", NAN),
          json_object_get_int(mh_jget(r, "iterations")),
          (long long)json_object_get_int64(mh_jget(r, "seed")));
  if (json_object_get_boolean(mh_jget(r, "pooled")))
    fprintf(out, "the files split the program into different workloads: tests matched by name "
                 "across all workloads of each timing mode\n");
  json_object *groups = mh_jget(r, "groups");
  for (size_t i = 0; i < json_object_array_length(groups); i++)
    print_group(out, json_object_array_get_idx(groups, i));
  json_object *skipped = mh_jget(r, "not_compared");
  if (json_object_array_length(skipped))
    fprintf(out, "\n");
  for (size_t i = 0; i < json_object_array_length(skipped); i++)
    fprintf(out, "not compared: %s\n",
            json_object_get_string(json_object_array_get_idx(skipped, i)));
  verdict(out, r);
  fflush(out);
}
