#include "cm.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"

#define MINIMAL                                                                                    \
  "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6\"],"                        \
  " \"workloads\": [{\"name\": \"w\", \"program\": \"usertests\"}]"

static int parse(const char *text, struct mh_campaign *c, struct mh_err *e) {
  return mh_campaign_parse(text, c, e);
}

// Asserts the text is rejected and that the message contains every needle.
static void rejects(const char *text, const char *n1, const char *n2) {
  struct mh_campaign c;
  struct mh_err e = {{0}};
  int rc = parse(text, &c, &e);
  if (rc == 0 || !strstr(e.msg, n1) || (n2 && !strstr(e.msg, n2)))
    fail_msg("expected rejection mentioning '%s' and '%s', got rc=%d:\n%s", n1, n2 ? n2 : "", rc,
             e.msg);
}

static void minimal_gets_defaults(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse(MINIMAL "}", &c, &e), 0);
  assert_string_equal(c.name, "t");
  assert_int_equal(c.nvariants, 2);
  assert_int_equal(c.variants[1], MH_VARIANT_MEMV6);
  assert_int_equal(c.nworkloads, 1);
  assert_int_equal(c.workloads[0].nargs, 0);
  assert_int_equal(c.workloads[0].expect_status, 0);
  assert_int_equal(c.workloads[0].expect_tests, -1);
  assert_int_equal(c.accel, MH_ACCEL_TCG);
  assert_int_equal(c.ntimings, 1);
  assert_int_equal(c.timings[0], MH_TIMING_ICOUNT);
  assert_int_equal(c.jobs, 1);
  assert_false(c.has_faults);
  mh_campaign_free(&c);
}

static void full_campaign_round_trips(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  const char *text =
      "{\"schema\": 1, \"name\": \"full\", \"description\": \"d\", \"variants\": [\"memv6\"],"
      " \"workloads\": [{\"name\": \"a\", \"program\": \"usertests\", \"args\": [\"x\", \"y\"],"
      "   \"expect\": {\"status\": 1, \"tests\": 2, \"output\": [\"passed=2\"]}},"
      "  {\"name\": \"b\", \"program\": \"echo\"}],"
      " \"repetitions\": 9, \"icount_repetitions\": 3, \"accel\": \"auto\","
      " \"timing\": [\"wall\", \"icount\"], \"timeouts\": {\"run_s\": 30, \"probe_s\": 5.5},"
      " \"jobs\": 2, \"seed\": 99, \"thresholds\": {\"geomean_max\": 1.1, \"worst_max\": 1.3},"
      " \"statistics\": {\"bootstrap_iterations\": 1000, \"confidence\": 0.9},"
      " \"build_dir\": \"../build\","
      " \"faults\": {\"trials\": 10, \"workload\": \"b\", \"target\": {\"kind\": \"mirror\","
      "   \"region\": \"stack\"}, \"bits\": 2, \"count\": 3, \"when\": {\"icount\": [5, 10]},"
      "   \"trap\": \"none\"}}";
  assert_int_equal(parse(text, &c, &e), 0);
  assert_string_equal(c.workloads[0].args[1], "y");
  assert_int_equal(c.workloads[0].expect_status, 1);
  assert_int_equal(c.workloads[0].expect_tests, 2);
  assert_string_equal(c.workloads[0].expect_output[0], "passed=2");
  assert_int_equal(c.repetitions, 9);
  assert_int_equal(c.icount_repetitions, 3);
  assert_int_equal(c.accel, MH_ACCEL_AUTO);
  assert_int_equal(c.timings[0], MH_TIMING_WALL);
  assert_true(c.probe_timeout_s == 5.5);
  assert_true(c.seed == 99);
  assert_true(c.worst_max == 1.3);
  assert_int_equal(c.bootstrap_iterations, 1000);
  assert_string_equal(c.build_dir, "../build");
  assert_true(c.has_faults);
  assert_int_equal(c.faults.workload, 1);
  assert_int_equal(c.faults.kind, MH_FK_MIRROR);
  assert_int_equal(c.faults.region, MH_FR_STACK);
  assert_int_equal(c.faults.when, MH_FW_ICOUNT); // counted from main()
  assert_true(c.faults.icount && c.faults.icount_lo == 5 && c.faults.icount_hi == 10);
  assert_true(c.faults.when_lo == 0 && c.faults.when_hi == 0 && !c.faults.sweep);
  assert_int_equal(c.faults.trap, MH_FT_NONE);
  assert_true(c.faults.seed == 99); // inherits the campaign seed
  mh_campaign_free(&c);
}

