// The rates a fault summary carries: counts by outcome and frame kind,
// Wilson intervals recomputed here from the counts (the closed form,
// written independently of propstats.c), the fault space and the
// extrapolated counts.
#include "cm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "faultstats.h"
#include "samples.h"

static json_object *record(const char *variant, const char *outcome, const char *kind,
                           int candidates, bool injected) {
  json_object *r = json_object_new_object(), *fs = json_object_new_array(),
              *f = json_object_new_object();
  json_object_object_add(r, "variant", json_object_new_string(variant));
  json_object_object_add(r, "outcome", json_object_new_string(outcome));
  json_object_object_add(f, "injected", json_object_new_boolean(injected));
  if (injected) {
    json_object_object_add(f, "frame_kind", json_object_new_string(kind));
    json_object_object_add(f, "candidates", json_object_new_int(candidates));
  }
  json_object_array_add(fs, f);
  json_object_object_add(r, "faults", fs);
  return r;
}

static void add(json_object *trials, int n, const char *variant, const char *outcome,
                const char *kind, int candidates) {
  for (int i = 0; i < n; i++)
    json_object_array_add(trials, record(variant, outcome, kind, candidates, true));
}

// Wilson's interval as the roots of (p - p̂)² = z² p (1 - p) / n.
static void roots(double k, double n, double *lo, double *hi) {
  const double z = 1.959963984540054;
  double a = 1 + z * z / n, b = -(2 * k / n + z * z / n), c = (k / n) * (k / n);
  double d = sqrt(b * b - 4 * a * c);
  *lo = (-b - d) / (2 * a);
  *hi = (-b + d) / (2 * a);
}

// o.a.b.c, or fewer levels where b or c is NULL.
static json_object *at(json_object *o, const char *a, const char *b, const char *c) {
  json_object *x = mh_jget(o, a);
  x = b ? mh_jget(x, b) : x;
  return c ? mh_jget(x, c) : x;
}

static void check_rate(json_object *r, long long k, long long n) {
  double lo, hi;
  roots((double)k, (double)n, &lo, &hi);
  assert_int_equal(json_object_get_int64(mh_jget(r, "k")), k);
  assert_int_equal(json_object_get_int64(mh_jget(r, "n")), n);
  assert_float_equal(json_object_get_double(mh_jget(r, "p")), (double)k / (double)n, 1e-12);
  assert_float_equal(json_object_get_double(mh_jget(r, "lo")), lo, 1e-9);
  assert_float_equal(json_object_get_double(mh_jget(r, "hi")), hi, 1e-9);
}

static void rates_carry_wilson_intervals(void **state) {
  (void)state;
  json_object *trials = json_object_new_array(), *vs = json_object_new_object();
  add(trials, 30, "memv6", "recovered", "native", 10);
  add(trials, 12, "memv6", "benign", "native", 10);
  add(trials, 5, "memv6", "sdc", "kernel", 30);
  add(trials, 3, "memv6", "panic", "kernel", 30);
  add(trials, 7, "native", "killed", "native", 10);       // another variant: not counted
  add(trials, 2, "memv6", "harness_error", "kernel", 30); // no sample
  json_object_array_add(trials, record("memv6", "benign", "", 0, false));
  struct mh_faults fm = {.bits = 1,
                         .when = MH_FW_BREAKPOINT,
                         .when_lo = 1,
                         .when_hi = 2,
                         .icount = true,
                         .icount_lo = 0,
                         .icount_hi = 99};
  mh_fault_stats_add(vs, trials, "memv6", &fm, 0.95);
  check_rate(mh_jget(mh_jget(vs, "rates"), "recovered"), 30, 50);
  check_rate(mh_jget(mh_jget(vs, "rates"), "sdc"), 5, 50);
  check_rate(mh_jget(mh_jget(vs, "rates"), "failure"), 8, 50);
  check_rate(at(vs, "rates_by_frame_kind", "kernel", "panic"), 3, 8);
  check_rate(at(vs, "rates_by_frame_kind", "native", "benign"), 12, 42);
  // k = 0 and k = n: the interval touches 0 or 1 exactly.
  assert_float_equal(json_object_get_double(at(vs, "rates", "killed", "lo")), 0, 0);
  json_object *kf = at(vs, "rates_by_frame_kind", "kernel", "failure");
  assert_float_equal(json_object_get_double(mh_jget(kf, "hi")), 1, 0);
  assert_int_equal(json_object_get_int(mh_jget(vs, "rates_excluded")), 3);
  // Space: mean frames (42·10 + 8·30) / 50 = 13.2, × 512 words × 64 bits,
  // × 2 hits × 100 instructions.
  double size = 13.2 * 32768 * 200;
  assert_float_equal(json_object_get_double(at(vs, "fault_space", "frames", NULL)), 13.2, 1e-12);
  assert_float_equal(json_object_get_double(at(vs, "fault_space", "size", NULL)), size, 1e-3);
  double lo, hi;
  roots(8, 50, &lo, &hi);
  assert_float_equal(json_object_get_double(at(vs, "extrapolated", "failure", "count")),
                     size * 8 / 50, 1e-3);
  assert_float_equal(json_object_get_double(at(vs, "extrapolated", "failure", "lo")), size * lo,
                     1e-3);
  assert_float_equal(json_object_get_double(at(vs, "extrapolated", "failure", "hi")), size * hi,
                     1e-3);
  json_object_put(vs);
  json_object_put(trials);
}

