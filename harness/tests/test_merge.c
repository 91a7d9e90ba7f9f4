// memharness merge on synthetic results (no QEMU): a campaign's trials split
// into shards by the shard rule, each shard with its own host, times and
// completion order, merge back into a result that agrees with the
// single-machine one; and every reason to refuse is reported with the file
// and the field. The same through the command line, with exit codes.
#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "campaign_faults.h"
#include "faultstats.h"
#include "fault.h"
#include "merge.h"
#include "proc.h"
#include "shard.h"
#include "trialdiff.h"

#define TRIALS 10
#define SHARDS 4
#define CAMPAIGN_TEXT                                                                              \
  "{\"schema\": 1, \"name\": \"tiny\", \"variants\": [\"native\", \"memv6\"], \"workloads\": "     \
  "[{\"name\": \"memsum\", \"program\": \"memsum\", \"args\": [\"1\", \"4\"]}], \"timing\": "      \
  "\"icount\", \"seed\": 13, \"faults\": {\"trials\": 10, \"target\": {\"kind\": \"native\"}, "    \
  "\"when\": {\"breakpoint\": \"memsum_round\", \"hits\": [1, 3]}, \"trap\": \"mce\"}}"

static const char *const variants[] = {"native", "memv6"};

static json_object *jstr(const char *s) {
  return json_object_new_string(s);
}

static json_object *at(json_object *o, const char *k) {
  json_object *v = NULL;
  json_object_object_get_ex(o, k, &v);
  return v;
}

// A trial record as campaign_faults.c writes one; outcome and frame kind
// follow from the trial index, times from the "host" (salt).
static json_object *trial(int v, int t, double salt) {
  json_object *r = json_object_new_object(), *f = json_object_new_object(),
              *fs = json_object_new_array(), *mce = json_object_new_array();
  char id[32], seed[32];
  snprintf(id, sizeof id, "%s/%d", variants[v], t);
  snprintf(seed, sizeof seed, "0x%016llx", (unsigned long long)mh_trial_seed(13, t));
  json_object_object_add(r, "id", jstr(id));
  json_object_object_add(r, "variant", jstr(variants[v]));
  json_object_object_add(r, "trial", json_object_new_int(t));
  json_object_object_add(r, "seed", jstr(seed));
  json_object_object_add(f, "frame_kind", jstr(t % 3 ? "native" : "kernel"));
  json_object_array_add(fs, f);
  json_object_object_add(r, "faults", fs);
  json_object_object_add(r, "outcome", jstr(v ? "recovered" : t % 2 ? "killed" : "sdc"));
  if (v) {
    json_object *m = json_object_new_object();
    json_object_object_add(m, "action", jstr("recovered"));
    json_object_object_add(m, "cycles", json_object_new_int64(5000 + 10 * t));
    json_object_array_add(mce, m);
  }
  json_object_object_add(r, "mce", mce);
  json_object_object_add(r, "restore_ms", json_object_new_double(100 + salt + t));
  json_object_object_add(r, "wall_s", json_object_new_double(0.3 * salt + t));
  return r;
}

