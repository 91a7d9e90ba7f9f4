// Ctrl-C (SIGINT) or SIGTERM at every stage of a fault campaign on the real
// kernel: at once, during the golden run, while a worker boots and takes its
// checkpoints, and between trials. Each time memharness exits 130, prints the
// exact resume command, leaves no QEMU behind, and leaves either no results
// file (nothing had finished) or one marked "interrupted" whose finished
// trials --resume keeps byte for byte while it runs only the missing ones.
#include "cm.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"
#include "util.h"

#define TRIALS 12

static char dir[] = "/tmp/mh-int-XXXXXX", camp[128], out[128], log_path[128];
static char output[65536];

static void read_log(void) {
  int fd = open(log_path, O_RDONLY);
  ssize_t got = fd >= 0 ? read(fd, output, sizeof output - 1) : -1;
  output[got > 0 ? got : 0] = 0;
  if (fd >= 0)
    close(fd);
}

static void start(struct mh_proc *p, bool resume) {
  char *argv[] = {MEMHARNESS, "run",         camp,      "-o",
                  out,        "--build-dir", BUILD_DIR, resume ? "--resume" : NULL,
                  NULL};
  struct mh_err e;
  if (mh_proc_spawn(argv, log_path, p, &e) < 0)
    fail_msg("%s", e.msg);
}

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

// Live (not zombie) processes whose command line names a session directory
// of harness `pid` (/tmp/memharness-PID-XXXXXX): its QEMUs. The session
// directories seen are collected in dirs (newline-separated).
static int qemus_of(int pid, char *dirs, size_t cap) {
  char tag[64];
  snprintf(tag, sizeof tag, "/tmp/memharness-%d-", pid);
  DIR *d = opendir("/proc");
  struct dirent *ent;
  int n = 0;
  while ((ent = readdir(d))) {
    char path[300], buf[8192], st[256] = "";
    if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
      continue;
    snprintf(path, sizeof path, "/proc/%s/cmdline", ent->d_name);
    int fd = open(path, O_RDONLY);
    ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
      close(fd);
    if (got <= 0)
      continue;
    for (ssize_t i = 0; i < got; i++)
      buf[i] = buf[i] ? buf[i] : ' ';
    buf[got] = 0;
    char *hit = strstr(buf, tag);
    snprintf(path, sizeof path, "/proc/%s/stat", ent->d_name);
    FILE *f = fopen(path, "r");
    bool zombie = f && fgets(st, sizeof st, f) && strstr(st, ") Z ");
    if (f)
      fclose(f);
    if (!hit || zombie)
      continue;
    n++;
    if (dirs) {
      char one[64];
      snprintf(one, sizeof one, "%.*s\n", (int)(strlen(tag) + 6), hit);
      if (!strstr(dirs, one) && strlen(dirs) + strlen(one) < cap)
        strcat(dirs, one);
    }
  }
  closedir(d);
  return n;
}

static int trials_in(const char *path, const char **status) {
  static char st[32];
  json_object *d = json_object_from_file(path), *t, *s;
  int n = d && json_object_object_get_ex(d, "trials", &t) ? (int)json_object_array_length(t) : -1;
  snprintf(st, sizeof st, "%s",
           d && json_object_object_get_ex(d, "status", &s) ? json_object_get_string(s) : "");
  if (status)
    *status = st;
  json_object_put(d);
  return n;
}

enum moment { AT_ONCE, GOLDEN, WORKER_START, MID_TRIALS };
static const char *const moment_names[] = {"at once", "during the golden run",
                                           "while a worker boots and takes checkpoints",
                                           "between trials"};

// Waits for the moment; false if the campaign got past it first.
static bool reach(struct mh_proc *p, enum moment m) {
  char dirs[1024] = "";
  int t0 = trials_in(out, NULL); // -1, or what a resumed file already has
  for (int i = 0; i < 6000; i++) {
    if (mh_proc_wait(p, 0) == 1)
      return false;
    int n = qemus_of(p->pid, dirs, sizeof dirs);
    int ndirs = 0;
    for (const char *c = dirs; *c; c++)
      ndirs += *c == '\n';
    const char *st;
    int t = trials_in(out, &st);
    if (m == GOLDEN && n == 1 && ndirs == 1 && t == t0)
      return true;
    if (m == WORKER_START && n >= 1 && ndirs >= 2 && t == t0)
      return true;
    if (m == MID_TRIALS && t > t0 && t >= 1 && t < TRIALS)
      return true;
    if (t >= TRIALS)
      return false;
    usleep(5000);
  }
  return false;
}

