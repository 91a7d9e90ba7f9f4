// Instruction-exact sweeps (campaigns/sweeps/, docs/campaign.md): a reduced
// sweep of one shipped sweep campaign through `memharness run`.
//
//   test_sweep_qemu CAMPAIGN FIRST COUNT harness|bar
//
// runs instructions FIRST .. FIRST+COUNT-1 after the campaign's breakpoint
// (one trial each). `harness` checks what the harness promises: trial i
// stopped after exactly FIRST+i instructions, its record names the eip, the
// privilege level and the function+offset, QEMU delivered the #MC before
// that instruction (mce_eip), nothing was a harness error, consecutive
// trials stop at different instructions, and `memharness replay` of a
// trial stops at the same instruction with the same outcome. `bar` checks
// issue 27's bar: every trial recovered with correct output and the mirror
// oracle at 0 (the workload prints its mirrorcheck result, so a mismatch
// is wrong output); each failure is printed with its instruction.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"

static const char *campaign, *mode;
static int first, count;
static char dir[] = "/tmp/mh-sweep-XXXXXX", camp[128], out[128];

static json_object *member(json_object *o, const char *k) {
  json_object *v = NULL;
  return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *str(json_object *o, const char *k) {
  json_object *v = member(o, k);
  return v ? json_object_get_string(v) : "";
}

// The shipped campaign, cut down to the instructions [first, first+count).
static void write_campaign(void) {
  json_object *c = json_object_from_file(campaign);
  if (!c)
    fail_msg("cannot read %s", campaign);
  json_object *f = member(c, "faults"), *when = member(f, "when"), *r = json_object_new_array();
  json_object_array_add(r, json_object_new_int(first));
  json_object_array_add(r, json_object_new_int(first + count - 1));
  json_object_object_add(when, "icount", r);
  json_object_object_add(f, "trials", json_object_new_int(count));
  assert_int_equal(json_object_to_file_ext(camp, c, JSON_C_TO_STRING_PLAIN), 0);
  json_object_put(c);
}

static json_object *run(void) {
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  static char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 300000, &e);
  printf("%s", output);
  if (rc != 0)
    fail_msg("memharness run exit %d: %s", rc, rc < 0 ? e.msg : output);
  json_object *d = json_object_from_file(out), *trials = member(d, "trials");
  assert_non_null(trials);
  assert_int_equal(json_object_array_length(trials), count);
  return d;
}

static json_object *trial(json_object *trials, int i) {
  for (size_t k = 0; k < json_object_array_length(trials); k++)
    if (json_object_get_int(member(json_object_array_get_idx(trials, k), "trial")) == i)
      return json_object_array_get_idx(trials, k);
  fail_msg("no trial %d in the results", i);
  return NULL;
}

static void harness_promises(json_object *trials) {
  const char *prev = "";
  int moved = 0;
  for (int i = 0; i < count; i++) {
    json_object *t = trial(trials, i);
    if (strcmp(str(t, "outcome"), "harness_error") == 0)
      fail_msg("trial %d: harness_error: %s", i, str(t, "reason"));
    assert_int_equal(json_object_get_int64(member(t, "icount")), first + i);
    if (!member(t, "eip") || !str(t, "at")[0] || !member(t, "cpl"))
      fail_msg("trial %d: no eip/at/cpl in %s", i, json_object_to_json_string(t));
    assert_string_equal(str(t, "mce_eip"), str(t, "eip"));
    moved += strcmp(prev, str(t, "eip")) != 0;
    prev = str(t, "eip");
  }
  // Only a rep string instruction stays on its eip for several counts.
  if (moved < count / 2)
    fail_msg("%d different eips in %d consecutive trials, expected at least %d", moved, count,
             count / 2);
  json_object *t = trial(trials, count / 2);
  char id[64];
  snprintf(id, sizeof id, "%s", str(t, "id"));
  char *argv[] = {MEMHARNESS, "replay", out, id, NULL};
  static char output[65536];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 120000, &e);
  printf("%.400s\n", output);
  if (rc != 0 || !strstr(output, "same outcome"))
    fail_msg("replay %s: exit %d, expected 0 and \"same outcome\" (recorded eip %s at %s)", id, rc,
             str(t, "eip"), str(t, "at"));
}

static void bar(json_object *trials) {
  int bad = 0;
  for (int i = 0; i < count; i++) {
    json_object *t = trial(trials, i);
    if (strcmp(str(t, "outcome"), "recovered") == 0)
      continue;
    printf("N=%d eip %s %s (cpl %s): %s, expected recovered: %s\n", first + i, str(t, "eip"),
           str(t, "at"), str(t, "cpl"), str(t, "outcome"), str(t, "reason"));
    bad++;
  }
  if (bad)
    fail_msg("%d of %d trials not recovered (expected all)", bad, count);
}

static void reduced_sweep(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/sweep.json", dir);
  snprintf(out, sizeof out, "%s/results.json", dir);
  write_campaign();
  json_object *d = run(), *trials = member(d, "trials");
  if (strcmp(mode, "bar") == 0)
    bar(trials);
  else
    harness_promises(trials);
  json_object_put(d);
  unlink(camp);
  unlink(out);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc != 5 || (strcmp(argv[4], "harness") != 0 && strcmp(argv[4], "bar") != 0)) {
    fprintf(stderr, "usage: test_sweep_qemu CAMPAIGN FIRST COUNT harness|bar\n");
    return 2;
  }
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  campaign = argv[1];
  first = atoi(argv[2]);
  count = atoi(argv[3]);
  mode = argv[4];
  const struct CMUnitTest tests[] = {cmocka_unit_test(reduced_sweep)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
