#include "table.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

static json_object *get(json_object *o, const char *k) {
  json_object *x = NULL;
  return o && json_object_object_get_ex(o, k, &x) ? x : NULL;
}

// Whether summary s is of a host timing (host: i386, host64: x86-64).
static bool is_host(json_object *s) {
  const char *t = json_object_get_string(get(s, "timing"));
  return t && (strcmp(t, "host") == 0 || strcmp(t, "host64") == 0);
}

static double median_of(json_object *test, const char *variant) {
  json_object *m = get(get(test, variant), "median");
  return m ? json_object_get_double(m) : NAN;
}

static void print_cell(FILE *out, double v) {
  if (isnan(v))
    fprintf(out, " %16s", "-");
  else
    fprintf(out, " %16.0f", v);
}

static bool has_not_compared(json_object *tests) {
  for (size_t i = 0; tests && i < json_object_array_length(tests); i++)
    if (get(json_object_array_get_idx(tests, i), "compared"))
      return true;
  return false;
}

// The geomean and worst test of the mirrored variants other than the
// table's own (memv6sys beside memv6).
static void print_others(FILE *out, json_object *s, const char *mv) {
  json_object_object_foreach(get(s, "by_variant"), vn, o) {
    if (strcmp(vn, mv) == 0)
      continue;
    fprintf(out, "geomean %s/native %.4f over %d tests, worst %s %.4f (no thresholds)\n", vn,
            json_object_get_double(get(o, "geomean")), json_object_get_int(get(o, "tests")),
            json_object_get_string(get(get(o, "worst"), "name")),
            json_object_get_double(get(get(o, "worst"), "ratio")));
  }
}

static void print_one(FILE *out, json_object *s) {
  json_object *ok = get(s, "ok_runs"), *bad = get(s, "failed_runs"), *lost = get(s, "lost_runs");
  // Results written before summaries named their variant are memv6's.
  const char *mv = get(s, "variant") ? json_object_get_string(get(s, "variant")) : "memv6";
  fprintf(out, "\n== %s  %s  (runs native/%s: ok %d/%d, failed %d/%d, lost %d/%d)\n",
          json_object_get_string(get(s, "timing")), json_object_get_string(get(s, "workload")), mv,
          json_object_get_int(get(ok, "native")), json_object_get_int(get(ok, mv)),
          json_object_get_int(get(bad, "native")), json_object_get_int(get(bad, mv)),
          json_object_get_int(get(lost, "native")), json_object_get_int(get(lost, mv)));
  const char *metric = json_object_get_string(get(s, "metric"));
  fprintf(out, "%-20s %16s %16s %8s\n", "test", "native", mv, "ratio");
  json_object *tests = get(s, "tests");
  for (size_t i = 0; tests && i < json_object_array_length(tests); i++) {
    json_object *t = json_object_array_get_idx(tests, i), *r = get(t, "ratio");
    fprintf(out, "%-20.20s", json_object_get_string(get(t, "name")));
    print_cell(out, median_of(t, "native"));
    print_cell(out, median_of(t, mv));
    json_object *tci = get(t, "ci");
    if (r && tci)
      fprintf(out, " %8.4f  [%.4f, %.4f]\n", json_object_get_double(r),
              json_object_get_double(get(tci, "lo")), json_object_get_double(get(tci, "hi")));
    else if (r)
      fprintf(out, " %8.4f\n", json_object_get_double(r));
    else if (get(t, "compared"))
      fprintf(out, " %8s\n", "n/c"); // not_compared in the campaign
    else
      fprintf(out, " %8s\n", "-");
  }
  if (is_host(s))
    fprintf(out,
            "(%s: the programs as %s Linux processes on this CPU; their \"cycles\" are "
            "the kernel's CPU time in ns, docs/linux.md; [lo, hi]: bootstrap interval of "
            "the ratio)\n",
            json_object_get_string(get(s, "timing")),
            strcmp(json_object_get_string(get(s, "timing")), "host64") == 0 ? "x86-64" : "32-bit");
  fprintf(out, "(medians of %s%s)\n", metric,
          has_not_compared(tests)
              ? "; n/c: not compared: different work on the two kernels, or timed by the clock"
              : "");
  json_object *g = get(s, "geomean"), *ci = get(s, "ci"), *w = get(s, "worst");
  if (g) {
    fprintf(out, "geomean %s/native %.4f", mv, json_object_get_double(g));
    double lo = json_object_get_double(get(ci, "lo")), hi = json_object_get_double(get(ci, "hi"));
    // Identical repetitions (icount) make the interval one point: the
    // figure is exact, and a "CI [x, x]" would only look like statistics.
    if (ci && lo == hi)
      fprintf(out, " (exact: every sample of a test is the same count)");
    else if (ci)
      fprintf(out, "  %.0f%% CI [%.4f, %.4f]", 100 * json_object_get_double(get(ci, "level")), lo,
              hi);
    else if (get(s, "ci_note"))
      fprintf(out, " (%s)", json_object_get_string(get(s, "ci_note")));
    fprintf(out, "\nworst test %s %.4f\n", json_object_get_string(get(w, "name")),
            json_object_get_double(get(w, "ratio")));
  }
  print_others(out, s, mv);
  json_object *th = get(s, "thresholds"), *camp = get(th, "campaign");
  if (camp)
    fprintf(out,
            "thresholds (judged on all %d compared tests of the campaign: geomean %.4f, worst %s "
            "%.4f): %s\n",
            json_object_get_int(get(camp, "tests")), json_object_get_double(get(camp, "geomean")),
            json_object_get_string(get(get(camp, "worst"), "name")),
            json_object_get_double(get(get(camp, "worst"), "ratio")),
            json_object_get_boolean(get(th, "met")) ? "met" : "EXCEEDED");
  else if (th && get(th, "met"))
    fprintf(out, "thresholds: %s\n", json_object_get_boolean(get(th, "met")) ? "met" : "EXCEEDED");
  else if (th && is_host(s))
    fprintf(out, "thresholds: not judged (no interval: too few repetitions)\n");
  else if (th)
    fprintf(out, "thresholds: not judged on wall figures (the icount table is)\n");
  json_object *note = get(s, "exact_note");
  if (note)
    fprintf(out, "icount: %s\n", json_object_get_string(note));
}

void mh_print_overhead(FILE *out, json_object *summaries) {
  for (size_t i = 0; i < json_object_array_length(summaries); i++)
    print_one(out, json_object_array_get_idx(summaries, i));
  fflush(out);
}
