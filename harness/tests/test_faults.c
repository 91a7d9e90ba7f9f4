// The fault model and the classifier without QEMU: plans repeat from a
// seed, masks have the promised shape, and outcomes follow the rules of
// docs/results.md ("Trial outcomes").
#include "cm.h"

#include <stdio.h>
#include <string.h>

#include "elfsym.h"

#include "campaign.h"
#include "fault.h"
#include "faultcheck.h"
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
  // A line the golden run did not print is wrong output too.
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0, "hello\nmemsum: digest=1\n"), MH_OUT_SDC);
  assert_int_equal(classify(MH_AT_SHUTDOWN, 0, "memsum: digest=1\n"), MH_OUT_BENIGN);
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
  assert_int_equal(classify(MH_AT_DEAD, 0, ""), MH_OUT_RESET);
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

// Lines the campaign says may differ (the oracle's count of retired frames)
// may differ, nothing else may; the reason names the first line that does.
static void may_differ_lines_and_partial_injections(void **state) {
  (void)state;
  const char *pats[] = {"oracle: frames in use:*", "free *"};
  struct mh_golden g = {.status = 0,
                        .output = "start\noracle: frames in use: poisoned 0\nfree 100\nend\n",
                        .may_differ = pats,
                        .nmay_differ = 2};
  struct mh_trial_obs o = {.injected = true,
                           .ninjected = 1,
                           .nfaults = 1,
                           .ended = MH_AT_SHUTDOWN,
                           .serial = "@mce pa=0x5000 kind=native pid=3 va=0x1000 "
                                     "action=recovered newpa=0x9000 cycles=8\nstart\noracle: "
                                     "frames in use: poisoned 1\nfree 99\nend\n"};
  mh_trial_parse_mce(o.serial, &o);
  char why[512];
  enum mh_outcome out = mh_trial_classify(&g, &o, why, sizeof why);
  if (out != MH_OUT_RECOVERED)
    fail_msg("got %s (%s), expected recovered", mh_outcome_name(out), why);
  // A pattern covers a line only when both lines match it.
  o.serial = "start\noracle: frames in use: poisoned 1\nfree 99\nEND\n";
  out = mh_trial_classify(&g, &o, why, sizeof why);
  assert_int_equal(out, MH_OUT_SDC);
  if (!strstr(why, "output line 4: \"END\", golden \"end\""))
    fail_msg("reason \"%s\" does not name the line that differs", why);
  o.serial = "start\noracle: frames in use: poisoned 1\nfree 99\n";
  assert_int_equal(mh_trial_classify(&g, &o, why, sizeof why), MH_OUT_SDC);
  assert_non_null(strstr(why, "(missing)"));
  // Fewer faults than planned: the reason says how many and why.
  struct mh_golden plain = {.status = 0, .output = "end\n"};
  struct mh_trial_obs p = {
      .injected = true, .ninjected = 1, .nfaults = 3, .ended = MH_AT_SHUTDOWN, .serial = "end\n"};
  snprintf(p.why_not, sizeof p.why_not, "the workload ended while the kernel handled fault 1");
  assert_int_equal(mh_trial_classify(&plain, &p, why, sizeof why), MH_OUT_BENIGN);
  if (!strstr(why, "(1 of 3 faults injected: the workload ended while the kernel handled fault 1)"))
    fail_msg("reason \"%s\" does not say 1 of 3 faults were injected", why);
  p.injected = false;
  p.ninjected = 0;
  snprintf(p.why_not, sizeof p.why_not, "the workload's process was gone at fault 1");
  assert_int_equal(mh_trial_classify(&plain, &p, why, sizeof why), MH_OUT_BENIGN);
  assert_string_equal(why, "nothing injected: the workload's process was gone at fault 1");
}

static void parse_or_fail(const char *faults, const char *expect, struct mh_campaign *c) {
  char text[1024];
  snprintf(text, sizeof text,
           "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], \"workloads\": "
           "[{\"name\": \"w\", \"program\": \"forktest\", \"expect\": %s}], \"faults\": %s}",
           expect, faults);
  struct mh_err e;
  if (mh_campaign_parse(text, c, &e) < 0)
    fail_msg("%s", e.msg);
}

static void expect_refusal(int rc, const struct mh_err *e, const char *want) {
  if (rc != -1 || !strstr(e->msg, want))
    fail_msg("got %d \"%s\", expected -1 with \"%s\"", rc, rc ? e->msg : "", want);
}

