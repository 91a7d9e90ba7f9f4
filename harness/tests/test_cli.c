// memharness as a user runs it: the CLI, exit codes, a whole campaign on a
// fake QEMU, SIGINT, and --resume after SIGKILL.
#include "cm.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"
#include "util.h"

static char dir[64], build[128], launches[160];

static void touch(const char *path) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("fake", f);
  fclose(f);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-cli-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(build, sizeof build, "%s/build", dir);
  char p[256];
  mkdir(build, 0755);
  snprintf(p, sizeof p, "%s/xv6-memv6", build);
  mkdir(p, 0755);
  const char *files[] = {"kernel-native.elf", "kernel-memv6.elf", "fs-native.img", "fs-memv6.img"};
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/xv6-memv6/%s", build, files[i]);
    touch(p);
  }
  snprintf(launches, sizeof launches, "%s/launches", dir);
  setenv("FAKE_QEMU_LOG", launches, 1);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return mh_test_rm_tree(dir);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static char *campaign(const char *name, const char *body) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  write_file(path, body);
  return path;
}

// Starts memharness with the fake QEMU and the fake build; output to out_path.
static void start(struct mh_proc *p, const char *out_path, const char *const *args, int n) {
  char *argv[32];
  int k = 0;
  argv[k++] = MEMHARNESS;
  if (n && !strcmp(args[0], "run")) {
    // Defaults first: a test's own --qemu or --build-dir comes later and wins.
    argv[k++] = (char *)args[0];
    argv[k++] = "--qemu";
    argv[k++] = FAKE_QEMU;
    argv[k++] = "--build-dir";
    argv[k++] = build;
    args++, n--;
  }
  for (int i = 0; i < n; i++)
    argv[k++] = (char *)args[i];
  argv[k] = NULL;
  struct mh_err e;
  if (mh_proc_spawn(argv, out_path, p, &e) < 0)
    fail_msg("%s", e.msg);
}

static char output[65536];

// Runs memharness to completion; returns its exit code, output in `output`.
static int mh(const char *const *args, int n) {
  char out[256];
  snprintf(out, sizeof out, "%s/out.txt", dir);
  struct mh_proc p;
  start(&p, out, args, n);
  if (mh_proc_wait(&p, 60000) != 1) {
    mh_proc_kill(&p);
    fail_msg("memharness did not finish");
  }
  int fd = open(out, O_RDONLY);
  ssize_t got = read(fd, output, sizeof output - 1);
  output[got > 0 ? got : 0] = 0;
  close(fd);
  return mh_proc_exit_code(&p);
}

