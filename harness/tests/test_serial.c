#include "cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serial.h"

static void parses_keys_and_quoted_values(void **state) {
  (void)state;
  struct mh_event ev;
  struct mh_err e;
  assert_int_equal(
      mh_event_parse("@boot variant=memv6 mem=1024 cmdline=\"usertests a b\"", &ev, &e), 1);
  assert_string_equal(ev.name, "boot");
  assert_string_equal(mh_event_get(&ev, "variant"), "memv6");
  assert_string_equal(mh_event_get(&ev, "cmdline"), "usertests a b");
  assert_null(mh_event_get(&ev, "nope"));
  assert_int_equal(mh_event_parse("hello @world", &ev, &e), 0);
  assert_int_equal(mh_event_parse("@test name", &ev, &e), -1);
  assert_int_equal(mh_event_parse("@boot cmdline=\"open", &ev, &e), -1);
  assert_non_null(strstr(e.msg, "unterminated"));
}

static const char stream[] = "SeaBIOS noise\r\n"
                             "@boot variant=native mem=229376 cmdline=\"usertests\"\n"
                             "usertests starting\n"
                             "@test name=forktest status=ok cycles=123456789\n"
                             "@test name=sbrkbasic status=fail cycles=42\n"
                             "@mce pa=0x1000 kind=native\n"
                             "@usertests passed=1 failed=1\n"
                             "@exit status=-1\n";

static void feeds_in_any_pieces(void **state) {
  (void)state;
  // Every split point must give the same result: serial data arrives in
  // whatever pieces the file reads return.
  for (size_t step = 1; step < 40; step += 3) {
    struct mh_serial s;
    mh_serial_init(&s, NULL, 0);
    for (size_t i = 0; i < sizeof stream - 1; i += step) {
      size_t n = sizeof stream - 1 - i < step ? sizeof stream - 1 - i : step;
      mh_serial_feed(&s, stream + i, n, (double)i);
    }
    assert_true(s.booted);
    assert_string_equal(s.boot_variant, "native");
    assert_int_equal(s.ntests, 2);
    assert_string_equal(s.tests[0].name, "forktest");
    assert_true(s.tests[0].ok);
    assert_true(s.tests[0].cycles == 123456789ull);
    assert_false(s.tests[1].ok);
    assert_true(s.have_summary);
    assert_int_equal(s.passed, 1);
    assert_int_equal(s.failed, 1);
    assert_true(s.have_exit);
    assert_int_equal(s.exit_status, -1);
    assert_int_equal(s.malformed, 0);
    mh_serial_free(&s);
  }
}

static void counts_protocol_violations(void **state) {
  (void)state;
  struct mh_serial s;
  mh_serial_init(&s, NULL, 0);
  const char *bad = "@test name=x status=maybe cycles=1\n@test name=y status=ok cycles=12a\n"
                    "@exit status=zero\n@usertests passed=1\n@test name= status=ok cycles=1\n";
  mh_serial_feed(&s, bad, strlen(bad), 0);
  assert_int_equal(s.malformed, 5);
  assert_int_equal(s.ntests, 0);
  assert_false(s.have_exit);
  assert_non_null(strstr(s.first_malformed, "status=maybe"));
  mh_serial_free(&s);
}

static void expected_output_and_unterminated_last_line(void **state) {
  (void)state;
  const char *want[] = {"hello world", "never printed"};
  struct mh_serial s;
  mh_serial_init(&s, want, 2);
  mh_serial_feed(&s, "say hello wo", 12, 0);
  assert_false(s.expect_seen[0]);
  mh_serial_feed(&s, "rld\n@exit status=3", 18, 0);
  assert_true(s.expect_seen[0]);
  assert_false(s.have_exit);
  mh_serial_finish(&s, 1);
  assert_true(s.have_exit);
  assert_int_equal(s.exit_status, 3);
  assert_false(mh_serial_all_expected(&s));
  mh_serial_free(&s);
}

static void tail_keeps_the_last_lines(void **state) {
  (void)state;
  struct mh_serial s;
  mh_serial_init(&s, NULL, 0);
  char line[64];
  for (int i = 0; i < 1000; i++) {
    int n = snprintf(line, sizeof line, "line %d\n", i);
    mh_serial_feed(&s, line, (size_t)n, 0);
  }
  char tail[256];
  mh_serial_tail(&s, tail, sizeof tail);
  assert_non_null(strstr(tail, "line 999\n"));
  assert_null(strstr(tail, "line 1\n"));
  assert_true(strlen(tail) <= 255);
  mh_serial_free(&s);
}

static void lines_as_meant(const char *raw, const char *want) {
  char *got = mh_serial_lines(raw);
  assert_non_null(got);
  if (strcmp(got, want) != 0)
    fail_msg("mh_serial_lines(\"%s\")\n  gave     \"%s\"\n  expected \"%s\"", raw, got, want);
  // Its own output comes back unchanged.
  char *again = mh_serial_lines(got);
  assert_non_null(again);
  assert_string_equal(again, want);
  free(again);
  free(got);
}

static void machine_lines_never_break_a_programs_line(void **state) {
  (void)state;
  const char *mce = "@mce pa=0x5000 kind=native pid=3 va=0x1000 action=recovered";
  char raw[512], want[512];
  // Today's kernel: a newline before the machine line, split=1 at its end.
  snprintf(raw, sizeof raw, "one\r\nhello wo\r\n%s split=1\r\nrld\r\nthree\r\n", mce);
  snprintf(want, sizeof want, "one\n%s\nhello world\nthree\n", mce);
  lines_as_meant(raw, want);
  // Two machine lines in the break, the second at a line start (no mark).
  snprintf(raw, sizeof raw, "ab\n%s split=1\n@exit status=0\ncd\n", mce);
  snprintf(want, sizeof want, "%s\n@exit status=0\nabcd\n", mce);
  lines_as_meant(raw, want);
  // An older kernel printed the machine line right after the program's text.
  snprintf(raw, sizeof raw, "@test name=a st%s\natus=ok cycles=5\n", mce);
  snprintf(want, sizeof want, "%s\n@test name=a status=ok cycles=5\n", mce);
  lines_as_meant(raw, want);
  // An event the reader does not know, inside a break, is a machine line too.
  snprintf(raw, sizeof raw, "ab\n%s split=1\n@later k=1\ncd\n", mce);
  snprintf(want, sizeof want, "%s\n@later k=1\nabcd\n", mce);
  lines_as_meant(raw, want);
  // A program's last line without a newline, then the kernel's @exit.
  lines_as_meant("done@exit status=0\n", "@exit status=0\ndone\n");
  // The break came right at the end of the program's line.
  snprintf(raw, sizeof raw, "x\n%s split=1\n\ny\n", mce);
  snprintf(want, sizeof want, "%s\nx\ny\n", mce);
  lines_as_meant(raw, want);
  // Programs' own @ lines and empty lines stay as they are.
  lines_as_meant("@test name=a status=ok cycles=1\n\nz", "@test name=a status=ok cycles=1\n\nz\n");
  lines_as_meant("", "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_keys_and_quoted_values),
      cmocka_unit_test(feeds_in_any_pieces),
      cmocka_unit_test(counts_protocol_violations),
      cmocka_unit_test(expected_output_and_unterminated_last_line),
      cmocka_unit_test(tail_keeps_the_last_lines),
      cmocka_unit_test(machine_lines_never_break_a_programs_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
