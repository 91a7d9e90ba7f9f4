#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_faults.h"
#include "samples.h"
#include "stats.h"

// ---- compatibility: both finished, same workloads ----

// Only finished campaigns are compared, overhead or fault results alike.
int mh_compare_require_complete(json_object *doc, const char *path, struct mh_err *e) {
  const char *st = mh_jstr(doc, "status");
  if (st && strcmp(st, "complete") == 0)
    return 0;
  return mh_fail(e,
                 "%s: $.status is \"%s\", not \"complete\": only finished campaigns can be "
                 "compared (finish it with memharness run --resume)",
                 path, st ? st : "(missing)");
}

static int check_status(json_object *doc, const char *path, struct mh_err *e) {
  if (!json_object_is_type(mh_jget(doc, "summaries"), json_type_array))
    return mh_fail(e,
                   "%s: $.summaries missing: not an overhead result (a fault campaign?); "
                   "compare takes results of overhead campaigns",
                   path);
  return mh_compare_require_complete(doc, path, e);
}

static json_object *workloads_of(json_object *doc) {
  json_object *w = mh_jget(mh_jget(doc, "campaign"), "workloads");
  return json_object_is_type(w, json_type_array) ? w : NULL;
}

static json_object *workload_named(json_object *arr, const char *name) {
  for (size_t i = 0; name && i < json_object_array_length(arr); i++) {
    const char *n = mh_jstr(json_object_array_get_idx(arr, i), "name");
    if (n && strcmp(n, name) == 0)
      return json_object_array_get_idx(arr, i);
  }
  return NULL;
}

static const char *js(json_object *o) {
  return o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : "(absent)";
}

// Every workload of `a` must exist in `b` with the same program and
// arguments: other arguments run other tests, and ratios of different
// tests say nothing about a regression.
static int same_workloads(json_object *a, const char *ap, json_object *b, const char *bp,
                          struct mh_err *e) {
  json_object *wa = workloads_of(a), *wb = workloads_of(b);
  if (!wa || !wb)
    return mh_fail(e, "%s: $.campaign.workloads missing or not an array", wa ? bp : ap);
  for (size_t i = 0; i < json_object_array_length(wa); i++) {
    json_object *x = json_object_array_get_idx(wa, i);
    json_object *y = workload_named(wb, mh_jstr(x, "name"));
    if (!y)
      return mh_fail(e,
                     "inputs measure different workloads: %s has $.campaign.workloads[%zu] "
                     "\"%s\", %s has no workload of that name",
                     ap, i, mh_jstr(x, "name") ? mh_jstr(x, "name") : "?", bp);
    static const char *const keys[] = {"program", "args"};
    for (int k = 0; k < 2; k++)
      if (!json_object_equal(mh_jget(x, keys[k]), mh_jget(y, keys[k])))
        return mh_fail(e,
                       "inputs measure different workloads: %s $.campaign.workloads[%zu].%s is "
                       "%s, %s has %s",
                       ap, i, keys[k], js(mh_jget(x, keys[k])), bp, js(mh_jget(y, keys[k])));
  }
  return 0;
}

// Every workload of both files runs `program` (NULL: the first one's).
static bool one_program(json_object *doc, const char **program) {
  json_object *w = workloads_of(doc);
  for (size_t i = 0; w && i < json_object_array_length(w); i++) {
    const char *p = mh_jstr(json_object_array_get_idx(w, i), "program");
    if (!p || (*program && strcmp(p, *program) != 0))
      return false;
    *program = p;
  }
  return w != NULL;
}

// 0: the same workloads, compared one by one; 1: both files run one and
// the same program split into different workloads (nightly's five against
// a full overhead run), compared per timing mode with tests matched by
// name; -1 with e: they measure different things.
static int check_compatible(json_object *base, const char *bp, json_object *fresh, const char *fp,
                            struct mh_err *e) {
  if (check_status(base, bp, e) < 0 || check_status(fresh, fp, e) < 0)
    return -1;
  if (same_workloads(base, bp, fresh, fp, e) == 0 && same_workloads(fresh, fp, base, bp, e) == 0)
    return 0;
  const char *program = NULL;
  if (one_program(base, &program) && one_program(fresh, &program))
    return 1;
  return -1;
}

