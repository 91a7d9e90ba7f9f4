// Fault injection into Linux processes through gdbserver (lxtrial.h): a
// memory error in a native page of crc32 (bits flipped, then SIGBUS with
// BUS_MCEERR_AR and the page's address) is recovered by the mirrored build
// with correct output and kills the untranslated one; the campaign checks
// of the linux-* variants refuse what they cannot do.
#include "cm.h"
#include "lxskip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "elfsym.h"
#include "fault.h"
#include "lxtrial.h"
#include "mh_config.h"

#define TRIALS 4

static const char *campaign_when(const char *variants, const char *target, const char *when,
                                 const char *extra) {
  static char buf[2048];
  snprintf(buf, sizeof buf,
           "{\"schema\": 1, \"name\": \"lxtest\", \"variants\": [%s],"
           " \"workloads\": [{\"name\": \"crc32\", \"program\": \"crc32\","
           " \"expect\": {\"status\": 0, \"output\": [\"verify crc32 ok\"]}}],"
           " \"timeouts\": {\"run_s\": 60}, \"seed\": 26,"
           " \"faults\": {\"trials\": %d, \"target\": %s, \"when\": %s%s}}",
           variants, TRIALS, target, when, extra);
  return buf;
}

static const char *campaign_json(const char *variants, const char *target, const char *extra) {
  return campaign_when(variants, target, "{\"breakpoint\": \"rdtsc\", \"hits\": [1, 2]}", extra);
}

// Runs the campaign's trials on variant v; counts outcomes, checks records.
static void run_variant(const struct mh_campaign *c, enum mh_variant v, int count[MH_OUT_COUNT]) {
  struct mh_lxprog p;
  struct mh_err e;
  if (mh_lx_prepare(&p, BUILD_DIR, v, c, c->faults.workload, &e) < 0)
    fail_msg("%s: %s", mh_variant_name(v), e.msg);
  struct mh_golden g;
  if (mh_lx_golden(&p, &c->faults, 60, &g, &e) < 0)
    fail_msg("golden run of %s: %s", mh_variant_name(v), e.msg);
  assert_int_equal(g.status, 0);
  assert_int_equal(g.hits, 2); // crc32 reads the clock before and after its kernel
  assert_non_null(strstr(g.output, "verify crc32 ok"));
  for (int t = 0; t < c->faults.trials; t++) {
    struct mh_trial_plan plan;
    mh_fault_plan(&c->faults, t, mh_trial_seed(c->faults.seed, t), &plan);
    struct mh_trial_result r;
    mh_lx_trial(&p, &c->faults, &g, &plan, 30, &r);
    printf("%s/%d: %s (%s) page %#llx in %s\n", mh_variant_name(v), t, mh_outcome_name(r.outcome),
           r.reason, (unsigned long long)r.lx.page, r.lx.region ? r.lx.region : "-");
    count[r.outcome]++;
    json_object *rec = mh_lx_record("x/0", mh_variant_name(v), t, &c->faults, &plan, &r), *path;
    assert_true(json_object_object_get_ex(rec, "path", &path));
    assert_string_equal(json_object_get_string(path), "siginfo");
    json_object_put(rec);
    mh_trial_result_free(&r);
  }
  mh_golden_free(&g);
  mh_lx_free(&p);
}

// Both builds of one architecture: the mirrored one recovers every trial,
// the untranslated one is killed by every SIGBUS.
static void recovers_and_dies(const char *arch, const char *variants, enum mh_variant native_v,
                              enum mh_variant memv6_v) {
  struct mh_campaign c;
  struct mh_err e;
  const char *js = campaign_json(variants, "{\"kind\": \"native\", \"region\": \"any\"}", "");
  if (mh_campaign_parse(js, &c, &e) < 0)
    fail_msg("%s", e.msg);
  int native[MH_OUT_COUNT] = {0}, memv6[MH_OUT_COUNT] = {0};
  run_variant(&c, native_v, native);
  run_variant(&c, memv6_v, memv6);
  printf("%s: memv6 recovered %d of %d (expected all); native killed %d of %d (expected all)\n",
         arch, memv6[MH_OUT_RECOVERED], TRIALS, native[MH_OUT_KILLED], TRIALS);
  assert_int_equal(memv6[MH_OUT_RECOVERED], TRIALS);
  assert_int_equal(native[MH_OUT_KILLED], TRIALS);
  mh_campaign_free(&c);
}

