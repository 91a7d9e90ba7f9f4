#include "overhead.h"

#include <math.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

// Samples per variant and test below which wall summaries get no interval.
#define MH_CI_MIN_SAMPLES 5

int mh_overhead_plan(const struct mh_campaign *c, struct mh_slot **slots, size_t *n) {
  size_t total = 0;
  for (int t = 0; t < c->ntimings; t++) {
    int reps = c->timings[t] == MH_TIMING_ICOUNT ? c->icount_repetitions : c->repetitions;
    total += (size_t)reps * (size_t)c->nworkloads * (size_t)c->nvariants;
  }
  struct mh_slot *s = calloc(total ? total : 1, sizeof *s);
  if (!s)
    return -1;
  size_t k = 0;
  for (int t = 0; t < c->ntimings; t++) {
    enum mh_timing tm = c->timings[t];
    int reps = tm == MH_TIMING_ICOUNT ? c->icount_repetitions : c->repetitions;
    for (int rep = 0; rep < reps; rep++)
      for (int w = 0; w < c->nworkloads; w++)
        for (int v = 0; v < c->nvariants; v++, k++) {
          s[k] =
              (struct mh_slot){.timing = tm, .workload = w, .variant = c->variants[v], .rep = rep};
          snprintf(s[k].id, sizeof s[k].id, "%s/%s/%s/%d", mh_timing_name(tm), c->workloads[w].name,
                   mh_variant_name(c->variants[v]), rep);
        }
  }
  *slots = s;
  *n = total;
  return 0;
}

// Samples of one test on each variant.
struct series {
  char name[64];
  double *v[MH_MAX_VARIANTS + 1];
  size_t n[MH_MAX_VARIANTS + 1];
};

struct table {
  struct series *s;
  size_t n, cap;
};

static struct series *find_series(struct table *t, const char *name) {
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->s[i].name, name) == 0)
      return &t->s[i];
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 32;
    struct series *ns = realloc(t->s, cap * sizeof *ns);
    if (!ns)
      return NULL;
    t->s = ns;
    t->cap = cap;
  }
  struct series *s = &t->s[t->n++];
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", name);
  return s;
}

static void add_sample(struct series *s, int variant, double x) {
  double *nv = realloc(s->v[variant], (s->n[variant] + 1) * sizeof *nv);
  if (!nv)
    return;
  nv[s->n[variant]++] = x;
  s->v[variant] = nv;
}

static void free_table(struct table *t) {
  for (size_t i = 0; i < t->n; i++)
    for (int v = 0; v <= MH_MAX_VARIANTS; v++)
      free(t->s[i].v[v]);
  free(t->s);
}

static const char *str_of(json_object *o, const char *k) {
  json_object *x;
  return json_object_object_get_ex(o, k, &x) ? json_object_get_string(x) : "";
}

static double num_of(json_object *o, const char *k) {
  json_object *x;
  return json_object_object_get_ex(o, k, &x) ? json_object_get_double(x) : NAN;
}

static int variant_index(const char *name) {
  return strcmp(name, "native") == 0     ? MH_VARIANT_NATIVE
         : strcmp(name, "memv6") == 0    ? MH_VARIANT_MEMV6
         : strcmp(name, "memv6sys") == 0 ? MH_VARIANT_MEMV6SYS
                                         : -1;
}

struct counts {
  int ok[MH_MAX_VARIANTS];     // met every expectation
  int failed[MH_MAX_VARIANTS]; // finished, but something failed: passing tests still count
  int lost[MH_MAX_VARIANTS];   // timeout, crash, harness error: no samples
};

// Collects the samples of one (timing, workload): per-test cycles of every
// passing test of every finished run, and the wall time of ok runs (in µs,
// the pseudo-test of a workload that prints no @test lines).
static void collect(json_object *runs, const char *timing, const char *workload, struct table *t,
                    struct table *walls, struct counts *n) {
  for (size_t i = 0; i < json_object_array_length(runs); i++) {
    json_object *r = json_object_array_get_idx(runs, i), *tests;
    if (strcmp(str_of(r, "timing"), timing) || strcmp(str_of(r, "workload"), workload))
      continue;
    int v = variant_index(str_of(r, "variant"));
    if (v < 0)
      continue;
    const char *st = str_of(r, "status");
    bool ok = strcmp(st, "ok") == 0, failed = strcmp(st, "fail") == 0;
    n->ok[v] += ok;
    n->failed[v] += failed;
    n->lost[v] += !ok && !failed;
    if (!ok && !failed)
      continue;
    struct series *w = ok ? find_series(walls, "wall") : NULL;
    if (w)
      add_sample(w, v, num_of(r, "wall_s"));
    if (!json_object_object_get_ex(r, "tests", &tests))
      continue;
    for (size_t k = 0; k < json_object_array_length(tests); k++) {
      json_object *x = json_object_array_get_idx(tests, k);
      struct series *s = find_series(t, str_of(x, "name"));
      if (s && strcmp(str_of(x, "status"), "ok") == 0)
        add_sample(s, v, num_of(x, "cycles"));
    }
  }
}

