// The serial protocol is the contract between the kernel and memharness;
// these cases pin down what the checker accepts and what it rejects.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "serialcheck.h"

static int ok(const char *line) {
  char err[256];
  return serial_check(line, err, sizeof err) == 0;
}

static void documented_lines_pass(void **state) {
  (void)state;
  assert_true(ok("@boot variant=native mem=229376 cmdline=\"usertests\""));
  assert_true(ok("@boot variant=memv6 mem=1 cmdline=\"\""));
  assert_true(ok("@test name=sbrkbasic status=ok cycles=123456789012"));
  assert_true(ok("@test name=bigfile status=fail cycles=0\r\n"));
  assert_true(ok("@usertests passed=41 failed=0"));
  assert_true(ok("@exit status=-1"));
  assert_true(ok("@panic msg=\"ide: no disk (give QEMU -drive ...)\""));
}

static void malformed_lines_fail(void **state) {
  (void)state;
  assert_false(ok("boot variant=native mem=1 cmdline=\"x\""));   // no '@'
  assert_false(ok("@"));                                         // no event
  assert_false(ok("@exit status"));                              // no '='
  assert_false(ok("@exit status="));                             // empty value
  assert_false(ok("@boot variant=native mem=1 cmdline=\"open")); // unterminated
  assert_false(ok("@exit status=0 trailing"));                   // key without value
}

static void vocabulary_is_enforced(void **state) {
  (void)state;
  assert_false(ok("@panic"));                                  // no message
  assert_false(ok("@reboot reason=x"));                        // unknown event
  assert_false(ok("@test status=ok name=x cycles=1"));         // wrong order
  assert_false(ok("@test name=x status=maybe cycles=1"));      // bad status
  assert_false(ok("@test name=x status=ok cycles=-5"));        // negative cycles
  assert_false(ok("@usertests passed=1"));                     // missing key
  assert_false(ok("@usertests passed=1 failed=0 skipped=2"));  // extra key
  assert_false(ok("@boot variant=other mem=1 cmdline=\"x\"")); // unknown variant
}

static void oracle_lines_have_two_forms(void **state) {
  (void)state;
  assert_true(ok("@oracle pid=0 pages=412 mismatches=0"));
  assert_true(ok("@oracle pid=7 va=0x3ffc native=0x1f mirror=0x00"));
  assert_true(ok("@oracle pid=7 va=0x5000 native=page mirror=unmapped"));
  assert_false(ok("@oracle pid=7 pages=3"));                                 // neither form
  assert_false(ok("@oracle pid=7 va=0x5000 native=0x1 mirror=0x2 pages=1")); // extra key
  assert_false(ok("@oracle pid=7 va=5000 native=0x1 mirror=0x2"));           // va not hex
  assert_false(ok("@oracle pid=-1 pages=1 mismatches=0"));                   // negative pid
}

static void frames_lines(void **state) {
  (void)state;
  assert_true(ok("@frames native=37 mirror=37 pgtables=69 retired=0"));
  assert_true(ok("@frames native=37 mirror=37 pgtables=69 retired=2 split=1"));
  assert_false(ok("@frames native=37 mirror=37 pgtables=69"));            // no retired
  assert_false(ok("@frames native=37 mirror=37 pgtables=69 poisoned=0")); // old name
  assert_false(ok("@frames native=-1 mirror=37 pgtables=69 retired=0"));
}

static void mce_lines(void **state) {
  (void)state;
  assert_true(ok("@mce pa=0x613000 kind=native pid=19 va=0x2000 action=recovered newpa=0x615000 "
                 "cycles=2014"));
  assert_true(ok("@mce pa=0x8100000 kind=mirror pid=3 va=0x0 action=repaired_mirror "
                 "newpa=0x8102000 cycles=1"));
  assert_true(ok("@mce pa=0x60b000 kind=native pid=19 va=0x2000 action=killed newpa=0x0 cycles=9"));
  assert_true(ok("@mce pa=0x100000 kind=kernel pid=0 va=0x0 action=panic newpa=0x0 cycles=9"));
  assert_true(ok("@mce pa=0x700000 kind=free pid=0 va=0x0 action=ignored newpa=0x0 cycles=9"));
  assert_false(ok("@mce pa=0x1 kind=stack pid=1 va=0x0 action=killed newpa=0x0 cycles=1"));
  assert_false(ok("@mce pa=0x1 kind=native pid=1 va=0x0 action=fixed newpa=0x0 cycles=1"));
  assert_false(ok("@mce pa=4096 kind=native pid=1 va=0x0 action=killed newpa=0x0 cycles=1"));
  assert_false(ok("@mce pa=0x1 kind=native pid=1 va=0x0 action=killed newpa=0x0"));
  assert_false(ok("@mce pa=0x1 kind=native pid=1 va=0x0 action=killed cycles=1 newpa=0x0"));
}

