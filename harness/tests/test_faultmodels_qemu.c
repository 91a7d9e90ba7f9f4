// Fault models and hang timeouts on the real kernel (docs/campaign.md,
// "Fault models" and "Hangs"): model rows flips bits in physically
// neighbouring frames, centred on the frame the pick chose, and the record
// lists every frame it hit; under icount a hang is judged in instructions;
// stuck-at bits report their activation.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proc.h"
#include "samples.h"

#define TRIALS 4
#define ROWS 3
#define ROW_KIB 8

static char output[65536];

// Runs the campaign with $.faults.target target (JSON) and further
// $.faults members extra into dir; returns the results document.
static json_object *run(const char *dir, const char *target, const char *extra) {
  char camp[128], out[128];
  snprintf(camp, sizeof camp, "%s/c.json", dir);
  snprintf(out, sizeof out, "%s/r.json", dir);
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"schema\": 1, \"name\": \"models\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", \"4\"]}], "
          "\"timing\": \"icount\", \"jobs\": 2, \"seed\": 3, \"timeouts\": {\"run_s\": 60, "
          "\"connect_s\": 30}, \"faults\": {\"trials\": %d, \"target\": %s, "
          "\"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}%s}}",
          TRIALS, target, extra);
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  printf("%s", output);
  if (rc != 0)
    fail_msg("memharness run exit %d: %s", rc, rc < 0 ? e.msg : output);
  json_object *d = json_object_from_file(out);
  assert_non_null(d);
  return d;
}

static unsigned long hexval(json_object *o, const char *k) {
  const char *s = mh_jstr(o, k);
  if (s)
    return strtoul(s, NULL, 16);
  fail_msg("no %s in %s", k, json_object_to_json_string(o));
  return 0;
}

// Each trial's faults are ROWS frames ROW_KIB apart in physical memory, in
// row order, every one injected and described; one of them is the
// workload's own frame the pick chose (its pid and va are known).
static void rows_hit_physical_neighbours(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  char dir[] = "/tmp/mh-rows-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char extra[128];
  snprintf(extra, sizeof extra,
           ", \"model\": \"rows\", \"rows\": %d, \"row_kib\": %d, \"trap\": "
           "\"none\"",
           ROWS, ROW_KIB);
  json_object *d = run(dir, "{\"kind\": \"native\"}", extra), *trials = mh_jget(d, "trials");
  assert_int_equal(json_object_array_length(trials), TRIALS);
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *faults = mh_jget(t, "faults");
    assert_string_not_equal(mh_jstr(t, "outcome"), "harness_error");
    assert_int_equal(json_object_array_length(faults), ROWS);
    unsigned long first = hexval(json_object_array_get_idx(faults, 0), "frame_pa");
    int chosen = 0;
    for (int k = 0; k < ROWS; k++) {
      json_object *f = json_object_array_get_idx(faults, (size_t)k);
      assert_true(json_object_get_boolean(mh_jget(f, "injected")));
      assert_int_equal(json_object_get_int(mh_jget(f, "row")), k);
      assert_int_equal(hexval(f, "frame_pa"), first + (unsigned long)k * ROW_KIB * 1024);
      // The flipped word lies in that frame, and the record says what it held.
      assert_int_equal(hexval(f, "pa") & ~0xfffUL, first + (unsigned long)k * ROW_KIB * 1024);
      assert_non_null(mh_jstr(f, "frame_kind"));
      assert_non_null(mh_jstr(f, "holds"));
      chosen += mh_jget(f, "pid") && strcmp(mh_jstr(f, "frame_kind"), "native") == 0;
    }
    printf("%s: frames 0x%lx + %d x %d KiB: %s\n", mh_jstr(t, "id"), first, ROWS - 1, ROW_KIB,
           mh_jstr(t, "outcome"));
    assert_true(chosen >= 1);
  }
  json_object_put(d);
  assert_int_equal(mh_test_rm_tree(dir), 0);
}

static int64_t num64(json_object *o, const char *k) {
  json_object *v = mh_jget(o, k);
  if (!v)
    fail_msg("no %s in %s", k, json_object_to_json_string(o));
  return json_object_get_int64(v);
}

