// Per instruction form (forms.txt): the exact translation, and the behaviour
// of the translated code against the untranslated code (run32).
//   test_forms [--arch x86_64] FORMS.txt RUNNER QEMU_I386 [NAME]
// (ctest runs one form per test). x86-64 forms (forms64.txt) run natively
// in run64; QEMU_I386 is then unused.
// run32 is a 32-bit program; where the host kernel cannot run 32-bit code
// (no IA32 emulation) it runs under qemu-i386 (user-mode emulation); pass ""
// when qemu-i386 is not installed.
#include "forms.h"
#include "proc.h"
#include "rewrite.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef MIRROR_OFFSET
#error "MIRROR_OFFSET must be defined"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

static const char *run32, *qemu_i386;
static const struct arch *arch = &arch_i386;
static int use_qemu = -1; // decided at the first run

static int run_form(const char *name, struct proc_result *r) {
  if (use_qemu != 1) {
    char *argv[] = {(char *)run32, (char *)name, NULL};
    if (proc_run(argv, r) < 0)
      return -1;
    if (use_qemu == 0 || !(r->status == 127 && strstr(r->err, "Exec format error")))
      return use_qemu = 0;
    proc_free(r);
    use_qemu = 1;
  }
  if (!qemu_i386[0]) {
    print_error("this host cannot run 32-bit programs and qemu-i386 was not found: install "
                "the Debian package qemu-user (./scripts/setup does)\n");
    return -1;
  }
  char *argv[] = {(char *)qemu_i386, (char *)run32, (char *)name, NULL};
  return proc_run(argv, r);
}

static void text(void **state) {
  const struct form *f = *state;
  struct mirror_opts o = {arch, STR(MIRROR_OFFSET), f->name, stderr, 0, 0};
  struct mirror_stats st;
  memset(&st, 0, sizeof st);
  struct buf out = {0};
  int errors = mirror_translate(&o, f->input, strlen(f->input), &out, &st);
  assert_int_equal(errors, 0);
  if (strcmp(out.p ? out.p : "", f->expect) != 0)
    print_error("form %s\n--- expected\n%s--- got\n%s---\n", f->name, f->expect, out.p);
  assert_string_equal(out.p ? out.p : "", f->expect);
  buf_free(&out);
}

static void behaviour(void **state) {
  const struct form *f = *state;
  struct proc_result r;
  assert_int_equal(run_form(f->name, &r), 0);
  if (r.status != 0)
    print_error("%s%s", r.out, r.err);
  assert_int_equal(r.status, 0);
  if (strncmp(r.out, "skip ", 5) == 0) {
    print_message("%s", r.out);
    proc_free(&r);
    skip();
  }
  // A form whose translation inserts code must write memory, or the test
  // proves nothing.
  const char *c = strstr(r.out, "changed=");
  assert_non_null(c);
  if (strcmp(f->input, f->expect) != 0 && !f->may_not_change)
    assert_true(atol(c + 8) > 0);
  proc_free(&r);
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "--arch") == 0) {
    arch = arch_find(argv[2]);
    if (!arch) {
      fprintf(stderr, "test_forms: unknown architecture '%s'\n", argv[2]);
      return 2;
    }
    argv += 2;
    argc -= 2;
  }
  if (argc < 4) {
    fprintf(stderr, "usage: test_forms [--arch x86_64] FORMS.txt RUNNER QEMU_I386 [NAME]\n");
    return 2;
  }
  run32 = argv[2];
  qemu_i386 = argv[3];
  struct form *forms;
  size_t n = forms_load(argv[1], &forms);
  struct CMUnitTest *tests = calloc(2 * n, sizeof *tests);
  char **names = calloc(2 * n, sizeof *names);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (argc > 4 && strcmp(argv[4], forms[i].name) != 0)
      continue;
    for (int b = 0; b < 2; b++) {
      size_t len = strlen(forms[i].name) + 16;
      names[k] = malloc(len);
      snprintf(names[k], len, "%s/%s", forms[i].name, b ? "behaviour" : "text");
      tests[k].name = names[k];
      tests[k].test_func = b ? behaviour : text;
      tests[k].initial_state = &forms[i];
      k++;
    }
  }
  if (k == 0) {
    fprintf(stderr, "test_forms: no form named '%s'\n", argc > 4 ? argv[4] : "");
    return 2;
  }
  return _cmocka_run_group_tests("translator forms", tests, k, NULL, NULL);
}
