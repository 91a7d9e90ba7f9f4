// The x86-64 table's refusals and the architecture selection of mirror-cc.
//   test_x86_64 MIRROR_CC WORKDIR
// Each refusal must name the file and line and say what to do; mirror-cc
// must translate with the x86-64 table given -m64 and with i386 given -m32.
#define _GNU_SOURCE
#include "proc.h"
#include "rewrite.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static const char *mirror_cc, *workdir;

// Translates input with the x86-64 table; returns the error count and the
// messages in *msgs (caller frees).
static int translate(const char *input, char **msgs, struct buf *out) {
  size_t len = 0;
  FILE *f = open_memstream(msgs, &len);
  struct mirror_opts o = {&arch_x86_64, "0x40000000", "x.s", f, 0, 0};
  struct mirror_stats st;
  memset(&st, 0, sizeof st);
  int errors = mirror_translate(&o, input, strlen(input), out, &st);
  fclose(f);
  return errors;
}

static void refused(const char *input, const char *want) {
  char *msgs = NULL;
  struct buf out = {0};
  int errors = translate(input, &msgs, &out);
  if (errors != 1 || !strstr(msgs, want))
    print_error("input:\n%sexpected one error containing '%s', got %d:\n%s", input, want, errors,
                msgs);
  assert_int_equal(errors, 1);
  assert_non_null(strstr(msgs, want));
  free(msgs);
  buf_free(&out);
}

static void table_is_sound(void **state) {
  (void)state;
  char msg[200] = "";
  int r = arch_x86_64.check(msg, sizeof msg);
  if (r != 0)
    print_error("%s\n", msg);
  assert_int_equal(r, 0);
}

static void refusals(void **state) {
  (void)state;
  refused("\tnop\n\tmovl\t%eax, %fs:8\n", "x.s:2: error: write through segment %fs");
  refused("\tmaskmovdqu\t%xmm1, %xmm0\n",
          "unknown instruction 'maskmovdqu' (not in the x86_64 table)");
  refused("\tkmovw\t%k1, (%rdi)\n", "unknown instruction 'kmovw'");
  refused("\tmovq\t%k1, (%rdi)\n", "unknown register '%k1'");
  refused("\tmovq\t%rax, 2147483000(%rbx)\n", "does not fit 32 bits: use a smaller --offset");
  refused("\tmovl\t%eax, (%eax)\n", "unsupported base register");
  refused("\tcall\tfoo@PLT\n", "compile with -fno-pic -fno-pie");
  refused("\tmovq\tfoo@GOTPCREL(%rip), %rax\n", "compile with -fno-pic -fno-pie");
  refused("\txaddq\t%rbx, (%rbx)\n", "changes a register of its own address");
  refused("\tnotrack jmp\t*%rax\n", "unknown instruction 'notrack'");
  refused("\tmovsd\n", "'movsd' with 0 operands is not supported");
  refused("\tvmovdqu64\t%zmm0, (%rdi){%k1}\n", "unsupported memory operand '(%rdi){%k1}'");
  refused("\tlock xaddl\t%eax, 0x60000000\n", "or store through a pointer");
  refused("\tmovq\t%rsp, 0x60000000\n", "names %rsp: store through a pointer");
  refused("\tlock cmpxchg16b\t(%rdi)\n",
          "'cmpxchg16b' is not supported: a rollback would need both result registers back");
  refused("\tlock cmpxchg8b\t(%rsi)\n",
          "'cmpxchg8b' is not supported: a rollback would need both result registers back");
}

static void accepted(const char *input, const char *want) {
  char *msgs = NULL;
  struct buf out = {0};
  int errors = translate(input, &msgs, &out);
  if (errors != 0 || !strstr(out.p, want))
    print_error("input:\n%sexpected no error and '%s' in the output, got %d errors:\n%s%s", input,
                want, errors, msgs, out.p ? out.p : "");
  assert_int_equal(errors, 0);
  assert_non_null(strstr(out.p, want));
  free(msgs);
  buf_free(&out);
}

