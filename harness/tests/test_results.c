#include "cm.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/mh-results-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return mh_test_rm_tree(dir);
}

static int files_in(const char *d) {
  DIR *dp = opendir(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dp)))
    n += e->d_name[0] != '.';
  closedir(dp);
  return n;
}

static void atomic_write_replaces_and_leaves_no_temporaries(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/r.json", dir);
  struct mh_err e;
  json_object *a = json_object_new_object();
  json_object_object_add(a, "v", json_object_new_int(1));
  assert_int_equal(mh_json_write_atomic(path, a, &e), 0);
  json_object_object_add(a, "v", json_object_new_int(2));
  assert_int_equal(mh_json_write_atomic(path, a, &e), 0);
  json_object *back = mh_json_load(path, &e), *v;
  assert_non_null(back);
  assert_true(json_object_object_get_ex(back, "v", &v));
  assert_int_equal(json_object_get_int(v), 2);
  assert_int_equal(files_in(dir), 1);
  json_object_put(back);
  json_object_put(a);
}

static void failed_write_keeps_the_old_file_and_names_the_path(void **state) {
  (void)state;
  char path[192], sub[128];
  snprintf(sub, sizeof sub, "%s/ro", dir);
  mkdir(sub, 0755);
  snprintf(path, sizeof path, "%s/r.json", sub);
  struct mh_err e;
  json_object *a = json_object_new_object();
  assert_int_equal(mh_json_write_atomic(path, a, &e), 0);
  if (geteuid() != 0) { // root writes anywhere; the missing-directory case still runs
    chmod(sub, 0555);
    assert_int_equal(mh_json_write_atomic(path, a, &e), -1);
    assert_non_null(strstr(e.msg, path));
    chmod(sub, 0755);
  }
  assert_int_equal(mh_json_write_atomic("/nonexistent/dir/r.json", a, &e), -1);
  assert_non_null(strstr(e.msg, "/nonexistent/dir/r.json"));
  json_object *back = mh_json_load(path, &e);
  assert_non_null(back);
  json_object_put(back);
  json_object_put(a);
}

static void loading_garbage_is_an_error(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/bad.json", dir);
  FILE *f = fopen(path, "w");
  fputs("{\"runs\": [", f);
  fclose(f);
  struct mh_err e;
  assert_null(mh_json_load(path, &e));
  assert_non_null(strstr(e.msg, "not valid JSON"));
  assert_null(mh_json_load("/nonexistent.json", &e));
}

static void resume_checks_schema_and_campaign(void **state) {
  (void)state;
  json_object *d = json_tokener_parse(
      "{\"schema\": 1, \"campaign_sha256\": \"abc\", \"runs\": [{\"id\": \"x\"}]}");
  struct mh_err e;
  json_object *runs = mh_results_resumable(d, "abc", &e);
  assert_non_null(runs);
  assert_int_equal(json_object_array_length(runs), 1);
  assert_null(mh_results_resumable(d, "abd", &e));
  assert_non_null(strstr(e.msg, "different campaign"));
  json_object_object_add(d, "schema", json_object_new_int(9));
  assert_null(mh_results_resumable(d, "abc", &e));
  assert_non_null(strstr(e.msg, "schema"));
  json_object_put(d);
}

static void run_records_carry_samples_and_failure_context(void **state) {
  (void)state;
  struct mh_run_result r;
  memset(&r, 0, sizeof r);
  mh_serial_init(&r.serial, NULL, 0);
  const char *log = "@boot variant=memv6 mem=1 cmdline=\"x\"\n@test name=t1 status=ok cycles=77\n"
                    "@usertests passed=1 failed=0\n@exit status=1\n";
  mh_serial_feed(&r.serial, log, strlen(log), 0.5);
  r.status = MH_RUN_FAIL;
  snprintf(r.reason, sizeof r.reason, "exit status 1, expected 0");
  r.qemu_exit = 3;
  r.guest_exited = true;
  r.guest_status = 1;
  r.wall_s = 1.25;
  r.boot_s = 0.1;
  struct mh_run_meta m = {.id = "icount/w/memv6/0",
                          .timing = "icount",
                          .workload = "w",
                          .variant = "memv6",
                          .accel = "tcg",
                          .rep = 0};
  json_object *o = mh_run_record(&m, &r), *x;
  assert_true(json_object_object_get_ex(o, "id", &x));
  assert_string_equal(json_object_get_string(x), "icount/w/memv6/0");
  assert_true(json_object_object_get_ex(o, "status", &x));
  assert_string_equal(json_object_get_string(x), "fail");
  assert_true(json_object_object_get_ex(o, "tests", &x));
  assert_int_equal(json_object_array_length(x), 1);
  x = json_object_array_get_idx(x, 0);
  json_object *c;
  assert_true(json_object_object_get_ex(x, "cycles", &c));
  assert_int_equal(json_object_get_int64(c), 77);
  assert_true(json_object_object_get_ex(o, "serial_tail", &x));
  assert_non_null(strstr(json_object_get_string(x), "@exit status=1"));
  assert_true(json_object_object_get_ex(o, "guest_status", &x));
  assert_int_equal(json_object_get_int(x), 1);
  json_object_put(o);
  mh_serial_free(&r.serial);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(atomic_write_replaces_and_leaves_no_temporaries),
      cmocka_unit_test(failed_write_keeps_the_old_file_and_names_the_path),
      cmocka_unit_test(loading_garbage_is_an_error),
      cmocka_unit_test(resume_checks_schema_and_campaign),
      cmocka_unit_test(run_records_carry_samples_and_failure_context),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