static void fault_space_counts_masks_and_instants(void **state) {
  (void)state;
  struct mh_faults fm = {.bits = 1, .when = MH_FW_DELAY_MS};
  assert_float_equal(mh_faults_per_frame(&fm), 32768, 0);
  assert_float_equal(mh_fault_instants(&fm), 0, 0); // host time counts no instructions
  fm.bits = 2;
  assert_float_equal(mh_faults_per_frame(&fm), 512.0 * 2016, 0); // C(64, 2)
  fm.burst = true;
  fm.bits = 4;
  assert_float_equal(mh_faults_per_frame(&fm), 512.0 * 61, 0);
  fm = (struct mh_faults){
      .bits = 1, .when = MH_FW_ICOUNT, .icount = true, .icount_lo = 10, .icount_hi = 19};
  assert_float_equal(mh_fault_instants(&fm), 10, 0);
}

static int parse(const char *trials, const char *target, const char *when, struct mh_campaign *c,
                 struct mh_err *e) {
  char text[1024];
  snprintf(text, sizeof text,
           "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"memv6\"], \"workloads\": "
           "[{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": {\"trials\": %s, "
           "\"target\": %s, \"when\": %s}}",
           trials, target, when);
  return mh_campaign_parse(text, c, e);
}

static void trials_from_a_target_precision(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e = {""};
  const char *bp = "{\"breakpoint\": \"memsum_round\", \"icount\": [0, 99]}";
  // Unbounded space (any kernel frame): t^2 / 4 / 0.02^2 = 2400.9 -> 2401.
  if (parse("{\"margin\": 0.02, \"confidence\": 0.95}", "{\"kind\": \"kernel\"}", bp, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.trials, 2401);
  assert_float_equal(c.faults.population, 0, 0);
  mh_campaign_free(&c);
  // One page at one instruction: 32768 faults, corrected to 2238.
  const char *one = "{\"breakpoint\": \"memsum_round\", \"icount\": [5, 5]}";
  if (parse("{\"margin\": 0.02}", "{\"kind\": \"native\", \"page\": \"esp\"}", one, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_float_equal(c.faults.population, 32768, 0);
  assert_int_equal(c.faults.trials, 2238);
  mh_campaign_free(&c);
  // A known proportion: 0.1 * 0.9 * 1.96^2 / 0.05^2 = 138.3 -> 139.
  if (parse("{\"margin\": 0.05, \"p\": 0.1}", "{\"kind\": \"kernel\"}", bp, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.trials, 139);
  mh_campaign_free(&c);
  assert_int_equal(
      parse("{\"confidence\": 0.95, \"margins\": 1}", "{\"kind\": \"kernel\"}", bp, &c, &e), -1);
  if (!strstr(e.msg, "$.faults.trials.margins: unknown key") ||
      !strstr(e.msg, "$.faults.trials.margin: required key missing"))
    fail_msg("errors \"%s\" do not name the bad and the missing key", e.msg);
  assert_int_equal(parse("{\"margin\": 0.00001}", "{\"kind\": \"kernel\"}", bp, &c, &e), -1);
  assert_non_null(strstr(e.msg, "$.faults.trials.margin: expected a number in [0.0001, 0.5]"));
}

// faults.model: flip by default, stuck0 and stuck1 by name, nothing else.
static void fault_models_by_name(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e = {""};
  const char *fmt = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"memv6\"], "
                    "\"workloads\": [{\"name\": \"m\", \"program\": \"memsum\"}], "
                    "\"faults\": {\"trials\": 2, \"target\": {\"kind\": \"native\"}, "
                    "\"when\": {\"delay_ms\": [1, 2]}%s}}";
  char text[512];
  snprintf(text, sizeof text, fmt, "");
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.model, MH_FM_FLIP);
  mh_campaign_free(&c);
  snprintf(text, sizeof text, fmt, ", \"model\": \"stuck1\"");
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.model, MH_FM_STUCK1);
  mh_campaign_free(&c);
  snprintf(text, sizeof text, fmt, ", \"model\": \"stuck2\"");
  assert_int_equal(mh_campaign_parse(text, &c, &e), -1);
  assert_non_null(strstr(e.msg, "$.faults.model"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rates_carry_wilson_intervals),
      cmocka_unit_test(fault_space_counts_masks_and_instants),
      cmocka_unit_test(trials_from_a_target_precision),
      cmocka_unit_test(fault_models_by_name),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
