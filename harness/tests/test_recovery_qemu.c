// A fault campaign on the real kernels during which one QEMU child of
// memharness is killed (SIGKILL) and another stopped (SIGSTOP): memharness
// finishes, no trial is a harness_error, each disturbance costs at most one
// retried trial (attempts 2), the stopped QEMU is noticed and killed within
// seconds, and every trial ends exactly as in an undisturbed run of the
// same campaign (icount: the same seed gives the same trial).
#include "cm.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "proc.h"
#include "util.h"

// Trials per variant; MH_RECOVERY_TRIALS overrides it for a longer
// measurement (docs/campaign.md, "How sessions fail and are retried").
static int per_variant = 150; // a kill and a later stop land mid-campaign even at 3000/min
// How long a QEMU must have run before it is disturbed. Short enough that
// both disturbances land inside the campaign on a quiet host (3000
// trials/min); on a loaded one a kill may hit a boot, which must cost no
// trial either. MH_RECOVERY_AGE_S overrides it.
static double min_age_s = 0.5;

static char dir[] = "/tmp/mh-recovery-XXXXXX", camp[128], clean[128], hit[128], log_path[128];

static void write_campaign(void) {
  FILE *f = fopen(camp, "w");
  assert_non_null(f);
  fprintf(f,
          "{\"schema\": 1, \"name\": \"recovery-kill\", \"variants\": [\"native\", \"memv6\"], "
          "\"workloads\": [{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", "
          "\"4\"]}], \"timing\": \"icount\", \"jobs\": 2, \"seed\": 22, \"timeouts\": "
          "{\"run_s\": 60, \"connect_s\": 30}, \"faults\": {\"trials\": %d, \"target\": "
          "{\"kind\": \"native\"}, \"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, "
          "3]}, \"trap\": \"mce\"}}",
          per_variant);
  fclose(f);
}

// The QEMU children of pid, from /proc (PPid and the command name), in
// ascending pid order; returns how many.
static int qemu_children(pid_t pid, pid_t *out, int cap) {
  DIR *d = opendir("/proc");
  int n = 0;
  struct dirent *de;
  while (d && (de = readdir(d)) && n < cap) {
    if (!isdigit((unsigned char)de->d_name[0]))
      continue;
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
    FILE *f = fopen(path, "r");
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
      fclose(f);
    buf[len] = 0;
    char *open = strchr(buf, '('), *close = strrchr(buf, ')');
    int ppid = 0;
    char st;
    if (!open || !close || sscanf(close + 1, " %c %d", &st, &ppid) != 2 || ppid != pid)
      continue;
    if (strncmp(open + 1, "qemu-system", 11) == 0 && st != 'Z')
      out[n++] = (pid_t)atoi(de->d_name);
  }
  if (d)
    closedir(d);
  for (int i = 1; i < n; i++) // insertion sort: a handful of pids
    for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
      pid_t t = out[j];
      out[j] = out[j - 1];
      out[j - 1] = t;
    }
  return n;
}

static bool exists(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", (int)pid);
  return access(path, F_OK) == 0;
}

struct disturbance {
  pid_t killed, stopped;
  double stop_noticed_s; // SIGSTOP to the stopped QEMU's end
};

// When the test first saw each QEMU: one that has lived a while is past
// its boot (to main() and the checkpoints) and runs trials.
struct seen {
  pid_t pid[64];
  double t[64];
  int n;
};

static double first_seen(struct seen *s, pid_t pid) {
  for (int i = 0; i < s->n; i++)
    if (s->pid[i] == pid)
      return s->t[i];
  if (s->n < 64) {
    s->pid[s->n] = pid;
    s->t[s->n++] = mh_now();
  }
  return mh_now();
}

// The QEMU that has run longest, other than not; 0 when none ran min_s.
static pid_t oldest(struct seen *s, const pid_t *k, int n, pid_t not, double min_s) {
  pid_t best = 0;
  double best_t = mh_now() - min_s;
  for (int i = 0; i < n; i++) {
    double t = first_seen(s, k[i]);
    if (k[i] != not &&t <= best_t) {
      best = k[i];
      best_t = t;
    }
  }
  return best;
}

