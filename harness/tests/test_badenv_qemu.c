// Bad input that only a real build can show, as a user meets it: qemu-img
// missing from PATH, a breakpoint on a symbol the workload lacks, a results
// file of another campaign given to --resume, and an unfinished results file
// without --resume. Each must exit with its documented code and a whole
// message that names the thing and what to do (docs/campaign.md, "What was
// tried and what memharness does").
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

static char dir[] = "/tmp/mh-badenv-XXXXXX", out[128];
static char output[65536];

static const char *campaign(const char *name, const char *breakpoint, int trials) {
  static char path[160];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"schema\": 1, \"name\": \"%s\", \"variants\": [\"memv6\"], \"workloads\": "
          "[{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", \"4\"]}], "
          "\"timing\": \"icount\", \"seed\": 3, \"timeouts\": {\"run_s\": 60, \"connect_s\": "
          "30}, \"faults\": {\"trials\": %d, \"target\": {\"kind\": \"native\"}, \"when\": "
          "{\"breakpoint\": \"%s\", \"hits\": [1, 2]}}}",
          name, trials, breakpoint);
  fclose(f);
  return path;
}

static int run(const char *camp, const char *extra) {
  char *argv[] = {MEMHARNESS,    "run",     (char *)camp,  "-o", out,
                  "--build-dir", BUILD_DIR, (char *)extra, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 120000, &e);
  if (rc < 0)
    fail_msg("memharness did not run: %s", e.msg);
  return rc;
}

static void expect(const char *needle) {
  if (!strstr(output, needle))
    fail_msg("output lacks \"%s\":\n%s", needle, output);
}

static void qemu_img_missing_from_path(void **state) {
  (void)state;
  const char *c = campaign("noimg", "memsum_round", 2);
  char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
  char empty[160];
  snprintf(empty, sizeof empty, "%s/empty-bin", dir);
  mkdir(empty, 0755);
  setenv("PATH", empty, 1); // QEMU itself is found by its absolute path
  int rc = run(c, NULL);
  setenv("PATH", path, 1);
  free(path);
  assert_int_equal(rc, 4);
  // Whole and ungarbled: it used to be formatted into its own buffer.
  expect("cannot run qemu-img: No such file or directory: qemu-img is needed on PATH for "
         "snapshots (Debian package qemu-utils)");
  assert_int_equal(access(out, F_OK), -1); // nothing ran, nothing written
}

static void breakpoint_on_an_unknown_symbol(void **state) {
  (void)state;
  const char *c = campaign("nosym", "no_such_function", 2);
  assert_int_equal(run(c, NULL), 3);
  expect("memharness: $.faults.when.breakpoint: ");
  expect("/memsum has no symbol \"no_such_function\": name a function it has (nm ");
  assert_int_equal(access(out, F_OK), -1);
}

static void resume_of_another_campaign_and_unfinished_files(void **state) {
  (void)state;
  const char *c = campaign("one", "memsum_round", 2);
  assert_int_equal(run(c, NULL), 0);
  // Same file name, other content: another campaign.
  c = campaign("one", "memsum_round", 3);
  assert_int_equal(run(c, "--resume"), 2);
  expect("memharness: cannot resume ");
  expect("it was produced by a different campaign file (campaign_sha256 differs); resume with "
         "the same campaign, or choose another -o");
  // An overhead campaign's results are no fault campaign's to resume.
  FILE *f = fopen(out, "w");
  fputs("{\"schema\": 1, \"status\": \"interrupted\", \"runs\": []}\n", f);
  fclose(f);
  assert_int_equal(run(c, "--resume"), 2);
  expect("it has no \"trials\" array (not the results of a fault campaign)");
  assert_int_equal(run(c, NULL), 2);
  expect("holds an unfinished campaign: continue it with --resume, or start over with --fresh");
}

static int setup(void **state) {
  (void)state;
  if (!mkdtemp(dir))
    return -1;
  snprintf(out, sizeof out, "%s/r.json", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return mh_test_rm_tree(dir);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(qemu_img_missing_from_path),
      cmocka_unit_test(breakpoint_on_an_unknown_symbol),
      cmocka_unit_test(resume_of_another_campaign_and_unfinished_files),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