// A machine line the kernel printed in the middle of a program's line ends
// with split=1, and only there, and only with the value 1.
static void split_lines(void **state) {
  (void)state;
  assert_true(ok("@mce pa=0x613000 kind=native pid=19 va=0x2000 action=recovered newpa=0x615000 "
                 "cycles=2014 split=1"));
  assert_true(ok("@exit status=0 split=1"));
  assert_true(ok("@panic msg=\"x\" split=1"));
  assert_true(ok("@oracle pid=0 pages=1 mismatches=0 split=1"));
  assert_false(ok("@exit status=0 split=0"));
  assert_false(ok("@exit status=0 split=yes"));
  assert_false(ok("@exit split=1 status=0"));
  assert_false(ok("@exit status=0 split=1 split=1"));
  assert_false(ok("@usertests passed=1 split=1")); // still missing failed
}

static void dedup_lines_have_three_forms(void **state) {
  (void)state;
  assert_true(ok("@dedup prog=dedup_reader phase=fill free=50700 mirror_free=0"));
  assert_true(ok("@dedup prog=dedup_writer phase=dedup1 freed=1919 free=52619 mirror_free=22000"));
  assert_true(ok("@dedup prog=dedup_reader phase=dedup freed=-1 free=50700 mirror_free=0"));
  assert_true(ok("@dedup prog=dedup_repeat run=3 status=0 free_before=53000 free_after=53000 "
                 "mirror_before=0 mirror_after=0"));
  assert_false(ok("@dedup prog=dedup_reader phase=fill free=50700"));            // no mirror_free
  assert_false(ok("@dedup prog=dedup_reader phase=fill mirror_free=0 free=1"));  // order
  assert_false(ok("@dedup prog=dedup_reader phase=fill free=-1 mirror_free=0")); // negative
  assert_false(ok("@dedup prog=dedup_reader phase=dedup freed=x free=1 mirror_free=0"));
  assert_false(ok("@dedup phase=fill prog=dedup_reader free=1 mirror_free=0")); // order
  assert_false(ok("@dedup prog=dedup_repeat run=1 status=0 free_before=1 free_after=1"));
  assert_false(ok("@dedup prog=dedup_repeat run=-1 status=0 free_before=1 free_after=1 "
                  "mirror_before=0 mirror_after=0"));
  assert_false(ok("@dedup prog=dedup_reader phase=fill free=1 mirror_free=0 pages=2")); // extra
}

static void values_are_retrievable(void **state) {
  (void)state;
  struct serial_event ev;
  char err[64];
  assert_int_equal(
      serial_parse("@boot variant=memv6 mem=7 cmdline=\"usertests a b\"", &ev, err, sizeof err), 0);
  assert_string_equal(ev.name, "boot");
  assert_string_equal(serial_get(&ev, "cmdline"), "usertests a b");
  assert_string_equal(serial_get(&ev, "mem"), "7");
  assert_null(serial_get(&ev, "nothere"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(documented_lines_pass),
      cmocka_unit_test(malformed_lines_fail),
      cmocka_unit_test(vocabulary_is_enforced),
      cmocka_unit_test(oracle_lines_have_two_forms),
      cmocka_unit_test(mce_lines),
      cmocka_unit_test(split_lines),
      cmocka_unit_test(frames_lines),
      cmocka_unit_test(dedup_lines_have_three_forms),
      cmocka_unit_test(values_are_retrievable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
