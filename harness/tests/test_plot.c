// memharness plot as a reader uses it: figures in every format from
// committed real results (data/quick-sample.json, a run of campaigns/quick.json;
// data/overhead-sample.json, campaigns/overhead.json with 5 wall runs;
// data/recovery-sample.json, campaigns/recovery.json with 8 trials per variant),
// the data files next to them, and clear errors for a missing gnuplot or an
// unusable results file.
#include "cm.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proc.h"

#define SAMPLE TEST_DATA "/quick-sample.json"
#define FAULT_SAMPLE TEST_DATA "/recovery-sample.json" // campaigns/recovery.json, 8 trials

static char dir[64], output[65536];

static int mh(const char *const *args, int n) {
  char *argv[16] = {MEMHARNESS};
  for (int i = 0; i < n && i < 14; i++)
    argv[i + 1] = (char *)args[i];
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 60000, &e);
  if (rc < 0)
    fail_msg("%s", e.msg);
  return rc;
}
#define MH(...)                                                                                    \
  mh((const char *const[]){__VA_ARGS__},                                                           \
     sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void expect_output(const char *s) {
  if (!strstr(output, s))
    fail_msg("expected \"%s\" in:\n%s", s, output);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// A PNG starts with its 8-byte signature, then the IHDR chunk: length (4),
// "IHDR", width and height as big-endian 32-bit numbers.
static void png_size(const char *path, uint32_t *w, uint32_t *h) {
  unsigned char b[24];
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fread(b, 1, sizeof b, f), sizeof b);
  fclose(f);
  assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
  assert_memory_equal(b + 12, "IHDR", 4);
  *w = be32(b + 16);
  *h = be32(b + 20);
}

static bool starts_with(const char *path, const char *magic) {
  char b[64] = {0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  size_t n = fread(b, 1, sizeof b - 1, f);
  fclose(f);
  return n >= strlen(magic) && memcmp(b, magic, strlen(magic)) == 0;
}

static bool have_gnuplot(void) {
  char *argv[] = {"gnuplot", "--version", NULL};
  char out[128];
  struct mh_err e;
  return mh_proc_capture(argv, out, sizeof out, 10000, &e) == 0;
}

// Each data line: x name, then ratio lo hi n of memv6, then n of native;
// lo and hi NaN (no interval) or around the ratio; tests sorted by ratio,
// largest first; the geomean last.
static int check_data(const char *path, bool expect_interval) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[512];
  int rows = 0;
  bool geomean = false;
  double prev = INFINITY;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#')
      continue;
    char name[64];
    double x, ratio, lo, hi;
    assert_int_equal(sscanf(line, "%lf %63s %lf %lf %lf", &x, name, &ratio, &lo, &hi), 5);
    geomean = strcmp(name, "geomean") == 0;
    if (!(ratio > 0) || (isnan(lo) != 0) != (isnan(hi) != 0) ||
        (isnan(lo) != 0) == expect_interval || (!isnan(lo) && !(lo <= ratio && ratio <= hi)) ||
        (!geomean && ratio > prev))
      fail_msg("%s: bad row (interval %s expected, previous ratio %g):\n%s", path,
               expect_interval ? "" : "not", prev, line);
    prev = ratio;
    rows++;
  }
  fclose(f);
  assert_true(geomean); // the last row
  return rows;
}

static void figures_in_every_format_from_a_real_result(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip(); // ./scripts/setup installs it
  char out[128];
  snprintf(out, sizeof out, "%s/figs", dir);
  assert_int_equal(MH("plot", SAMPLE, "-o", out), 0);
  expect_output("fault-outcome, failure-rate, recovery-latency and campaign-rate figures skipped");
  expect_output("dedup figure skipped");
  const char *groups[] = {"icount", "wall"};
  for (int g = 0; g < 2; g++) {
    char stem[256], path[300];
    snprintf(stem, sizeof stem, "%s/overhead-%s-usertests-quick", out, groups[g]);
    snprintf(path, sizeof path, "%s.dat", stem);
    // 8 tests and the geomean; exact icount and 3 wall runs: no intervals.
    assert_int_equal(check_data(path, false), 8 + 1);
    snprintf(path, sizeof path, "%s.pdf", stem);
    assert_true(file_size(path) > 1000 && starts_with(path, "%PDF"));
    snprintf(path, sizeof path, "%s.svg", stem);
    assert_true(file_size(path) > 1000 && starts_with(path, "<?xml"));
    snprintf(path, sizeof path, "%s.png", stem);
    assert_true(file_size(path) > 1000);
    uint32_t w, h;
    png_size(path, &w, &h);
    // One column of a two-column paper: 3.3 in at 300 dpi; as tall as 8 rows need.
    assert_int_equal(w, 990);
    assert_in_range(h, 300, 900);
  }
  // The page width, and a width that is neither.
  char wide[128], path[300];
  snprintf(wide, sizeof wide, "%s/wide", dir);
  assert_int_equal(MH("plot", SAMPLE, "-o", wide, "--width", "double"), 0);
  snprintf(path, sizeof path, "%s/overhead-icount-usertests-quick.png", wide);
  uint32_t w, h;
  png_size(path, &w, &h);
  assert_int_equal(w, 2100);
  assert_int_equal(MH("plot", SAMPLE, "-o", wide, "--width", "triple"), 2);
  expect_output("--width triple: expected single (one column, 3.3 in) or double (7 in)");
}

