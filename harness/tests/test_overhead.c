#include "cm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overhead.h"
#include "samples.h"

static struct mh_campaign load(const char *extra) {
  char text[2048];
  snprintf(text, sizeof text,
           "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6\"], "
           "\"workloads\": [{\"name\": \"ut\", \"program\": \"usertests\"}, {\"name\": \"e\", "
           "\"program\": \"echo\"}], \"timing\": [\"icount\", \"wall\"], "
           "\"icount_repetitions\": 2, \"repetitions\": 3%s}",
           extra);
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  return c;
}

static void plan_interleaves_variants(void **state) {
  (void)state;
  struct mh_campaign c = load("");
  struct mh_slot *s;
  size_t n;
  assert_int_equal(mh_overhead_plan(&c, &s, &n), 0);
  assert_int_equal(n, 2 * 2 * 2 + 3 * 2 * 2);
  assert_string_equal(s[0].id, "icount/ut/native/0");
  assert_string_equal(s[1].id, "icount/ut/memv6/0");
  assert_string_equal(s[2].id, "icount/e/native/0");
  assert_string_equal(s[4].id, "icount/ut/native/1");
  assert_string_equal(s[8].id, "wall/ut/native/0");
  assert_int_equal(s[8].timing, MH_TIMING_WALL);
  for (size_t i = 0; i + 1 < n; i++)
    assert_int_not_equal(s[i].variant, s[i + 1].variant); // A B A B …
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      assert_string_not_equal(s[i].id, s[j].id);
  free(s);
  mh_campaign_free(&c);
}

static void add_run(json_object *runs, const char *timing, const char *w, const char *v,
                    const char *status, double wall, const char *tests) {
  char text[1024];
  snprintf(text, sizeof text,
           "{\"timing\": \"%s\", \"workload\": \"%s\", \"variant\": \"%s\", \"status\": \"%s\", "
           "\"wall_s\": %g, \"tests\": [%s]}",
           timing, w, v, status, wall, tests);
  json_object_array_add(runs, json_tokener_parse(text));
}

static json_object *get(json_object *o, const char *k) {
  json_object *x = NULL;
  json_object_object_get_ex(o, k, &x);
  return x;
}

static double num(json_object *o, const char *k) {
  return json_object_get_double(get(o, k));
}

#define T(name, cyc) "{\"name\": \"" name "\", \"status\": \"ok\", \"cycles\": " #cyc "}"