// The largest displacement that still fits passes; so do AVX's 4-operand
// forms and string data that merely mentions a PIC marker.
static void accepted_forms(void **state) {
  (void)state;
  accepted("\tmovq\t%rax, 1073741823(%rbx)\n", "0x40000000+1073741823(%rbx)");
  accepted("\tvpinsrd\t$1, %eax, %xmm1, %xmm2\n", "vpinsrd");
  accepted("\tvblendvpd\t%ymm3, %ymm2, %ymm1, %ymm0\n", "vblendvpd");
  accepted("\tvcvttpd2dqy\t(%rax), %xmm0\n", "vcvttpd2dqy");
  accepted("\t.string\t\"call f@PLT\"\n", "@PLT");
  // A read-modify-write run twice: cut between the halves, roll (MPT_RMW)
  // in an MPT_LONG64 entry (descriptor 64).
  accepted("\tlock addl\t$1, x(%rip)\n\tmovl\t%eax, (%rbx)\n",
           "\t.byte\t64\n\t.uleb128\t.Lmirrorq0_0-.Lmirrorq0_0\n"
           "\t.byte\t.Lmirrorq0_1-.Lmirrorq0_0, .Lmirrorq0_2-.Lmirrorq0_0, "
           ".Lmirrorq0_2-.Lmirrorq0_0, 2, 0, 0\n");
  // An absolute address whose mirror is above 2 GiB: through a register
  // saved in both copies of save slot 1, named in the entries' scratch byte.
  accepted("\tmovb\t$1, 1610612736\n",
           "\tmovq\t%r11, 0x40000000-8(%rsp)\n.Lmirrorq0_2:\n\tpushq\t%r11\n.Lmirrorq0_3:\n"
           "\tmovl\t$0xa0000000, %r11d\n.Lmirrorq0_4:\n\tmovb\t$1, 1610612736\n"
           ".Lmirrorq0_5:\n\tmovb\t$1, (%r11)\n.Lmirrorq0_6:\n\tpopq\t%r11\n");
  accepted("\taddl\t%r11d, 0x50000000\n",
           "\tmovl\t$0x90000000, %r10d\n.Lmirrorq0_4:\n\taddl\t%r11d, 0x50000000\n"
           ".Lmirrorq0_5:\n\taddl\t%r11d, (%r10)\n");
  accepted(
      "\taddl\t%r11d, 0x50000000\n",
      ".Lmirrorq0_3-.Lmirrorq0_0, .Lmirrorq0_5-.Lmirrorq0_0, .Lmirrorq0_8-.Lmirrorq0_0, 1, 17, "
      "26\n");
  // adc: the flags saved in both copies of slot 1, then the scratch in slot 2.
  accepted("\tadcb\t%al, 3(%rsp)\n",
           "\tpushfq\n.Lmirrorq0_2:\n\tpushq\t(%rsp)\n.Lmirrorq0_3:\n\tpopq\t0x40000000(%rsp)\n"
           ".Lmirrorq0_4:\n\tmovq\t%r11, 0x40000000-8(%rsp)\n.Lmirrorq0_5:\n\tpushq\t%r11\n"
           ".Lmirrorq0_6:\n\tadcb\t%al, 147(%rsp)\n.Lmirrorq0_7:\n\tmovb\t147(%rsp), %r11b\n"
           ".Lmirrorq0_8:\n\tmovb\t%r11b, 0x40000000+147(%rsp)\n.Lmirrorq0_9:\n\tpopq\t%r11\n"
           ".Lmirrorq0_10:\n\tleaq\t136(%rsp), %rsp\n");
}

// mirror-cc on a C file with -m64 and -m32: the kept translation shows
// which table ran.
static char *mirror_cc_output(const char *mflag) {
  char src[512], obj[512], mir[600];
  snprintf(src, sizeof src, "%s/g.c", workdir);
  snprintf(obj, sizeof obj, "%s/g%s.o", workdir, mflag);
  snprintf(mir, sizeof mir, "%s.mirror.s", obj);
  FILE *f = fopen(src, "w");
  assert_non_null(f);
  fputs("int g;\nvoid set(int v) { g = v; }\n", f);
  fclose(f);
  char *argv[] = {(char *)mirror_cc,
                  "--mirror-offset=0x40000000",
                  "--mirror-keep",
                  (char *)mflag,
                  "-O2",
                  "-fno-pie",
                  "-c",
                  src,
                  "-o",
                  obj,
                  NULL};
  struct proc_result r;
  assert_int_equal(proc_run(argv, &r), 0);
  if (r.status != 0)
    print_error("mirror-cc %s: %s", mflag, r.err);
  assert_int_equal(r.status, 0);
  proc_free(&r);
  f = fopen(mir, "r");
  assert_non_null(f);
  static char text[65536];
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = 0;
  fclose(f);
  return text;
}

static void mirror_cc_arch(void **state) {
  (void)state;
  mkdir(workdir, 0755);
  const char *t = mirror_cc_output("-m64");
  if (!strstr(t, "0x40000000+g(%rip)"))
    print_error("-m64: expected a %%rip-relative mirror store, got:\n%s", t);
  assert_non_null(strstr(t, "0x40000000+g(%rip)"));
  t = mirror_cc_output("-m32");
  if (!strstr(t, "0x40000000+g\n") || strstr(t, "%rip"))
    print_error("-m32: expected an absolute mirror store, got:\n%s", t);
  assert_non_null(strstr(t, "0x40000000+g\n"));
  assert_null(strstr(t, "%rip"));
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_x86_64 MIRROR_CC WORKDIR\n");
    return 2;
  }
  mirror_cc = argv[1];
  workdir = argv[2];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_is_sound),
      cmocka_unit_test(refusals),
      cmocka_unit_test(accepted_forms),
      cmocka_unit_test(mirror_cc_arch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