static void unknown_keys_are_named_with_their_path(void **state) {
  (void)state;
  rejects(MINIMAL ", \"repetitons\": 3}", "$.repetitons: unknown key", "repetitions");
  rejects("{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\"],"
          " \"workloads\": [{\"name\": \"w\", \"program\": \"p\", \"argz\": []}]}",
          "$.workloads[0].argz: unknown key", NULL);
  rejects(MINIMAL ", \"timeouts\": {\"run\": 3}}", "$.timeouts.run: unknown key", "run_s");
}

static void wrong_types_and_ranges_say_what_was_expected(void **state) {
  (void)state;
  rejects(MINIMAL ", \"jobs\": \"2\"}", "$.jobs: expected an integer in [1, 64], got a string",
          NULL);
  rejects(MINIMAL ", \"jobs\": 0}", "$.jobs: expected an integer in [1, 64], got 0", NULL);
  rejects(MINIMAL ", \"accel\": \"fast\"}", "$.accel: expected one of \"tcg\" | \"kvm\" | \"auto\"",
          "\"fast\"");
  rejects(MINIMAL ", \"timing\": [\"icount\", \"icount\"]}", "$.timing[1]", "twice");
  rejects(MINIMAL ", \"thresholds\": {\"geomean_max\": -1}}", "$.thresholds.geomean_max", NULL);
  rejects("{\"schema\": 2, \"name\": \"t\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"w\", \"program\": \"p\"}]}",
          "$.schema: expected an integer in [1, 1]", NULL);
  rejects("{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"w\", \"program\": \"user tests\", \"args\": [1]}]}",
          "$.workloads[0].program: expected a word", "$.workloads[0].args[0]: expected a string");
  rejects("[1]", "$: expected a campaign object, got an array", NULL);
}

static void missing_required_keys_all_reported_at_once(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse("{\"workloads\": [{}]}", &c, &e), -1);
  const char *want[] = {"$.schema: required", "$.name: required", "$.variants: required",
                        "$.workloads[0].name: required", "$.workloads[0].program: required"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    if (!strstr(e.msg, want[i]))
      fail_msg("missing '%s' in:\n%s", want[i], e.msg);
}

static void cross_field_rules(void **state) {
  (void)state;
  rejects(MINIMAL ", \"accel\": \"kvm\", \"timing\": \"icount\"}", "$.timing: icount needs TCG",
          NULL);
  rejects("{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"w\", \"program\": \"p\"}, {\"name\": \"w\", \"program\": \"q\"}]}",
          "$.workloads[1]: workload name \"w\" is used twice", NULL);
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"kernel\", \"region\": "
                  "\"heap\"}, \"when\": {\"delay_ms\": [5, 1]}}}",
          "$.faults.target.region: a region applies to user frames only",
          "$.faults.when.delay_ms: expected min <= max");
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"native\"}, \"when\": "
                  "{\"delay_ms\": [1, 2], \"breakpoint\": \"f\"}, \"workload\": \"nope\"}}",
          "$.faults.when: expected delay_ms: [min, max] alone",
          "$.faults.workload: expected the name");
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"used\", \"page\": "
                  "\"esp\"}, \"when\": {\"breakpoint\": \"f\", \"sweep\": true}}}",
          "$.faults.target.page: applies to kind native, mirror, kernel, pgtable or kmirror "
          "only, not \"used\"",
          "$.faults.when.sweep: applies to an icount range only");
  // Kernel frames of the kernel mirror exist on memv6sys only.
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"kmirror\", \"page\": "
                  "\"kstack\"}, \"when\": {\"breakpoint\": \"f\"}}}",
          "$.faults.target.kind: kernel mirror frames exist on memv6sys only", NULL);
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"native\", \"page\": "
                  "\"esp\", \"region\": \"heap\"}, \"when\": {\"icount\": [0, 9], \"sweep\": 1}}}",
          "$.faults.target.region: a page and a region exclude each other",
          "$.faults.when.sweep: expected true or false");
}