// A results document with the given trials (owned), shard k of n (n 0:
// none), written on a host named after salt.
static json_object *doc(json_object *trials, int k, int n, double salt) {
  json_object *d = json_object_new_object(), *kern = json_object_new_object(),
              *faults = json_object_new_object(), *sum = json_object_new_object(),
              *host = json_object_new_object(), *rate = json_object_new_object();
  char name[32];
  struct mh_campaign c;
  struct mh_err ce;
  if (mh_campaign_parse(CAMPAIGN_TEXT, &c, &ce) < 0)
    fail_msg("%s", ce.msg);
  json_object_object_add(d, "schema", json_object_new_int(1));
  json_object_object_add(d, "status", jstr("complete"));
  json_object_object_add(d, "started",
                         jstr(salt > 1 ? "2026-11-22T05:00:09Z" : "2026-11-22T05:00:00Z"));
  json_object_object_add(d, "updated", jstr("2026-11-22T05:01:00Z"));
  json_object_object_add(d, "campaign_file", jstr("tiny.json"));
  json_object_object_add(d, "campaign_sha256", jstr("c0ffee"));
  json_object_object_add(d, "campaign", json_tokener_parse(CAMPAIGN_TEXT));
  snprintf(name, sizeof name, "node%d", (int)salt);
  json_object_object_add(host, "hostname", jstr(name));
  json_object_object_add(d, "host", host);
  for (int v = 0; v < 2; v++) {
    json_object *kv = json_object_new_object(), *fv = json_object_new_object(),
                *g = json_object_new_object(), *vr = json_object_new_object();
    json_object_object_add(kv, "kernel", jstr(salt > 1 ? "/scratch/k.elf" : "/home/k.elf"));
    json_object_object_add(kv, "kernel_sha256", jstr(v ? "aa" : "bb"));
    json_object_object_add(kv, "disk_sha256", jstr(v ? "cc" : "dd"));
    json_object_object_add(kern, variants[v], kv);
    json_object_object_add(g, "status", json_object_new_int(0));
    json_object_object_add(g, "output", jstr("memsum: ok"));
    json_object_object_add(g, "hits", json_object_new_int(4));
    json_object_object_add(g, "wall_s", json_object_new_double(1 + salt));
    json_object_object_add(fv, "golden", g);
    json_object_object_add(fv, "cmdline", jstr("memsum 1 4"));
    json_object_object_add(fv, "mem_mb", json_object_new_int(48));
    json_object_object_add(fv, "trial_timeout_s", json_object_new_double(20 + salt));
    json_object_object_add(vr, "trials", json_object_new_int(TRIALS / 2));
    json_object_object_add(vr, "wall_s", json_object_new_double(10 + salt));
    json_object_object_add(fv, "rate", vr);
    json_object_object_add(faults, variants[v], fv);
    json_object_object_add(sum, variants[v],
                           mh_faults_summary(trials, variants[v], &c.faults, c.confidence));
  }
  json_object_object_add(rate, "jobs", json_object_new_int(1));
  json_object_object_add(sum, "rate", rate);
  json_object_object_add(faults, "summary", sum);
  json_object_object_add(d, "kernels", kern);
  json_object_object_add(d, "faults", faults);
  json_object_object_add(d, "trials", trials);
  if (n) {
    struct mh_shard s = {(unsigned)k, (unsigned)n};
    json_object_object_add(d, "shard", mh_shard_json(&s));
  }
  mh_campaign_free(&c);
  return d;
}

// The single-machine run: trials in an interleaved completion order.
static json_object *single(void) {
  json_object *a = json_object_new_array();
  for (int t = 0; t < TRIALS; t++)
    for (int v = 1; v >= 0; v--)
      json_object_array_add(a, trial(v, t, 0));
  return doc(a, 0, 0, 0);
}

// Shard k: its own trials only, newest first, with this host's times.
static json_object *shard(int k) {
  json_object *a = json_object_new_array();
  for (int t = TRIALS - 1; t >= 0; t--)
    if (mh_shard_owns(mh_trial_seed(13, t), (unsigned)k, SHARDS))
      for (int v = 0; v < 2; v++)
        json_object_array_add(a, trial(v, t, 2 + k));
  return doc(a, k, SHARDS, 2 + k);
}

struct set {
  json_object *docs[SHARDS + 1];
  const char *names[SHARDS + 1];
  int n;
};

// All shards, given in a scrambled order.
static void all_shards(struct set *s) {
  static const int order[SHARDS] = {2, 0, 3, 1};
  static const char *const names[SHARDS] = {"s0.json", "s1.json", "s2.json", "s3.json"};
  s->n = SHARDS;
  for (int i = 0; i < SHARDS; i++) {
    s->docs[i] = shard(order[i]);
    s->names[i] = names[order[i]];
  }
}

static void free_set(struct set *s) {
  for (int i = 0; i < s->n; i++)
    json_object_put(s->docs[i]);
}

// The set's merge must be refused with a message containing every needle.
static void refused(struct set *s, const char *needle1, const char *needle2) {
  struct mh_err e;
  json_object *m = mh_merge_shards(s->docs, s->names, s->n, &e);
  if (m)
    fail_msg("merged although it should refuse (%s)", needle1);
  if (!strstr(e.msg, needle1) || (needle2 && !strstr(e.msg, needle2)))
    fail_msg("message lacks \"%s\"/\"%s\":\n%s", needle1, needle2 ? needle2 : "", e.msg);
  free_set(s);
}

static int trials_of(json_object *shard_doc) {
  return (int)json_object_array_length(at(shard_doc, "trials"));
}

// ---- tests ----

// The fixture itself: the shards partition the trials, and with this seed
// shard 3 happens to get none of the 10, so every merge below also joins an
// empty shard (a shard of a small campaign may well be empty).
static void shards_partition_the_trials(void **state) {
  (void)state;
  int sum = 0;
  for (int k = 0; k < SHARDS; k++) {
    json_object *s = shard(k);
    sum += trials_of(s);
    if (k == 3)
      assert_int_equal(trials_of(s), 0);
    json_object_put(s);
  }
  assert_int_equal(sum, 2 * TRIALS);
}

