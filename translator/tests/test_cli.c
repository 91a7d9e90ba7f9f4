// The translator's command line and the compiler wrapper, as a build uses
// them: errors (file:line, status, no output file), --stats, stable output,
// inserted labels, pass-through of directives, and mirror-cc end to end.
//   test_cli MIRROR-TRANSLATE MIRROR-CC WORKDIR
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
#include <unistd.h>

#include <cmocka.h>

static const char *translator, *wrapper, *workdir;

static char *path(const char *name) {
  static char buf[8][1024];
  static int k;
  char *p = buf[k++ % 8];
  snprintf(p, sizeof buf[0], "%s/%s", workdir, name);
  return p;
}

static void write_file(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static char *read_file(const char *p) {
  FILE *f = fopen(p, "r");
  if (!f)
    return NULL;
  char *s = NULL;
  size_t n = 0;
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
    char *t = realloc(s, n + k + 1);
    if (!t)
      abort();
    s = t;
    memcpy(s + n, buf, k);
    n += k;
  }
  fclose(f);
  if (!s)
    s = calloc(1, 1);
  s[n] = 0;
  return s;
}

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

// Translates in -> out with the real offset and optional extra argument.
static int translate(const char *in, const char *out, const char *extra, struct proc_result *r) {
  char *argv[8];
  int k = 0;
  argv[k++] = (char *)translator;
  argv[k++] = "--offset";
  argv[k++] = "0x40000000";
  if (extra)
    argv[k++] = (char *)extra;
  argv[k++] = (char *)in;
  argv[k++] = "-o";
  argv[k++] = (char *)out;
  argv[k] = NULL;
  assert_int_equal(proc_run(argv, r), 0);
  return r->status;
}

static void unknown_instruction_is_an_error(void **state) {
  (void)state;
  const char *in = path("unknown.s"), *out = path("unknown.out.s");
  write_file(in, "\t.text\nf:\n\tmovl\t%eax, (%ebx)\n\tinsb\n\tret\n");
  write_file(out, "stale output of an earlier run\n");
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 1);
  char want[1200];
  snprintf(want, sizeof want,
           "%s:4: error: unknown instruction 'insb' (not in the i386 table): 'insb'", in);
  if (!strstr(r.err, want))
    print_error("stderr: %s\nwanted: %s\n", r.err, want);
  assert_non_null(strstr(r.err, want));
  assert_false(exists(out)); // no output file left behind, not even a stale one
  proc_free(&r);
}

static void errors_name_the_preprocessed_source(void **state) {
  (void)state;
  const char *in = path("pre.s"), *out = path("pre.out.s");
  write_file(in, "# 1 \"usys.S\"\n# 1 \"<built-in>\"\n# 1 \"usys.S\"\n\n\n\tmovl %eax, (%ebx)\n"
                 "\taddl %fs:4, %eax\n\tmovl %eax, %fs:4\n");
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 1);
  assert_non_null(strstr(r.err, ":8: error: write through segment %fs is not supported: "
                                "'movl %eax, %fs:4' (from usys.S:5)"));
  assert_null(strstr(r.err, ":7:")); // a read through %fs is fine
  proc_free(&r);
}

static void every_error_is_reported(void **state) {
  (void)state;
  const char *in = path("errs.s"), *out = path("errs.out.s");
  write_file(in, "\tlock movl %eax, (%ebx)\n" // lock with a plain store
                 "\tmov $1, (%ebx)\n"         // no size
                 "\trep addl %eax, (%ebx)\n"  // rep with an ALU op
                 "\tfnsave (%eax)\n"          // not in the table
                 "\trep\n");                  // prefix at the end
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 1);
  assert_non_null(strstr(r.err, ":1: error: prefix 'lock' is not supported with 'movl'"));
  assert_non_null(strstr(r.err, ":2: error: operand size unknown"));
  assert_non_null(strstr(r.err, ":3: error: prefix 'rep' is not supported with 'addl'"));
  assert_non_null(strstr(r.err, ":4: error: unknown instruction 'fnsave'"));
  assert_non_null(strstr(r.err, "prefix at the end of the file"));
  assert_non_null(strstr(r.err, "5 errors, no output written"));
  proc_free(&r);
}