static void summaries_compute_ratios_geomean_worst_and_exactness(void **state) {
  (void)state;
  struct mh_campaign c = load(", \"thresholds\": {\"geomean_max\": 1.2, \"worst_max\": 1.3}");
  json_object *runs = json_object_new_array();
  for (int rep = 0; rep < 2; rep++) {
    add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 100) "," T("b", 400));
    add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 150) "," T("b", 400));
  }
  add_run(runs, "icount", "ut", "memv6", "timeout", 9, T("a", 1)); // counted, not used
  // A finished run with a failing test: its passing tests still count.
  add_run(runs, "icount", "ut", "native", "fail", 1,
          T("a", 100) ",{\"name\": \"b\", \"status\": \"fail\", \"cycles\": 1}");
  // wall: noisy; the echo workload has no @test lines and is timed by the host.
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 100) "," T("b", 200));
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 104) "," T("b", 190));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 110) "," T("b", 210));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 112) "," T("b", 230));
  add_run(runs, "wall", "e", "native", "ok", 2.0, "");
  add_run(runs, "wall", "e", "memv6", "ok", 3.0, "");
  json_object *sums = mh_overhead_summarize(&c, runs);
  assert_int_equal(json_object_array_length(sums), 4);

  json_object *ic = json_object_array_get_idx(sums, 0);
  assert_string_equal(json_object_get_string(get(ic, "timing")), "icount");
  json_object *tests = get(ic, "tests");
  assert_int_equal(json_object_array_length(tests), 2);
  assert_true(fabs(num(json_object_array_get_idx(tests, 0), "ratio") - 1.5) < 1e-12);
  assert_true(fabs(num(ic, "geomean") - sqrt(1.5)) < 1e-12);
  assert_string_equal(json_object_get_string(get(get(ic, "worst"), "name")), "a");
  assert_true(json_object_get_boolean(get(ic, "exact")));
  assert_int_equal(json_object_get_int(get(get(ic, "lost_runs"), "memv6")), 1);
  assert_int_equal(json_object_get_int(get(get(ic, "failed_runs"), "native")), 1);
  json_object *na = get(json_object_array_get_idx(tests, 0), "native");
  json_object *nb = get(json_object_array_get_idx(tests, 1), "native");
  assert_int_equal(json_object_get_int(get(na, "n")), 3);
  assert_int_equal(json_object_get_int(get(nb, "n")), 2);
  assert_false(json_object_get_boolean(get(get(ic, "thresholds"), "met"))); // worst 1.5 > 1.3
  assert_false(mh_overhead_thresholds_met(sums));
  assert_true(fabs(num(get(ic, "ci"), "lo") - sqrt(1.5)) < 1e-12); // exact samples: a point

  json_object *w = json_object_array_get_idx(sums, 2);
  assert_string_equal(json_object_get_string(get(w, "timing")), "wall");
  double g = num(w, "geomean");
  double want = sqrt((111.0 / 102.0) * (220.0 / 195.0));
  assert_true(fabs(g - want) < 1e-12);
  // Two repetitions give no interval, and say how many would.
  assert_null(get(w, "ci"));
  const char *note = json_object_get_string(get(w, "ci_note"));
  if (!note || !strstr(note, "2 repetition(s) per variant; a bootstrap interval needs at least 5"))
    fail_msg("ci_note is \"%s\"", note ? note : "(missing)");
  assert_null(get(w, "exact"));
  // Wall figures are not judged when icount figures exist.
  assert_false(json_object_get_boolean(get(get(w, "thresholds"), "judged")));
  assert_null(get(get(w, "thresholds"), "met"));

  json_object *e = json_object_array_get_idx(sums, 3);
  assert_string_equal(json_object_get_string(get(e, "metric")), "wall_us");
  assert_true(fabs(num(e, "geomean") - 1.5) < 1e-9);
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

static struct mh_campaign load_variants(const char *variants) {
  char text[1024];
  snprintf(text, sizeof text,
           "{\"schema\": 1, \"name\": \"t\", \"variants\": [%s], \"workloads\": "
           "[{\"name\": \"ut\", \"program\": \"usertests\"}], \"timing\": \"icount\", "
           "\"thresholds\": {\"geomean_max\": 1.2, \"worst_max\": 1.5}}",
           variants);
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  return c;
}

// memv6sys beside memv6: each mirrored variant gets its per-test ratios and
// its geomean and worst test; the thresholds judge memv6 when it runs, else
// the mirrored variant the campaign lists.
static void every_mirrored_variant_is_summarized(void **state) {
  (void)state;
  json_object *runs = json_object_new_array();
  add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 100) "," T("b", 200));
  add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 110) "," T("b", 220));
  add_run(runs, "icount", "ut", "memv6sys", "ok", 1, T("a", 130) "," T("b", 320));
  struct mh_campaign c = load_variants("\"native\", \"memv6\", \"memv6sys\"");
  json_object *sums = mh_overhead_summarize(&c, runs), *s = json_object_array_get_idx(sums, 0);
  assert_string_equal(json_object_get_string(get(s, "variant")), "memv6");
  assert_float_equal(num(s, "geomean"), 1.1, 1e-12);
  json_object *sys = get(get(s, "by_variant"), "memv6sys");
  assert_float_equal(num(sys, "geomean"), sqrt(1.3 * 1.6), 1e-12);
  assert_string_equal(json_object_get_string(get(get(sys, "worst"), "name")), "b");
  assert_int_equal(json_object_get_int(get(sys, "tests")), 2);
  json_object *b = json_object_array_get_idx(get(s, "tests"), 1);
  assert_float_equal(num(get(b, "ratios"), "memv6sys"), 1.6, 1e-12);
  assert_float_equal(num(b, "ratio"), 1.1, 1e-12);
  assert_true(json_object_get_boolean(get(get(s, "thresholds"), "met")));
  json_object_put(sums);
  mh_campaign_free(&c);

  c = load_variants("\"native\", \"memv6sys\"");
  sums = mh_overhead_summarize(&c, runs);
  s = json_object_array_get_idx(sums, 0);
  assert_string_equal(json_object_get_string(get(s, "variant")), "memv6sys");
  assert_float_equal(num(s, "geomean"), sqrt(1.3 * 1.6), 1e-12);
  assert_false(json_object_get_boolean(get(get(s, "thresholds"), "met"))); // 1.44 > 1.2
  json_object_put(sums);
  mh_campaign_free(&c);
  json_object_put(runs);
}