static json_object *sample_stats(const double *v, size_t n) {
  if (!n)
    return NULL;
  json_object *o = json_object_new_object();
  double lo = v[0], hi = v[0];
  for (size_t i = 1; i < n; i++)
    lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
  json_object_object_add(o, "n", json_object_new_int((int)n));
  json_object_object_add(o, "median", json_object_new_double(mh_median(v, n)));
  json_object_object_add(o, "min", json_object_new_double(lo));
  json_object_object_add(o, "max", json_object_new_double(hi));
  return o;
}

static bool all_equal(const double *v, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (v[i] != v[0])
      return false;
  return true;
}

// Geomean and worst of one mirrored variant against native.
struct vsum {
  double logsum, worst_ratio;
  size_t n;
  const char *worst;
};

struct ratios {
  int primary;                      // the variant of "ratio", "geomean", "worst", thresholds
  struct vsum per[MH_MAX_VARIANTS]; // every mirrored variant, for "ratios" and "by_variant"
  double *r;
  struct mh_pair *pairs;
  size_t n;
  const char *worst;
  double worst_ratio;
  bool exact;
  size_t nonexact;
};

// Per-test interval of a host-timed ratio (wall and host modes), with the
// same bootstrap as the geomean's; none with fewer than MH_CI_MIN_SAMPLES.
static void add_test_ci(const struct mh_campaign *c, json_object *o, const struct mh_pair *p) {
  double lo, hi;
  if (p->na < MH_CI_MIN_SAMPLES || p->nb < MH_CI_MIN_SAMPLES ||
      mh_bootstrap_geomean(p, 1, (unsigned)c->bootstrap_iterations, c->seed, c->confidence, &lo,
                           &hi) < 0)
    return;
  json_object *ci = json_object_new_object();
  json_object_object_add(ci, "level", json_object_new_double(c->confidence));
  json_object_object_add(ci, "lo", json_object_new_double(lo));
  json_object_object_add(ci, "hi", json_object_new_double(hi));
  json_object_object_add(o, "ci", ci);
}

// The test's ratio to native of every mirrored variant that measured it
// ("ratios"); the primary variant's is also "ratio", with its interval.
static void add_ratios(const struct mh_campaign *c, enum mh_timing tm, json_object *o,
                       const struct series *s, struct ratios *q) {
  const double *a = s->v[MH_VARIANT_NATIVE];
  size_t na = s->n[MH_VARIANT_NATIVE];
  json_object *rs = json_object_new_object();
  for (int v = 0; v < MH_MAX_VARIANTS; v++) {
    if (v == MH_VARIANT_NATIVE || !s->n[v])
      continue;
    double ratio = mh_median(s->v[v], s->n[v]) / mh_median(a, na);
    json_object_object_add(rs, mh_variant_name((enum mh_variant)v), json_object_new_double(ratio));
    struct vsum *p = &q->per[v];
    p->logsum += log(ratio), p->n++;
    if (!p->worst || ratio > p->worst_ratio)
      p->worst = s->name, p->worst_ratio = ratio;
    if (v != q->primary)
      continue;
    json_object_object_add(o, "ratio", json_object_new_double(ratio));
    q->r[q->n] = ratio;
    q->pairs[q->n] = (struct mh_pair){a, na, s->v[v], s->n[v]};
    if (tm != MH_TIMING_ICOUNT)
      add_test_ci(c, o, &q->pairs[q->n]);
    q->n++;
    if (!q->worst || ratio > q->worst_ratio)
      q->worst = s->name, q->worst_ratio = ratio;
  }
  json_object_object_add(o, "ratios", rs);
}