static void mirrored_recovers_native_dies(void **state) {
  (void)state;
  if (!mh_lx_can_run(NULL))
    skip();
  recovers_and_dies("i386", "\"linux-i386-native\", \"linux-i386-memv6\"",
                    MH_VARIANT_LX_I386_NATIVE, MH_VARIANT_LX_I386_MEMV6);
}

// The same on x86-64 (its g-packet layout and siginfo): where this build
// has the x86-64 programs (linux/CMakeLists.txt builds them when the host
// compiler can).
static void x86_64_too(void **state) {
  (void)state;
  if (!mh_lx_can_run(BUILD_DIR "/linux/x86_64-memv6/crc32") ||
      !mh_lx_can_run(BUILD_DIR "/linux/x86_64-native/crc32"))
    skip();
  recovers_and_dies("x86-64", "\"linux-x86_64-native\", \"linux-x86_64-memv6\"",
                    MH_VARIANT_LX_X86_64_NATIVE, MH_VARIANT_LX_X86_64_MEMV6);
}

// Without the signal the flipped bits stay: no trial may be called
// recovered, and no harness error.
static void no_signal_is_never_recovered(void **state) {
  (void)state;
  if (!mh_lx_can_run(NULL))
    skip();
  struct mh_campaign c;
  struct mh_err e;
  const char *js =
      campaign_json("\"linux-i386-memv6\"", "{\"kind\": \"native\", \"region\": \"data\"}",
                    ", \"trap\": \"none\", \"bits\": 8");
  if (mh_campaign_parse(js, &c, &e) < 0)
    fail_msg("%s", e.msg);
  int n[MH_OUT_COUNT] = {0};
  run_variant(&c, MH_VARIANT_LX_I386_MEMV6, n);
  printf("trap none: recovered %d (expected 0), harness errors %d (expected 0)\n",
         n[MH_OUT_RECOVERED], n[MH_OUT_HARNESS_ERROR]);
  assert_int_equal(n[MH_OUT_RECOVERED], 0);
  assert_int_equal(n[MH_OUT_HARNESS_ERROR], 0);
  mh_campaign_free(&c);
}

static void refused(const char *js, const char *path) {
  struct mh_campaign c;
  struct mh_err e;
  int rc = mh_campaign_parse(js, &c, &e);
  printf("expected an error naming %s: %s\n", path, rc < 0 ? e.msg : "(accepted)");
  assert_int_equal(rc, -1);
  assert_non_null(strstr(e.msg, path));
}

static void campaign_checks(void **state) {
  (void)state;
  const char *native = "{\"kind\": \"native\"}";
  refused(campaign_json("\"native\", \"linux-i386-memv6\"", native, ""), "$.variants");
  refused(campaign_json("\"linux-i386-native\"", "{\"kind\": \"mirror\"}", ""),
          "$.faults.target.kind");
  refused(campaign_json("\"linux-i386-memv6\"", "{\"kind\": \"kernel\"}", ""),
          "$.faults.target.kind");
  refused(campaign_json("\"linux-i386-memv6\"", "{\"kind\": \"native\", \"region\": \"text\"}", ""),
          "$.faults.target.region");
  refused(campaign_json("\"memv6\"", native, ", \"si_code\": \"BUS_MCEERR_AO\""),
          "$.faults.si_code");
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(
          campaign_json("\"linux-i386-memv6\"", native, ", \"si_code\": \"BUS_MCEERR_AO\""), &c,
          &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(c.faults.si_code, 5);
  mh_campaign_free(&c);
}

static int si_code_of(const char *js) {
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(js, &c, &e) < 0)
    fail_msg("%s", e.msg);
  int code = c.faults.si_code;
  mh_campaign_free(&c);
  return code;
}