static void offset_is_required(void **state) {
  (void)state;
  char *argv[] = {(char *)translator, path("unknown.s"), NULL};
  struct proc_result r;
  assert_int_equal(proc_run(argv, &r), 0);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "--offset is required"));
  proc_free(&r);
}

static const char gcc_like[] = "\t.file\t\"x.c\"\n"
                               "\t.text\n"
                               "\t.section\t.rodata.str1.1,\"aMS\",@progbits,1\n"
                               ".LC0:\n"
                               "\t.string\t\"a;b # not a comment\"\n"
                               "\t.text\n"
                               "\t.p2align 4\n"
                               "\t.globl\tf\n"
                               "\t.type\tf, @function\n"
                               "f:\n"
                               ".LFB0:\n"
                               "\t.cfi_startproc\n"
                               "\tpushl\t%ebp\n"
                               "\t.cfi_def_cfa_offset 8\n"
                               "\tmovl\t%esp, %ebp\n"
                               "#APP\n"
                               "# 3 \"x.c\" 1\n"
                               "\tnop\n"
                               "# 0 \"\" 2\n"
                               "#NO_APP\n"
                               "\tmovl\t8(%ebp), %eax\t# load\n"
                               "\tcall\tg\n"
                               "\tleave\n"
                               "\tret\n"
                               "\t.cfi_endproc\n"
                               ".LFE0:\n"
                               "\t.size\tf, .-f\n"
                               "\t.ident\t\"GCC\"\n"
                               "\t.section\t.note.GNU-stack,\"\",@progbits\n";

// A translated kernel's machine control: nothing here stores to memory, so
// the output is the input (ins writes memory and stays refused).
static void privileged_instructions_pass_through(void **state) {
  (void)state;
  const char *text = "\tmovl\t%cr3, %edx\n\tmovl\t%eax, %cr3\n\tmovl\t%cr0, %eax\n"
                     "\tmovl\t%cr2, %edi\n\tmovl\t%eax, %cr4\n\tinvlpg\t(%eax)\n"
                     "\tlgdt\t(%eax)\n\tlidt\t(%eax)\n\tltr\t%ax\n\tljmp\t$8, $1f\n1:\n"
                     "\trdmsr\n\twrmsr\n\tcld; rep outsl\n";
  const char *in = path("priv.s"), *out = path("priv.out.s");
  write_file(in, text);
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 0);
  char *got = read_file(out);
  assert_non_null(got);
  assert_string_equal(got, text);
  free(got);
  proc_free(&r);
  write_file(in, "\trep insl\n");
  assert_int_equal(translate(in, out, NULL, &r), 1);
  if (!strstr(r.err, "unknown instruction 'insl'"))
    print_error("stderr: %s\n", r.err);
  assert_non_null(strstr(r.err, "unknown instruction 'insl'"));
  proc_free(&r);
}

static void directives_labels_comments_pass_through(void **state) {
  (void)state;
  const char *in = path("gcc.s"), *out = path("gcc.out.s");
  write_file(in, gcc_like);
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 0);
  char *got = read_file(out);
  // Only the push and the call gain code (the mirror store first, with the
  // sequence's labels) and the table comes at the end; everything else is
  // unchanged.
  const char *want_push = ".Lmirrorq0_0:\n\tmovl\t%ebp, 0x40000000-4(%esp)\n.Lmirrorq0_1:\n"
                          "\tpushl\t%ebp\n.Lmirrorq0_2:\n";
  const char *want_call = ".Lmirrorq1_0:\n\tmovl\t$.Lmirror0, 0x40000000-4(%esp)\n"
                          ".Lmirrorq1_1:\n\tcall\tg\n.Lmirror0:\n.Lmirrorq1_2:\n";
  // One block (both in .text): its L0, then two short entries, the second
  // at a gap from the first (xv6-memv6/include/mirrorpairs.h).
  const char *want_table = "\t.section\t.mirror_pairs,\"a\",@progbits\n"
                           "\t.byte\t0\n\t.long\t.Lmirrorq0_0\n"
                           "\t.byte\t(.Lmirrorq0_1-.Lmirrorq0_0)|((.Lmirrorq0_2-.Lmirrorq0_1)<<4)\n"
                           "\t.uleb128\t.Lmirrorq0_0-.Lmirrorq0_0\n"
                           "\t.byte\t(.Lmirrorq1_1-.Lmirrorq1_0)|((.Lmirrorq1_2-.Lmirrorq1_1)<<4)\n"
                           "\t.uleb128\t.Lmirrorq1_0-.Lmirrorq0_0\n";
  char expect[sizeof gcc_like + 1024];
  const char *p = strstr(gcc_like, "\tpushl\t%ebp\n");
  const char *c = strstr(gcc_like, "\tcall\tg\n");
  snprintf(expect, sizeof expect, "%.*s%s%.*s%s%s%s", (int)(p - gcc_like), gcc_like, want_push,
           (int)(c - p - strlen("\tpushl\t%ebp\n")), p + strlen("\tpushl\t%ebp\n"), want_call,
           c + strlen("\tcall\tg\n"), want_table);
  if (strcmp(got, expect) != 0)
    print_error("--- expected\n%s--- got\n%s---\n", expect, got);
  assert_string_equal(got, expect);
  free(got);
  proc_free(&r);
}