static json_object *tests_json(const struct mh_campaign *c, enum mh_timing tm, struct table *t,
                               const struct mh_workload *w, struct ratios *q) {
  json_object *arr = json_object_new_array();
  q->r = calloc(t->n + 1, sizeof *q->r);
  q->pairs = calloc(t->n + 1, sizeof *q->pairs);
  q->exact = true;
  for (size_t i = 0; q->r && q->pairs && i < t->n; i++) {
    struct series *s = &t->s[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(s->name));
    for (int v = 0; v < MH_MAX_VARIANTS; v++) {
      json_object *st = sample_stats(s->v[v], s->n[v]);
      if (st)
        json_object_object_add(o, mh_variant_name((enum mh_variant)v), st);
      if (s->n[v] > 1 && !all_equal(s->v[v], s->n[v]))
        q->exact = false, q->nonexact++;
    }
    const double *a = s->v[MH_VARIANT_NATIVE];
    size_t na = s->n[MH_VARIANT_NATIVE];
    bool compared = mh_workload_compares(w, s->name);
    if (!compared)
      json_object_object_add(o, "compared", json_object_new_boolean(false));
    if (compared && na && mh_median(a, na) > 0)
      add_ratios(c, tm, o, s, q);
    json_object_array_add(arr, o);
  }
  return arr;
}

// Fewest samples of a variant of any compared test.
static size_t fewest_samples(const struct ratios *q) {
  size_t m = SIZE_MAX;
  for (size_t i = 0; i < q->n; i++) {
    if (q->pairs[i].na < m)
      m = q->pairs[i].na;
    if (q->pairs[i].nb < m)
      m = q->pairs[i].nb;
  }
  return m;
}

static void add_ci(const struct mh_campaign *c, json_object *sum, enum mh_timing tm,
                   struct ratios *q, double *lo, double *hi) {
  // With fewer samples the percentile bootstrap of a median only returns
  // the range of the samples: no interval rather than a meaningless one.
  size_t few = fewest_samples(q);
  if (tm != MH_TIMING_ICOUNT && few < MH_CI_MIN_SAMPLES) {
    char note[200];
    snprintf(note, sizeof note,
             "no interval: %zu repetition(s) per variant; a bootstrap interval needs at least "
             "%d (about 10 to detect a 5%% change, docs/nightly.md)",
             few, MH_CI_MIN_SAMPLES);
    json_object_object_add(sum, "ci_note", json_object_new_string(note));
    return;
  }
  if (mh_bootstrap_geomean(q->pairs, q->n, (unsigned)c->bootstrap_iterations, c->seed,
                           c->confidence, lo, hi) < 0)
    return;
  json_object *ci = json_object_new_object();
  json_object_object_add(ci, "level", json_object_new_double(c->confidence));
  json_object_object_add(ci, "lo", json_object_new_double(*lo));
  json_object_object_add(ci, "hi", json_object_new_double(*hi));
  char m[128];
  snprintf(m, sizeof m, "percentile bootstrap of the geomean, %d resamples, seed %llu",
           c->bootstrap_iterations, (unsigned long long)c->seed);
  json_object_object_add(ci, "method", json_object_new_string(m));
  json_object_object_add(sum, "ci", ci);
}

static bool has_timing(const struct mh_campaign *c, enum mh_timing t) {
  for (int i = 0; i < c->ntimings; i++)
    if (c->timings[i] == t)
      return true;
  return false;
}

// Thresholds judge icount figures. Wall figures on a shared host are noisy,
// so they are judged only in a wall-only campaign, and then only the geomean,
// and only when its whole confidence interval lies above the limit. Host
// (real-hardware) figures have their own bar (thresholds.host): met when
// the geomean and the worst test are within it, judged only with an
// interval (enough repetitions), which the summary reports beside it.
static void add_thresholds(const struct mh_campaign *c, json_object *sum, enum mh_timing tm,
                           double g, double worst, double lo) {
  bool host = mh_timing_host_arch(tm) != NULL;
  double gmax = host ? c->host_geomean_max : c->geomean_max;
  double wmax = host ? c->host_worst_max : c->worst_max;
  if (gmax <= 0 && wmax <= 0)
    return;
  json_object *th = json_object_new_object();
  // lo is NAN when too few repetitions gave no interval: nothing to judge.
  bool judged = tm == MH_TIMING_ICOUNT || (host && !isnan(lo)) ||
                (tm == MH_TIMING_WALL && !has_timing(c, MH_TIMING_ICOUNT) && !isnan(lo));
  bool met = true;
  if (gmax > 0) {
    json_object_object_add(th, "geomean_max", json_object_new_double(gmax));
    met &= tm == MH_TIMING_WALL ? lo <= gmax : g <= gmax;
  }
  if (wmax > 0) {
    json_object_object_add(th, "worst_max", json_object_new_double(wmax));
    met &= tm == MH_TIMING_WALL || worst <= wmax;
  }
  json_object_object_add(th, "judged", json_object_new_boolean(judged));
  json_object_object_add(th, "met", judged ? json_object_new_boolean(met) : NULL);
  json_object_object_add(sum, "thresholds", th);
}