// Returns the number of trials the results file holds afterwards (-1: none).
static int interrupt_at(enum moment m, int sig, bool resume) {
  struct mh_proc p;
  start(&p, resume);
  wait_signals_blocked(p.pid);
  if (m != AT_ONCE && !reach(&p, m)) {
    mh_proc_kill(&p);
    fail_msg("the campaign never reached the moment \"%s\"", moment_names[m]);
  }
  double t0 = mh_now();
  kill(p.pid, sig);
  if (mh_proc_wait(&p, 30000) != 1) {
    mh_proc_kill(&p);
    fail_msg("memharness did not end within 30 s of the signal");
  }
  read_log();
  const char *st;
  int n = trials_in(out, &st);
  printf("%s %s: exit %d after %.2f s, results file: %d trials, status \"%s\"\n",
         sig == SIGINT ? "SIGINT" : "SIGTERM", moment_names[m], mh_proc_exit_code(&p),
         mh_now() - t0, n, st);
  if (mh_proc_exit_code(&p) != 130)
    fail_msg("exit %d, expected 130; output:\n%s", mh_proc_exit_code(&p), output);
  char want[512];
  snprintf(want, sizeof want, "memharness: continue with: memharness run %s -o %s --resume", camp,
           out);
  if (!strstr(output, want) || !strstr(output, sig == SIGINT ? "by SIGINT" : "by SIGTERM"))
    fail_msg("output lacks \"%s\":\n%s", want, output);
  if (strstr(output, "harness error") || strstr(output, "qemu-img"))
    fail_msg("an error caused by the stop was reported:\n%s", output);
  // Every QEMU was killed and reaped before the harness exited.
  assert_int_equal(qemus_of(p.pid, NULL, 0), 0);
  if (n >= 0)
    assert_string_equal(st, "interrupted");
  return n;
}

static void write_campaign(void) {
  FILE *f = fopen(camp, "w");
  fprintf(f,
          "{\"schema\": 1, \"name\": \"interrupt\", \"variants\": [\"memv6\"], \"workloads\": "
          "[{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", \"4\"]}], "
          "\"timing\": \"icount\", \"jobs\": 2, \"seed\": 7, \"timeouts\": {\"run_s\": 60, "
          "\"connect_s\": 30}, \"faults\": {\"trials\": %d, \"target\": {\"kind\": \"native\"}, "
          "\"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}}}",
          TRIALS);
  fclose(f);
}

static void every_moment_exits_130_and_resume_completes(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/c.json", dir);
  snprintf(out, sizeof out, "%s/r.json", dir);
  snprintf(log_path, sizeof log_path, "%s/log", dir);
  write_campaign();
  // Before any trial finished there is nothing to keep: no results file.
  assert_int_equal(interrupt_at(AT_ONCE, SIGINT, false), -1);
  assert_int_equal(interrupt_at(GOLDEN, SIGINT, false), -1);
  assert_int_equal(interrupt_at(GOLDEN, SIGTERM, false), -1);
  int n = interrupt_at(WORKER_START, SIGINT, false);
  assert_true(n < TRIALS);
  n = interrupt_at(MID_TRIALS, SIGINT, n >= 0);
  assert_in_range(n, 1, TRIALS - 1);
  json_object *before = json_object_from_file(out), *bt, *at;
  // A stop during the resumed campaign's golden run keeps the file as it was.
  assert_int_equal(interrupt_at(GOLDEN, SIGINT, true), n);
  struct mh_proc p;
  start(&p, true);
  assert_int_equal(mh_proc_wait(&p, 180000), 1);
  read_log();
  if (mh_proc_exit_code(&p) != 0)
    fail_msg("resume: exit %d, expected 0:\n%s", mh_proc_exit_code(&p), output);
  json_object *after = json_object_from_file(out);
  assert_true(json_object_object_get_ex(before, "trials", &bt));
  assert_true(json_object_object_get_ex(after, "trials", &at));
  assert_int_equal(json_object_array_length(at), TRIALS);
  for (int i = 0; i < n; i++)
    assert_string_equal(json_object_to_json_string(json_object_array_get_idx(bt, i)),
                        json_object_to_json_string(json_object_array_get_idx(at, i)));
  for (int i = 0; i < TRIALS; i++)
    for (int j = i + 1; j < TRIALS; j++) {
      json_object *a, *b;
      json_object_object_get_ex(json_object_array_get_idx(at, i), "id", &a);
      json_object_object_get_ex(json_object_array_get_idx(at, j), "id", &b);
      assert_string_not_equal(json_object_get_string(a), json_object_get_string(b));
    }
  const char *st;
  trials_in(out, &st);
  assert_string_equal(st, "complete");
  json_object_put(before);
  json_object_put(after);
  mh_test_rm_tree(dir);
}

int main(void) {
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_moment_exits_130_and_resume_completes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