#define MH(...)                                                                                    \
  mh((const char *const[]){__VA_ARGS__},                                                           \
     sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void expect_output(const char *needle) {
  if (!strstr(output, needle))
    fail_msg("output lacks \"%s\":\n%s", needle, output);
}

static json_object *get(json_object *o, const char *path) {
  // "a.b.c" through objects.
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  char *save = NULL;
  for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
    if (!json_object_object_get_ex(o, k, &o))
      return NULL;
  return o;
}

static size_t nruns(const char *results) {
  json_object *d = json_object_from_file(results);
  size_t n = d && get(d, "runs") ? json_object_array_length(get(d, "runs")) : 0;
  json_object_put(d);
  return n;
}

// Dead or a zombie waiting for init (an orphan the harness cannot reap).
static bool gone(int pid) {
  char path[64], stat[256] = "";
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return true;
  bool zombie = fgets(stat, sizeof stat, f) && strstr(stat, ") Z ");
  fclose(f);
  return zombie;
}

static void no_fake_qemu_alive(void) {
  FILE *f = fopen(launches, "r");
  if (!f)
    return;
  int pid;
  char rest[512];
  while (fscanf(f, "%d %511[^\n]", &pid, rest) == 2) {
    // A killed process needs a moment to be torn down.
    for (int i = 0; i < 40 && !gone(pid); i++)
      usleep(50000);
    if (!gone(pid))
      fail_msg("fake QEMU %d is still alive", pid);
  }
  fclose(f);
}

static int scratch_dirs(const char *prefix) {
  DIR *d = opendir("/tmp");
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  closedir(d);
  return n;
}

static int count_launches(void) {
  FILE *f = fopen(launches, "r");
  int n = 0, c;
  while (f && (c = fgetc(f)) != EOF)
    n += c == '\n';
  if (f)
    fclose(f);
  return n;
}

#define GOOD(extra)                                                                                \
  "{\"schema\": 1, \"name\": \"good\", \"variants\": [\"native\", \"memv6\"], \"workloads\": "     \
  "[{\"name\": \"ut\", \"program\": \"usertests\", \"args\": [\"a\", \"b\", \"c\"], \"expect\": "  \
  "{\"tests\": 3, \"output\": [\"@usertests passed=3 failed=0\"]}}], \"timing\": [\"icount\", "    \
  "\"wall\"], \"icount_repetitions\": 2, \"repetitions\": 3, \"jobs\": 2, \"accel\": "             \
  "\"auto\"" extra "}"

// ---- tests ----

static void help_version_and_exit_codes(void **state) {
  (void)state;
  assert_int_equal(MH("--help"), 0);
  expect_output("Exit codes");
  expect_output("130 run: interrupted");
  assert_int_equal(MH("--version"), 0);
  expect_output("memharness 0.");
  assert_int_equal(MH("frobnicate"), 2);
  expect_output("unknown command 'frobnicate'");
  assert_int_equal(MH("compare", "a.json", "b.json"), 2); // no such files
  assert_int_equal(MH("plot", "a.json"), 2);              // -o DIR missing
  assert_int_equal(MH("merge", "a.json"), 2);             // -o missing
  expect_output("-o ALL.json is required");
  assert_int_equal(MH("run", "--shard", "4/4", "x.json"), 2); // shards count from 0
  expect_output("K must be below N");
  assert_int_equal(MH("run", "--jobs", "zero", "x.json"), 2);
  assert_int_equal(MH("run"), 2);
}

static void bad_campaigns_and_missing_tools_say_what_to_do(void **state) {
  (void)state;
  char *c = campaign("bad", "{\"schema\": 1, \"name\": \"bad\", \"variants\": [\"native\"], "
                            "\"workloads\": [{\"name\": \"w\", \"programme\": \"x\"}]}");
  assert_int_equal(MH("run", c), 3);
  expect_output("$.workloads[0].programme: unknown key");
  expect_output("$.workloads[0].program: required key missing");
  assert_int_equal(MH("run", "/nonexistent.json"), 3);
  expect_output("/nonexistent.json: cannot open");

  c = campaign("good", GOOD(""));
  char *argv[] = {MEMHARNESS, "run", c, "--build-dir", "/nonexistent", "-o", "/tmp/x.json", NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 30000, &e);
  assert_int_equal(rc, 4);
  char out[256];
  snprintf(out, sizeof out, "%s/o.json", dir);
  assert_int_equal(MH("run", c, "-o", out, "--qemu", "/nonexistent/qemu"), 4);
  // Whole and ungarbled: it used to be formatted into its own buffer.
  expect_output("memharness: QEMU /nonexistent/qemu cannot be run (cannot run /nonexistent/qemu: "
                "No such file or directory): install QEMU (Debian package qemu-system-x86) or "
                "pass --qemu PATH of a qemu-system-i386\n");

  c = campaign("faults", "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"memv6\"], "
                         "\"workloads\": [{\"name\": \"w\", \"program\": \"x\"}], \"faults\": "
                         "{\"trials\": 5, \"target\": {\"kind\": \"native\"}, \"when\": "
                         "{\"delay_ms\": [1, 2]}}}");
  // Fault campaigns run now; this one names a program the build lacks.
  assert_int_equal(MH("run", c), 4);
  expect_output("workload ELF");
}

static void read_file(const char *path) {
  int fd = open(path, O_RDONLY);
  ssize_t got = fd >= 0 ? read(fd, output, sizeof output - 1) : -1;
  output[got > 0 ? got : 0] = 0;
  if (fd >= 0)
    close(fd);
}

// An -o that cannot be written is found before anything runs (it used to be
// found when the first or last result was saved), for both kinds of campaign.
static void unwritable_output_is_refused_before_the_first_run(void **state) {
  (void)state;
  char *c = campaign("good", GOOD(""));
  char *f = campaign("faults", "{\"schema\": 1, \"name\": \"f\", \"variants\": [\"memv6\"], "
                               "\"workloads\": [{\"name\": \"w\", \"program\": \"x\"}], "
                               "\"faults\": {\"trials\": 5, \"target\": {\"kind\": \"native\"}, "
                               "\"when\": {\"delay_ms\": [1, 2]}}}");
  char *camps[] = {c, f};
  int before = count_launches();
  for (int i = 0; i < 2; i++) {
    assert_int_equal(MH("run", camps[i], "-o", "/nonexistent-dir/r.json"), 5);
    expect_output("memharness: cannot write results to /nonexistent-dir/r.json: the directory "
                  "/nonexistent-dir does not exist; create it (mkdir -p /nonexistent-dir) or "
                  "choose another -o");
    // Not even root may create files in /proc.
    assert_int_equal(MH("run", camps[i], "-o", "/proc/mh-r.json"), 5);
    expect_output("memharness: cannot write results to /proc/mh-r.json (creating "
                  "/proc/mh-r.json.tmp.");
    expect_output("choose another -o, or make /proc writable");
    assert_int_equal(MH("run", camps[i], "-o", dir), 5);
    expect_output("is a directory: give -o the path of a results file in it");
  }
  assert_int_equal(count_launches(), before); // no QEMU was started
}

static void missing_kernel_names_the_file_and_the_build_command(void **state) {
  (void)state;
  char *c = campaign("good", GOOD(""));
  char *argv[] = {MEMHARNESS, "run", c, "--qemu", FAKE_QEMU, "--build-dir", "/nonexistent", NULL};
  struct mh_err e;
  assert_int_equal(mh_proc_capture(argv, output, sizeof output, 30000, &e), 4);
  expect_output("/nonexistent/xv6-memv6/kernel-native.elf not found");
  expect_output("--target kernel-native");
  // A build with the kernels but without the disk images.
  char b2[128], p[1024];
  snprintf(b2, sizeof b2, "%s/nodisk", dir);
  mkdir(b2, 0755);
  snprintf(p, sizeof p, "%s/xv6-memv6", b2);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/xv6-memv6/kernel-native.elf", b2);
  touch(p);
  assert_int_equal(MH("run", c, "--build-dir", b2, "-o", "/tmp/x.json"), 4);
  snprintf(p, sizeof p,
           "memharness: %s/xv6-memv6/fs-native.img not found: build the native variant first "
           "(cmake --build %s --target kernel-native fsimg-native), or point --build-dir at a "
           "build that has it",
           b2, b2);
  expect_output(p);
}

static void resume_of_another_campaign_is_refused(void **state) {
  (void)state;
  char out[256];
  snprintf(out, sizeof out, "%s/other.json", dir);
  char *c = campaign("good", GOOD(""));
  assert_int_equal(MH("run", c, "-o", out), 0);
  c = campaign("good", GOOD(", \"seed\": 5"));
  assert_int_equal(MH("run", c, "-o", out, "--resume"), 2);
  expect_output("memharness: cannot resume ");
  expect_output("it was produced by a different campaign file (campaign_sha256 differs); resume "
                "with the same campaign, or choose another -o");
}

static void a_campaign_runs_summarizes_and_records_everything(void **state) {
  (void)state;
  char out[256];
  snprintf(out, sizeof out, "%s/good.json.out", dir);
  char *c = campaign("good", GOOD(""));
  assert_int_equal(MH("run", c, "-o", out, "--kvm-device", "/dev/null"), 0);
  expect_output("geomean memv6/native 1.05");
  expect_output("2 icount repetitions agree to the last cycle");
  json_object *d = json_object_from_file(out);
  assert_non_null(d);
  assert_string_equal(json_object_get_string(get(d, "status")), "complete");
  assert_int_equal(json_object_get_int(get(d, "schema")), 1);
  assert_string_equal(json_object_get_string(get(d, "accel.used")), "tcg");
  assert_non_null(strstr(json_object_get_string(get(d, "accel.reason")), "fell back to TCG"));
  assert_int_equal(strlen(json_object_get_string(get(d, "kernels.memv6.kernel_sha256"))), 64);
  assert_non_null(strstr(json_object_get_string(get(d, "qemu.version")), "fake"));
  assert_string_equal(json_object_get_string(get(d, "campaign.name")), "good");
  json_object *runs = get(d, "runs");
  assert_int_equal(json_object_array_length(runs), 2 * 2 + 3 * 2);
  json_object *sums = get(d, "summaries");
  assert_int_equal(json_object_array_length(sums), 2);
  json_object *ic = json_object_array_get_idx(sums, 0), *wall = json_object_array_get_idx(sums, 1);
  assert_true(json_object_get_boolean(get(ic, "exact")));
  double g = json_object_get_double(get(ic, "geomean"));
  assert_true(g > 1.045 && g < 1.055); // the fake's memv6 is 5 % slower
  double wg = json_object_get_double(get(wall, "geomean"));
  // Three wall repetitions: no interval, and the table says how many it needs.
  assert_true(wg > 1.0);
  assert_null(get(wall, "ci"));
  expect_output("no interval: 3 repetition(s) per variant; a bootstrap interval needs at least 5");
  expect_output("(exact: every sample of a test is the same count)");
  assert_null(get(wall, "exact"));
  json_object_put(d);
  no_fake_qemu_alive();
  // A finished results file is not overwritten silently: run again into
  // it and memharness refuses before running anything, saying how to keep
  // both; --fresh (or --force) replaces it.
  struct stat before, after;
  assert_int_equal(stat(out, &before), 0);
  int launched = count_launches();
  assert_int_equal(MH("run", c, "-o", out), 2);
  expect_output("holds the finished results of a campaign: to keep them and run again, give "
                "another -o; to replace them, add --fresh (or --force)");
  assert_int_equal(count_launches(), launched);
  assert_int_equal(stat(out, &after), 0);
  assert_int_equal(after.st_mtime, before.st_mtime);
  assert_int_equal(after.st_size, before.st_size);
  assert_int_equal(MH("run", c, "-o", out, "--force"), 0);
  assert_int_equal(nruns(out), 2 * 2 + 3 * 2);
}

static void failures_and_thresholds_have_their_own_exit_codes(void **state) {
  (void)state;
  char out[256];
  snprintf(out, sizeof out, "%s/strict.json.out", dir);
  char *c = campaign("strict", GOOD(", \"thresholds\": {\"geomean_max\": 1.01}"));
  assert_int_equal(MH("run", c, "-o", out, "--kvm-device", "/nonexistent"), 7);
  expect_output("thresholds: EXCEEDED");
  snprintf(out, sizeof out, "%s/failing.json.out", dir);
  c = campaign("failing", "{\"schema\": 1, \"name\": \"failing\", \"variants\": [\"native\"], "
                          "\"workloads\": [{\"name\": \"w\", \"program\": \"fail\"}], "
                          "\"icount_repetitions\": 1}");
  assert_int_equal(MH("run", c, "-o", out), 1);
  expect_output("1 not ok");
  json_object *d = json_object_from_file(out);
  json_object *r = json_object_array_get_idx(get(d, "runs"), 0);
  assert_string_equal(json_object_get_string(get(r, "status")), "fail");
  assert_non_null(strstr(json_object_get_string(get(r, "serial_tail")), "@exit status=1"));
  json_object_put(d);
}

static void wait_for_runs(const char *results, size_t n) {
  for (int i = 0; i < 400 && nruns(results) < n; i++)
    usleep(50000);
  assert_true(nruns(results) >= n);
}

static const char *slow_campaign(void) {
  return campaign("slow", "{\"schema\": 1, \"name\": \"slow\", \"variants\": [\"native\", "
                          "\"memv6\"], \"workloads\": [{\"name\": \"ut\", \"program\": "
                          "\"usertests\"}], \"timing\": \"wall\", \"repetitions\": 4, "
                          "\"jobs\": 2}");
}

// Waits until memharness has blocked SIGINT (its signal thread takes it from
// there): before that a signal only meets the kernel's default action.
static void wait_signals_blocked(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  for (int i = 0; i < 1000; i++) {
    unsigned long long blk = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f) && sscanf(line, "SigBlk: %llx", &blk) != 1)
      ;
    if (f)
      fclose(f);
    if (blk & (1ull << (SIGINT - 1)))
      return;
    usleep(2000);
  }
  fail_msg("memharness %d never blocked SIGINT", pid);
}