static void add_ratio_summary(const struct mh_campaign *c, json_object *sum, enum mh_timing tm,
                              struct ratios *q) {
  if (q->n == 0)
    return;
  double g = mh_geomean(q->r, q->n), lo = NAN, hi = NAN;
  json_object_object_add(sum, "geomean", json_object_new_double(g));
  json_object *worst = json_object_new_object();
  json_object_object_add(worst, "name", json_object_new_string(q->worst));
  json_object_object_add(worst, "ratio", json_object_new_double(q->worst_ratio));
  json_object_object_add(sum, "worst", worst);
  add_ci(c, sum, tm, q, &lo, &hi);
  add_thresholds(c, sum, tm, g, q->worst_ratio, tm == MH_TIMING_ICOUNT ? g : lo);
}

static void add_exactness(json_object *sum, struct ratios *q, int reps) {
  char note[200];
  if (reps < 2)
    snprintf(note, sizeof note, "one icount repetition: exactness not checked");
  else if (q->exact)
    snprintf(note, sizeof note, "%d icount repetitions agree to the last cycle on every test",
             reps);
  else
    snprintf(note, sizeof note,
             "icount repetitions differ on %zu test series: figures are NOT "
             "exact",
             q->nonexact);
  json_object_object_add(sum, "exact", reps < 2 ? NULL : json_object_new_boolean(q->exact));
  json_object_object_add(sum, "exact_note", json_object_new_string(note));
}

// The variant the summary's ratio, geomean, worst and thresholds are of:
// memv6 when the campaign runs it (the thresholds were set for it), else
// the first mirrored variant it lists (memv6sys).
static int primary_variant(const struct mh_campaign *c) {
  int first = -1;
  for (int i = 0; i < c->nvariants; i++) {
    if (c->variants[i] == MH_VARIANT_MEMV6)
      return MH_VARIANT_MEMV6;
    if (c->variants[i] != MH_VARIANT_NATIVE && first < 0)
      first = c->variants[i];
  }
  return first < 0 ? MH_VARIANT_MEMV6 : first;
}

// Geomean and worst test of every mirrored variant over the compared tests
// it measured, so memv6 and memv6sys stand side by side in one summary.
static void add_by_variant(json_object *sum, const struct ratios *q) {
  json_object *by = json_object_new_object();
  for (int v = 0; v < MH_MAX_VARIANTS; v++) {
    const struct vsum *p = &q->per[v];
    if (!p->n)
      continue;
    json_object *o = json_object_new_object(), *worst = json_object_new_object();
    json_object_object_add(o, "tests", json_object_new_int((int)p->n));
    json_object_object_add(o, "geomean", json_object_new_double(exp(p->logsum / (double)p->n)));
    json_object_object_add(worst, "name", json_object_new_string(p->worst));
    json_object_object_add(worst, "ratio", json_object_new_double(p->worst_ratio));
    json_object_object_add(o, "worst", worst);
    json_object_object_add(by, mh_variant_name((enum mh_variant)v), o);
  }
  json_object_object_add(sum, "by_variant", by);
}

static json_object *summarize_one(const struct mh_campaign *c, json_object *runs, enum mh_timing tm,
                                  const struct mh_workload *w) {
  struct table t = {0}, walls = {0};
  struct counts n = {0};
  collect(runs, mh_timing_name(tm), w->name, &t, &walls, &n);
  const char *metric = "cycles";
  if (t.n == 0 && walls.n) {
    // No @test lines: the whole workload is the test, timed by the host.
    struct series *s = find_series(&t, w->name);
    for (int v = 0; s && v < MH_MAX_VARIANTS; v++)
      for (size_t i = 0; i < walls.s[0].n[v]; i++)
        add_sample(s, v, walls.s[0].v[v][i] * 1e6);
    metric = "wall_us";
  }
  json_object *sum = json_object_new_object();
  json_object_object_add(sum, "timing", json_object_new_string(mh_timing_name(tm)));
  json_object_object_add(sum, "workload", json_object_new_string(w->name));
  json_object_object_add(sum, "metric", json_object_new_string(metric));
  json_object *okj = json_object_new_object(), *badj = json_object_new_object(),
              *lostj = json_object_new_object(), *wallj = json_object_new_object();
  for (int v = 0; v < MH_MAX_VARIANTS; v++) {
    const char *vn = mh_variant_name((enum mh_variant)v);
    json_object_object_add(okj, vn, json_object_new_int(n.ok[v]));
    json_object_object_add(badj, vn, json_object_new_int(n.failed[v]));
    json_object_object_add(lostj, vn, json_object_new_int(n.lost[v]));
    if (walls.n && walls.s[0].n[v])
      json_object_object_add(wallj, vn, sample_stats(walls.s[0].v[v], walls.s[0].n[v]));
  }
  json_object_object_add(sum, "ok_runs", okj);
  json_object_object_add(sum, "failed_runs", badj);
  json_object_object_add(sum, "lost_runs", lostj);
  json_object_object_add(sum, "wall_s", wallj);
  struct ratios q = {.primary = primary_variant(c)};
  json_object_object_add(sum, "tests", tests_json(c, tm, &t, w, &q));
  json_object_object_add(sum, "variant",
                         json_object_new_string(mh_variant_name((enum mh_variant)q.primary)));
  add_ratio_summary(c, sum, tm, &q);
  add_by_variant(sum, &q);
  if (tm == MH_TIMING_ICOUNT) {
    int reps = -1;
    for (int v = 0; v < c->nvariants; v++)
      if (reps < 0 || n.ok[c->variants[v]] + n.failed[c->variants[v]] < reps)
        reps = n.ok[c->variants[v]] + n.failed[c->variants[v]];
    add_exactness(sum, &q, reps);
  }
  free(q.r);
  free(q.pairs);
  free_table(&t);
  free_table(&walls);
  return sum;
}