static void wall_only_campaigns_judge_the_geomean_by_its_interval(void **state) {
  (void)state;
  char text[] = "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6\"], "
                "\"workloads\": [{\"name\": \"ut\", \"program\": \"usertests\"}], "
                "\"timing\": \"wall\", \"thresholds\": {\"geomean_max\": 1.1, "
                "\"worst_max\": 1.01}}";
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(mh_campaign_parse(text, &c, &e), 0);
  json_object *runs = json_object_new_array();
  // memv6 about 1.15x, but noisy enough that the interval reaches below 1.1.
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 100));
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 120));
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 80));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 115));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 90));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 140));
  // Three repetitions give no interval: not judged.
  json_object *sums = mh_overhead_summarize(&c, runs);
  assert_false(json_object_get_boolean(
      get(get(json_object_array_get_idx(sums, 0), "thresholds"), "judged")));
  assert_true(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 110));
  add_run(runs, "wall", "ut", "native", "ok", 1, T("a", 90));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 100));
  add_run(runs, "wall", "ut", "memv6", "ok", 1, T("a", 130));
  sums = mh_overhead_summarize(&c, runs);
  json_object *w = json_object_array_get_idx(sums, 0);
  assert_true(num(w, "geomean") > 1.1);
  assert_true(num(get(w, "ci"), "lo") < 1.1);
  assert_true(json_object_get_boolean(get(get(w, "thresholds"), "judged")));
  assert_true(json_object_get_boolean(get(get(w, "thresholds"), "met")));
  json_object_put(sums);
  json_object_put(runs);
  // Clearly above: every resample exceeds the limit.
  runs = json_object_new_array();
  for (int i = 0; i < 5; i++) {
    add_run(runs, "wall", "ut", "native", "ok", 1, i == 0 ? T("a", 100) : T("a", 102));
    add_run(runs, "wall", "ut", "memv6", "ok", 1, i == 0 ? T("a", 150) : T("a", 149));
  }
  sums = mh_overhead_summarize(&c, runs);
  w = json_object_array_get_idx(sums, 0);
  assert_true(num(get(w, "ci"), "lo") > 1.1);
  assert_false(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

// Host-timed (real-hardware) summaries: every test's ratio has its own
// bootstrap interval, and thresholds.host is their bar, judged once there
// are enough repetitions for an interval, independently of the icount bar.
static void host_summaries_have_intervals_and_their_own_bar(void **state) {
  (void)state;
  char text[] = "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6\"], "
                "\"workloads\": [{\"name\": \"c\", \"program\": \"benchall\"}], "
                "\"timing\": [\"icount\", \"host\"], \"thresholds\": {\"geomean_max\": "
                "1.05, \"host\": {\"geomean_max\": 1.3}}}";
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(mh_campaign_parse(text, &c, &e), 0);
  json_object *runs = json_object_new_array();
  for (int i = 0; i < 2; i++) {
    add_run(runs, "icount", "c", "native", "ok", 1, T("a", 100));
    add_run(runs, "icount", "c", "memv6", "ok", 1, T("a", 102));
  }
  for (int i = 0; i < 3; i++) {
    add_run(runs, "host", "c", "native", "ok", 1, i ? T("a", 1000) : T("a", 1040));
    add_run(runs, "host", "c", "memv6", "ok", 1, i ? T("a", 1250) : T("a", 1210));
  }
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *h = json_object_array_get_idx(sums, 1), *th = get(h, "thresholds");
  assert_string_equal(json_object_get_string(get(h, "timing")), "host");
  assert_null(get(json_object_array_get_idx(get(h, "tests"), 0), "ci")); // 3 runs: none
  assert_false(json_object_get_boolean(get(th, "judged")));
  json_object_put(sums);
  for (int i = 0; i < 2; i++) {
    add_run(runs, "host", "c", "native", "ok", 1, T("a", 990));
    add_run(runs, "host", "c", "memv6", "ok", 1, T("a", 1260));
  }
  sums = mh_overhead_summarize(&c, runs);
  json_object *ic = json_object_array_get_idx(sums, 0);
  h = json_object_array_get_idx(sums, 1);
  th = get(h, "thresholds");
  json_object *a = json_object_array_get_idx(get(h, "tests"), 0);
  double r = num(a, "ratio"), lo = num(get(a, "ci"), "lo"), hi = num(get(a, "ci"), "hi");
  if (!(lo <= r && r <= hi && lo < hi))
    fail_msg("test a: ratio %g, interval [%g, %g]: expected lo <= ratio <= hi, lo < hi", r, lo, hi);
  assert_true(num(th, "geomean_max") == 1.3);
  assert_true(json_object_get_boolean(get(th, "judged")));
  assert_true(json_object_get_boolean(get(th, "met")));                    // 1.25 <= 1.3
  assert_true(json_object_get_boolean(get(get(ic, "thresholds"), "met"))); // 1.02 <= 1.05
  assert_true(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  for (int i = 0; i < 5; i++) {
    add_run(runs, "host", "c", "native", "ok", 1, T("a", 1000));
    add_run(runs, "host", "c", "memv6", "ok", 1, T("a", 1500));
  }
  sums = mh_overhead_summarize(&c, runs);
  h = json_object_array_get_idx(sums, 1);
  if (num(h, "geomean") <= 1.3)
    fail_msg("host geomean %g, expected above 1.3", num(h, "geomean"));
  assert_false(json_object_get_boolean(get(get(h, "thresholds"), "met")));
  assert_false(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

static void icount_disagreement_is_reported_not_hidden(void **state) {
  (void)state;
  struct mh_campaign c = load("");
  json_object *runs = json_object_new_array();
  add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 100));
  add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 101));
  add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 100));
  add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 100));
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *ic = json_object_array_get_idx(sums, 0);
  assert_false(json_object_get_boolean(get(ic, "exact")));
  assert_non_null(strstr(json_object_get_string(get(ic, "exact_note")), "NOT exact"));
  assert_true(mh_overhead_thresholds_met(sums)); // no thresholds set
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