// Sends sig to a campaign run after wait_ms (-1: as soon as it takes
// signals), then checks the exit code, the message and that no results file
// was left behind (nothing had finished).
static void interrupt_early(const char *c, int sig, int wait_ms, const char *signame) {
  char out[256], log[256], resume[600];
  snprintf(out, sizeof out, "%s/early.json", dir);
  snprintf(log, sizeof log, "%s/early.log", dir);
  unlink(out);
  struct mh_proc p;
  start(&p, log, (const char *const[]){"run", c, "-o", out}, 4);
  wait_signals_blocked(p.pid);
  if (wait_ms > 0)
    usleep((useconds_t)wait_ms * 1000);
  double t0 = mh_now();
  kill(p.pid, sig);
  assert_int_equal(mh_proc_wait(&p, 15000), 1);
  double took = mh_now() - t0;
  read_file(log);
  printf("%s after %d ms: exit %d in %.2f s\n", signame, wait_ms, mh_proc_exit_code(&p), took);
  if (mh_proc_exit_code(&p) != 130)
    fail_msg("exit %d, expected 130; output:\n%s", mh_proc_exit_code(&p), output);
  // The slow --version (10 s) was killed, not waited for; the margin is
  // for a loaded host, where the exit alone has taken almost 4 s.
  if (took >= 5.0)
    fail_msg("%s: exit took %.2f s, expected < 5 s (the 10 s --version was waited for)", signame,
             took);
  char want[64];
  snprintf(want, sizeof want, "memharness: interrupted by %s", signame);
  expect_output(want);
  snprintf(resume, sizeof resume, "memharness: continue with: memharness run %s -o %s --resume", c,
           out);
  expect_output(resume);
  if (strstr(output, "qemu-img") || strstr(output, "cannot run"))
    fail_msg("an error caused by the stop was reported:\n%s", output);
  assert_int_equal(access(out, F_OK), -1);
  no_fake_qemu_alive();
}