static json_object *get(json_object *o, const char *k) {
  json_object *v = NULL;
  return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

// icount thresholds judge the campaign's compared tests together: a suite
// split into workloads (the kernel's 32 exec arguments) is still one suite,
// and its bar (docs/design.md) is on the geomean of all its tests, the
// worst over all. Summaries [from, to) of one timing mode get the pooled
// verdict, with the pooled figures under thresholds.campaign.
static void pool_thresholds(const struct mh_campaign *c, json_object *sums, size_t from,
                            size_t to) {
  size_t n = 0;
  double logsum = 0, worst = 0;
  const char *wname = NULL, *wload = NULL;
  for (size_t i = from; i < to; i++) {
    json_object *s = json_object_array_get_idx(sums, i), *tests = get(s, "tests");
    for (size_t k = 0; k < json_object_array_length(tests); k++) {
      json_object *t = json_object_array_get_idx(tests, k), *r = get(t, "ratio");
      if (!r)
        continue;
      double x = json_object_get_double(r);
      logsum += log(x), n++;
      if (!wname || x > worst)
        worst = x, wname = json_object_get_string(get(t, "name")),
        wload = json_object_get_string(get(s, "workload"));
    }
  }
  if (!n)
    return;
  double g = exp(logsum / (double)n);
  bool met =
      (c->geomean_max <= 0 || g <= c->geomean_max) && (c->worst_max <= 0 || worst <= c->worst_max);
  for (size_t i = from; i < to; i++) {
    json_object *th = get(json_object_array_get_idx(sums, i), "thresholds");
    if (!th)
      continue;
    json_object *camp = json_object_new_object(), *w = json_object_new_object();
    json_object_object_add(camp, "tests", json_object_new_int((int)n));
    json_object_object_add(camp, "geomean", json_object_new_double(g));
    json_object_object_add(w, "workload", json_object_new_string(wload));
    json_object_object_add(w, "name", json_object_new_string(wname));
    json_object_object_add(w, "ratio", json_object_new_double(worst));
    json_object_object_add(camp, "worst", w);
    json_object_object_add(th, "scope", json_object_new_string("campaign"));
    json_object_object_add(th, "campaign", camp);
    json_object_object_add(th, "met", json_object_new_boolean(met));
  }
}

json_object *mh_overhead_summarize(const struct mh_campaign *c, json_object *runs) {
  json_object *arr = json_object_new_array();
  for (int t = 0; t < c->ntimings; t++) {
    size_t from = json_object_array_length(arr);
    for (int w = 0; w < c->nworkloads; w++)
      json_object_array_add(arr, summarize_one(c, runs, c->timings[t], &c->workloads[w]));
    if (c->timings[t] == MH_TIMING_ICOUNT && c->nworkloads > 1)
      pool_thresholds(c, arr, from, json_object_array_length(arr));
  }
  return arr;
}

bool mh_overhead_thresholds_met(json_object *summaries) {
  for (size_t i = 0; i < json_object_array_length(summaries); i++) {
    json_object *s = json_object_array_get_idx(summaries, i), *th, *met;
    if (json_object_object_get_ex(s, "thresholds", &th) &&
        json_object_object_get_ex(th, "met", &met) && met && !json_object_get_boolean(met))
      return false;
  }
  return true;
}
