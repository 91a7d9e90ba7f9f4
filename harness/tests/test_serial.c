#include "cm.h"

#include <stdio.h>
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_keys_and_quoted_values),
      cmocka_unit_test(feeds_in_any_pieces),
      cmocka_unit_test(counts_protocol_violations),
      cmocka_unit_test(expected_output_and_unterminated_last_line),
      cmocka_unit_test(tail_keeps_the_last_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