// ---- statistics ----

struct change {
  double point, lo, hi;
};

static bool has_both(const struct mh_test_samples *t) {
  return t && t->n[MH_S_NATIVE] && t->n[MH_S_MEMV6];
}

static double ratio_of(const struct mh_test_samples *t) {
  return mh_median(t->v[MH_S_MEMV6], t->n[MH_S_MEMV6]) /
         mh_median(t->v[MH_S_NATIVE], t->n[MH_S_NATIVE]);
}

// Change of the overhead ratio over m tests: geomean of new ratio / baseline
// ratio. Its interval reuses the geomean bootstrap of stats.c: with the
// pairs (native_new -> memv6_new) and (memv6_base -> native_base) the
// geomean of the 2m ratios is the square root of the change, so squaring
// its percentile interval gives the change's (squaring is monotonic). Every
// sample set is resampled on its own, as the four were measured apart.
static int change_of(const struct mh_test_samples *const *b, const struct mh_test_samples *const *n,
                     size_t m, unsigned iterations, uint64_t seed, double level, struct change *c) {
  struct mh_pair *pairs = calloc(2 * m, sizeof *pairs);
  double *each = calloc(m, sizeof *each);
  int rc = pairs && each ? 0 : -1;
  for (size_t i = 0; rc == 0 && i < m; i++) {
    pairs[2 * i] = (struct mh_pair){n[i]->v[MH_S_NATIVE], n[i]->n[MH_S_NATIVE], n[i]->v[MH_S_MEMV6],
                                    n[i]->n[MH_S_MEMV6]};
    pairs[2 * i + 1] = (struct mh_pair){b[i]->v[MH_S_MEMV6], b[i]->n[MH_S_MEMV6],
                                        b[i]->v[MH_S_NATIVE], b[i]->n[MH_S_NATIVE]};
    each[i] = ratio_of(n[i]) / ratio_of(b[i]);
  }
  double lo = NAN, hi = NAN;
  if (rc == 0)
    rc = mh_bootstrap_geomean(pairs, 2 * m, iterations, seed, level, &lo, &hi);
  if (rc == 0)
    *c = (struct change){mh_geomean(each, m), lo * lo, hi * hi};
  free(pairs);
  free(each);
  return rc;
}

// Resamples needed so that the tail beyond a Bonferroni-corrected quantile
// still holds about ten values.
static unsigned iterations_for(const struct mh_compare_cfg *cfg, size_t m) {
  double want = ceil(20.0 * (double)m / (1 - cfg->level));
  if (want > 200000)
    want = 200000;
  return want > cfg->iterations ? (unsigned)want : cfg->iterations;
}

// A regression needs statistical support *beyond* the threshold: the whole
// interval of the change lies above 1 + threshold. For exact (icount) data
// the interval has zero width and this is a plain threshold comparison.
static bool regressed(const struct change *c, double threshold) {
  return c->lo > 1 + threshold;
}

// ---- report ----

static json_object *dbl(double x) {
  return isfinite(x) ? json_object_new_double(x) : NULL;
}

static json_object *change_json(const char *name, double base, double fresh, const struct change *c,
                                bool regression) {
  json_object *o = json_object_new_object();
  if (name)
    json_object_object_add(o, "name", json_object_new_string(name));
  json_object_object_add(o, "baseline", dbl(base));
  json_object_object_add(o, "new", dbl(fresh));
  json_object_object_add(o, "change", dbl(c->point));
  json_object_object_add(o, "lo", dbl(c->lo));
  json_object_object_add(o, "hi", dbl(c->hi));
  json_object_object_add(o, "regression", json_object_new_boolean(regression));
  return o;
}

// 1 met, 0 exceeded, -1 not judged or no thresholds (docs/results.md).
static int thresholds_met(json_object *summary) {
  json_object *met = mh_jget(mh_jget(summary, "thresholds"), "met");
  return met ? json_object_get_boolean(met) : -1;
}

// Pooled: met when every judged summary of the timing mode met its thresholds.
static int timing_met(json_object *doc, const char *timing) {
  json_object *s = mh_jget(doc, "summaries");
  int met = -1;
  for (size_t i = 0; i < json_object_array_length(s); i++) {
    json_object *x = json_object_array_get_idx(s, i);
    const char *t = mh_jstr(x, "timing");
    int m = t && strcmp(t, timing) == 0 ? thresholds_met(x) : -1;
    if (m >= 0)
      met = met < 0 ? m : met && m;
  }
  return met;
}