// 5 wall runs per kernel: the intervals mean something and are drawn.
static void intervals_with_enough_runs(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  char out[128], path[300];
  snprintf(out, sizeof out, "%s/full", dir);
  assert_int_equal(MH("plot", TEST_DATA "/overhead-sample.json", "-o", out), 0);
  snprintf(path, sizeof path, "%s/overhead-wall-usertests.dat", out);
  assert_int_equal(check_data(path, true), 60 + 1);
  snprintf(path, sizeof path, "%s/overhead-icount-usertests.dat", out);
  assert_int_equal(check_data(path, false), 60 + 1);
}

static void check_figure(const char *stem) {
  char path[300];
  const char *ext[] = {"pdf", "svg", "png"}, *magic[] = {"%PDF", "<?xml", "\x89PNG"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s.%s", stem, ext[i]);
    if (!(file_size(path) > 1000 && starts_with(path, magic[i])))
      fail_msg("%s missing, small or not a %s", path, ext[i]);
  }
  uint32_t w, h;
  png_size(path, &w, &h);
  assert_int_equal(w, 990);
  assert_in_range(h, 150, 900);
}

static void fault_figures_from_a_real_fault_campaign(void **state) {
  (void)state;
  if (!have_gnuplot())
    skip();
  char out[128], stem[256];
  snprintf(out, sizeof out, "%s/faultfigs", dir);
  assert_int_equal(MH("plot", FAULT_SAMPLE, "-o", out), 0);
  expect_output("overhead figures skipped: a fault campaign");
  const char *names[] = {"fault-outcomes", "failure-rate", "recovery-latency", "campaign-rate"};
  for (int i = 0; i < 4; i++) {
    snprintf(stem, sizeof stem, "%s/%s", out, names[i]);
    check_figure(stem);
  }
  // The outcome counts of the sample: native loses every process, memv6
  // recovers every flip.
  char path[300], text[2048] = {0};
  snprintf(path, sizeof path, "%s/fault-outcomes.dat", out);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  assert_true(fread(text, 1, sizeof text - 1, f) > 0);
  fclose(f);
  if (!strstr(text, "\nnative native native 0 0 0 8 0 0 0 0 8\n") ||
      !strstr(text, "\nmemv6 memv6 native 0 8 0 0 0 0 0 0 8\n"))
    fail_msg("unexpected outcome rows:\n%s", text);
}

static void a_missing_gnuplot_says_what_to_install(void **state) {
  (void)state;
  char out[128];
  snprintf(out, sizeof out, "%s/nofigs", dir);
  assert_int_equal(MH("plot", SAMPLE, "-o", out, "--gnuplot", "/nonexistent/gnuplot"), 4);
  expect_output("/nonexistent/gnuplot cannot be run");
  expect_output("gnuplot-nox");
  assert_int_equal(MH("plot", SAMPLE, "-o", out, "--scripts", "/nonexistent"), 4);
  expect_output("/nonexistent/overhead.gp missing");
}

static void unusable_results_exit_2_naming_the_field(void **state) {
  (void)state;
  char path[128], out[128];
  snprintf(out, sizeof out, "%s/badfigs", dir);
  snprintf(path, sizeof path, "%s/future.json", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("{\"schema\": 2, \"runs\": [], \"summaries\": []}", f);
  fclose(f);
  assert_int_equal(MH("plot", path, "-o", out), 2);
  expect_output("future.json: $.schema: unsupported version");
  if (!have_gnuplot())
    return;
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("{\"schema\": 1, \"runs\": [], \"summaries\": [{\"timing\": \"icount\", \"workload\": "
        "\"ut\"}]}",
        f);
  fclose(f);
  assert_int_equal(MH("plot", path, "-o", out), 2);
  expect_output("no overhead data");
  assert_int_equal(MH("plot", "/nonexistent/r.json", "-o", out), 2);
  expect_output("/nonexistent/r.json");
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-plot-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char *argv[] = {"rm", "-rf", dir, NULL};
  struct mh_err e;
  char out[16];
  mh_proc_capture(argv, out, sizeof out, 10000, &e);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(figures_in_every_format_from_a_real_result),
      cmocka_unit_test(intervals_with_enough_runs),
      cmocka_unit_test(fault_figures_from_a_real_fault_campaign),
      cmocka_unit_test(a_missing_gnuplot_says_what_to_install),
      cmocka_unit_test(unusable_results_exit_2_naming_the_field),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