// A test that does different work on the two kernels (usertests' mirror)
// keeps its cycles in the summary but no ratio, and moves neither the
// geomean, the worst test, the thresholds, nor the samples plot and compare use.
static void not_compared_tests_stay_out_of_every_ratio(void **state) {
  (void)state;
  const char *text =
      "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6\"], "
      "\"workloads\": [{\"name\": \"ut\", \"program\": \"usertests\", \"not_compared\": [\"m\"]}], "
      "\"timing\": [\"icount\"], \"icount_repetitions\": 1, "
      "\"thresholds\": {\"geomean_max\": 1.3, \"worst_max\": 1.3}}";
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_false(mh_workload_compares(&c.workloads[0], "m"));
  assert_true(mh_workload_compares(&c.workloads[0], "a"));
  json_object *runs = json_object_new_array();
  add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 100) "," T("m", 10));
  add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 120) "," T("m", 580));
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *ic = json_object_array_get_idx(sums, 0), *tests = get(ic, "tests");
  json_object *m = json_object_array_get_idx(tests, 1);
  assert_string_equal(json_object_get_string(get(m, "name")), "m");
  assert_null(get(m, "ratio"));
  assert_false(json_object_get_boolean(get(m, "compared")));
  assert_int_equal(json_object_get_int(get(get(m, "memv6"), "median")), 580);
  assert_true(fabs(num(ic, "geomean") - 1.2) < 1e-12);
  assert_string_equal(json_object_get_string(get(get(ic, "worst"), "name")), "a");
  assert_true(mh_overhead_thresholds_met(sums));

  json_object *doc = json_object_new_object();
  json_object_object_add(doc, "campaign", json_object_get(c.root));
  json_object_object_add(doc, "runs", json_object_get(runs));
  struct mh_sample_set set;
  assert_int_equal(mh_samples_collect(doc, "icount", "ut", &set), 1);
  assert_string_equal(set.t[0].name, "a");
  assert_null(mh_samples_find(&set, "m"));
  mh_samples_free(&set);
  json_object_put(doc);
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

