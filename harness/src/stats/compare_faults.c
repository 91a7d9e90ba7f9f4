#include "compare_faults.h"

#include <string.h>

#include "compare.h"
#include "faultstats.h"
#include "propstats.h"
#include "samples.h"

bool mh_is_fault_results(json_object *doc) {
  return json_object_is_type(mh_jget(doc, "trials"), json_type_array) && mh_jget(doc, "faults");
}

static int check(json_object *doc, const char *path, struct mh_err *e) {
  if (!mh_is_fault_results(doc))
    return mh_fail(e,
                   "%s: $.trials missing: an overhead result; compare takes two fault results "
                   "or two overhead results",
                   path);
  return mh_compare_require_complete(doc, path, e);
}

// Rates of one variant recomputed from the trial records (the same code as
// the summary), so results written before rates existed compare too.
static json_object *rates_of(json_object *doc, const char *variant, double level) {
  json_object *vs = json_object_new_object();
  struct mh_faults none = {.bits = 1, .when = MH_FW_DELAY_MS};
  mh_fault_stats_add(vs, mh_jget(doc, "trials"), variant, &none, level);
  return vs;
}

static json_object *copy(json_object *o) {
  json_object *c = NULL;
  json_object_deep_copy(o, &c, NULL);
  return c;
}

// One row: a rate in both files and the difference new - baseline.
static json_object *row(const char *variant, const char *kind, const char *outcome, json_object *ra,
                        json_object *rb, double level) {
  long long ka = json_object_get_int64(mh_jget(ra, "k")),
            na = json_object_get_int64(mh_jget(ra, "n"));
  long long kb = json_object_get_int64(mh_jget(rb, "k")),
            nb = json_object_get_int64(mh_jget(rb, "n"));
  struct mh_diff d = mh_newcombe(kb, nb, ka, na, level);
  json_object *o = json_object_new_object();
  json_object_object_add(o, "variant", json_object_new_string(variant));
  json_object_object_add(o, "frame_kind", json_object_new_string(kind));
  json_object_object_add(o, "outcome", json_object_new_string(outcome));
  json_object_object_add(o, "baseline", copy(ra));
  json_object_object_add(o, "new", copy(rb));
  json_object_object_add(o, "diff", json_object_new_double(d.d));
  json_object_object_add(o, "lo", json_object_new_double(d.lo));
  json_object_object_add(o, "hi", json_object_new_double(d.hi));
  json_object_object_add(o, "significant", json_object_new_boolean(d.significant));
  return o;
}

// Rows of one group (all trials of a variant, or one frame kind): outcomes
// seen in either file; returns whether failure rose significantly.
static bool group(json_object *rows, const char *variant, const char *kind, json_object *a,
                  json_object *b, double level) {
  bool worse = false;
  json_object_object_foreach(a, outcome, ra) {
    json_object *rb = mh_jget(b, outcome);
    long long ka = json_object_get_int64(mh_jget(ra, "k")),
              kb = json_object_get_int64(mh_jget(rb, "k"));
    if (!rb || json_object_get_int64(mh_jget(ra, "n")) == 0 ||
        json_object_get_int64(mh_jget(rb, "n")) == 0 || (ka == 0 && kb == 0))
      continue;
    json_object *r = row(variant, kind, outcome, ra, rb, level);
    if (strcmp(outcome, MH_FAILURE) == 0 && json_object_get_boolean(mh_jget(r, "significant")) &&
        json_object_get_double(mh_jget(r, "diff")) > 0)
      worse = true;
    json_object_array_add(rows, r);
  }
  return worse;
}

static bool compare_variant(json_object *rows, const char *vn, json_object *va, json_object *vb,
                            double level) {
  bool worse = group(rows, vn, "all", mh_jget(va, "rates"), mh_jget(vb, "rates"), level);
  json_object *kb = mh_jget(vb, "rates_by_frame_kind");
  json_object_object_foreach(mh_jget(va, "rates_by_frame_kind"), kind, ra) {
    if (mh_jget(kb, kind))
      group(rows, vn, kind, ra, mh_jget(kb, kind), level);
  }
  return worse;
}

// The distinct variant names of the trial records, in order of first appearance.
static json_object *variant_names(json_object *trials) {
  json_object *names = json_object_new_array(), *seen = json_object_new_object();
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    const char *v = mh_jstr(json_object_array_get_idx(trials, i), "variant");
    if (v && !mh_jget(seen, v)) {
      json_object_object_add(seen, v, json_object_new_boolean(1));
      json_object_array_add(names, json_object_new_string(v));
    }
  }
  json_object_put(seen);
  return names;
}