// memv6sys (issue 23) is a variant like the others; its kernel mirror needs
// 512 MiB of guest RAM, so a campaign that gives it less is refused, and a
// campaign that says nothing gets 512 for it and the usual RAM elsewhere.
static void memv6sys_needs_its_ram(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e = {{0}};
  const char *ok = "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\", \"memv6sys\"],"
                   " \"workloads\": [{\"name\": \"w\", \"program\": \"memsum\"}]}";
  if (parse(ok, &c, &e) != 0)
    fail_msg("memv6sys refused: %s", e.msg);
  assert_int_equal(c.nvariants, 2);
  assert_int_equal(c.variants[1], MH_VARIANT_MEMV6SYS);
  assert_string_equal(mh_variant_name(c.variants[1]), "memv6sys");
  assert_int_equal(mh_variant_min_mem_mb(MH_VARIANT_MEMV6SYS), 512);
  assert_int_equal(mh_variant_min_mem_mb(MH_VARIANT_MEMV6), 0);
  assert_string_equal(mh_variant_userland(MH_VARIANT_MEMV6SYS), "memv6");
  assert_string_equal(mh_variant_userland(MH_VARIANT_NATIVE), "native");
  mh_campaign_free(&c);
  // Its kernel frames by page: the kernel mirror frame of a kernel stack.
  const char *kpage =
      "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"memv6sys\"], \"workloads\":"
      " [{\"name\": \"w\", \"program\": \"sweepk\"}], \"faults\": {\"trials\": 1,"
      " \"target\": {\"kind\": \"kmirror\", \"page\": \"kstack\"},"
      " \"when\": {\"breakpoint\": \"mark_fork\"}}}";
  if (parse(kpage, &c, &e) != 0)
    fail_msg("kind kmirror with page kstack refused: %s", e.msg);
  assert_int_equal(c.faults.kind, MH_FK_KMIRROR);
  assert_string_equal(c.faults.page, "kstack");
  mh_campaign_free(&c);
  rejects(
      "{\"schema\": 1, \"name\": \"t\", \"variants\": [\"memv6\", \"memv6sys\"],"
      " \"workloads\": [{\"name\": \"w\", \"program\": \"memsum\"}], \"faults\": {\"trials\":"
      " 1, \"target\": {\"kind\": \"used\"}, \"when\": {\"delay_ms\": [1, 2]}, \"mem_mb\": 256}}",
      "$.faults.mem_mb: memv6sys needs at least 512 MiB of guest RAM", NULL);
}

// Timing "host" (docs/linux.md): overhead runs only, with a bar of its own.
static void host_timing_has_its_own_bar(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse(MINIMAL ", \"timing\": [\"icount\", \"host\"], \"thresholds\": "
                                 "{\"geomean_max\": 1.1, \"host\": {\"geomean_max\": 1.3, "
                                 "\"worst_max\": 2}}}",
                         &c, &e),
                   0);
  assert_int_equal(c.ntimings, 2);
  assert_int_equal(c.timings[1], MH_TIMING_HOST);
  assert_string_equal(mh_timing_name(c.timings[1]), "host");
  assert_true(c.geomean_max == 1.1);
  assert_true(c.host_geomean_max == 1.3);
  assert_true(c.host_worst_max == 2);
  assert_true(c.worst_max == 0);
  mh_campaign_free(&c);
  rejects(MINIMAL ", \"timing\": \"host\", \"thresholds\": {\"host\": {\"geomean\": 1}}}",
          "$.thresholds.host.geomean: unknown key", NULL);
  rejects(MINIMAL ", \"timing\": \"host\", \"faults\": {\"trials\": 1, \"target\": "
                  "{\"kind\": \"native\"}, \"when\": {\"delay_ms\": [1, 2]}}}",
          "$.timing: \"host\" and \"host64\" time overhead runs", NULL);
  rejects(MINIMAL ", \"timing\": [\"host\"], \"programs\": {\"dir\": \"mine\"}}",
          "$.timing: \"host\" and \"host64\" run the build's Linux-process programs", NULL);
}