static json_object *summary_of(json_object *doc, const char *timing, const char *workload) {
  json_object *s = mh_jget(doc, "summaries");
  for (size_t i = 0; i < json_object_array_length(s); i++) {
    json_object *x = json_object_array_get_idx(s, i);
    const char *t = mh_jstr(x, "timing"), *w = mh_jstr(x, "workload");
    if (t && w && strcmp(t, timing) == 0 && strcmp(w, workload) == 0)
      return x;
  }
  return NULL;
}

struct group_in {
  struct mh_sample_set b, n;
  const struct mh_test_samples **tb, **tn; // tests with both variants in both files
  size_t m;
  json_object *missing;
};

static void match_tests(struct group_in *g) {
  g->tb = calloc(g->n.n + 1, sizeof *g->tb);
  g->tn = calloc(g->n.n + 1, sizeof *g->tn);
  g->missing = json_object_new_array();
  for (size_t i = 0; g->tb && g->tn && i < g->n.n; i++) {
    const struct mh_test_samples *x = &g->n.t[i], *y = mh_samples_find(&g->b, x->name);
    if (has_both(x) && has_both(y)) {
      g->tn[g->m] = x;
      g->tb[g->m++] = y;
    } else {
      json_object_array_add(g->missing, json_object_new_string(x->name));
    }
  }
  for (size_t i = 0; i < g->b.n; i++)
    if (!mh_samples_find(&g->n, g->b.t[i].name))
      json_object_array_add(g->missing, json_object_new_string(g->b.t[i].name));
}

static void free_group(struct group_in *g) {
  mh_samples_free(&g->b);
  mh_samples_free(&g->n);
  free(g->tb);
  free(g->tn);
}

static json_object *tests_json(struct group_in *g, const struct mh_compare_cfg *cfg, int *nreg) {
  json_object *arr = json_object_new_array();
  // Bonferroni: m per-test verdicts share the family's error rate.
  double level = 1 - (1 - cfg->level) / (double)g->m;
  unsigned it = iterations_for(cfg, g->m);
  for (size_t i = 0; i < g->m; i++) {
    struct change c = {NAN, NAN, NAN};
    change_of(&g->tb[i], &g->tn[i], 1, it, cfg->seed + i, level, &c);
    bool r = regressed(&c, cfg->threshold);
    *nreg += r;
    json_object_array_add(
        arr, change_json(g->tn[i]->name, ratio_of(g->tb[i]), ratio_of(g->tn[i]), &c, r));
  }
  return arr;
}

static json_object *geomean_json(struct group_in *g, const struct mh_compare_cfg *cfg, bool *reg,
                                 bool *exact) {
  double *rb = calloc(g->m, sizeof *rb), *rn = calloc(g->m, sizeof *rn);
  for (size_t i = 0; rb && rn && i < g->m; i++)
    rb[i] = ratio_of(g->tb[i]), rn[i] = ratio_of(g->tn[i]);
  struct change c = {NAN, NAN, NAN};
  change_of(g->tb, g->tn, g->m, cfg->iterations, cfg->seed, cfg->level, &c);
  *reg = regressed(&c, cfg->threshold);
  *exact = c.lo == c.hi;
  json_object *o = change_json(NULL, rb && rn ? mh_geomean(rb, g->m) : NAN,
                               rb && rn ? mh_geomean(rn, g->m) : NAN, &c, *reg);
  free(rb);
  free(rn);
  return o;
}

// The campaign's absolute thresholds (geomean_max, worst_max) as `run`
// judged them: newly exceeding them is a regression too.
static json_object *limits_json(int mb, int mn, bool *crossed) {
  *crossed = mn == 0 && mb != 0;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "baseline_met", mb < 0 ? NULL : json_object_new_boolean(mb));
  json_object_object_add(o, "new_met", mn < 0 ? NULL : json_object_new_boolean(mn));
  json_object_object_add(o, "newly_exceeded", json_object_new_boolean(*crossed));
  return o;
}

