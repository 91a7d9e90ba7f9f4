// memharness compare on two fault results: a rate difference is called
// significant by Newcombe's interval, a higher failure rate in the new
// file is a regression (exit 1), and mixed inputs are refused (exit 2).
#include "cm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "compare_faults.h"
#include "err.h"
#include "proc.h"
#include "propstats.h"
#include "samples.h"

static void add(json_object *trials, int n, const char *variant, const char *outcome) {
  for (int i = 0; i < n; i++) {
    json_object *r = json_object_new_object(), *fs = json_object_new_array(),
                *f = json_object_new_object();
    json_object_object_add(r, "variant", json_object_new_string(variant));
    json_object_object_add(r, "outcome", json_object_new_string(outcome));
    json_object_object_add(f, "injected", json_object_new_boolean(1));
    json_object_object_add(f, "frame_kind", json_object_new_string("native"));
    json_object_object_add(f, "candidates", json_object_new_int(5));
    json_object_array_add(fs, f);
    json_object_object_add(r, "faults", fs);
    json_object_array_add(trials, r);
  }
}

// A finished fault result: memv6 with `sdc` silent corruptions and the rest
// recovered, out of 100.
static json_object *doc(int sdc) {
  json_object *d = json_object_new_object(), *t = json_object_new_array();
  json_object_object_add(d, "schema", json_object_new_int(1));
  json_object_object_add(d, "status", json_object_new_string("complete"));
  json_object_object_add(d, "faults", json_object_new_object());
  add(t, sdc, "memv6", "sdc");
  add(t, 100 - sdc, "memv6", "recovered");
  json_object_object_add(d, "trials", t);
  return d;
}

static json_object *find(json_object *report, const char *kind, const char *outcome) {
  json_object *rows = mh_jget(report, "rows");
  for (size_t i = 0; i < json_object_array_length(rows); i++) {
    json_object *r = json_object_array_get_idx(rows, i);
    if (!strcmp(mh_jstr(r, "frame_kind"), kind) && !strcmp(mh_jstr(r, "outcome"), outcome))
      return r;
  }
  return NULL;
}

static void differences_and_their_significance(void **state) {
  (void)state;
  json_object *a = doc(10), *b = doc(30), *c = doc(14), *rep;
  struct mh_err e = {""};
  assert_int_equal(mh_compare_faults(a, "a", b, "b", 0.95, &rep, &e), MH_CMP_REGRESSION);
  json_object *r = find(rep, "all", "failure");
  assert_non_null(r);
  struct mh_diff d = mh_newcombe(30, 100, 10, 100, 0.95);
  assert_float_equal(json_object_get_double(mh_jget(r, "diff")), 0.2, 1e-12);
  assert_float_equal(json_object_get_double(mh_jget(r, "lo")), d.lo, 1e-12);
  assert_float_equal(json_object_get_double(mh_jget(r, "hi")), d.hi, 1e-12);
  assert_true(json_object_get_boolean(mh_jget(r, "significant")));
  assert_non_null(find(rep, "native", "sdc")); // per frame kind as well
  json_object_put(rep);
  // Fewer failures in the new file: significant, but no regression.
  assert_int_equal(mh_compare_faults(b, "b", a, "a", 0.95, &rep, &e), MH_CMP_OK);
  assert_true(json_object_get_boolean(mh_jget(find(rep, "all", "sdc"), "significant")));
  json_object_put(rep);
  // 10 vs 14 in 100: within chance.
  assert_int_equal(mh_compare_faults(a, "a", c, "c", 0.95, &rep, &e), MH_CMP_OK);
  assert_false(json_object_get_boolean(mh_jget(find(rep, "all", "failure"), "significant")));
  json_object_put(rep);
  json_object_put(a);
  json_object_put(b);
  json_object_put(c);
}