// Ctrl-C in the first second: at once, and while QEMU is asked for its
// version (the harness used to exit 4 with a garbled qemu-img message).
static void sigint_or_sigterm_in_the_first_second_exits_130(void **state) {
  (void)state;
  const char *c = campaign("good", GOOD(""));
  setenv("FAKE_QEMU_VERSION_MS", "10000", 1);
  interrupt_early(c, SIGINT, -1, "SIGINT");
  interrupt_early(c, SIGINT, 300, "SIGINT");
  interrupt_early(c, SIGTERM, 300, "SIGTERM");
  unsetenv("FAKE_QEMU_VERSION_MS");
}

static void sigint_saves_finished_runs_and_resume_completes(void **state) {
  (void)state;
  char out[256], log[256];
  snprintf(out, sizeof out, "%s/int.json", dir);
  snprintf(log, sizeof log, "%s/int.log", dir);
  setenv("FAKE_QEMU_TEST_MS", "150", 1);
  const char *c = slow_campaign();
  struct mh_proc p;
  start(&p, log, (const char *const[]){"run", c, "-o", out}, 4);
  wait_for_runs(out, 1);
  kill(p.pid, SIGINT);
  assert_int_equal(mh_proc_wait(&p, 5000), 1);
  assert_int_equal(mh_proc_exit_code(&p), 130);
  no_fake_qemu_alive();
  read_file(log);
  char resume[600];
  snprintf(resume, sizeof resume, "memharness: continue with: memharness run %s -o %s --resume", c,
           out);
  expect_output(resume);
  expect_output("finished results are kept in");
  json_object *d = json_object_from_file(out);
  assert_string_equal(json_object_get_string(get(d, "status")), "interrupted");
  json_object_put(d);
  unsetenv("FAKE_QEMU_TEST_MS");
  assert_int_equal(MH("run", c, "-o", out), 2); // refuses to overwrite unfinished work
  expect_output("--resume");
  assert_int_equal(MH("run", c, "-o", out, "--resume"), 0);
  assert_int_equal(nruns(out), 8);
}

