// The command line as documented: each command's --help on stdout with exit
// 0, the exit codes the help lists, `check` on every shipped campaign, and
// `export --csv` that pandas and R read back.
#include "cm.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "export.h"
#include "progress.h"

extern char **environ;

static char dir[64];
static char out[1 << 20], err[65536];

static void slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
  buf[n] = 0;
  if (f)
    fclose(f);
}

// Runs memharness with stdout and stderr kept apart; returns its exit code.
static int run(const char *const *args, int n) {
  char *argv[32], o[128], e[128];
  argv[0] = MEMHARNESS;
  for (int i = 0; i < n; i++)
    argv[i + 1] = (char *)args[i];
  argv[n + 1] = NULL;
  snprintf(o, sizeof o, "%s/stdout", dir);
  snprintf(e, sizeof e, "%s/stderr", dir);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  assert_int_equal(posix_spawn(&pid, MEMHARNESS, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  slurp(o, out, sizeof out);
  slurp(e, err, sizeof err);
  assert_true(WIFEXITED(st));
  return WEXITSTATUS(st);
}
#define MH(...)                                                                                    \
  run((const char *const[]){__VA_ARGS__},                                                          \
      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void has(const char *text, const char *needle, const char *what) {
  if (!strstr(text, needle))
    fail_msg("%s lacks \"%s\":\n%s", what, needle, text);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-cmdline-XXXXXX");
  assert_non_null(mkdtemp(dir));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return mh_test_rm_tree(dir);
}

static const char *const commands[] = {"run",    "check", "compare", "plot",
                                       "export", "merge", "replay"};

static void every_command_prints_its_own_help_on_stdout(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
    char usage[64];
    snprintf(usage, sizeof usage, "usage: memharness %s", commands[i]);
    const char *forms[][3] = {{commands[i], "--help", NULL},
                              {commands[i], "-h", NULL},
                              {"help", commands[i], NULL},
                              {commands[i], "x.json", "--help"}};
    for (size_t f = 0; f < 4; f++) {
      int rc = run(forms[f], forms[f][2] ? 3 : 2);
      if (rc != 0)
        fail_msg("memharness %s %s: exit %d, expected 0; stderr:\n%s", forms[f][0], forms[f][1], rc,
                 err);
      if (strncmp(out, usage, strlen(usage)) != 0)
        fail_msg("memharness %s %s: stdout starts\n%.200s\nexpected \"%s\"", forms[f][0],
                 forms[f][1], out, usage);
      assert_string_equal(err, "");
      has(out, "Exit codes:", usage);
    }
    // The global help lists the command.
    assert_int_equal(MH("--help"), 0);
    char line[64];
    snprintf(line, sizeof line, "\n  %s ", commands[i]);
    has(out, line, "memharness --help");
  }
}

// Options that used to be undocumented, and what each help must name.
static void every_option_is_documented(void **state) {
  (void)state;
  static const char *const want[][8] = {
      {"run", "--output", "--jobs", "--trials", "--resume", "--fresh", "--kvm-device", "--shard"},
      {"run", "--build-dir", "--qemu", "--force", NULL},
      {"compare", "--threshold", "--json", "--seed", "--iterations", "--confidence", NULL},
      {"plot", "--output", "--width", "--scripts", "--gnuplot", NULL},
      {"export", "--csv", "--output", NULL},
      {"merge", "--output", "--compare", NULL},
      {"replay", "--qemu", NULL}};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    assert_int_equal(MH(want[i][0], "--help"), 0);
    for (size_t k = 1; k < 8 && want[i][k]; k++)
      has(out, want[i][k], want[i][0]);
  }
}

// The codes the help lists are the ones returned: each is provoked here or
// in harness_test_cli; 6 (never returned) is not listed.
static void documented_exit_codes_are_returned(void **state) {
  (void)state;
  assert_int_equal(MH("--help"), 0);
  assert_null(strstr(out, "\n  6 "));
  assert_int_equal(MH("frobnicate"), 2);
  has(err, "unknown command 'frobnicate'", "stderr");
  assert_string_equal(out, "");
  assert_int_equal(MH("run", "--bogus", "x.json"), 2);
  has(err, "Try 'memharness run --help'", "stderr");
  assert_int_equal(MH("compare", "--iterations", "5", "a", "b"), 2);
  has(err, "--iterations wants 100 to 1000000", "stderr");
  assert_int_equal(MH("compare", "--confidence", "2", "a", "b"), 2);
  assert_int_equal(MH("replay", "x"), 2);
  has(err, "Try 'memharness replay --help'", "stderr");
  assert_int_equal(MH("export", "x.json"), 2);
  has(err, "--csv", "stderr");
  assert_int_equal(MH("run", "--trials", "0", "x.json"), 2);
  // --trials on an overhead campaign names what sets its runs instead.
  assert_int_equal(MH("run", "--trials", "5", CAMPAIGN_DIR "/quick.json", "-o", "/nonexistent/x"),
                   2);
  has(err, "--trials sets the trials of a fault campaign", "stderr");
}

static void check_validates_every_shipped_campaign(void **state) {
  (void)state;
  const char *sub[] = {"", "/examples", "/sweeps", "/verdicts"};
  int n = 0;
  for (size_t s = 0; s < 4; s++) {
    char d[512];
    snprintf(d, sizeof d, "%s%s", CAMPAIGN_DIR, sub[s]);
    DIR *dp = opendir(d);
    assert_non_null(dp);
    struct dirent *de;
    while ((de = readdir(dp))) {
      size_t len = strlen(de->d_name);
      if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
        continue;
      char p[1024];
      snprintf(p, sizeof p, "%s/%s", d, de->d_name);
      int rc = MH("check", p);
      if (rc != 0)
        fail_msg("check %s: exit %d, expected 0:\n%s", p, rc, err);
      has(out, ": valid ", p);
      n++;
    }
    closedir(dp);
  }
  assert_true(n >= 10);
}

static void check_refuses_an_invalid_campaign_with_3(void **state) {
  (void)state;
  char p[128], good[128];
  snprintf(p, sizeof p, "%s/bad.json", dir);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs("{\"schema\": 1, \"name\": \"bad\", \"variants\": [\"native\"], \"workloads\": "
        "[{\"name\": \"w\", \"programme\": \"x\"}]}",
        f);
  fclose(f);
  snprintf(good, sizeof good, "%s/quick.json", CAMPAIGN_DIR);
  assert_int_equal(MH("check", good, p), 3); // the same code run uses
  has(err, "$.workloads[0].programme: unknown key", "stderr");
  has(out, "quick.json: valid overhead campaign 'quick': 10 runs", "stdout");
  assert_null(strstr(out, "bad.json"));
  assert_int_equal(MH("run", p), 3);
  assert_int_equal(MH("check", "/nonexistent.json"), 3);
  assert_int_equal(MH("check"), 2);
}

// A minimal RFC 4180 reader: rows of fields, as pandas and R read them.
static int csv_rows(const char *s, int *ncols_first, bool *ragged) {
  int rows = 0, cols = 1;
  bool q = false;
  *ragged = false;
  *ncols_first = -1;
  for (; *s; s++) {
    if (q) {
      if (*s == '"' && s[1] == '"')
        s++;
      else if (*s == '"')
        q = false;
    } else if (*s == '"') {
      q = true;
    } else if (*s == ',') {
      cols++;
    } else if (*s == '\n') {
      if (*ncols_first < 0)
        *ncols_first = cols;
      else if (cols != *ncols_first)
        *ragged = true;
      rows++;
      cols = 1;
    }
  }
  return rows;
}

static void export_writes_one_row_per_test_or_trial(void **state) {
  (void)state;
  int ncols;
  bool ragged;
  assert_int_equal(MH("export", TEST_DATA "/quick-sample.json", "--csv"), 0);
  assert_string_equal(err, "");
  has(out, "id,timing,workload,variant,rep,accel,status,", "overhead header");
  // quick-sample: 8 runs of 10 tests each, plus the header.
  assert_int_equal(csv_rows(out, &ncols, &ragged), 81);
  assert_int_equal(ncols, 15);
  assert_false(ragged);

  char csvp[128];
  snprintf(csvp, sizeof csvp, "%s/trials.csv", dir);
  assert_int_equal(MH("export", "--csv", TEST_DATA "/recovery-sample.json", "-o", csvp), 0);
  assert_string_equal(out, "");
  slurp(csvp, out, sizeof out);
  has(out, "id,variant,trial,seed,", "fault header");
  has(out, ",outcome,", "fault header");
  int rows = csv_rows(out, &ncols, &ragged);
  assert_false(ragged);
  assert_int_equal(ncols, 25);
  assert_true(rows > 1);
  // Reasons have commas: quoted, not split.
  has(out, "\"the workload was killed (exit status -1, @mce action=killed)\"", "fault rows");

  assert_int_equal(MH("export", "--csv", CAMPAIGN_DIR "/quick.json"), 2);
  has(err, "neither \"runs\" nor \"trials\"", "stderr");
  assert_int_equal(
      MH("export", "--csv", TEST_DATA "/quick-sample.json", "-o", "/nonexistent/x.csv"), 5);
}

static void csv_fields_are_quoted_as_rfc4180_says(void **state) {
  (void)state;
  char buf[256] = {0};
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  assert_non_null(f);
  mh_csv_field(f, "plain");
  fputc('|', f);
  mh_csv_field(f, "a,b");
  fputc('|', f);
  mh_csv_field(f, "say \"hi\"");
  fputc('|', f);
  mh_csv_field(f, "two\nlines");
  fputc('|', f);
  mh_csv_field(f, NULL);
  fclose(f);
  assert_string_equal(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
}

// Fault campaigns and overhead runs share progress.c: elapsed time, rate and
// ETA; on a terminal a redrawn line that is ended before the table.
static void progress_shows_elapsed_and_eta_and_ends_its_line(void **state) {
  (void)state;
  char buf[4096] = {0};
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  assert_non_null(f);
  struct mh_progress p;
  mh_progress_init(&p, f, 250, 0);
  p.tty = false;
  p.unit = "trials";
  for (int i = 0; i < 250; i++)
    mh_progress_count(&p, i == 7, 100);
  mh_progress_end(&p);
  fclose(f);
  int lines = 0;
  for (const char *s = buf; *s; s++)
    lines += *s == '\n';
  if (lines != 3) // at 100, 200 and the last
    fail_msg("%d lines, expected 3:\n%s", lines, buf);
  has(buf, "memharness: [100/250]  40%", "progress");
  has(buf, "memharness: [250/250] 100%", "progress");
  has(buf, " trials/min  elapsed ", "progress");
  has(buf, "  ETA ", "progress");
  has(buf, "failed 1\n", "progress");

  memset(buf, 0, sizeof buf);
  f = fmemopen(buf, sizeof buf - 1, "w");
  mh_progress_init(&p, f, 3, 0);
  p.tty = true; // a terminal: one line, redrawn
  for (int i = 0; i < 3; i++)
    mh_progress_count(&p, false, 100);
  fputs("|note|", f); // what the caller prints next must start a line
  mh_progress_end(&p);
  fclose(f);
  has(buf, "\r\033[K[3/3] 100%", "terminal progress");
  size_t n = strlen(buf);
  assert_true(n > 0 && buf[n - 1] == '\n');

  memset(buf, 0, sizeof buf);
  f = fmemopen(buf, sizeof buf - 1, "w");
  mh_progress_init(&p, f, 3, 0);
  p.tty = true;
  mh_progress_end(&p); // nothing drawn: nothing to end
  fclose(f);
  assert_string_equal(buf, "");
}

// plot's list of files is data (stdout); its "skipped" notes are not.
static void plot_lists_files_on_stdout_and_skips_on_stderr(void **state) {
  (void)state;
  char figs[128];
  snprintf(figs, sizeof figs, "%s/figs", dir);
  int rc = MH("plot", TEST_DATA "/recovery-sample.json", "-o", figs);
  if (rc == 4)
    skip(); // no gnuplot: harness_test_plot says so too
  assert_int_equal(rc, 0);
  has(out, ".{pdf,svg,png}", "plot stdout");
  assert_null(strstr(out, "skipped"));
  has(err, "skipped", "plot stderr");
  assert_null(strstr(err, ".{pdf,svg,png}"));
}

// --trials overrides a fault campaign's trials, and the results record the
// campaign as run; data on stdout, progress on stderr, ended before the table.
static void trials_overrides_a_fault_campaign(void **state) {
  (void)state;
  if (!HAVE_KERNEL)
    skip();
  char res[128];
  snprintf(res, sizeof res, "%s/faults.json", dir);
  int rc = MH("run", CAMPAIGN_DIR "/examples/faults.json", "--trials", "3", "-j", "1", "-o", res,
              "--build-dir", BUILD_DIR);
  if (rc != 0)
    fail_msg("exit %d, expected 0; stderr:\n%s", rc, err);
  json_object *d = json_object_from_file(res), *t, *c, *f, *n;
  assert_non_null(d);
  assert_true(json_object_object_get_ex(d, "trials", &t));
  assert_int_equal(json_object_array_length(t), 3);
  assert_true(json_object_object_get_ex(d, "campaign", &c));
  assert_true(json_object_object_get_ex(c, "faults", &f));
  assert_true(json_object_object_get_ex(f, "trials", &n));
  assert_int_equal(json_object_get_int(n), 3);
  json_object_put(d);
  has(out, "variant  frames", "stdout (the outcome table)");
  has(out, "results: ", "stdout");
  assert_null(strstr(out, "ETA"));
  has(err, "[3/3] 100%", "stderr (progress)");
  has(err, "ETA", "stderr (progress)");
  // A second run into the finished file is refused, the file kept.
  assert_int_equal(MH("run", CAMPAIGN_DIR "/examples/faults.json", "--trials", "3", "-o", res,
                      "--build-dir", BUILD_DIR),
                   2);
  has(err, "holds the finished results of a campaign", "stderr");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_command_prints_its_own_help_on_stdout),
      cmocka_unit_test(every_option_is_documented),
      cmocka_unit_test(documented_exit_codes_are_returned),
      cmocka_unit_test(check_validates_every_shipped_campaign),
      cmocka_unit_test(check_refuses_an_invalid_campaign_with_3),
      cmocka_unit_test(export_writes_one_row_per_test_or_trial),
      cmocka_unit_test(csv_fields_are_quoted_as_rfc4180_says),
      cmocka_unit_test(progress_shows_elapsed_and_eta_and_ends_its_line),
      cmocka_unit_test(plot_lists_files_on_stdout_and_skips_on_stderr),
      cmocka_unit_test(trials_overrides_a_fault_campaign),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