// Under icount the hang timeout is a number of instructions: hang_factor x
// the golden run's instructions from main() to its shutdown, stated in the
// golden run and in every record. A fault that changes nothing (a free
// frame, no machine check) runs the golden run's instructions (to 0.1 %)
// and is benign; with hang_factor 0.5 the same trials cannot finish within
// their budget and every one is a hang, however fast the host ran it.
static void hangs_are_judged_in_instructions(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  const char *factors[] = {"", ", \"hang_factor\": 0.5"};
  for (int k = 0; k < 2; k++) {
    char dir[] = "/tmp/mh-hang-XXXXXX", extra[128];
    assert_non_null(mkdtemp(dir));
    snprintf(extra, sizeof extra, ", \"trap\": \"none\"%s", factors[k]);
    json_object *d = run(dir, "{\"kind\": \"free\"}", extra), *trials = mh_jget(d, "trials");
    json_object *g = mh_jget(mh_jget(mh_jget(d, "faults"), "native"), "golden");
    int64_t golden = num64(g, "icount"), budget = num64(g, "hang_icount");
    int64_t want = (int64_t)((k ? 0.5 : 50.0) * (double)golden);
    printf("golden run: %lld instructions from main(), budget %lld\n", (long long)golden,
           (long long)budget);
    assert_true(golden > 0);
    assert_int_equal(budget, want);
    assert_int_equal(json_object_array_length(trials), TRIALS);
    for (size_t i = 0; i < json_object_array_length(trials); i++) {
      json_object *t = json_object_array_get_idx(trials, i);
      const char *outcome = mh_jstr(t, "outcome");
      int64_t ran = num64(t, "run_icount");
      printf("%s: %s, %lld instructions: %s\n", mh_jstr(t, "id"), outcome, (long long)ran,
             mh_jstr(t, "reason"));
      assert_int_equal(num64(t, "timeout_icount"), budget);
      if (k == 0) {
        // The golden run's count, up to the few thousand instructions of
        // idle loop and timer ticks that where the harness stopped the
        // guest moves (measured: under 0.02 %).
        assert_string_equal(outcome, "benign");
        assert_in_range(ran, golden - golden / 1000, golden + golden / 1000);
      } else {
        assert_string_equal(outcome, "hang");
        assert_true(ran > budget);
        assert_non_null(strstr(mh_jstr(t, "reason"), "budget"));
      }
    }
    json_object_put(d);
    assert_int_equal(mh_test_rm_tree(dir), 0);
  }
}

// Stuck-at bits without a machine check (trap none) report their
// activation too: every trial says whether the guest read the bits while
// they differed from what it had stored, and a trial whose outcome is not
// benign must have read them (in the heap, which the workload only reads
// and writes as data).
static void stuck_at_reports_activation(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  char dir[] = "/tmp/mh-stuckact-XXXXXX";
  assert_non_null(mkdtemp(dir));
  json_object *d = run(dir, "{\"kind\": \"native\", \"region\": \"heap\"}",
                       ", \"model\": \"stuck1\", \"bits\": 4, \"trap\": \"none\""),
              *trials = mh_jget(d, "trials");
  int read = 0;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    const char *outcome = mh_jstr(t, "outcome"), *st = mh_jstr(mh_jget(t, "activation"), "state");
    printf("%s: %s, activation %s, stuck %s\n", mh_jstr(t, "id"), outcome, st ? st : "missing",
           json_object_to_json_string(mh_jget(t, "stuck")));
    assert_string_not_equal(outcome, "harness_error");
    assert_non_null(mh_jget(t, "stuck"));
    if (!st || (strcmp(st, "read") != 0 && strcmp(st, "untouched") != 0))
      fail_msg("trial %s: activation state %s, expected read or untouched", mh_jstr(t, "id"),
               st ? st : "missing");
    if (strcmp(outcome, "benign") != 0 && strcmp(st, "read") != 0)
      fail_msg("trial %s: outcome %s from stuck bits never read", mh_jstr(t, "id"), outcome);
    read += strcmp(st, "read") == 0;
  }
  printf("%d of %d trials read their stuck bits\n", read, TRIALS);
  json_object_put(d);
  assert_int_equal(mh_test_rm_tree(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rows_hit_physical_neighbours),
      cmocka_unit_test(hangs_are_judged_in_instructions),
      cmocka_unit_test(stuck_at_reports_activation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
