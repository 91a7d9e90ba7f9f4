// The results file of a fault campaign stops being writable in the middle
// of the campaign. First the file is removed: the next save writes it
// again and nothing is lost. Then its directory is removed, so no save can
// succeed: memharness stops the campaign (exit 5), says which file it could
// not write, keeps every finished trial in a rescue file ($TMPDIR) that it
// names, with the command that continues it, and --resume on that file
// keeps those trials byte for byte and runs only the missing ones.
#include "cm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"
#include "util.h"

// Enough that the campaign is still running when the directory goes, even
// at 3000 trials/min; it stops long before the last.
#define TRIALS 400

static char dir[] = "/tmp/mh-wf-XXXXXX", camp[128], outdir[128], out[160], rescue_dir[128],
            log_path[128];
static char output[65536];

static void read_log(void) {
  int fd = open(log_path, O_RDONLY);
  ssize_t got = fd >= 0 ? read(fd, output, sizeof output - 1) : -1;
  output[got > 0 ? got : 0] = 0;
  if (fd >= 0)
    close(fd);
}

static void write_campaign(void) {
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"schema\": 1, \"name\": \"writefail\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", \"4\"]}], "
          "\"timing\": \"icount\", \"jobs\": 2, \"seed\": 5, \"timeouts\": {\"run_s\": 60, "
          "\"connect_s\": 30}, \"faults\": {\"trials\": %d, \"target\": {\"kind\": \"native\"}, "
          "\"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}}}",
          TRIALS);
  fclose(f);
}

static json_object *trials_of(const char *path) {
  json_object *d = json_object_from_file(path), *t;
  if (!d || !json_object_object_get_ex(d, "trials", &t)) {
    json_object_put(d);
    return NULL;
  }
  json_object_get(t);
  json_object_put(d);
  return t;
}

static int count(const char *path) {
  json_object *t = trials_of(path);
  int n = t ? (int)json_object_array_length(t) : -1;
  json_object_put(t);
  return n;
}

// Polls until the results file holds more than `more` trials; false when
// memharness ended first or 120 s passed.
static bool wait_trials(struct mh_proc *p, int more) {
  for (int i = 0; i < 12000; i++) {
    if (mh_proc_wait(p, 0) == 1)
      return false;
    if (count(out) > more)
      return true;
    usleep(10000);
  }
  return false;
}

static const char *id_of(json_object *t) {
  json_object *v;
  return json_object_object_get_ex(t, "id", &v) ? json_object_get_string(v) : "";
}

// The rescue file the message names: "... trials are kept in PATH; ...".
static void rescue_named(char *path, size_t cap) {
  const char *k = strstr(output, " finished trials are kept in ");
  if (!k)
    fail_msg("no rescue file named in the output:\n%s", output);
  k = strstr(k, " in ") + 4;
  const char *end = strchr(k, ';');
  assert_non_null(end);
  snprintf(path, cap, "%.*s", (int)(end - k), k);
}

static void an_unwritable_results_file_loses_no_trial(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/c.json", dir);
  snprintf(outdir, sizeof outdir, "%s/out", dir);
  snprintf(out, sizeof out, "%s/r.json", outdir);
  snprintf(rescue_dir, sizeof rescue_dir, "%s/tmp", dir);
  snprintf(log_path, sizeof log_path, "%s/log", dir);
  assert_int_equal(mkdir(outdir, 0755), 0);
  assert_int_equal(mkdir(rescue_dir, 0755), 0);
  write_campaign();
  setenv("TMPDIR", rescue_dir, 1);
  char *argv[] = {MEMHARNESS, "run", camp, "-o", out, "--build-dir", BUILD_DIR, NULL};
  struct mh_proc p;
  struct mh_err e;
  if (mh_proc_spawn(argv, log_path, &p, &e) < 0)
    fail_msg("%s", e.msg);
  // The file removed: the next save writes it again, with more trials.
  if (!wait_trials(&p, 0)) {
    mh_proc_kill(&p);
    read_log();
    fail_msg("the campaign never saved a trial:\n%s", output);
  }
  int before_unlink = count(out);
  assert_int_equal(unlink(out), 0);
  if (!wait_trials(&p, before_unlink)) {
    mh_proc_kill(&p);
    read_log();
    fail_msg("the results file did not come back after it was removed:\n%s", output);
  }
  // The directory removed: nothing can be written there any more.
  int seen = count(out);
  assert_int_equal(mh_test_rm_tree(outdir), 0);
  double t0 = mh_now();
  if (mh_proc_wait(&p, 60000) != 1) {
    mh_proc_kill(&p);
    fail_msg("memharness still ran 60 s after its results directory was removed");
  }
  read_log();
  printf("%d trials saved, file removed, %d saved, directory removed: exit %d after %.1f s\n%s",
         before_unlink, seen, mh_proc_exit_code(&p), mh_now() - t0, output);
  assert_int_equal(mh_proc_exit_code(&p), MH_EXIT_INTERNAL);
  char want[1024];
  snprintf(want, sizeof want, "memharness: cannot write %s: ", out);
  if (!strstr(output, want))
    fail_msg("the output does not name the unwritable file (\"%s\")", want);
  char rescue[400];
  rescue_named(rescue, sizeof rescue);
  assert_true(strncmp(rescue, rescue_dir, strlen(rescue_dir)) == 0);
  snprintf(want, sizeof want, "continue with: memharness run %s -o %s --resume", camp, rescue);
  if (!strstr(output, want))
    fail_msg("the output lacks \"%s\"", want);
  // Every trial finished before the directory went, and those in flight,
  // are in the rescue file; the campaign stopped instead of running on.
  json_object *kept = trials_of(rescue);
  assert_non_null(kept);
  int n = (int)json_object_array_length(kept);
  assert_in_range(n, seen, TRIALS - 1);
  // --resume on the rescue file, up to a few trials beyond those it holds
  // (--trials), keeps them byte for byte and runs each missing one once.
  char trials[16];
  snprintf(trials, sizeof trials, "%d", n + 3);
  char *again[] = {MEMHARNESS,    "run",     camp,       "-o",   rescue, "--resume",
                   "--build-dir", BUILD_DIR, "--trials", trials, NULL};
  int rc = mh_proc_capture(again, output, sizeof output, 180000, &e);
  if (rc != 0)
    fail_msg("resume: exit %d: %s", rc, rc < 0 ? e.msg : output);
  json_object *all = trials_of(rescue);
  assert_non_null(all);
  for (int i = 0; i < n; i++)
    assert_string_equal(json_object_to_json_string(json_object_array_get_idx(kept, i)),
                        json_object_to_json_string(json_object_array_get_idx(all, i)));
  for (int t = 0; t < n + 3; t++) {
    char id[32];
    int found = 0;
    snprintf(id, sizeof id, "native/%d", t);
    for (size_t i = 0; i < json_object_array_length(all); i++)
      found += strcmp(id_of(json_object_array_get_idx(all, i)), id) == 0;
    if (found != 1)
      fail_msg("%s is in the resumed file %d times, expected once", id, found);
  }
  json_object_put(kept);
  json_object_put(all);
  mh_test_rm_tree(dir);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(an_unwritable_results_file_loses_no_trial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