// Refusal: exit 1, file:line, the statement, what to do, no output left.
static void expect_refusal(const char *name, const char *source, const char *want_tail) {
  const char *in = path(name);
  char outname[256];
  snprintf(outname, sizeof outname, "%s.out.s", name);
  const char *out = path(outname);
  write_file(in, source);
  write_file(out, "stale output of an earlier run\n");
  struct proc_result r;
  int status = translate(in, out, NULL, &r);
  if (status != 1 || !strstr(r.err, want_tail))
    print_error("status %d (expected 1)\nstderr: %s\nwanted: %s\n", status, r.err, want_tail);
  assert_int_equal(status, 1);
  assert_non_null(strstr(r.err, want_tail));
  assert_false(exists(out));
  proc_free(&r);
}

// GCC's default on Debian (-fpic/-fpie) makes position-independent code:
// absolute mirror labels would be wrong in it, so it is refused, naming the
// flags that avoid it.
static void pic_input_is_refused(void **state) {
  (void)state;
  char want[1200];
  const char *src = "\t.text\nf:\n\tcall\t__x86.get_pc_thunk.bx\n"
                    "\taddl\t$_GLOBAL_OFFSET_TABLE_, %ebx\n"
                    "\tmovl\t%eax, counter@GOTOFF(%ebx)\n\tcall\tg@PLT\n\tret\n";
  snprintf(want, sizeof want,
           "%s:3: error: position-independent code ('__x86.get_pc_thunk') is not supported: "
           "compile with -fno-pic -fno-pie: 'call\t__x86.get_pc_thunk.bx'",
           path("pic.s"));
  expect_refusal("pic.s", src, want);
  expect_refusal("pic.s", src, ":4: error: position-independent code ('_GLOBAL_OFFSET_TABLE_')");
  expect_refusal("pic.s", src, ":5: error: position-independent code ('@GOTOFF')");
  expect_refusal("pic.s", src, ":6: error: position-independent code ('@PLT')");
}

// Writes that cannot be made restartable for machine-check recovery are
// refused rather than translated unsoundly (docs/translator.md).
static void unrestartable_writes_are_refused(void **state) {
  (void)state;
  expect_refusal("adcb.s", "\tadcb\t$1, (%ebx)\n", ":1: error: 'adcb' on 1 bytes is not supported");
  expect_refusal("xadd.s", "\txaddl\t%ebx, 8(%ebx)\n",
                 ":1: error: 'xaddl' changes a register of its own address: not supported");
  expect_refusal("c8b.s", "\tlock cmpxchg8b\t(%esi)\n",
                 ":1: error: 'cmpxchg8b' is not supported: a rollback would need both result "
                 "registers back");
  // An exchange saves its register first (a rollback restores it), so the
  // register may not address the exchanged word, and on i386 the result is
  // copied by a push and a pop.
  expect_refusal("xchgb.s", "\txchgb\t%cl, 1(%edx)\n",
                 ":1: error: 'xchgb' on 1 bytes is not supported");
  expect_refusal("xchgbase.s", "\txchgl\t%ebx, (%ebx)\n",
                 ":1: error: 'xchgl' changes a register of its own address: not supported");
  expect_refusal("enter.s", "\tenter\t$8, $2\n",
                 ":1: error: enter with a nesting level is not supported");
}