// Every variant the trials name is compared, not a fixed pair: a third
// kernel variant (memv6sys) gets its rows, once each, whatever the order.
static void every_variant_of_the_trials(void **state) {
  (void)state;
  json_object *a = doc(10), *b = doc(10);
  add(mh_jget(a, "trials"), 20, "memv6sys", "panic");
  add(mh_jget(a, "trials"), 80, "memv6sys", "recovered");
  add(mh_jget(b, "trials"), 40, "memv6sys", "panic");
  add(mh_jget(b, "trials"), 60, "memv6sys", "recovered");
  add(mh_jget(a, "trials"), 5, "memv6", "sdc"); // memv6 again after memv6sys
  add(mh_jget(b, "trials"), 5, "memv6", "sdc");
  json_object *rep;
  struct mh_err e = {""};
  assert_int_equal(mh_compare_faults(a, "a", b, "b", 0.95, &rep, &e), MH_CMP_REGRESSION);
  json_object *rows = mh_jget(rep, "rows");
  int sys = 0, m6 = 0;
  for (size_t i = 0; i < json_object_array_length(rows); i++) {
    json_object *r = json_object_array_get_idx(rows, i);
    if (strcmp(mh_jstr(r, "frame_kind"), "all") || strcmp(mh_jstr(r, "outcome"), "failure"))
      continue;
    if (!strcmp(mh_jstr(r, "variant"), "memv6sys")) {
      sys++;
      assert_true(json_object_get_boolean(mh_jget(r, "significant")));
      assert_float_equal(json_object_get_double(mh_jget(r, "diff")), 0.2, 1e-12);
    } else if (!strcmp(mh_jstr(r, "variant"), "memv6")) {
      m6++;
      assert_false(json_object_get_boolean(mh_jget(r, "significant")));
    }
  }
  assert_int_equal(sys, 1);
  assert_int_equal(m6, 1);
  json_object_put(rep);
  json_object_put(a);
  json_object_put(b);
}

static char output[65536];

static int mh(const char *a, const char *b) {
  char *argv[] = {MEMHARNESS, "compare", (char *)a, (char *)b, NULL};
  struct mh_err e;
  int rc = mh_proc_capture(argv, output, sizeof output, 30000, &e);
  if (rc < 0)
    fail_msg("%s", e.msg);
  return rc;
}

static void the_command_on_fault_results(void **state) {
  (void)state;
  char dir[] = "/tmp/mh-cmpf-XXXXXX", pa[64], pb[64], po[64];
  assert_non_null(mkdtemp(dir));
  snprintf(pa, sizeof pa, "%s/a.json", dir);
  snprintf(pb, sizeof pb, "%s/b.json", dir);
  snprintf(po, sizeof po, "%s/o.json", dir);
  json_object *a = doc(10), *b = doc(30);
  assert_int_equal(json_object_to_file(pa, a), 0);
  assert_int_equal(json_object_to_file(pb, b), 0);
  assert_int_equal(mh(pa, pb), 1);
  assert_non_null(strstr(output, "Newcombe"));
  assert_non_null(strstr(output, "REGRESSION: "));
  assert_int_equal(mh(pb, pa), 0);
  // An overhead result against a fault result: refused, naming the file.
  json_object_put(b);
  b = json_object_new_object();
  json_object_object_add(b, "schema", json_object_new_int(1));
  json_object_object_add(b, "status", json_object_new_string("complete"));
  json_object_object_add(b, "runs", json_object_new_array());
  json_object_object_add(b, "summaries", json_object_new_array());
  assert_int_equal(json_object_to_file(po, b), 0);
  assert_int_equal(mh(po, pa), 2);
  assert_non_null(strstr(output, "o.json: $.trials missing"));
  json_object_put(a);
  json_object_put(b);
  assert_int_equal(mh_test_rm_tree(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(differences_and_their_significance),
      cmocka_unit_test(every_variant_of_the_trials),
      cmocka_unit_test(the_command_on_fault_results),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
