// memharness compare on synthetic results whose truth is known: an injected
// slowdown must be found, noise alone must not raise an alarm, exact
// (icount) data is a plain threshold comparison, and files that cannot be
// compared exit 2 naming the file and the field.
#include "cm.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "compare.h"
#include "proc.h"
#include "samples.h"
#include "stats.h"

#define NTESTS 8
#define REPS 10
#define NOISE 0.03 // relative standard deviation of one wall sample (design §8: ~3 %)

static const struct mh_compare_cfg cfg = {MH_COMPARE_DEFAULT_THRESHOLD, MH_COMPARE_DEFAULT_SEED,
                                          MH_COMPARE_DEFAULT_ITERATIONS, 0.95};

static double gauss(struct mh_rng *r) {
  double u1 = ((double)(mh_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
  double u2 = (double)(mh_rng_next(r) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

struct synth {
  const char *timing; // "wall" (noisy samples) or "icount" (one exact sample)
  uint64_t seed;
  double slowdown; // memv6 samples multiplied by 1 + slowdown
  const char *args;
  const char *program; // NULL: usertests
  const char *status;
  int schema;
  const char *met; // summary thresholds.met: "true", "false" or NULL (absent)
};

static json_object *test_json(const char *name, double cycles) {
  json_object *t = json_object_new_object();
  json_object_object_add(t, "name", json_object_new_string(name));
  json_object_object_add(t, "status", json_object_new_string("ok"));
  json_object_object_add(t, "cycles", json_object_new_double(round(cycles)));
  return t;
}

// One run of every variant per repetition, as `run` records them; test i
// costs (1 + i) million cycles on native and 1.05 + 0.03 i times that on memv6.
static json_object *runs_json(const struct synth *s) {
  struct mh_rng r;
  mh_rng_seed(&r, s->seed);
  bool exact = strcmp(s->timing, "icount") == 0;
  json_object *runs = json_object_new_array();
  for (int rep = 0; rep < (exact ? 1 : REPS); rep++)
    for (int v = 0; v < 2; v++) {
      json_object *run = json_object_new_object(), *tests = json_object_new_array();
      json_object_object_add(run, "timing", json_object_new_string(s->timing));
      json_object_object_add(run, "workload", json_object_new_string("ut"));
      json_object_object_add(run, "variant", json_object_new_string(v ? "memv6" : "native"));
      json_object_object_add(run, "status", json_object_new_string("ok"));
      json_object_object_add(run, "wall_s", json_object_new_double(1.0));
      for (int i = 0; i < NTESTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        double c = 1e6 * (1 + i) * (v ? (1.05 + 0.03 * i) * (1 + s->slowdown) : 1);
        json_object_array_add(tests, test_json(name, exact ? c : c * (1 + NOISE * gauss(&r))));
      }
      json_object_object_add(run, "tests", tests);
      json_object_array_add(runs, run);
    }
  return runs;
}

static json_object *synth(const struct synth *s) {
  char text[1024];
  snprintf(text, sizeof text,
           "{\"schema\": %d, \"status\": \"%s\", \"campaign\": {\"name\": \"syn\", \"workloads\": "
           "[{\"name\": \"ut\", \"program\": \"%s\", \"args\": [%s]}]}, \"summaries\": "
           "[{\"timing\": \"%s\", \"workload\": \"ut\"%s%s%s}]}",
           s->schema ? s->schema : 1, s->status ? s->status : "complete",
           s->program ? s->program : "usertests", s->args ? s->args : "", s->timing,
           s->met ? ", \"thresholds\": {\"met\": " : "", s->met ? s->met : "", s->met ? "}" : "");
  json_object *doc = json_tokener_parse(text);
  assert_non_null(doc);
  json_object_object_add(doc, "runs", runs_json(s));
  return doc;
}

static int verdict(const struct synth *b, const struct synth *n, const struct mh_compare_cfg *c,
                   json_object **report) {
  json_object *x = synth(b), *y = synth(n), *rep = NULL;
  struct mh_err e = {{0}};
  int rc = mh_compare_docs(x, "base.json", y, "new.json", c, &rep, &e);
  if (report)
    *report = rep;
  else
    json_object_put(rep);
  json_object_put(x);
  json_object_put(y);
  return rc;
}

// An 8 % slowdown is far outside the noise: the report must say where.
static void an_injected_slowdown_is_a_regression(void **state) {
  (void)state;
  struct synth b = {.timing = "wall", .seed = 1}, n = {.timing = "wall", .seed = 2};
  n.slowdown = 0.08;
  json_object *rep;
  assert_int_equal(verdict(&b, &n, &cfg, &rep), MH_CMP_REGRESSION);
  json_object *g = mh_jget(json_object_array_get_idx(mh_jget(rep, "groups"), 0), "geomean");
  assert_true(json_object_get_boolean(mh_jget(g, "regression")));
  assert_true(fabs(mh_jnum(g, "change", 0) - 1.08) < 0.02);
  assert_true(mh_jnum(g, "lo", 0) > 1.02);
  json_object_put(rep);
  // The same pair with a threshold above the slowdown is no regression.
  struct mh_compare_cfg loose = cfg;
  loose.threshold = 0.10;
  assert_int_equal(verdict(&b, &n, &loose, NULL), MH_CMP_OK);
}

static void a_5_percent_slowdown_is_found_in_20_pairs(void **state) {
  (void)state;
  int found = 0;
  for (int k = 0; k < 20; k++) {
    struct synth b = {.timing = "wall", .seed = 1000 + 2 * (uint64_t)k};
    struct synth n = {.timing = "wall", .seed = 1001 + 2 * (uint64_t)k, .slowdown = 0.05};
    found += verdict(&b, &n, &cfg, NULL) == MH_CMP_REGRESSION;
  }
  print_message("5%% slowdown, %d%% noise, %d reps: detected in %d of 20 pairs\n",
                (int)(NOISE * 100), REPS, found);
  assert_true(found >= 18);
}

static void noise_alone_raises_no_alarm_in_20_pairs(void **state) {
  (void)state;
  int alarms = 0;
  for (int k = 0; k < 20; k++) {
    struct synth b = {.timing = "wall", .seed = 100 + 2 * (uint64_t)k};
    struct synth n = {.timing = "wall", .seed = 101 + 2 * (uint64_t)k};
    alarms += verdict(&b, &n, &cfg, NULL) != MH_CMP_OK;
  }
  print_message("noise only, %d%% noise, %d reps: %d false alarms in 20 pairs\n",
                (int)(NOISE * 100), REPS, alarms);
  assert_int_equal(alarms, 0);
}

static void the_verdict_is_reproducible(void **state) {
  (void)state;
  struct synth b = {.timing = "wall", .seed = 5}, n = {.timing = "wall", .seed = 6};
  n.slowdown = 0.03;
  json_object *r1, *r2;
  verdict(&b, &n, &cfg, &r1);
  verdict(&b, &n, &cfg, &r2);
  assert_string_equal(json_object_to_json_string(r1), json_object_to_json_string(r2));
  json_object_put(r1);
  json_object_put(r2);
}

// icount: one exact sample per test, zero-width intervals, so the verdict
// is "change > 1 + threshold".
static void exact_results_are_a_plain_threshold_comparison(void **state) {
  (void)state;
  struct synth b = {.timing = "icount"}, n = {.timing = "icount", .slowdown = 0.03};
  json_object *rep;
  assert_int_equal(verdict(&b, &n, &cfg, &rep), MH_CMP_REGRESSION);
  json_object *g = json_object_array_get_idx(mh_jget(rep, "groups"), 0);
  assert_true(json_object_get_boolean(mh_jget(g, "exact")));
  assert_true(mh_jnum(mh_jget(g, "geomean"), "lo", 0) == mh_jnum(mh_jget(g, "geomean"), "hi", 1));
  json_object_put(rep);
  n.slowdown = 0.015;
  assert_int_equal(verdict(&b, &n, &cfg, NULL), MH_CMP_OK);
  n.slowdown = 0;
  assert_int_equal(verdict(&b, &n, &cfg, NULL), MH_CMP_OK);
}

// A timing mode only one file has is not compared, and the report says so.
static void a_summary_in_one_file_only_is_listed(void **state) {
  (void)state;
  json_object *x = synth(&(struct synth){.timing = "icount"});
  json_object *y = synth(&(struct synth){.timing = "icount"}), *rep = NULL;
  json_object_array_add(mh_jget(x, "summaries"),
                        json_tokener_parse("{\"timing\": \"wall\", \"workload\": \"ut\"}"));
  struct mh_err e = {{0}};
  assert_int_equal(mh_compare_docs(x, "base.json", y, "new.json", &cfg, &rep, &e), MH_CMP_OK);
  json_object *nc = mh_jget(rep, "not_compared");
  assert_int_equal(json_object_array_length(nc), 1);
  assert_string_equal(json_object_get_string(json_object_array_get_idx(nc, 0)),
                      "wall/ut: only in the baseline");
  json_object_put(rep);
  json_object_put(x);
  json_object_put(y);
}

static void newly_exceeding_a_campaign_threshold_is_a_regression(void **state) {
  (void)state;
  struct synth b = {.timing = "icount", .met = "true"}, n = {.timing = "icount", .met = "false"};
  assert_int_equal(verdict(&b, &n, &cfg, NULL), MH_CMP_REGRESSION);
  b.met = "false"; // already exceeded in the baseline: not new, the change decides
  assert_int_equal(verdict(&b, &n, &cfg, NULL), MH_CMP_OK);
}

static void expect_incompatible(const struct synth *b, const struct synth *n, const char *msg) {
  json_object *x = synth(b), *y = synth(n), *rep = (json_object *)1;
  struct mh_err e = {{0}};
  assert_int_equal(mh_compare_docs(x, "base.json", y, "new.json", &cfg, &rep, &e),
                   MH_CMP_INCOMPATIBLE);
  assert_null(rep);
  if (!strstr(e.msg, msg))
    fail_msg("expected \"%s\" in: %s", msg, e.msg);
  json_object_put(x);
  json_object_put(y);
}

static void incompatible_inputs_name_the_file_and_field(void **state) {
  (void)state;
  struct synth b = {.timing = "icount"}, n = {.timing = "icount", .program = "forktest"};
  expect_incompatible(&b, &n,
                      "base.json $.campaign.workloads[0].program is \"usertests\", new.json has "
                      "\"forktest\"");
  n = (struct synth){.timing = "icount", .status = "interrupted"};
  expect_incompatible(&b, &n, "new.json: $.status is \"interrupted\"");
  n = (struct synth){.timing = "wall"}; // no timing mode in common
  expect_incompatible(&b, &n, "no test with native and memv6 samples in both files");
}

// The same suite split into two workloads (as nightly splits usertests for
// the kernel's argument limit): tests t0-t3 in workload a, t4-t7 in b.
static json_object *split(json_object *doc) {
  json_object *camp, *runs,
      *ws = json_tokener_parse("[{\"name\": \"a\", \"program\": \"usertests\", \"args\": [\"t0\", "
                               "\"t1\", \"t2\", \"t3\"]}, {\"name\": \"b\", \"program\": "
                               "\"usertests\", \"args\": [\"t4\", \"t5\", \"t6\", \"t7\"]}]");
  json_object_object_get_ex(doc, "campaign", &camp);
  json_object_object_add(camp, "workloads", ws);
  json_object_object_add(doc, "summaries",
                         json_tokener_parse("[{\"timing\": \"icount\", \"workload\": \"a\"}, "
                                            "{\"timing\": \"icount\", \"workload\": \"b\"}]"));
  json_object_object_get_ex(doc, "runs", &runs);
  json_object *out = json_object_new_array();
  for (size_t i = 0; i < json_object_array_length(runs); i++) {
    json_object *r = json_object_array_get_idx(runs, i), *tests, *half[2];
    json_object_object_get_ex(r, "tests", &tests);
    for (int h = 0; h < 2; h++) {
      half[h] = json_object_new_array();
      for (int k = 0; k < NTESTS / 2; k++)
        json_object_array_add(half[h], json_object_get(json_object_array_get_idx(
                                           tests, (size_t)(h * NTESTS / 2 + k))));
      json_object *copy = NULL;
      json_object_deep_copy(r, &copy, NULL);
      json_object_object_add(copy, "workload", json_object_new_string(h ? "b" : "a"));
      json_object_object_add(copy, "tests", half[h]);
      json_object_array_add(out, copy);
    }
  }
  json_object_object_add(doc, "runs", out);
  return doc;
}

static void a_split_suite_is_compared_with_the_whole_one(void **state) {
  (void)state;
  struct synth s = {.timing = "icount"}, slow = {.timing = "icount", .slowdown = 0.10};
  for (int k = 0; k < 2; k++) {
    json_object *whole = synth(&s), *parts = split(synth(k ? &slow : &s)), *rep = NULL;
    struct mh_err e = {{0}};
    int rc = mh_compare_docs(whole, "full.json", parts, "nightly.json", &cfg, &rep, &e);
    if (!rep)
      fail_msg("not compared: %s", e.msg);
    assert_int_equal(rc, k ? MH_CMP_REGRESSION : MH_CMP_OK);
    assert_true(json_object_get_boolean(mh_jget(rep, "pooled")));
    json_object *groups = mh_jget(rep, "groups");
    assert_int_equal(json_object_array_length(groups), 1);
    json_object *g = json_object_array_get_idx(groups, 0);
    assert_string_equal(json_object_get_string(mh_jget(g, "workload")), "(all)");
    assert_int_equal(json_object_array_length(mh_jget(g, "tests")), NTESTS);
    double change = json_object_get_double(mh_jget(mh_jget(g, "geomean"), "change"));
    if (fabs(change - (k ? 1.10 : 1.0)) > 1e-3)
      fail_msg("geomean change %.6f, expected %.2f", change, k ? 1.10 : 1.0);
    json_object_put(rep);
    json_object_put(whole);
    json_object_put(parts);
  }
}

// ---- the command as nightly runs it ----

static char dir[64];

static char *write_doc(const char *name, const struct synth *s) {
  static char paths[4][128];
  static int k;
  char *p = paths[k++ % 4];
  snprintf(p, sizeof paths[0], "%s/%s", dir, name);
  json_object *doc = synth(s);
  assert_int_equal(json_object_to_file(p, doc), 0);
  json_object_put(doc);
  return p;
}

static char output[65536];

static int mh(const char *a, const char *b, const char *c, const char *d) {
  char *argv[] = {MEMHARNESS, "compare", (char *)a, (char *)b, (char *)c, (char *)d, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 30000, &e);
  if (rc < 0)
    fail_msg("%s", e.msg);
  return rc;
}

static void the_command_exits_0_1_2_and_prints_a_verdict(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-compare-XXXXXX");
  assert_non_null(mkdtemp(dir));
  struct synth b = {.timing = "wall", .seed = 1}, n = {.timing = "wall", .seed = 2};
  char *base = write_doc("base.json", &b), *same = write_doc("same.json", &n);
  n.slowdown = 0.08;
  char *slow = write_doc("slow.json", &n);
  assert_int_equal(mh(base, same, NULL, NULL), 0);
  assert_non_null(strstr(output, "\nno regression (threshold +2.0%): wall/ut geomean"));
  assert_int_equal(mh(base, slow, NULL, NULL), 1);
  assert_non_null(strstr(output, "\nREGRESSION (threshold +2.0%): wall/ut geomean"));
  assert_int_equal(mh(base, slow, "--threshold", "10%"), 0);
  assert_int_equal(mh(base, slow, "--json", NULL), 1);
  json_object *j = json_tokener_parse(output);
  assert_non_null(j);
  assert_true(json_object_get_boolean(mh_jget(j, "regression")));
  json_object_put(j);
  n = (struct synth){.timing = "wall", .schema = 2};
  char *future = write_doc("future.json", &n);
  assert_int_equal(mh(base, future, NULL, NULL), 2);
  assert_non_null(strstr(output, "future.json: $.schema: unsupported version"));
  char faults[160];
  snprintf(faults, sizeof faults, "%s/faults.json", dir);
  FILE *f = fopen(faults, "w");
  assert_non_null(f);
  fputs("{\"schema\": 1, \"status\": \"complete\", \"trials\": []}", f);
  fclose(f);
  assert_int_equal(mh(base, faults, NULL, NULL), 2); // a fault campaign's results
  assert_non_null(strstr(output, "faults.json: $.summaries missing"));
  unlink(faults);
  assert_int_equal(mh(base, "/nonexistent/new.json", NULL, NULL), 2);
  assert_non_null(strstr(output, "/nonexistent/new.json"));
  assert_int_equal(mh(base, NULL, NULL, NULL), 2); // usage
  assert_int_equal(mh(base, slow, "--threshold", "lots"), 2);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "%s/base.json", dir);
  unlink(cmd);
  const char *names[] = {"same.json", "slow.json", "future.json"};
  for (int i = 0; i < 3; i++) {
    snprintf(cmd, sizeof cmd, "%s/%s", dir, names[i]);
    unlink(cmd);
  }
  rmdir(dir);
}

// Nightly's committed baseline has a workload whose tests are all
// not_compared (usertests-clock): it is a group with no test, reported as
// such, and the file compares with itself without a regression.
static void a_workload_with_no_compared_test_is_reported(void **state) {
  (void)state;
  assert_int_equal(mh(BASELINE, BASELINE, NULL, NULL), 0);
  assert_non_null(strstr(output, "(no test compared: every test of the workload is not_compared)"));
  assert_non_null(strstr(output, "\nno regression (threshold +2.0%):"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(an_injected_slowdown_is_a_regression),
      cmocka_unit_test(a_5_percent_slowdown_is_found_in_20_pairs),
      cmocka_unit_test(noise_alone_raises_no_alarm_in_20_pairs),
      cmocka_unit_test(the_verdict_is_reproducible),
      cmocka_unit_test(exact_results_are_a_plain_threshold_comparison),
      cmocka_unit_test(a_summary_in_one_file_only_is_listed),
      cmocka_unit_test(newly_exceeding_a_campaign_threshold_is_a_regression),
      cmocka_unit_test(incompatible_inputs_name_the_file_and_field),
      cmocka_unit_test(a_split_suite_is_compared_with_the_whole_one),
      cmocka_unit_test(the_command_exits_0_1_2_and_prints_a_verdict),
      cmocka_unit_test(a_workload_with_no_compared_test_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