// One (timing, workload) present in both files, or with workload NULL every
// workload of the timing mode pooled. Returns the group, or NULL with e when
// the two cannot be compared.
static json_object *compare_group(json_object *base, json_object *fresh, const char *timing,
                                  const char *workload, const char *fp,
                                  const struct mh_compare_cfg *cfg, bool *regression,
                                  struct mh_err *e) {
  int mb = workload ? thresholds_met(summary_of(base, timing, workload)) : timing_met(base, timing);
  int mn =
      workload ? thresholds_met(summary_of(fresh, timing, workload)) : timing_met(fresh, timing);
  struct group_in g = {0};
  mh_samples_collect(base, timing, workload, &g.b);
  mh_samples_collect(fresh, timing, workload, &g.n);
  if (g.b.n && g.n.n && strcmp(g.b.metric, g.n.metric) != 0) {
    mh_fail(e, "%s: $.summaries (%s/%s): metric %s, the baseline's is %s", fp, timing, g.n.workload,
            g.n.metric, g.b.metric);
    free_group(&g);
    return NULL;
  }
  match_tests(&g);
  json_object *o = json_object_new_object();
  json_object_object_add(o, "timing", json_object_new_string(timing));
  json_object_object_add(o, "workload", json_object_new_string(g.n.workload));
  json_object_object_add(o, "metric", json_object_new_string(g.n.metric));
  json_object_object_add(o, "missing", g.missing);
  int nreg = 0;
  bool greg = false, exact = false, crossed = false;
  if (g.m) {
    json_object_object_add(o, "tests", tests_json(&g, cfg, &nreg));
    json_object_object_add(o, "geomean", geomean_json(&g, cfg, &greg, &exact));
  } else {
    // A workload whose tests are all not_compared (nightly's usertests-clock)
    // still has a group: its limits and missing tests are worth reporting.
    json_object_object_add(o, "tests", json_object_new_array());
  }
  json_object_object_add(o, "exact", json_object_new_boolean(exact));
  json_object_object_add(o, "limits", limits_json(mb, mn, &crossed));
  json_object_object_add(o, "regressed_tests", json_object_new_int(nreg));
  *regression = greg || nreg > 0 || crossed;
  json_object_object_add(o, "regression", json_object_new_boolean(*regression));
  free_group(&g);
  return o;
}

static json_object *header(const char *bp, const char *fp, const struct mh_compare_cfg *cfg) {
  json_object *r = json_object_new_object();
  json_object_object_add(r, "baseline", json_object_new_string(bp));
  json_object_object_add(r, "new", json_object_new_string(fp));
  json_object_object_add(r, "threshold", json_object_new_double(cfg->threshold));
  json_object_object_add(r, "level", json_object_new_double(cfg->level));
  json_object_object_add(r, "seed", json_object_new_int64((int64_t)cfg->seed));
  json_object_object_add(r, "iterations", json_object_new_int((int)cfg->iterations));
  json_object_object_add(
      r, "method",
      json_object_new_string("change = (memv6/native new) / (memv6/native baseline), ratios of "
                             "medians; percentile bootstrap interval (each sample set resampled); "
                             "per-test intervals Bonferroni-corrected; regression when the "
                             "interval lies above 1 + threshold, or a campaign threshold is newly "
                             "exceeded"));
  return r;
}

static size_t first_of_timing(json_object *sums, size_t i);
static bool has_timing(json_object *doc, const char *timing);

// Summaries of `a` that `b` lacks (a timing mode only one file has; pooled:
// per timing mode): listed in the report so that a silently shrinking
// comparison is visible.
static void note_unmatched(json_object *a, json_object *b, const char *which, bool pooled,
                           json_object *out) {
  json_object *sums = mh_jget(a, "summaries");
  for (size_t i = 0; i < json_object_array_length(sums); i++) {
    json_object *s = json_object_array_get_idx(sums, i);
    const char *t = mh_jstr(s, "timing"), *w = mh_jstr(s, "workload");
    bool missing = pooled ? t && first_of_timing(sums, i) == i && !has_timing(b, t)
                          : t && w && !summary_of(b, t, w);
    if (missing) {
      char buf[200];
      snprintf(buf, sizeof buf, "%s/%s: only in %s", t, pooled ? "(all)" : w, which);
      json_object_array_add(out, json_object_new_string(buf));
    }
  }
}