// Timing "host64": the same as x86-64 processes, beside "host" (i386), under
// the same bar; the QEMU timings have no host architecture.
static void host64_times_x86_64_processes(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse(MINIMAL ", \"timing\": [\"icount\", \"host\", \"host64\"], "
                                 "\"thresholds\": {\"host\": {\"geomean_max\": 1.3}}}",
                         &c, &e),
                   0);
  assert_int_equal(c.ntimings, 3);
  assert_int_equal(c.timings[2], MH_TIMING_HOST64);
  assert_string_equal(mh_timing_name(c.timings[2]), "host64");
  assert_string_equal(mh_timing_host_arch(c.timings[2]), "x86_64");
  assert_string_equal(mh_timing_host_arch(c.timings[1]), "i386");
  assert_null(mh_timing_host_arch(c.timings[0]));
  assert_null(mh_timing_host_arch(MH_TIMING_WALL));
  assert_true(c.host_geomean_max == 1.3);
  mh_campaign_free(&c);
  rejects(MINIMAL ", \"timing\": \"host64\", \"faults\": {\"trials\": 1, \"target\": "
                  "{\"kind\": \"native\"}, \"when\": {\"delay_ms\": [1, 2]}}}",
          "$.timing: \"host\" and \"host64\" time overhead runs", NULL);
}

// when.icount with a breakpoint: N instructions after the chosen hit.
static void icount_after_a_breakpoint_hit(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  if (parse(MINIMAL
            ", \"faults\": {\"trials\": 800, \"target\": {\"kind\": \"native\", "
            "\"page\": \"buf+0x1000\"}, \"when\": {\"breakpoint\": \"f\", \"hits\": [2, 2], "
            "\"icount\": [100, 899], \"sweep\": true}}}",
            &c, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.when, MH_FW_BREAKPOINT);
  assert_true(c.faults.when_lo == 2 && c.faults.when_hi == 2);
  assert_true(c.faults.icount && c.faults.sweep);
  assert_true(c.faults.icount_lo == 100 && c.faults.icount_hi == 899);
  assert_string_equal(c.faults.page, "buf+0x1000");
  mh_campaign_free(&c);
}

// Accepted but wrong until they were refused (issue 22, item 11).
static void null_sections_are_refused_not_defaulted(void **state) {
  (void)state;
  // A null $.faults used to run an overhead campaign instead.
  rejects(MINIMAL ", \"faults\": null}", "$.faults: null is not a value here", NULL);
  rejects(MINIMAL ", \"timeouts\": null}", "$.timeouts: null is not a value here", NULL);
  rejects(MINIMAL ", \"timeouts\": {\"run_s\": null}}", "$.timeouts.run_s: null", NULL);
  rejects(MINIMAL ", \"seed\": null}", "$.seed: null", NULL);
  rejects("{\"schema\": 1, \"name\": null, \"variants\": null, \"workloads\": null}",
          "$.name: null", "$.workloads: null");
  rejects("{\"schema\": 1, \"name\": \"t\", \"variants\": [\"native\"], \"workloads\": "
          "[{\"name\": \"w\", \"program\": \"x\", \"expect\": {\"status\": null}}]}",
          "$.workloads[0].expect.status: null", NULL);
  struct mh_campaign c;
  struct mh_err e = {{0}};
  // A null required key is reported once, as null, not also as missing.
  assert_int_equal(parse("{\"schema\": 1, \"name\": null, \"variants\": [\"native\"], "
                         "\"workloads\": [{\"name\": \"w\", \"program\": \"x\"}]}",
                         &c, &e),
                   -1);
  assert_null(strstr(e.msg, "required key missing"));
}

static void seeds_of_two_to_the_63_or_more_are_refused(void **state) {
  (void)state;
  // json-c reads these as INT64_MAX; they used to run with that seed.
  rejects(MINIMAL ", \"seed\": 9223372036854775808}",
          "$.seed: expected an integer in [0, "
          "9223372036854775807], got "
          "9223372036854775808",
          NULL);
  rejects(MINIMAL ", \"seed\": 18446744073709551616}", "$.seed: expected an integer", NULL);
  rejects(MINIMAL ", \"seed\": -1}", "$.seed: expected an integer", NULL);
  rejects(MINIMAL ", \"faults\": {\"trials\": 1, \"target\": {\"kind\": \"native\"}, "
                  "\"when\": {\"delay_ms\": [1, 2]}, \"seed\": 99999999999999999999}}",
          "$.faults.seed: expected an integer", NULL);
  // The largest seed that fits is taken exactly.
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse(MINIMAL ", \"seed\": 9223372036854775807}", &c, &e), 0);
  assert_int_equal(c.seed, (uint64_t)INT64_MAX);
  mh_campaign_free(&c);
}