// Instruction-exact stops (when.icount after a breakpoint) and target.page:
// accepted, the stop at an instruction getting BUS_MCEERR_AO unless the
// campaign says AR; what a Linux process cannot do refused by name.
static void step_and_page_checks(void **state) {
  (void)state;
  const char *v = "\"linux-i386-memv6\"", *sp = "{\"kind\": \"native\", \"page\": \"sp\"}";
  const char *steps = "{\"breakpoint\": \"rdtsc\", \"icount\": [0, 9], \"sweep\": true}";
  assert_int_equal(si_code_of(campaign_when(v, sp, steps, "")), 5);
  assert_int_equal(si_code_of(campaign_when(v, sp, steps, ", \"si_code\": \"BUS_MCEERR_AR\"")), 4);
  assert_int_equal(si_code_of(campaign_json(v, sp, "")), 4); // at a breakpoint: AR as before
  refused(campaign_when(v, sp, "{\"icount\": [0, 9]}", ""), "$.faults.when");
  refused(campaign_when(v, sp, "{\"delay_ms\": [1, 9]}", ""), "$.faults.when");
  refused(campaign_json(v, "{\"kind\": \"native\", \"page\": \"kstack\"}", ""),
          "$.faults.target.page");
}

// What the program lacks is refused before a trial runs, naming it.
static void prepare_refused(const char *variant, const char *page, const char *words) {
  struct mh_campaign c;
  struct mh_err e;
  char target[128], v[64];
  snprintf(target, sizeof target, "{\"kind\": \"native\", \"page\": \"%s\"}", page);
  snprintf(v, sizeof v, "\"%s\"", variant);
  if (mh_campaign_parse(campaign_json(v, target, ""), &c, &e) < 0)
    fail_msg("%s", e.msg);
  struct mh_lxprog p;
  int rc = mh_lx_prepare(&p, BUILD_DIR, c.variants[0], &c, 0, &e);
  printf("page %s on %s: expected an error with \"%s\": %s\n", page, variant, words,
         rc < 0 ? e.msg : "(accepted)");
  assert_int_equal(rc, -1);
  assert_non_null(strstr(e.msg, "$.faults.target.page"));
  assert_non_null(strstr(e.msg, words));
  mh_lx_free(&p);
  mh_campaign_free(&c);
}

static void page_checks(void **state) {
  (void)state;
  if (access(BUILD_DIR "/linux/i386-memv6/crc32", R_OK) != 0)
    skip();
  prepare_refused("linux-i386-memv6", "r8", "r8 is not a register of i386");
  prepare_refused("linux-i386-memv6", "nosuch+0x10", "no symbol nosuch");
  prepare_refused("linux-i386-memv6", "main", "outside");
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_parse(campaign_json("\"linux-i386-memv6\"",
                                      "{\"kind\": \"native\", \"page\": \"data+0x1000\"}", ""),
                        &c, &e) < 0)
    fail_msg("%s", e.msg);
  struct mh_lxprog p;
  if (mh_lx_prepare(&p, BUILD_DIR, c.variants[0], &c, 0, &e) < 0)
    fail_msg("%s", e.msg);
  uint64_t data;
  if (mh_elf_symbol(p.path, "data", &data, NULL, &e) < 0)
    fail_msg("%s", e.msg);
  assert_int_equal(p.page_addr, data + 0x1000);
  assert_int_equal(p.page_reg, -1);
  mh_lx_free(&p);
  mh_campaign_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(campaign_checks),
      cmocka_unit_test(step_and_page_checks),
      cmocka_unit_test(page_checks),
      cmocka_unit_test(mirrored_recovers_native_dies),
      cmocka_unit_test(no_signal_is_never_recovered),
      cmocka_unit_test(x86_64_too),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