// --no-stack-mirror (the memv6sys kernel keeps its stacks' mirrors itself):
// pushes, calls and stores through %esp or %ebp come out as written, every
// other write is mirrored as before, and %ebp may only be a frame pointer.
static void no_stack_mirror_leaves_stack_writes(void **state) {
  (void)state;
  const char *stack = "\tpushl\t%ebp\n\tmovl\t%esp, %ebp\n\tpushl\t$3\n\tpushfl\n"
                      "\tpopl\t%eax\n\tmovl\t%eax, -8(%ebp)\n\tmovl\t%ecx, 4(%esp,%eax,4)\n"
                      "\tlock orl\t$0, (%esp)\n\tcall\tf\n\tleave\n\tret\n";
  const char *in = path("nostack.s"), *out = path("nostack.out.s");
  write_file(in, stack);
  struct proc_result r;
  assert_int_equal(translate(in, out, "--no-stack-mirror", &r), 0);
  char *got = read_file(out);
  assert_non_null(got);
  assert_string_equal(got, stack);
  free(got);
  proc_free(&r);
  // Without the option the same code gets its stack writes mirrored.
  assert_int_equal(translate(in, out, NULL, &r), 0);
  got = read_file(out);
  assert_non_null(strstr(got, "0x40000000-4(%esp)"));
  free(got);
  proc_free(&r);
  write_file(in, "\tmovl\t%eax, 4(%ecx)\n");
  assert_int_equal(translate(in, out, "--no-stack-mirror", &r), 0);
  got = read_file(out);
  if (!strstr(got, "movl\t%eax, 0x40000000+4(%ecx)"))
    print_error("output: %s\n", got);
  assert_non_null(strstr(got, "movl\t%eax, 0x40000000+4(%ecx)"));
  free(got);
  proc_free(&r);
  const char *bad[] = {"\tmovl\t%eax, %ebp\n", "\tleal\t4(%esi), %ebp\n", "\txchgl\t%ebp, %eax\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_file(in, bad[i]);
    write_file(out, "stale\n");
    int status = translate(in, out, "--no-stack-mirror", &r);
    if (status != 1 || !strstr(r.err, "needs %ebp as the frame pointer only"))
      print_error("input %s: status %d (expected 1)\nstderr: %s\n", bad[i], status, r.err);
    assert_int_equal(status, 1);
    assert_non_null(strstr(r.err, "needs %ebp as the frame pointer only"));
    assert_false(exists(out));
    proc_free(&r);
  }
}

static void output_is_stable(void **state) {
  (void)state;
  const char *in = path("stable.s");
  write_file(in, gcc_like);
  struct proc_result r;
  assert_int_equal(translate(in, path("stable1.s"), NULL, &r), 0);
  proc_free(&r);
  assert_int_equal(translate(in, path("stable2.s"), NULL, &r), 0);
  proc_free(&r);
  char *a = read_file(path("stable1.s")), *b = read_file(path("stable2.s"));
  assert_string_equal(a, b);
  free(a);
  free(b);
}