// A suite split into workloads is judged whole: workload ut alone has
// geomean 1.20 (above 1.10), but the campaign's four tests 1.0954.
static void icount_thresholds_judge_the_campaign_as_a_whole(void **state) {
  (void)state;
  struct mh_campaign c = load(", \"thresholds\": {\"geomean_max\": 1.10, \"worst_max\": 1.30}");
  json_object *runs = json_object_new_array();
  add_run(runs, "icount", "ut", "native", "ok", 1, T("a", 100) "," T("b", 100));
  add_run(runs, "icount", "ut", "memv6", "ok", 1, T("a", 120) "," T("b", 120));
  add_run(runs, "icount", "e", "native", "ok", 1, T("c", 100) "," T("d", 100));
  add_run(runs, "icount", "e", "memv6", "ok", 1, T("c", 100) "," T("d", 100));
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *ut = json_object_array_get_idx(sums, 0), *th = get(ut, "thresholds");
  assert_true(fabs(num(ut, "geomean") - 1.2) < 1e-12);
  assert_string_equal(json_object_get_string(get(th, "scope")), "campaign");
  assert_int_equal(json_object_get_int(get(get(th, "campaign"), "tests")), 4);
  double g = num(get(th, "campaign"), "geomean");
  if (fabs(g - pow(1.2 * 1.2, 0.25)) > 1e-9)
    fail_msg("pooled geomean %.6f, expected %.6f", g, pow(1.2 * 1.2, 0.25));
  assert_true(json_object_get_boolean(get(th, "met")));
  assert_true(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  // One test above worst_max anywhere exceeds them.
  add_run(runs, "icount", "e", "native", "ok", 1, T("f", 100));
  add_run(runs, "icount", "e", "memv6", "ok", 1, T("f", 140));
  sums = mh_overhead_summarize(&c, runs);
  assert_false(mh_overhead_thresholds_met(sums));
  json_object_put(sums);
  json_object_put(runs);
  mh_campaign_free(&c);
}

// The committed nightly baseline meets its own campaign's thresholds, so
// that a nightly "thresholds exceeded" means something (it used to say so
// every night): judged again from its runs by this memharness, and as
// recorded in its summaries (what compare and nightly read).
static void the_committed_baseline_meets_its_thresholds(void **state) {
  (void)state;
  json_object *doc = json_object_from_file(BASELINE), *camp, *runs;
  assert_non_null(doc);
  assert_true(json_object_object_get_ex(doc, "campaign", &camp));
  assert_true(json_object_object_get_ex(doc, "runs", &runs));
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_from_json(camp, &c, &e) < 0)
    fail_msg("%s", e.msg);
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *th = get(json_object_array_get_idx(sums, 0), "thresholds");
  if (!mh_overhead_thresholds_met(sums))
    fail_msg("baseline exceeds its thresholds (geomean_max %.2f, worst_max %.2f): pooled geomean "
             "%.4f, worst %s %.4f",
             c.geomean_max, c.worst_max, num(get(th, "campaign"), "geomean"),
             json_object_get_string(get(get(get(th, "campaign"), "worst"), "name")),
             num(get(get(th, "campaign"), "worst"), "ratio"));
  json_object_put(sums);
  json_object *rec;
  assert_true(json_object_object_get_ex(doc, "summaries", &rec));
  if (!mh_overhead_thresholds_met(rec))
    fail_msg("%s records a threshold exceeded: rerun it, or re-summarize its runs with "
             "memharness run campaigns/nightly.json -o %s --resume (docs/nightly.md)",
             BASELINE, BASELINE);
  mh_campaign_free(&c);
  json_object_put(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plan_interleaves_variants),
      cmocka_unit_test(summaries_compute_ratios_geomean_worst_and_exactness),
      cmocka_unit_test(every_mirrored_variant_is_summarized),
      cmocka_unit_test(wall_only_campaigns_judge_the_geomean_by_its_interval),
      cmocka_unit_test(host_summaries_have_intervals_and_their_own_bar),
      cmocka_unit_test(icount_disagreement_is_reported_not_hidden),
      cmocka_unit_test(not_compared_tests_stay_out_of_every_ratio),
      cmocka_unit_test(icount_thresholds_judge_the_campaign_as_a_whole),
      cmocka_unit_test(the_committed_baseline_meets_its_thresholds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