static void merged_equals_single_run(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  struct mh_err e;
  json_object *m = mh_merge_shards(s.docs, s.names, s.n, &e);
  if (!m)
    fail_msg("refused: %s", e.msg);
  json_object *one = single();
  assert_int_equal(mh_trialdiff(one, m, "single", "merged", stdout, 10), 0);
  assert_int_equal(trials_of(m), 2 * TRIALS);
  // Campaign order: native/0 … native/9, memv6/0 … memv6/9.
  assert_string_equal(
      json_object_get_string(at(json_object_array_get_idx(at(m, "trials"), 0), "id")), "native/0");
  assert_string_equal(
      json_object_get_string(at(json_object_array_get_idx(at(m, "trials"), TRIALS), "id")),
      "memv6/0");
  assert_null(at(m, "shard"));
  assert_string_equal(json_object_get_string(at(m, "status")), "complete");
  assert_string_equal(json_object_get_string(at(m, "started")), "2026-11-22T05:00:09Z");
  // Host and time fields are kept per shard, in shard order.
  json_object *shards = at(m, "shards");
  assert_int_equal(json_object_array_length(shards), SHARDS);
  json_object *s3 = json_object_array_get_idx(shards, 3);
  assert_string_equal(json_object_get_string(at(s3, "file")), "s3.json");
  assert_string_equal(json_object_get_string(at(at(s3, "host"), "hostname")), "node5");
  assert_true(json_object_get_double(at(at(at(s3, "faults"), "memv6"), "trial_timeout_s")) == 25);
  json_object *rate = at(at(at(m, "faults"), "summary"), "rate");
  assert_int_equal(json_object_get_int(at(rate, "trials")), 2 * TRIALS);
  assert_int_equal(json_object_get_int(at(rate, "jobs")), SHARDS);
  json_object_put(one);
  json_object_put(m);
  free_set(&s);
}

static void compare_sees_a_changed_outcome_and_a_lost_trial(void **state) {
  (void)state;
  json_object *a = single(), *b = single();
  json_object *t3 = json_object_array_get_idx(at(b, "trials"), 3);
  json_object_object_add(t3, "outcome", jstr("panic"));
  json_object_array_del_idx(at(b, "trials"), 7, 1);
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf, "w");
  int n = mh_trialdiff(a, b, "A", "B", f, 10);
  fclose(f);
  assert_int_equal(n, 2);
  assert_non_null(strstr(buf, "outcome is \"killed\" in A but \"panic\" in B"));
  assert_non_null(strstr(buf, "only in A"));
  // Times alone are no difference.
  json_object_put(b);
  b = single();
  json_object_object_add(json_object_array_get_idx(at(b, "trials"), 0), "wall_s",
                         json_object_new_double(99));
  assert_int_equal(mh_trialdiff(a, b, "A", "B", stdout, 10), 0);
  // A summary that does not follow from the trials is one.
  json_object *all = at(at(at(at(b, "faults"), "summary"), "memv6"), "outcomes");
  json_object_object_add(at(all, "all"), "recovered", json_object_new_int(3));
  assert_int_equal(mh_trialdiff(a, b, "A", "B", stdout, 10), 1);
  json_object_put(a);
  json_object_put(b);
}

static void refuses_shards_of_another_campaign(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_add(s.docs[0], "campaign_sha256", jstr("d00d"));
  refused(&s, "s2.json: $.campaign_sha256 is \"d00d\"", "different campaign files");
}

static void refuses_shards_of_another_build(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_add(at(at(s.docs[2], "kernels"), "memv6"), "disk_sha256", jstr("ee"));
  refused(&s, "s3.json: $.kernels.memv6.disk_sha256", "different builds");
}

static void refuses_another_schema(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_add(s.docs[3], "schema", json_object_new_int(2));
  refused(&s, "s1.json: $.schema is 2", "schema 1");
}

static void refuses_different_golden_runs(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_add(at(at(at(s.docs[0], "faults"), "native"), "golden"), "output",
                         jstr("memsum: wrong"));
  refused(&s, "$.faults.native.golden.output", "golden runs differ");
}

static void detects_a_missing_trial(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object *t = at(s.docs[1], "trials"); // shard 0
  char id[32];
  snprintf(id, sizeof id, "%s (shard 0)",
           json_object_get_string(at(json_object_array_get_idx(t, 0), "id")));
  json_object_array_del_idx(t, 0, 1);
  refused(&s, "1 of 20 trials missing", id);
}

static void detects_a_duplicated_trial(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object *t = at(s.docs[0], "trials");
  json_object_array_add(t, json_object_get(json_object_array_get_idx(t, 0)));
  refused(&s, "is recorded twice: in s2.json and in s2.json", NULL);
  // The same trial in another shard's file is in the wrong shard, too.
  all_shards(&s);
  json_object *moved = json_object_array_get_idx(at(s.docs[0], "trials"), 0);
  json_object_array_add(at(s.docs[1], "trials"), json_object_get(moved));
  refused(&s, "belongs to shard 2/4, not to this file's shard 0/4", "recorded twice");
}