static void names_that_are_paths_are_refused(void **state) {
  (void)state;
  static const char *const bad[] = {"../../x", "a/b", "a\\\\b", "..", ".hidden", "x..y"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char text[256];
    snprintf(text, sizeof text,
             "{\"schema\": 1, \"name\": \"%s\", \"variants\": [\"native\"], "
             "\"workloads\": [{\"name\": \"w\", \"program\": \"x\"}]}",
             bad[i]);
    rejects(text, "$.name: expected a name usable as a file name in results/", NULL);
  }
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(parse("{\"schema\": 1, \"name\": \"ok-name_2.v1\", \"variants\": "
                         "[\"native\"], \"workloads\": [{\"name\": \"w\", \"program\": \"x\"}]}",
                         &c, &e),
                   0);
  assert_string_equal(c.name, "ok-name_2.v1");
  mh_campaign_free(&c);
}

static void json_syntax_errors_give_line_and_column(void **state) {
  (void)state;
  rejects("{\n  \"schema\": 1,\n  \"name\": \"t\",,\n}", "line 3, column", "not valid JSON");
  rejects("{\"schema\": 1", "unexpected end of file", NULL);
  rejects(MINIMAL "} trailing", "text after the end", NULL);
}

static void load_names_the_file(void **state) {
  (void)state;
  struct mh_campaign c;
  struct mh_err e;
  assert_int_equal(mh_campaign_load("/nonexistent/c.json", &c, &e), -1);
  assert_non_null(strstr(e.msg, "/nonexistent/c.json: cannot open"));
  char path[] = "/tmp/mh-campaign-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs(MINIMAL ", \"jobs\": 100, \"seed\": -1}", f);
  fclose(f);
  assert_int_equal(mh_campaign_load(path, &c, &e), -1);
  char want[128];
  snprintf(want, sizeof want, "%s: $.jobs:", path);
  assert_non_null(strstr(e.msg, want));
  snprintf(want, sizeof want, "%s: $.seed:", path);
  assert_non_null(strstr(e.msg, want));
  unlink(path);
}

// The campaigns we ship must stay valid as the schema evolves.
static void shipped_campaigns_are_valid(void **state) {
  (void)state;
  const char *dirs[] = {CAMPAIGN_DIR, CAMPAIGN_DIR "/examples"};
  int checked = 0;
  for (int d = 0; d < 2; d++) {
    DIR *dir = opendir(dirs[d]);
    assert_non_null(dir);
    struct dirent *ent;
    while ((ent = readdir(dir))) {
      size_t n = strlen(ent->d_name);
      if (n < 5 || strcmp(ent->d_name + n - 5, ".json"))
        continue;
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", dirs[d], ent->d_name);
      struct mh_campaign c;
      struct mh_err e;
      if (mh_campaign_load(path, &c, &e) < 0)
        fail_msg("%s", e.msg);
      mh_campaign_free(&c);
      checked++;
    }
    closedir(dir);
  }
  assert_true(checked >= 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(minimal_gets_defaults),
      cmocka_unit_test(full_campaign_round_trips),
      cmocka_unit_test(unknown_keys_are_named_with_their_path),
      cmocka_unit_test(wrong_types_and_ranges_say_what_was_expected),
      cmocka_unit_test(missing_required_keys_all_reported_at_once),
      cmocka_unit_test(cross_field_rules),
      cmocka_unit_test(host_timing_has_its_own_bar),
      cmocka_unit_test(host64_times_x86_64_processes),
      cmocka_unit_test(icount_after_a_breakpoint_hit),
      cmocka_unit_test(null_sections_are_refused_not_defaulted),
      cmocka_unit_test(seeds_of_two_to_the_63_or_more_are_refused),
      cmocka_unit_test(names_that_are_paths_are_refused),
      cmocka_unit_test(json_syntax_errors_give_line_and_column),
      cmocka_unit_test(load_names_the_file),
      cmocka_unit_test(shipped_campaigns_are_valid),
      cmocka_unit_test(memv6sys_needs_its_ram),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