static void inserted_labels_do_not_collide(void **state) {
  (void)state;
  const char *in = path("labels.s"), *out = path("labels.out.s");
  write_file(in, ".Lmirror0:\n\tcall\tf\n\tcall\t1f\n1:\tjmp\t.Lmirror0\n");
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 0);
  char *got = read_file(out);
  const char *want =
      ".Lmirror0:\n.Lmirror_q0_0:\n\tmovl\t$.Lmirror_0, 0x40000000-4(%esp)\n.Lmirror_q0_1:\n"
      "\tcall\tf\n.Lmirror_0:\n.Lmirror_q0_2:\n.Lmirror_q1_0:\n"
      "\tmovl\t$.Lmirror_1, 0x40000000-4(%esp)\n.Lmirror_q1_1:\n\tcall\t1f\n.Lmirror_1:\n"
      ".Lmirror_q1_2:\n1:\tjmp\t.Lmirror0\n"
      "\t.section\t.mirror_pairs,\"a\",@progbits\n"
      "\t.byte\t0\n\t.long\t.Lmirror_q0_0\n"
      "\t.byte\t(.Lmirror_q0_1-.Lmirror_q0_0)|((.Lmirror_q0_2-.Lmirror_q0_1)<<4)\n"
      "\t.uleb128\t.Lmirror_q0_0-.Lmirror_q0_0\n"
      "\t.byte\t(.Lmirror_q1_1-.Lmirror_q1_0)|((.Lmirror_q1_2-.Lmirror_q1_1)<<4)\n"
      "\t.uleb128\t.Lmirror_q1_0-.Lmirror_q0_0\n";
  if (strcmp(got, want) != 0)
    print_error("--- expected\n%s--- got\n%s---\n", want, got);
  assert_string_equal(got, want);
  free(got);
  proc_free(&r);
}

// The table's gaps are differences inside one section: after a section
// change the next entry starts a block of its own with its absolute L0.
static void a_section_change_starts_a_block(void **state) {
  (void)state;
  const char *in = path("sections.s"), *out = path("sections.out.s");
  write_file(in, "\t.text\n\tmovl %eax, (%ebx)\n\t.section .text.startup,\"ax\",@progbits\n"
                 "\tmovl %eax, 4(%ebx)\n\t.p2align 4\n\tmovl %eax, 8(%ebx)\n");
  struct proc_result r;
  assert_int_equal(translate(in, out, NULL, &r), 0);
  char *got = read_file(out);
  const char *table = strstr(got, "\t.section\t.mirror_pairs");
  assert_non_null(table);
  const char *want = "\t.section\t.mirror_pairs,\"a\",@progbits\n"
                     "\t.byte\t0\n\t.long\t.Lmirrorq0_0\n"
                     "\t.byte\t(.Lmirrorq0_1-.Lmirrorq0_0)|((.Lmirrorq0_2-.Lmirrorq0_1)<<4)\n"
                     "\t.uleb128\t.Lmirrorq0_0-.Lmirrorq0_0\n"
                     "\t.byte\t0\n\t.long\t.Lmirrorq1_0\n"
                     "\t.byte\t(.Lmirrorq1_1-.Lmirrorq1_0)|((.Lmirrorq1_2-.Lmirrorq1_1)<<4)\n"
                     "\t.uleb128\t.Lmirrorq1_0-.Lmirrorq1_0\n"
                     "\t.byte\t(.Lmirrorq2_1-.Lmirrorq2_0)|((.Lmirrorq2_2-.Lmirrorq2_1)<<4)\n"
                     "\t.uleb128\t.Lmirrorq2_0-.Lmirrorq1_0\n";
  if (strcmp(table, want) != 0)
    print_error("--- expected\n%s--- got\n%s---\n", want, table);
  assert_string_equal(table, want);
  free(got);
  proc_free(&r);
}

static void stats_count_each_class(void **state) {
  (void)state;
  const char *in = path("stats.s"), *out = path("stats.out.s");
  write_file(in, "\tpushl %ebp\n\tmovl %eax, (%ebx)\n\tmovl %eax, 4(%ebx)\n\taddl $1, (%ebx)\n"
                 "\tcall f\n\trep stosl\n\tmovl (%ebx), %eax\n");
  struct proc_result r;
  assert_int_equal(translate(in, out, "--stats", &r), 0);
  char want[1200];
  snprintf(want, sizeof want,
           "mirror-stats: file=%s store=2 setcc=0 rmw=1 bitop=0 xchg=0 xadd=0 cmpxchg=0 push=1 "
           "pop=0 call=1 pushf=0 pusha=0 enter=0 x87=0 string=0 rep-string=1\n",
           in);
  if (!strstr(r.err, want))
    print_error("%s", r.err);
  assert_non_null(strstr(r.err, want));
  snprintf(want, sizeof want, "mirror-stats: file=%s lines_in=7 lines_out=", in);
  assert_non_null(strstr(r.err, want));
  assert_non_null(strstr(r.err, " insns=7 writes=6\n"));
  assert_non_null(strstr(r.err, " lines_per_s="));
  proc_free(&r);
}

