// A short recovery campaign on both kernels through `memharness run`, then
// one of its trials replayed alone through `memharness replay`: the harness
// never errs, the memv6 kernel recovers every machine check in a native
// user frame with correct output, the native kernel never does, and a
// replayed trial ends the same way. Trials start from the checkpoint at
// their breakpoint hit, the replay from main(): the flipped words and the
// @mce lines must agree exactly (icount), and every record says where its
// host time went.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"

#define TRIALS 25 // per variant: 50 trials in all

static char dir[] = "/tmp/mh-faults-XXXXXX", camp[128], out[128];

static const char *str(json_object *o, const char *k) {
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static json_object *member(json_object *o, const char *k) {
  json_object *v = NULL;
  return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

// Every phase is timed; the restore is a real loadvm, so it takes time.
static void check_phases(json_object *t) {
  static const char *const phases[] = {"restore", "to_point", "target", "flip",
                                       "trap",    "to_end",   "serial"};
  json_object *ph = member(t, "phases_ms");
  assert_non_null(ph);
  for (int i = 0; i < 7; i++)
    assert_true(json_object_get_double(member(ph, phases[i])) >= 0);
  assert_true(json_object_get_double(member(ph, "restore")) > 0);
}

static void run_campaign(void) {
  FILE *f = fopen(camp, "w");
  fprintf(f,
          "{\"schema\": 1, \"name\": \"faults-smoke\", \"variants\": [\"native\", \"memv6\"], "
          "\"workloads\": [{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", "
          "\"4\"]}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 5, \"timeouts\": "
          "{\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": %d, \"target\": {\"kind\": "
          "\"native\"}, "
          "\"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}, \"trap\": \"mce\"}}",
          TRIALS);
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  static char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  printf("%s", output);
  if (rc != 0)
    fail_msg("memharness run exit %d: %s", rc, rc < 0 ? e.msg : output);
}

static void native_never_recovers_and_replay_repeats(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/faults.json", dir);
  snprintf(out, sizeof out, "%s/results.json", dir);
  run_campaign();
  json_object *d = json_object_from_file(out), *trials;
  assert_non_null(d);
  assert_string_equal(str(d, "status"), "complete");
  assert_true(json_object_object_get_ex(d, "trials", &trials));
  assert_int_equal(json_object_array_length(trials), 2 * TRIALS);
  int recovered[2] = {0}, errors = 0;
  const char *replay_id = NULL;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    int memv6 = strcmp(str(t, "variant"), "memv6") == 0;
    recovered[memv6] += strcmp(str(t, "outcome"), "recovered") == 0;
    errors += strcmp(str(t, "outcome"), "harness_error") == 0;
    if (!memv6 && !replay_id)
      replay_id = str(t, "id");
    check_phases(t);
    // hits [1, 3] fit in the default checkpoints: each trial starts at its hit.
    assert_int_equal(json_object_get_int(member(t, "from_hit")),
                     json_object_get_int(member(t, "when_value")));
  }
  printf("recovered: native %d/%d, memv6 %d/%d; harness errors %d\n", recovered[0], TRIALS,
         recovered[1], TRIALS, errors);
  assert_int_equal(errors, 0);
  assert_int_equal(recovered[0], 0);
  assert_int_equal(recovered[1], TRIALS);
  assert_non_null(replay_id);
  char id[64];
  snprintf(id, sizeof id, "%s", replay_id ? replay_id : "");
  char *argv[] = {MEMHARNESS, "replay", out, id, NULL};
  static char output[65536];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 60000, &e);
  printf("%.300s\n", output);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(output, "same outcome"));
  json_object *again = strchr(output, '\n') ? json_tokener_parse(strchr(output, '\n') + 1) : NULL,
              *was = NULL;
  for (size_t i = 0; i < json_object_array_length(trials); i++)
    if (strcmp(str(json_object_array_get_idx(trials, i), "id"), id) == 0)
      was = json_object_array_get_idx(trials, i);
  assert_non_null(again);
  assert_int_equal(json_object_get_int(member(again, "from_hit")), 0);
  assert_true(json_object_equal(member(again, "faults"), member(was, "faults")));
  assert_true(json_object_equal(member(again, "mce"), member(was, "mce")));
  json_object_put(again);
  json_object_put(d);
  unlink(camp);
  unlink(out);
  rmdir(dir);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(native_never_recovers_and_replay_repeats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
