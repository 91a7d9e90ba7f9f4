// The fault model and the classifier without QEMU: plans repeat from a
// seed, masks have the promised shape, and outcomes follow the rules of
// docs/results.md ("Trial outcomes").
#include "cm.h"

#include <string.h>

#include "campaign.h"
#include "fault.h"
#include "trial.h"

static int popcount(uint64_t m) {
  int n = 0;
  for (; m; m &= m - 1)
    n++;
  return n;
}

static void plans_repeat_from_the_seed_and_masks_have_their_shape(void **state) {
  (void)state;
  struct mh_faults fm = {.trials = 10,
                         .bits = 3,
                         .count = 4,
                         .when = MH_FW_BREAKPOINT,
                         .when_lo = 2,
                         .when_hi = 5,
                         .seed = 42};
  struct mh_trial_plan a, b, c;
  mh_fault_plan(&fm, 7, mh_trial_seed(fm.seed, 7), &a);
  mh_fault_plan(&fm, 7, mh_trial_seed(fm.seed, 7), &b);
  mh_fault_plan(&fm, 8, mh_trial_seed(fm.seed, 8), &c);
  assert_memory_equal(&a, &b, sizeof a);
  assert_true(a.seed != c.seed);
  assert_int_equal(a.nfaults, 4);
  for (int i = 0; i < a.nfaults; i++) {
    assert_int_equal(popcount(a.f[i].mask), 3);
    assert_true(a.f[i].word < MH_WORDS_PER_PAGE);
  }
  // Every hit of the range is reachable, nothing outside it.
  int seen[8] = {0};
  for (int t = 0; t < 200; t++) {
    mh_fault_plan(&fm, t, mh_trial_seed(fm.seed, t), &a);
    assert_true(a.when >= 2 && a.when <= 5);
    seen[a.when]++;
  }
  for (int h = 2; h <= 5; h++)
    assert_true(seen[h] > 0);
  // A burst is one run of adjacent bits.
  struct mh_rng r;
  mh_rng_seed(&r, 1);
  for (int i = 0; i < 100; i++) {
    uint64_t m = mh_fault_mask(&r, 4, true);
    assert_int_equal(popcount(m), 4);
    while (!(m & 1))
      m >>= 1;
    assert_true(m == 0xf);
  }
}

// A sweep gives trial i the i-th count of the range, so max - min + 1
// trials cover every instruction once; without sweep the seed draws it.
static void sweeps_cover_every_count_once(void **state) {
  (void)state;
  struct mh_faults fm = {.count = 1,
                         .bits = 1,
                         .when = MH_FW_ICOUNT,
                         .icount = true,
                         .icount_lo = 10,
                         .icount_hi = 809,
                         .sweep = true,
                         .seed = 3};
  static int seen[800];
  struct mh_trial_plan p;
  for (int t = 0; t < 800; t++) {
    mh_fault_plan(&fm, t, mh_trial_seed(fm.seed, t), &p);
    if (p.icount != 10 + t)
      fail_msg("trial %d: icount %lld, expected %d", t, (long long)p.icount, 10 + t);
    seen[p.icount - 10]++;
  }
  for (int i = 0; i < 800; i++)
    assert_int_equal(seen[i], 1);
  mh_fault_plan(&fm, 800, mh_trial_seed(fm.seed, 800), &p);
  assert_int_equal(p.icount, 10); // wraps around
  fm.sweep = false;
  struct mh_trial_plan a, b;
  mh_fault_plan(&fm, 5, mh_trial_seed(fm.seed, 5), &a);
  mh_fault_plan(&fm, 6, mh_trial_seed(fm.seed, 5), &b);
  assert_int_equal(a.icount, b.icount); // from the seed, not the index
  assert_true(a.icount >= 10 && a.icount <= 809);
}

static const struct mh_golden golden = {.status = 0, .output = "memsum: digest=1\n"};

static enum mh_outcome classify(enum mh_stop_at ended, int status, const char *serial) {
  struct mh_trial_obs o = {.injected = true, .ended = ended, .status = status, .serial = serial};
  mh_trial_parse_mce(serial, &o);
  char reason[256];
  return mh_trial_classify(&golden, &o, reason, sizeof reason);
}