// What the golden run refutes is refused before the first trial, with the
// key's JSON path; delays partly past its end are counted in a warning.
static void campaigns_the_golden_run_refutes_are_refused(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  struct mh_golden g = {.status = 0,
                        .output = "forktest: ok\n",
                        .lines = "forktest: start\nforktest: ok (62 children)\n@exit status=0\n",
                        .hits = 5,
                        .wall_s = 0.030};
  parse_or_fail("{\"trials\": 4, \"target\": {\"kind\": \"native\"}, \"when\": {\"breakpoint\": "
                "\"fork\", \"hits\": [1, 5]}}",
                "{\"status\": 0, \"output\": [\"ok (62\"]}", &c);
  int todo[4] = {0, 1, 2, 3};
  assert_int_equal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), 0);
  g.hits = 4;
  expect_refusal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), &e,
                 "$.faults.when.hits: the golden run of forktest hits fork 4 times");
  g.hits = 0;
  expect_refusal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), &e,
                 "$.faults.when.breakpoint: the golden run of forktest never reaches fork");
  g.status = 1;
  expect_refusal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), &e,
                 "$.workloads[0].expect.status: 0, but the golden run of forktest exited with "
                 "status 1");
  mh_campaign_free(&c);
  g.status = 0;
  g.hits = 5;
  // An expected text must lie within one line: "start\nforktest" spans two.
  parse_or_fail("{\"trials\": 4, \"target\": {\"kind\": \"native\"}, \"when\": {\"breakpoint\": "
                "\"fork\", \"hits\": [1, 5]}}",
                "{\"output\": [\"start\\nforktest\"]}", &c);
  expect_refusal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), &e,
                 "$.workloads[0].expect.output[0]");
  mh_campaign_free(&c);
  // Delays: all after the end (30 ms) refused; some after it counted.
  parse_or_fail("{\"trials\": 4, \"target\": {\"kind\": \"native\"}, \"when\": {\"delay_ms\": "
                "[50, 2000]}}",
                "{}", &c);
  expect_refusal(mh_faults_check_golden(&c, "forktest", &g, todo, 4, NULL, &e), &e,
                 "$.faults.when.delay_ms: [50, 2000] ms, but the golden run of forktest ends 30 "
                 "ms after main(): every trial would inject nothing");
  mh_campaign_free(&c);
  parse_or_fail("{\"trials\": 40, \"target\": {\"kind\": \"native\"}, \"when\": {\"delay_ms\": "
                "[1, 59]}}",
                "{}", &c);
  int all[40];
  int late = 0;
  for (int i = 0; i < 40; i++) {
    struct mh_trial_plan p;
    all[i] = i;
    mh_fault_plan(&c.faults, i, mh_trial_seed(c.faults.seed, i), &p);
    late += p.when >= 30;
  }
  char warning[512] = "";
  FILE *w = fmemopen(warning, sizeof warning, "w");
  assert_int_equal(mh_faults_check_golden(&c, "forktest", &g, all, 40, w, &e), 0);
  fclose(w);
  char want[64];
  snprintf(want, sizeof want, "%d of 40 trials have a later delay", late);
  if (late == 0 || late == 40 || !strstr(warning, want))
    fail_msg("warning \"%s\" does not say \"%s\" (0 < late < 40)", warning, want);
  mh_campaign_free(&c);
  if (!HAVE_KERNEL)
    return;
  // From the files alone: forktest's writable segment is empty; the
  // native kernel says whether it has the mce_done hook.
  parse_or_fail("{\"trials\": 4, \"target\": {\"kind\": \"native\", \"region\": \"data\"}, "
                "\"when\": {\"delay_ms\": [1, 2]}}",
                "{}", &c);
  expect_refusal(mh_faults_check_files(&c, KERNEL_DIR "/kernel-native.elf",
                                       KERNEL_DIR "/user-native/forktest", &e),
                 &e,
                 "$.faults.target.region: " KERNEL_DIR "/user-native/forktest has no data pages");
  mh_campaign_free(&c);
  parse_or_fail("{\"trials\": 4, \"count\": 2, \"target\": {\"kind\": \"native\"}, \"when\": "
                "{\"delay_ms\": [1, 2]}}",
                "{}", &c);
  uint64_t addr;
  bool hook = mh_elf_symbol(KERNEL_DIR "/kernel-native.elf", "mce_done", &addr, NULL, &e) == 0;
  int rc = mh_faults_check_files(&c, KERNEL_DIR "/kernel-native.elf",
                                 KERNEL_DIR "/user-native/forktest", &e);
  if (hook)
    assert_int_equal(rc, 0);
  else
    expect_refusal(rc, &e,
                   "$.faults.count: 2 machine checks per trial need the kernel's "
                   "mce_done hook");
  mh_campaign_free(&c);
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
  const char *md = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], \"workloads\": "
                   "[{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": {\"trials\": 3, "
                   "\"target\": {\"kind\": \"free\"}, \"when\": {\"delay_ms\": [1, 2]}, "
                   "\"may_differ\": [\"free *\", \"poisoned ?\"]}}";
  if (mh_campaign_parse(md, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.nmay_differ, 2);
  assert_string_equal(c.faults.may_differ[1], "poisoned ?");
  mh_campaign_free(&c);
  const char *md_bad = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], "
                       "\"workloads\": [{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": "
                       "{\"trials\": 3, \"target\": {\"kind\": \"free\"}, \"when\": "
                       "{\"delay_ms\": [1, 2]}, \"may_differ\": [\"free *\", 3, \"\"]}}";
  assert_int_equal(mh_campaign_parse(md_bad, &c, &e), -1);
  if (!strstr(e.msg, "$.faults.may_differ[1]") || !strstr(e.msg, "$.faults.may_differ[2]"))
    fail_msg("errors \"%s\" do not name $.faults.may_differ[1] and [2]", e.msg);
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

// model rows: the rows are physical neighbours of the chosen frame, centred
// on it and moved only as far as the RAM's edges demand; each fault of a
// group is one row with its own word and mask; the keys are checked.
static void rows_are_physical_neighbours(void **state) {
  (void)state;
  assert_int_equal(mh_rows_first(300, 3, 1, 256, 1000), 299); // 299 300 301
  assert_int_equal(mh_rows_first(300, 4, 1, 256, 1000), 299); // one below, two above
  assert_int_equal(mh_rows_first(300, 3, 2, 256, 1000), 298); // 298 300 302
  assert_int_equal(mh_rows_first(256, 3, 1, 256, 1000), 256); // at the bottom: 256 257 258
  assert_int_equal(mh_rows_first(257, 5, 1, 256, 1000), 256); // one below fits, not two
  assert_int_equal(mh_rows_first(999, 3, 1, 256, 1000), 997); // at the top: 997 998 999
  assert_int_equal(mh_rows_first(998, 5, 2, 256, 1000), 990); // 990 ... 998
  struct mh_faults fm = {.count = 2, .bits = 1, .model = MH_FM_ROWS, .rows = 3, .row_kib = 4};
  struct mh_trial_plan p;
  mh_fault_plan(&fm, 0, mh_trial_seed(9, 0), &p);
  assert_int_equal(p.nfaults, 6);
  for (int i = 0; i < p.nfaults; i++) {
    assert_int_equal(p.f[i].row, i % 3);
    assert_int_equal(popcount(p.f[i].mask), 1);
  }
  assert_true(p.f[0].word != p.f[1].word || p.f[1].word != p.f[2].word);
  struct mh_campaign c;
  struct mh_err e;
  char text[1024];
  const char *fmt = "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"native\"], "
                    "\"workloads\": [{\"name\": \"m\", \"program\": \"memsum\"}], \"faults\": "
                    "{\"trials\": 3, \"target\": {\"kind\": \"used\"}, \"when\": "
                    "{\"delay_ms\": [1, 2]}%s}}";
  snprintf(text, sizeof text, fmt, ", \"model\": \"rows\", \"rows\": 5, \"row_kib\": 8");
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.model, MH_FM_ROWS);
  assert_int_equal(c.faults.rows, 5);
  assert_int_equal(c.faults.row_kib, 8);
  mh_campaign_free(&c);
  snprintf(text, sizeof text, fmt, ", \"model\": \"rows\"");
  if (mh_campaign_parse(text, &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.rows, 3); // the defaults: three rows, 4 KiB apart
  assert_int_equal(c.faults.row_kib, 4);
  mh_campaign_free(&c);
  const char *bad[][2] = {
      {", \"rows\": 3", "$.faults.rows: only with \"model\": \"rows\""},
      {", \"model\": \"rows\", \"row_kib\": 6", "$.faults.row_kib: expected a multiple of 4"},
      {", \"model\": \"rows\", \"rows\": 3, \"count\": 22", "$.faults.rows: count 22 x rows 3"},
      {", \"model\": \"rows\", \"rows\": 17", "$.faults.rows"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(text, sizeof text, fmt, bad[i][0]);
    assert_int_equal(mh_campaign_parse(text, &c, &e), -1);
    if (!strstr(e.msg, bad[i][1]))
      fail_msg("refusal \"%s\" lacks \"%s\"", e.msg, bad[i][1]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plans_repeat_from_the_seed_and_masks_have_their_shape),
      cmocka_unit_test(sweeps_cover_every_count_once),
      cmocka_unit_test(outcomes_follow_the_rules),
      cmocka_unit_test(may_differ_lines_and_partial_injections),
      cmocka_unit_test(campaign_takes_the_new_fault_keys),
      cmocka_unit_test(rows_are_physical_neighbours),
      cmocka_unit_test(campaigns_the_golden_run_refutes_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
