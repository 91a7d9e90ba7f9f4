// Verdicts do not depend on how a trial was started. The same fault
// campaign runs three ways: from checkpoints at breakpoint hits (the
// default), from the snapshot at main() (checkpoints: 0), and from a fresh
// boot per trial (restore: boot); `memharness merge --compare` must find
// the trial records identical apart from host times. The workloads print
// before their injection point, so a trial restored past main() must still
// be judged on everything the workload printed (docs/campaign.md,
// "Checkpoints"). Then count > 1 on a workload that ends within
// milliseconds: every fault injected, or recorded as not injected.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"

#define TRIALS 6

struct wl {
  const char *name, *program, *args, *bp;
  int hits_hi, status;
};

// Breakpoints with several hits, each after the workload printed something.
static const struct wl workloads[] = {
    {"sh", "sh", "[\"shtest.sh\"]", "run_exec", 20, 7},
    {"wc", "wc", "[\"README.guest\", \"shtest.sh\", \"README.guest\"]", "count", 3, 0},
    {"grep", "grep", "[\"a\", \"shtest.sh\", \"README.guest\"]", "grep_fd", 2, 0},
    {"forktest", "forktest", "[]", "fork", 60, 0},
};

static const char *const configs[] = {"\"checkpoints\": 16", "\"checkpoints\": 0",
                                      "\"restore\": \"boot\""};
static const char *const config_names[] = {"ck16", "ck0", "boot"};

static char dir[] = "/tmp/mh-verdicts-XXXXXX";

static json_object *member(json_object *o, const char *k) {
  json_object *v = NULL;
  return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void run_one(const struct wl *w, int k, char *out, size_t cap) {
  char camp[256];
  snprintf(camp, sizeof camp, "%s/%s-%s.json", dir, w->name, config_names[k]);
  snprintf(out, cap, "%s/%s-%s.res.json", dir, w->name, config_names[k]);
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"schema\": 1, \"name\": \"verdicts-%s\", \"variants\": [\"memv6\"], "
          "\"workloads\": [{\"name\": \"%s\", \"program\": \"%s\", \"args\": %s, "
          "\"expect\": {\"status\": %d}}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 3, "
          "\"timeouts\": {\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": %d, "
          "\"target\": {\"kind\": \"native\"}, \"when\": {\"breakpoint\": \"%s\", \"hits\": "
          "[1, %d]}, \"trap\": \"mce\", %s}}",
          w->name, w->name, w->program, w->args, w->status, TRIALS, w->bp, w->hits_hi, configs[k]);
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  static char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  if (rc != 0)
    fail_msg("%s %s: memharness run exit %d, expected 0: %s", w->name, config_names[k], rc,
             rc < 0 ? e.msg : output);
}

// The checkpoint run must really have started trials past main() with
// output behind them, or the comparison proves nothing.
static void check_started_late(const struct wl *w, const char *res) {
  json_object *d = json_object_from_file(res), *trials = member(d, "trials");
  assert_non_null(trials);
  int late = 0;
  for (size_t i = 0; i < json_object_array_length(trials); i++)
    late += json_object_get_int(member(json_object_array_get_idx(trials, i), "from_hit")) > 0;
  json_object *g = member(member(member(d, "faults"), "memv6"), "golden");
  const char *golden = json_object_get_string(member(g, "output"));
  printf("%s: %d of %d trials restored past main(); golden output %zu bytes\n", w->name, late,
         TRIALS, strlen(golden ? golden : ""));
  assert_true(late > 0);
  assert_true(golden && strlen(golden) > 0);
  json_object_put(d);
}

static void compare(const char *a, const char *b, const char *what) {
  char *argv[] = {MEMHARNESS, "merge", "--compare", (char *)a, (char *)b, NULL};
  static char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 60000, &e);
  printf("%s: %s", what, output);
  if (rc != 0)
    fail_msg("%s: merge --compare exit %d, expected 0 (identical records):\n%s", what, rc,
             rc < 0 ? e.msg : output);
}

static void same_records_however_started(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++) {
    const struct wl *w = &workloads[i];
    char res[3][300], what[96];
    for (int k = 0; k < 3; k++)
      run_one(w, k, res[k], sizeof res[k]);
    check_started_late(w, res[0]);
    for (int k = 1; k < 3; k++) {
      snprintf(what, sizeof what, "%s: %s vs %s", w->name, config_names[0], config_names[k]);
      compare(res[0], res[k], what);
    }
  }
}

static const char *str(json_object *o, const char *k) {
  json_object *v = member(o, k);
  return v ? json_object_get_string(v) : "";
}

// count: 3 on a workload that ends within milliseconds: every fault is
// injected on memv6 (each after the kernel handled the previous one), and
// on native the faults after the kill are recorded as not injected.
static void count_is_honoured_by_guest_progress(void **state) {
  (void)state;
  char camp[256], out[256];
  snprintf(camp, sizeof camp, "%s/count.json", dir);
  snprintf(out, sizeof out, "%s/count.res.json", dir);
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f, "{\"schema\": 1, \"name\": \"count\", \"variants\": [\"native\", \"memv6\"], "
             "\"workloads\": [{\"name\": \"wc\", \"program\": \"wc\", \"args\": "
             "[\"README.guest\"]}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 9, "
             "\"timeouts\": {\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": 8, "
             "\"count\": 3, \"target\": {\"kind\": \"native\"}, \"when\": {\"breakpoint\": "
             "\"count\", \"hits\": [1, 1]}, \"trap\": \"mce\"}}");
  fclose(f);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  static char output[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 150000, &e);
  if (rc != 0)
    fail_msg("memharness run exit %d, expected 0: %s", rc, rc < 0 ? e.msg : output);
  json_object *d = json_object_from_file(out), *trials = member(d, "trials");
  assert_non_null(trials);
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *faults = member(t, "faults");
    int injected = 0, nmce = (int)json_object_array_length(member(t, "mce"));
    for (size_t k = 0; k < json_object_array_length(faults); k++)
      injected += json_object_get_boolean(member(json_object_array_get_idx(faults, k), "injected"));
    bool memv6 = strcmp(str(t, "variant"), "memv6") == 0;
    printf("%s: %s, %d of 3 injected, %d @mce: %s\n", str(t, "id"), str(t, "outcome"), injected,
           nmce, str(t, "reason"));
    if (memv6 && (injected != 3 || nmce != 3 || strcmp(str(t, "outcome"), "recovered") != 0))
      fail_msg("%s: %s with %d of 3 injected and %d @mce lines, expected recovered, 3, 3",
               str(t, "id"), str(t, "outcome"), injected, nmce);
    if (!memv6 && (strcmp(str(t, "outcome"), "killed") != 0 || injected < 1 || injected != nmce ||
                   (injected < 3) != (strstr(str(t, "reason"), " of 3 faults "
                                                               "injected") != NULL)))
      fail_msg("%s: %s, %d injected, %d @mce, reason \"%s\": expected killed, as many @mce "
               "lines as injected faults, and a reason that says when fewer than 3 were",
               str(t, "id"), str(t, "outcome"), injected, nmce, str(t, "reason"));
  }
  json_object_put(d);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  if (!mkdtemp(dir)) {
    perror(dir);
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_records_however_started),
      cmocka_unit_test(count_is_honoured_by_guest_progress),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (dir[strlen(dir) - 1] != 'X')
    mh_test_rm_tree(dir);
  return rc;
}
