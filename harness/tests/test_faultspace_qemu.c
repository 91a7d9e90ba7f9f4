// A fault campaign over the frames in use (target.kind "used") whose trials
// come from a target precision: memharness prints Leveugle's n before the
// trials and runs exactly n per variant, every injected fault's record
// says what its frame held, and the summary carries the rates with their
// intervals and the fault space.
#include "cm.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "proc.h"
#include "samples.h"

// margin 0.3 at 95 %: 1.96^2 / 4 / 0.09 = 10.67 -> 11 trials per variant.
#define N 11

static char dir[] = "/tmp/mh-fspace-XXXXXX", camp[128], out[128];
static char output[65536];

static void run_campaign(void) {
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f, "{\"schema\": 1, \"name\": \"fspace\", \"variants\": [\"native\", \"memv6\"], "
             "\"workloads\": [{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", "
             "\"4\"]}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 11, \"timeouts\": "
             "{\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": {\"margin\": 0.3}, "
             "\"target\": {\"kind\": \"used\"}, \"trap\": \"none\", \"when\": {\"breakpoint\": "
             "\"memsum_round\", \"hits\": [1, 3], \"icount\": [0, 400]}}}");
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  printf("%s", output);
  if (rc != 0)
    fail_msg("memharness run exit %d: %s", rc, rc < 0 ? e.msg : output);
}

// kernel:SYMBOL+0xOFF, kernel:kstack:NAME, kernel:kalloc, NAME:pgtable,
// NAME:REGION[:SYMBOL+0xOFF], as docs/results.md lists them.
static const char *const holds_re =
    "^(kernel:(kstack:[a-z0-9_]+|kalloc|low-memory|fs-image|pgtable|[A-Za-z_][A-Za-z0-9_.]*(\\+0x["
    "0-9a-f]+)?( \\(past "
    "its end\\))?)|[a-z0-9_]+:(pgtable|heap|stack|guard|va 0x[0-9a-f]+|(text|data)(:[A-Za-z_].*)?)|"
    "user:pid [0-9]+, unmapped)$";

static void used_frames_with_a_precision(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/c.json", dir);
  snprintf(out, sizeof out, "%s/r.json", dir);
  run_campaign();
  if (!strstr(output, "faults.trials: n = 11 trials per variant (Leveugle et al.: margin 0.3 at "
                      "95% confidence, p = 0.5, an unbounded fault space)"))
    fail_msg("memharness did not print n = %d before the trials:\n%s", N, output);
  json_object *d = json_object_from_file(out), *trials = mh_jget(d, "trials");
  assert_non_null(trials);
  assert_int_equal(json_object_array_length(trials), 2 * N);
  regex_t re;
  assert_int_equal(regcomp(&re, holds_re, REG_EXTENDED | REG_NOSUB), 0);
  int described = 0, kernel = 0, activated = 0;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    json_object *f = json_object_array_get_idx(mh_jget(t, "faults"), 0);
    assert_string_not_equal(mh_jstr(t, "outcome"), "harness_error");
    if (!json_object_get_boolean(mh_jget(f, "injected")))
      continue;
    const char *kind = mh_jstr(f, "frame_kind"), *holds = mh_jstr(f, "holds");
    assert_non_null(holds);
    if (regexec(&re, holds, 0, NULL, 0) != 0)
      fail_msg("trial %s: frame kind %s holds \"%s\", not a form docs/results.md lists",
               mh_jstr(t, "id"), kind, holds);
    assert_string_not_equal(kind, "free");
    kernel += strncmp(holds, "kernel:", 7) == 0;
    // trap none: every trial says whether its fault was read, and a fault
    // that changed what the run did must have been read.
    json_object *act = mh_jget(t, "activation");
    const char *state = mh_jstr(act, "state");
    if (!state ||
        (strcmp(state, "read") && strcmp(state, "overwritten") && strcmp(state, "untouched")))
      fail_msg("trial %s: activation state %s", mh_jstr(t, "id"), state ? state : "missing");
    if (strcmp(mh_jstr(t, "outcome"), "benign") != 0 && strcmp(state, "read") != 0)
      fail_msg("trial %s: outcome %s from a fault that was %s, never read", mh_jstr(t, "id"),
               mh_jstr(t, "outcome"), state);
    activated += strcmp(state, "read") == 0;
    described++;
  }
  regfree(&re);
  printf("%d faults described, %d in kernel frames, %d read\n", described, kernel, activated);
  assert_true(described >= N);
  json_object *ms = mh_jget(mh_jget(mh_jget(d, "faults"), "summary"), "memv6");
  assert_non_null(mh_jget(mh_jget(ms, "rates"), "failure"));
  assert_true(json_object_get_double(mh_jget(mh_jget(ms, "fault_space"), "size")) > 0);
  json_object *size = mh_jget(mh_jget(mh_jget(d, "faults"), "summary"), "sample_size");
  assert_int_equal(json_object_get_int(mh_jget(size, "n")), N);
  json_object_put(d);
  assert_int_equal(mh_test_rm_tree(dir), 0);
}

// Stuck-at bits in the workload's frames with a machine check: memv6
// retires the frame and the run is correct; native kills the workload.
static void stuck_at_on_memv6_is_retired_and_correct(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  char d[] = "/tmp/mh-stuck-XXXXXX", c[64], r[64];
  assert_non_null(mkdtemp(d));
  snprintf(c, sizeof c, "%s/c.json", d);
  snprintf(r, sizeof r, "%s/r.json", d);
  FILE *f = fopen(c, "w");
  assert_non_null(f);
  fprintf(f, "{\"schema\": 1, \"name\": \"stuck\", \"variants\": [\"native\", \"memv6\"], "
             "\"workloads\": [{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", "
             "\"4\"]}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 7, \"timeouts\": "
             "{\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": 6, \"model\": "
             "\"stuck1\", \"bits\": 4, \"target\": {\"kind\": \"native\"}, \"when\": "
             "{\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}}}");
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", c, "-o", r, "--build-dir", BUILD_DIR, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  printf("%s", output);
  if (rc != 0)
    fail_msg("memharness run exit %d: %s", rc, rc < 0 ? e.msg : output);
  json_object *doc = json_object_from_file(r), *trials = mh_jget(doc, "trials");
  assert_int_equal(json_object_array_length(trials), 12);
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *st = mh_jget(t, "stuck");
    const char *v = mh_jstr(t, "variant"), *out = mh_jstr(t, "outcome");
    assert_non_null(st);
    assert_int_equal(json_object_get_int(mh_jget(st, "value")), 1);
    if (strcmp(v, "memv6") == 0) {
      if (strcmp(out, "recovered") != 0 || !json_object_get_boolean(mh_jget(st, "retired")))
        fail_msg("trial %s: %s, stuck %s: expected recovered with the frame retired",
                 mh_jstr(t, "id"), out, json_object_to_json_string(st));
    } else if (strcmp(out, "recovered") == 0 || strcmp(out, "harness_error") == 0) {
      fail_msg("trial %s on native: %s", mh_jstr(t, "id"), out);
    }
  }
  json_object_put(doc);
  assert_int_equal(mh_test_rm_tree(d), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(used_frames_with_a_precision),
      cmocka_unit_test(stuck_at_on_memv6_is_retired_and_correct),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