static void table_is_consistent(void **state) {
  (void)state;
  char msg[200];
  assert_int_equal(arch_i386.check(msg, sizeof msg), 0);
  // Every class the table uses is reported by --stats, in a fixed order.
  assert_true(arch_i386.nclasses <= MIRROR_MAX_CLASSES);
  assert_non_null(arch_i386.lookup("movl"));
  assert_non_null(arch_i386.lookup("fistpq"));
  assert_null(arch_i386.lookup("insb"));
}

static void wrapper_compiles_c_and_preprocessed_asm(void **state) {
  (void)state;
  const char *c = path("w.c"), *S = path("w.S"), *co = path("w.c.o"), *So = path("w.S.o");
  write_file(c, "int g;\nvoid f(int *p) { *p = 1; g++; }\n");
  write_file(S, "#define VALUE 7\n\t.text\n\t.globl h\nh:\n\tmovl $VALUE, (%eax)\n\tret\n");
  char *argv[] = {(char *)wrapper, "--mirror-offset=0x40000000",
                  "--mirror-keep", "-m32",
                  "-O2",           "-fno-pic",
                  "-fno-pie",      "-c",
                  (char *)c,       "-o",
                  (char *)co,      NULL};
  struct proc_result r;
  assert_int_equal(proc_run(argv, &r), 0);
  if (r.status)
    print_error("%s", r.err);
  assert_int_equal(r.status, 0);
  assert_true(exists(co));
  char *m = read_file(path("w.c.o.mirror.s"));
  assert_non_null(m);
  assert_non_null(strstr(m, "0x40000000"));
  free(m);
  proc_free(&r);
  char *argv2[] = {(char *)wrapper, "--mirror-offset=0x40000000",
                   "-m32",          "-c",
                   (char *)S,       "-o",
                   (char *)So,      NULL};
  assert_int_equal(proc_run(argv2, &r), 0);
  assert_int_equal(r.status, 0);
  assert_true(exists(So));
  assert_false(exists(path("w.S.o.mirror.s"))); // intermediates removed
  proc_free(&r);
}

static void wrapper_fails_on_untranslatable_code(void **state) {
  (void)state;
  const char *c = path("bad.c"), *o = path("bad.o");
  write_file(c, "void f(void) { __asm__ volatile(\"insb\"); }\n");
  write_file(o, "stale");
  char *argv[] = {(char *)wrapper, "--mirror-offset=0x40000000",
                  "-m32",          "-c",
                  (char *)c,       "-o",
                  (char *)o,       NULL};
  struct proc_result r;
  assert_int_equal(proc_run(argv, &r), 0);
  assert_int_equal(r.status, 1);
  assert_non_null(strstr(r.err, "unknown instruction 'insb'"));
  assert_false(exists(o));
  proc_free(&r);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: test_cli MIRROR-TRANSLATE MIRROR-CC WORKDIR\n");
    return 2;
  }
  translator = argv[1];
  wrapper = argv[2];
  workdir = argv[3];
  mkdir(workdir, 0777);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unknown_instruction_is_an_error),
      cmocka_unit_test(errors_name_the_preprocessed_source),
      cmocka_unit_test(every_error_is_reported),
      cmocka_unit_test(offset_is_required),
      cmocka_unit_test(directives_labels_comments_pass_through),
      cmocka_unit_test(privileged_instructions_pass_through),
      cmocka_unit_test(pic_input_is_refused),
      cmocka_unit_test(unrestartable_writes_are_refused),
      cmocka_unit_test(no_stack_mirror_leaves_stack_writes),
      cmocka_unit_test(output_is_stable),
      cmocka_unit_test(a_section_change_starts_a_block),
      cmocka_unit_test(inserted_labels_do_not_collide),
      cmocka_unit_test(stats_count_each_class),
      cmocka_unit_test(table_is_consistent),
      cmocka_unit_test(wrapper_compiles_c_and_preprocessed_asm),
      cmocka_unit_test(wrapper_fails_on_untranslatable_code),
  };
  return cmocka_run_group_tests_name("translator command line", tests, NULL, NULL);
}
