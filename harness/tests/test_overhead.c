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
  assert_true(num(get(w, "ci"), "lo") <= g && g <= num(get(w, "ci"), "hi"));
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
  json_object *sums = mh_overhead_summarize(&c, runs);
  json_object *w = json_object_array_get_idx(sums, 0);
  assert_true(num(w, "geomean") > 1.1);
  assert_true(num(get(w, "ci"), "lo") < 1.1);
  assert_true(json_object_get_boolean(get(get(w, "thresholds"), "judged")));
  assert_true(json_object_get_boolean(get(get(w, "thresholds"), "met")));
  json_object_put(sums);
  json_object_put(runs);
  // Clearly above: every resample exceeds the limit.
  runs = json_object_new_array();
  for (int i = 0; i < 3; i++) {
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plan_interleaves_variants),
      cmocka_unit_test(summaries_compute_ratios_geomean_worst_and_exactness),
      cmocka_unit_test(wall_only_campaigns_judge_the_geomean_by_its_interval),
      cmocka_unit_test(icount_disagreement_is_reported_not_hidden),
      cmocka_unit_test(not_compared_tests_stay_out_of_every_ratio),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
