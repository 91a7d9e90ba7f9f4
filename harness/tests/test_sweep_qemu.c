// Instruction-exact sweeps (campaigns/sweeps/, docs/campaign.md): a reduced
// sweep of one shipped sweep campaign through `memharness run`.
//
//   test_sweep_qemu CAMPAIGN FIRST COUNT harness|bar [VARIANT]
//
// runs instructions FIRST .. FIRST+COUNT-1 after the campaign's breakpoint
// (one trial each), on every variant of the campaign or on VARIANT alone. `harness` checks what the
// harness promises: trial i stopped after exactly FIRST+i instructions, its record names the eip,
// the privilege level and the function+offset, QEMU delivered the #MC before that instruction
// (mce_eip), nothing was a harness error, consecutive trials stop at different instructions, and
// `memharness replay` of a trial stops at the same instruction with the same outcome. `bar` checks
// issue 27's bar: every trial recovered with correct output and the mirror
// oracle at 0 (the workload prints its mirrorcheck result, so a mismatch
// is wrong output); each failure is printed with its instruction.
//
// A campaign of linux-* variants (campaigns/sweeps/linux-*.json) sweeps
// Linux processes under gdbserver: there the stop is `pc` (no privilege
// level, no #MC delivery to check: the SIGBUS is delivered by the kernel at
// the stopped instruction), and the bar's oracle is the runtime's at exit.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "gdbserver.h"
#include "mh_config.h"
#include "proc.h"

static const char *campaign, *mode;
static int first, count;
static bool linux_process; // the campaign's variants are linux-*: the stop is "pc"
static char variants[8][32];
static int nvariants;
static const char *only; // VARIANT: the one variant of the campaign's to run; NULL: all
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
  json_object *vs = member(c, "variants");
  if (only) {
    vs = json_object_new_array();
    json_object_array_add(vs, json_object_new_string(only));
    json_object_object_add(c, "variants", vs);
  }
  nvariants = (int)json_object_array_length(vs);
  assert_in_range(nvariants, 1, 8);
  for (int i = 0; i < nvariants; i++)
    snprintf(variants[i], sizeof variants[i], "%s",
             json_object_get_string(json_object_array_get_idx(vs, (size_t)i)));
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
  assert_int_equal(json_object_array_length(trials), count * nvariants);
  return d;
}

// Trial i of the variant (the campaign's variants each run every trial).
static json_object *trial(json_object *trials, const char *variant, int i) {
  for (size_t k = 0; k < json_object_array_length(trials); k++) {
    json_object *t = json_object_array_get_idx(trials, k);
    if (json_object_get_int(member(t, "trial")) == i && strcmp(str(t, "variant"), variant) == 0)
      return t;
  }
  fail_msg("no trial %d of %s in the results", i, variant);
  return NULL;
}

// Where trial t stopped: a guest's eip, a Linux process's pc.
static const char *stop_of(json_object *t) {
  return str(t, linux_process ? "pc" : "eip");
}

static void harness_promises(json_object *trials, const char *variant) {
  const char *prev = "";
  int moved = 0;
  for (int i = 0; i < count; i++) {
    json_object *t = trial(trials, variant, i);
    if (strcmp(str(t, "outcome"), "harness_error") == 0)
      fail_msg("trial %d: harness_error: %s", i, str(t, "reason"));
    assert_int_equal(json_object_get_int64(member(t, "icount")), first + i);
    if (!stop_of(t)[0] || !str(t, "at")[0] || (!linux_process && !member(t, "cpl")))
      fail_msg("trial %d: no eip (pc)/at/cpl in %s", i, json_object_to_json_string(t));
    if (linux_process)
      assert_int_equal(json_object_get_int64(member(t, "steps")), first + i);
    else
      assert_string_equal(str(t, "mce_eip"), str(t, "eip"));
    moved += strcmp(prev, stop_of(t)) != 0;
    prev = stop_of(t);
  }
  // Only a rep string instruction stays on its eip for several counts.
  if (moved < count / 2)
    fail_msg("%d different eips in %d consecutive trials, expected at least %d", moved, count,
             count / 2);
  json_object *t = trial(trials, variant, count / 2);
  char id[64];
  snprintf(id, sizeof id, "%s", str(t, "id"));
  char *argv[] = {MEMHARNESS, "replay", out, id, NULL};
  static char output[65536];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 120000, &e);
  printf("%.400s\n", output);
  if (rc != 0 || !strstr(output, "same outcome"))
    fail_msg("replay %s: exit %d, expected 0 and \"same outcome\" (recorded eip %s at %s)", id, rc,
             stop_of(t), str(t, "at"));
}

static void bar(json_object *trials, const char *variant) {
  int bad = 0;
  for (int i = 0; i < count; i++) {
    json_object *t = trial(trials, variant, i);
    if (strcmp(str(t, "outcome"), "recovered") == 0)
      continue;
    printf("%s N=%d eip %s %s (cpl %s): %s, expected recovered: %s\n", str(t, "variant"), first + i,
           stop_of(t), str(t, "at"), str(t, "cpl"), str(t, "outcome"), str(t, "reason"));
    bad++;
  }
  if (bad)
    fail_msg("%s: %d of %d trials not recovered (expected all)", variant, bad, count);
}

static void reduced_sweep(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/sweep.json", dir);
  snprintf(out, sizeof out, "%s/results.json", dir);
  write_campaign();
  json_object *d = run(), *trials = member(d, "trials");
  for (int v = 0; v < nvariants; v++)
    if (strcmp(mode, "bar") == 0)
      bar(trials, variants[v]);
    else
      harness_promises(trials, variants[v]);
  json_object_put(d);
  unlink(camp);
  unlink(out);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if ((argc != 5 && argc != 6) ||
      (strcmp(argv[4], "harness") != 0 && strcmp(argv[4], "bar") != 0)) {
    fprintf(stderr, "usage: test_sweep_qemu CAMPAIGN FIRST COUNT harness|bar [VARIANT]\n");
    return 2;
  }
  campaign = argv[1];
  json_object *c = json_object_from_file(campaign);
  json_object *v0 = json_object_array_get_idx(member(c, "variants"), 0);
  linux_process = v0 && strncmp(json_object_get_string(v0), "linux-", 6) == 0;
  json_object_put(c);
  if (!linux_process && !HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  if (linux_process && (strcmp(MH_HOST_I386_PATH, "native") != 0 || !mh_gdbserver_available())) {
    printf("skipped: 32-bit programs do not run natively here (%s) or gdbserver is missing\n",
           MH_HOST_I386_PATH);
    return 77;
  }
  first = atoi(argv[2]);
  count = atoi(argv[3]);
  mode = argv[4];
  only = argc == 6 ? argv[5] : NULL;
  const struct CMUnitTest tests[] = {cmocka_unit_test(reduced_sweep)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