// Runs memharness on the campaign; kills the QEMU of one worker once it
// runs trials, a second later stops the other worker's, and waits for
// memharness.
static int run_disturbed(struct disturbance *d) {
  char *argv[] = {MEMHARNESS, "run", camp, "-o", hit, "--build-dir", BUILD_DIR, NULL};
  struct mh_proc p;
  struct mh_err e;
  if (mh_proc_spawn(argv, log_path, &p, &e) < 0)
    fail_msg("%s", e.msg);
  pid_t k[16];
  struct seen seen = {.n = 0};
  double deadline = mh_now() + 150, killed_t = 0, stop_t = 0;
  memset(d, 0, sizeof *d);
  while (mh_proc_wait(&p, 20) == 0 && mh_now() < deadline) {
    int n = qemu_children(p.pid, k, 16);
    pid_t victim = n >= 2 ? oldest(&seen, k, n, d->killed, min_age_s) : 0;
    if (!d->killed && victim) {
      d->killed = victim;
      killed_t = mh_now();
      kill(victim, SIGKILL);
      printf("SIGKILL QEMU %d\n", (int)victim);
    } else if (d->killed && !d->stopped && victim && mh_now() - killed_t > 1.0) {
      d->stopped = victim;
      stop_t = mh_now();
      kill(victim, SIGSTOP);
      printf("SIGSTOP QEMU %d %.1f s later\n", (int)victim, stop_t - killed_t);
    }
    if (d->stopped && !d->stop_noticed_s && !exists(d->stopped))
      d->stop_noticed_s = mh_now() - stop_t;
  }
  if (!p.reaped)
    mh_proc_kill(&p);
  if (d->stopped && !d->stop_noticed_s && !exists(d->stopped))
    d->stop_noticed_s = mh_now() - stop_t;
  return mh_proc_exit_code(&p);
}

static const char *str(json_object *o, const char *k) {
  json_object *v;
  return json_object_object_get_ex(o, k, &v) && v ? json_object_get_string(v) : "";
}

static int num(json_object *o, const char *k) {
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : -1;
}

static json_object *trials_of(const char *path) {
  json_object *d = json_object_from_file(path), *t;
  assert_non_null(d);
  assert_string_equal(str(d, "status"), "complete");
  assert_true(json_object_object_get_ex(d, "trials", &t));
  assert_int_equal(json_object_array_length(t), 2 * per_variant);
  json_object_get(t);
  json_object_put(d);
  return t;
}

static const char *outcome_of(json_object *trials, const char *id) {
  for (size_t i = 0; i < json_object_array_length(trials); i++)
    if (strcmp(str(json_object_array_get_idx(trials, i), "id"), id) == 0)
      return str(json_object_array_get_idx(trials, i), "outcome");
  return "(missing)";
}

static void killed_and_stopped_qemus_cost_one_trial_each(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(camp, sizeof camp, "%s/campaign.json", dir);
  snprintf(clean, sizeof clean, "%s/clean.json", dir);
  snprintf(hit, sizeof hit, "%s/disturbed.json", dir);
  snprintf(log_path, sizeof log_path, "%s/disturbed.log", dir);
  write_campaign();
  char *argv[] = {MEMHARNESS, "run", camp, "-o", clean, "--build-dir", BUILD_DIR, NULL};
  static char out[16384];
  struct mh_err e;
  int rc = mh_proc_capture(argv, out, sizeof out, 150000, &e);
  if (rc != 0)
    fail_msg("clean run: exit %d: %s", rc, rc < 0 ? e.msg : out);
  struct disturbance d;
  rc = run_disturbed(&d);
  char *log_argv[] = {"cat", log_path, NULL};
  mh_proc_capture(log_argv, out, sizeof out, 5000, &e);
  printf("%s", out);
  assert_int_equal(rc, 0);
  assert_true(d.killed > 0);
  assert_true(d.stopped > 0);
  printf("the stopped QEMU was gone %.2f s after SIGSTOP\n", d.stop_noticed_s);
  assert_true(d.stop_noticed_s > 0 && d.stop_noticed_s < 5.0);
  json_object *want = trials_of(clean), *got = trials_of(hit);
  int retried = 0, errors = 0, differ = 0;
  for (size_t i = 0; i < json_object_array_length(got); i++) {
    json_object *t = json_object_array_get_idx(got, i);
    const char *id = str(t, "id"), *o = str(t, "outcome"), *w = outcome_of(want, id);
    errors += strcmp(o, "harness_error") == 0;
    if (num(t, "attempts") == 2) {
      retried++;
      printf("retried %s: %s\n", id, str(t, "retry_reason"));
      assert_true(str(t, "retry_reason")[0] != 0);
    } else {
      assert_int_equal(num(t, "attempts"), 1);
    }
    if (strcmp(o, w) != 0) {
      differ++;
      printf("%s: %s, undisturbed %s\n", id, o, w);
    }
  }
  printf("retried %d trials, %d harness errors, %d outcomes differ from the clean run\n", retried,
         errors, differ);
  assert_int_equal(errors, 0);
  assert_true(retried <= 2);
  assert_int_equal(differ, 0);
  json_object_put(want);
  json_object_put(got);
  mh_test_rm_tree(dir);
}

int main(void) {
  const char *n = getenv("MH_RECOVERY_TRIALS");
  if (n && atoi(n) > 0)
    per_variant = atoi(n);
  const char *age = getenv("MH_RECOVERY_AGE_S");
  if (age && atof(age) > 0)
    min_age_s = atof(age);
  if (!HAVE_KERNEL) {
    printf("skipped: the kernel targets do not exist in this build yet\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(killed_and_stopped_qemus_cost_one_trial_each),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