static void outcomes_follow_the_rules(void **state) {
  (void)state;
  const char *rec = "@mce pa=0x5000 kind=native pid=3 va=0x1000 action=recovered newpa=0x9000 "
                    "cycles=812\nmemsum: digest=1\n";
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0, rec), MH_OUT_RECOVERED);
  // Recovery logged but the output is wrong: silent corruption all the same.
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0,
                            "@mce pa=0x5000 kind=native pid=3 va=0x1000 action=recovered "
                            "newpa=0x9000 cycles=812\nmemsum: digest=2\n"),
                   MH_OUT_SDC);
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0, "memsum: digest=2\n"), MH_OUT_SDC);
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0, "hello\nmemsum: digest=1\n"), MH_OUT_BENIGN);
  assert_int_equal(classify(MH_AT_SHUTDOWN, -1, "pid 3 memsum: killed\n"), MH_OUT_KILLED);
  assert_int_equal(
      classify(MH_AT_SHUTDOWN, 0, "@mce pa=0x5000 kind=native pid=3 va=0x1000 action=killed\n"),
      MH_OUT_KILLED);
  // usertests: a test that now fails is wrong output; cycle counts are not compared.
  const struct mh_golden ut = {.status = 0, .output = "@test name=a status=ok\n"};
  struct mh_trial_obs o2 = {
      .injected = true, .ended = MH_AT_SHUTDOWN, .serial = "@test name=a status=ok cycles=99\n"};
  char why[256];
  assert_int_equal(mh_trial_classify(&ut, &o2, why, sizeof why), MH_OUT_BENIGN);
  o2.serial = "@test name=a status=fail cycles=99\n";
  assert_int_equal(mh_trial_classify(&ut, &o2, why, sizeof why), MH_OUT_SDC);
  assert_int_equal(classify(MH_AT_PANIC, 0, ""), MH_OUT_PANIC);
  assert_int_equal(classify(MH_AT_DEAD, 0, ""), MH_OUT_PANIC);
  assert_int_equal(classify(MH_AT_TIMEOUT, 0, ""), MH_OUT_HANG);
  struct mh_trial_obs o = {0};
  mh_trial_parse_mce(rec, &o);
  assert_int_equal(o.nmce, 1);
  assert_int_equal(o.mce[0].cycles, 812);
  assert_int_equal(o.mce[0].pa, 0x5000);
  assert_string_equal(o.mce[0].action, "recovered");
  for (int i = 0; i < MH_OUT_COUNT; i++)
    assert_int_equal(mh_outcome_parse(mh_outcome_name(i)), i);
}

static void campaign_takes_the_new_fault_keys(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  const char *ok = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], \"workloads\": "
                   "[{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": {\"trials\": 3, "
                   "\"target\": {\"kind\": \"free\"}, \"bits\": 2, \"burst\": true, \"when\": "
                   "{\"breakpoint\": \"memsum_round\", \"hits\": [2, 3]}, \"restore\": \"boot\", "
                   "\"checkpoints\": 0}}";
  if (mh_campaign_parse(ok, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.kind, MH_FK_FREE);
  assert_true(c.faults.burst);
  assert_int_equal(c.faults.restore, MH_RESTORE_BOOT);
  assert_true(c.faults.when_lo == 2 && c.faults.when_hi == 3);
  assert_int_equal(c.faults.checkpoints, 0);
  mh_campaign_free(&c);
  const char *bad = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], \"workloads\": "
                    "[{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": {\"trials\": 3, "
                    "\"target\": {\"kind\": \"any\"}, \"burst\": 1, \"when\": "
                    "{\"delay_ms\": [1, 2], \"hits\": [1, 1]}, \"restore\": \"later\", "
                    "\"checkpoints\": 65}}";
  assert_int_equal(mh_campaign_parse(bad, &c, &e), -1);
  assert_non_null(strstr(e.msg, "$.faults.burst: expected true or false"));
  assert_non_null(strstr(e.msg, "$.faults.when.hits: applies to a breakpoint only"));
  assert_non_null(strstr(e.msg, "$.faults.restore"));
  assert_non_null(strstr(e.msg, "$.faults.checkpoints"));
  const char *mirror_native =
      "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\", \"memv6\"], \"workloads\": "
      "[{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": {\"trials\": 3, "
      "\"target\": {\"kind\": \"mirror\"}, \"when\": {\"delay_ms\": [1, 2]}}}";
  assert_int_equal(mh_campaign_parse(mirror_native, &c, &e), -1);
  assert_non_null(strstr(e.msg, "mirror frames exist on memv6 only"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plans_repeat_from_the_seed_and_masks_have_their_shape),
      cmocka_unit_test(sweeps_cover_every_count_once),
      cmocka_unit_test(outcomes_follow_the_rules),
      cmocka_unit_test(campaign_takes_the_new_fault_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