// The index of the first summary of summary i's timing mode.
static size_t first_of_timing(json_object *sums, size_t i) {
  const char *t = mh_jstr(json_object_array_get_idx(sums, i), "timing");
  for (size_t k = 0; k < i; k++) {
    const char *u = mh_jstr(json_object_array_get_idx(sums, k), "timing");
    if (t && u && strcmp(t, u) == 0)
      return k;
  }
  return i;
}

static bool has_timing(json_object *doc, const char *timing) {
  json_object *s = mh_jget(doc, "summaries");
  for (size_t i = 0; i < json_object_array_length(s); i++) {
    const char *t = mh_jstr(json_object_array_get_idx(s, i), "timing");
    if (t && strcmp(t, timing) == 0)
      return true;
  }
  return false;
}

int mh_compare_docs(json_object *base, const char *bp, json_object *fresh, const char *fp,
                    const struct mh_compare_cfg *cfg, json_object **report, struct mh_err *e) {
  *report = NULL;
  int pooled = check_compatible(base, bp, fresh, fp, e);
  if (pooled < 0)
    return MH_CMP_INCOMPATIBLE;
  json_object *r = header(bp, fp, cfg), *groups = json_object_new_array();
  json_object *unmatched = json_object_new_array();
  json_object_object_add(r, "groups", groups);
  json_object_object_add(r, "not_compared", unmatched);
  json_object_object_add(r, "pooled", json_object_new_boolean(pooled));
  note_unmatched(base, fresh, "the baseline", pooled, unmatched);
  note_unmatched(fresh, base, "the new file", pooled, unmatched);
  json_object *sums = mh_jget(fresh, "summaries");
  bool any = false, compared = false;
  for (size_t i = 0; i < json_object_array_length(sums); i++) {
    json_object *sn = json_object_array_get_idx(sums, i);
    const char *t = mh_jstr(sn, "timing"), *w = mh_jstr(sn, "workload");
    if (!t || !w || (!pooled && !summary_of(base, t, w)))
      continue; // listed in not_compared
    // Pooled: one group per timing mode, at its first summary, if the
    // baseline has that mode at all.
    if (pooled && (first_of_timing(sums, i) != i || !has_timing(base, t)))
      continue;
    bool reg = false;
    json_object *g = compare_group(base, fresh, t, pooled ? NULL : w, fp, cfg, &reg, e);
    if (!g) {
      json_object_put(r);
      return MH_CMP_INCOMPATIBLE;
    }
    compared |= mh_jget(g, "geomean") != NULL;
    any |= reg;
    json_object_array_add(groups, g);
  }
  if (!compared) {
    json_object_put(r);
    return mh_fail(e,
                   "%s and %s have no test with native and memv6 samples in both files "
                   "(same timing mode and workload; see $.summaries and $.runs)",
                   bp, fp),
           MH_CMP_INCOMPATIBLE;
  }
  json_object_object_add(r, "regression", json_object_new_boolean(any));
  *report = r;
  return any ? MH_CMP_REGRESSION : MH_CMP_OK;
}

int mh_cmd_compare(const struct mh_compare_opts *o) {
  struct mh_err e = {{0}};
  json_object *b = mh_results_open(o->baseline, &e), *n = b ? mh_results_open(o->fresh, &e) : NULL;
  int rc = MH_CMP_INCOMPATIBLE;
  json_object *report = NULL;
  // Two fault results compare rates, not overhead ratios.
  bool faults = b && n && (mh_is_fault_results(b) || mh_is_fault_results(n));
  if (faults)
    rc = mh_compare_faults(b, o->baseline, n, o->fresh, o->cfg.level, &report, &e);
  else if (b && n)
    rc = mh_compare_docs(b, o->baseline, n, o->fresh, &o->cfg, &report, &e);
  if (!report)
    fprintf(stderr, "memharness compare: %s\n", e.msg);
  else if (o->json)
    printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
  else if (faults)
    mh_compare_faults_print(stdout, report);
  else
    mh_compare_print(stdout, report);
  json_object_put(report);
  json_object_put(b);
  json_object_put(n);
  return rc;
}