static void detects_a_missing_or_repeated_shard(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_put(s.docs[3]); // shard 1
  s.n = 3;
  refused(&s, "no file for shard 1/4", NULL);
  all_shards(&s);
  json_object_put(s.docs[3]);
  s.docs[3] = shard(2);
  s.names[3] = "again.json";
  refused(&s, "s2.json and again.json are both shard 2/4", NULL);
}

static void refuses_an_unfinished_shard(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_add(s.docs[2], "status", jstr("interrupted"));
  refused(&s, "s3.json: $.status is \"interrupted\"", "--shard 3/4 -o s3.json --resume");
}

static void refuses_overhead_results(void **state) {
  (void)state;
  struct set s;
  all_shards(&s);
  json_object_object_del(s.docs[0], "trials");
  refused(&s, "s2.json: $.trials: missing: not the results of a fault campaign", NULL);
}

// ---- the command line ----

static char dir[] = "/tmp/mh-merge-XXXXXX";

static int mh(char *const *argv, char *out, size_t cap) {
  struct mh_err e;
  int rc = mh_proc_capture(argv, out, cap, 30000, &e);
  if (rc < 0)
    fail_msg("cannot run memharness: %s", e.msg);
  return rc;
}

static void command_line_merges_and_compares(void **state) {
  (void)state;
  assert_non_null(mkdtemp(dir));
  char path[SHARDS][128], one[128], all[128], out[8192];
  for (int k = 0; k < SHARDS; k++) {
    snprintf(path[k], sizeof path[k], "%s/shard-%d.json", dir, k);
    json_object *d = shard(k);
    assert_int_equal(json_object_to_file(path[k], d), 0);
    json_object_put(d);
  }
  snprintf(one, sizeof one, "%s/single.json", dir);
  snprintf(all, sizeof all, "%s/all.json", dir);
  json_object *d = single();
  assert_int_equal(json_object_to_file(one, d), 0);
  json_object_put(d);

  char *merge[] = {MEMHARNESS, "merge", path[3], path[1], path[0], path[2], "-o", all, NULL};
  assert_int_equal(mh(merge, out, sizeof out), 0);
  assert_non_null(strstr(out, "merged 4 shards: 20 trials"));
  char *cmp[] = {MEMHARNESS, "merge", "--compare", one, all, NULL};
  assert_int_equal(mh(cmp, out, sizeof out), 0);
  assert_non_null(strstr(out, "same: 20 trial records"));

  // Three of four shards: refused, exit 1, and nothing written.
  unlink(all);
  char *three[] = {MEMHARNESS, "merge", path[0], path[1], path[2], "-o", all, NULL};
  assert_int_equal(mh(three, out, sizeof out), 1);
  assert_non_null(strstr(out, "no file for shard 3/4"));
  assert_int_not_equal(access(all, F_OK), 0);
  // Comparing a shard with the whole run: its missing trials are differences.
  char *cmp2[] = {MEMHARNESS, "merge", "--compare", one, path[0], NULL};
  assert_int_equal(mh(cmp2, out, sizeof out), 1);
  assert_non_null(strstr(out, "only in"));
  // Usage: no -o; -o naming an input; a file that is not there.
  char *noout[] = {MEMHARNESS, "merge", path[0], NULL};
  assert_int_equal(mh(noout, out, sizeof out), 2);
  assert_non_null(strstr(out, "-o ALL.json is required"));
  char *clobber[] = {MEMHARNESS, "merge", path[0], path[1], "-o", path[1], NULL};
  assert_int_equal(mh(clobber, out, sizeof out), 2);
  char *missing[] = {MEMHARNESS, "merge", "/nonexistent/s.json", "-o", all, NULL};
  assert_int_equal(mh(missing, out, sizeof out), 2);
  assert_non_null(strstr(out, "/nonexistent/s.json"));
  mh_test_rm_tree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shards_partition_the_trials),
      cmocka_unit_test(merged_equals_single_run),
      cmocka_unit_test(compare_sees_a_changed_outcome_and_a_lost_trial),
      cmocka_unit_test(refuses_shards_of_another_campaign),
      cmocka_unit_test(refuses_shards_of_another_build),
      cmocka_unit_test(refuses_another_schema),
      cmocka_unit_test(refuses_different_golden_runs),
      cmocka_unit_test(detects_a_missing_trial),
      cmocka_unit_test(detects_a_duplicated_trial),
      cmocka_unit_test(detects_a_missing_or_repeated_shard),
      cmocka_unit_test(refuses_an_unfinished_shard),
      cmocka_unit_test(refuses_overhead_results),
      cmocka_unit_test(command_line_merges_and_compares),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