int mh_compare_faults(json_object *base, const char *bp, json_object *fresh, const char *fp,
                      double level, json_object **report, struct mh_err *e) {
  *report = NULL;
  if (check(base, bp, e) < 0 || check(fresh, fp, e) < 0)
    return MH_CMP_INCOMPATIBLE;
  // The variants are those the baseline's trials name, in their order: a
  // campaign may run any of them (memv6sys too), and one the new file lacks
  // has no rates there to compare.
  json_object *names = variant_names(mh_jget(base, "trials"));
  json_object *rows = json_object_new_array();
  bool worse = false, any = false;
  for (size_t i = 0; i < json_object_array_length(names); i++) {
    const char *vn = json_object_get_string(json_object_array_get_idx(names, i));
    json_object *va = rates_of(base, vn, level), *vb = rates_of(fresh, vn, level);
    if (json_object_get_int64(mh_jget(mh_jget(mh_jget(va, "rates"), MH_FAILURE), "n")) &&
        json_object_get_int64(mh_jget(mh_jget(mh_jget(vb, "rates"), MH_FAILURE), "n"))) {
      any = true;
      worse |= compare_variant(rows, vn, va, vb, level);
    }
    json_object_put(va);
    json_object_put(vb);
  }
  json_object_put(names);
  if (!any) {
    json_object_put(rows);
    return mh_fail(e, "%s and %s have no variant with sampled trials in both", bp, fp),
           MH_CMP_INCOMPATIBLE;
  }
  json_object *r = json_object_new_object();
  json_object_object_add(r, "baseline", json_object_new_string(bp));
  json_object_object_add(r, "new", json_object_new_string(fp));
  json_object_object_add(r, "level", json_object_new_double(level));
  json_object_object_add(
      r, "method",
      json_object_new_string("diff = rate(new) - rate(baseline); Newcombe's hybrid score interval "
                             "(1998, method 10, from the two Wilson intervals); significant when "
                             "it excludes 0; not corrected for the number of rows; regression "
                             "when a variant's failure rate is significantly higher in new"));
  json_object_object_add(r, "rows", rows);
  json_object_object_add(r, "regression", json_object_new_boolean(worse));
  *report = r;
  return worse ? MH_CMP_REGRESSION : MH_CMP_OK;
}

static void pct(FILE *out, json_object *r) {
  fprintf(out, " %4lld/%-5lld %6.2f%%", (long long)json_object_get_int64(mh_jget(r, "k")),
          (long long)json_object_get_int64(mh_jget(r, "n")),
          100 * json_object_get_double(mh_jget(r, "p")));
}

void mh_compare_faults_print(FILE *out, json_object *report) {
  json_object *rows = mh_jget(report, "rows");
  fprintf(out, "%-8s %-8s %-10s %18s %18s %9s  %-22s\n", "variant", "frames", "outcome", "baseline",
          "new", "diff", "interval");
  int sig = 0;
  for (size_t i = 0; i < json_object_array_length(rows); i++) {
    json_object *r = json_object_array_get_idx(rows, i);
    bool s = json_object_get_boolean(mh_jget(r, "significant"));
    sig += s;
    fprintf(out, "%-8s %-8s %-10s", mh_jstr(r, "variant"), mh_jstr(r, "frame_kind"),
            mh_jstr(r, "outcome"));
    pct(out, mh_jget(r, "baseline"));
    pct(out, mh_jget(r, "new"));
    fprintf(out, " %+8.2f%%  [%+.2f%%, %+.2f%%]%s\n",
            100 * json_object_get_double(mh_jget(r, "diff")),
            100 * json_object_get_double(mh_jget(r, "lo")),
            100 * json_object_get_double(mh_jget(r, "hi")), s ? "  SIGNIFICANT" : "");
  }
  fprintf(out, "\n%s\n", mh_jstr(report, "method"));
  fprintf(out, "%s: %d of %zu differences significant at %.0f%%\n",
          json_object_get_boolean(mh_jget(report, "regression")) ? "REGRESSION" : "ok", sig,
          json_object_array_length(rows), 100 * json_object_get_double(mh_jget(report, "level")));
}