static void sigkill_loses_nothing_and_resume_redoes_nothing(void **state) {
  (void)state;
  char out[256], log[256];
  snprintf(out, sizeof out, "%s/kill.json", dir);
  snprintf(log, sizeof log, "%s/kill.log", dir);
  setenv("FAKE_QEMU_TEST_MS", "150", 1);
  const char *c = slow_campaign();
  int before = count_launches();
  struct mh_proc p;
  start(&p, log, (const char *const[]){"run", c, "-o", out}, 4);
  wait_for_runs(out, 3);
  kill(p.pid, SIGKILL);
  mh_proc_wait(&p, 5000);
  char stale[64];
  snprintf(stale, sizeof stale, "memharness-%d-", (int)p.pid);
  printf("scratch directories left by the killed harness: %d\n", scratch_dirs(stale));
  usleep(200000);
  no_fake_qemu_alive(); // PR_SET_PDEATHSIG took them down with the harness
  json_object *old = json_object_from_file(out);
  size_t saved = json_object_array_length(get(old, "runs"));
  int started = count_launches() - before;
  unsetenv("FAKE_QEMU_TEST_MS");
  assert_int_equal(MH("run", c, "-o", out, "--resume"), 0);
  expect_output("already done");
  assert_int_equal(scratch_dirs(stale), 0); // swept by the next harness
  json_object *d = json_object_from_file(out);
  json_object *runs = get(d, "runs");
  assert_int_equal(json_object_array_length(runs), 8);
  // Finished runs are kept as they were, and no run id appears twice.
  for (size_t i = 0; i < saved; i++)
    assert_string_equal(json_object_to_json_string(json_object_array_get_idx(get(old, "runs"), i)),
                        json_object_to_json_string(json_object_array_get_idx(runs, i)));
  for (size_t i = 0; i < 8; i++)
    for (size_t j = i + 1; j < 8; j++)
      assert_string_not_equal(
          json_object_get_string(get(json_object_array_get_idx(runs, i), "id")),
          json_object_get_string(get(json_object_array_get_idx(runs, j), "id")));
  // Only the unfinished runs were started again.
  assert_int_equal(count_launches() - before - started, 8 - (int)saved);
  json_object_put(old);
  json_object_put(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(help_version_and_exit_codes),
      cmocka_unit_test(bad_campaigns_and_missing_tools_say_what_to_do),
      cmocka_unit_test(unwritable_output_is_refused_before_the_first_run),
      cmocka_unit_test(missing_kernel_names_the_file_and_the_build_command),
      cmocka_unit_test(resume_of_another_campaign_is_refused),
      cmocka_unit_test(a_campaign_runs_summarizes_and_records_everything),
      cmocka_unit_test(failures_and_thresholds_have_their_own_exit_codes),
      cmocka_unit_test(sigint_or_sigterm_in_the_first_second_exits_130),
      cmocka_unit_test(sigint_saves_finished_runs_and_resume_completes),
      cmocka_unit_test(sigkill_loses_nothing_and_resume_redoes_nothing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
