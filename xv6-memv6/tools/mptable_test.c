// The pure part of recovery inside a mirrored write (kernel/mptable.c): an
// interrupted EIP matched with a table entry, the bytes the instruction
// there writes, decoded as recovery must, and the cut moved to an end of
// its sequence (mpt_roll, which the kernel and the Linux runtime share;
// docs/memv6.md).
#include "mptable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MOFF 0x40000000u

struct table {
  const unsigned char *b;
  unsigned n;
};

static int table_byte(void *arg, unsigned i) {
  const struct table *t = arg;
  return i < t->n ? t->b[i] : -1;
}

static int find(const unsigned char *b, unsigned n, unsigned long eip, struct mpt_entry *e) {
  struct table t = {b, n};
  return mpt_find(table_byte, &t, n, eip, e);
}

// A block at 0x100: a long entry (from 3, to 9, end 12, RMWF at delta 8), a
// short one 0x90 bytes on (2-byte gap: 0x90 0x01) with a 4-byte native and
// a 7-byte mirror instruction; a block at 0x40 (another section) with a
// short entry at its base.
static const unsigned char table[] = {
    MPT_BLOCK, 0x00, 0x01, 0,         0,    MPT_LONG, 0, 3, 9,    12, MPT_BYTE(MPT_RMWF, 8),
    0x74,      0x90, 0x01, MPT_BLOCK, 0x40, 0,        0, 0, 0x32, 0};

static void entry_covers_its_interior_only(void **state) {
  (void)state;
  struct mpt_entry e;
  assert_int_equal(find(table, sizeof table, 0x103, &e), 1);
  assert_int_equal(e.l0, 0x100);
  assert_int_equal(e.from, 3);
  assert_int_equal(e.to, 9);
  assert_int_equal(e.end, 12);
  assert_int_equal(e.kind, MPT_RMWF);
  assert_int_equal(e.delta, 8);
  assert_int_equal(e.scratch_reg, -1);
  assert_true(mpt_covers(&e, 0x108));
  assert_false(mpt_covers(&e, 0x109));
  assert_false(mpt_covers(&e, 0x102));
  assert_false(mpt_covers(&e, 0xff));                        // below l0 must not wrap into range
  assert_int_equal(find(table, sizeof table, 0x100, &e), 0); // before the first half
  assert_int_equal(find(table, sizeof table, 0x102, &e), 0);
  assert_int_equal(find(table, sizeof table, 0x109, &e), 0);
}

static void short_entries_and_blocks_decode(void **state) {
  (void)state;
  struct mpt_entry e;
  assert_int_equal(find(table, sizeof table, 0x194, &e), 1); // 0x190 + 4: the mirror half
  assert_int_equal(e.l0, 0x190);
  assert_int_equal(e.from, 4);
  assert_int_equal(e.to, 11);
  assert_int_equal(e.end, 11);
  assert_int_equal(e.kind, MPT_REDO);
  assert_int_equal(e.delta, 0);
  assert_int_equal(find(table, sizeof table, 0x19a, &e), 1);
  assert_int_equal(find(table, sizeof table, 0x19b, &e), 0); // the end
  assert_int_equal(find(table, sizeof table, 0x193, &e), 0); // the native half
  assert_int_equal(find(table, sizeof table, 0x42, &e), 1);  // the second block
  assert_int_equal(e.l0, 0x40);
  assert_int_equal(e.to, 5);
  // Every byte with a nonzero low nibble is a short entry, 0x81 included
  // (a 1-byte instruction, then an 8-byte one): no long descriptor may
  // take such a byte.
  const unsigned char one_then_eight[] = {MPT_BLOCK, 0x00, 0x02, 0, 0, 0x81, 0};
  assert_int_equal(find(one_then_eight, sizeof one_then_eight, 0x201, &e), 1);
  assert_int_equal(e.from, 1);
  assert_int_equal(e.to, 9);
  assert_int_equal(e.kind, MPT_REDO);
  assert_int_equal(find(one_then_eight, sizeof one_then_eight, 0x209, &e), 0);
  assert_int_not_equal(MPT_LONG64 & 15, 0x81 & 15);
}

static void bad_tables_are_refused(void **state) {
  (void)state;
  struct mpt_entry e;
  const unsigned char no_block[] = {0x32, 0};
  const unsigned char bad_descriptor[] = {MPT_BLOCK, 0, 1, 0, 0, 0x20, 0};
  const unsigned char cut_long[] = {MPT_BLOCK, 0, 1, 0, 0, MPT_LONG, 0, 3, 9};
  const unsigned char endless_gap[] = {MPT_BLOCK, 0, 1, 0, 0, 0x32, 0x80, 0x80, 0x80, 0x80, 0x80};
  assert_int_equal(find(no_block, sizeof no_block, 2, &e), -1);
  assert_int_equal(find(bad_descriptor, sizeof bad_descriptor, 0x102, &e), -1);
  assert_int_equal(find(cut_long, sizeof cut_long, 0x103, &e), -1);
  assert_int_equal(find(endless_gap, sizeof endless_gap, 0x102, &e), -1);
  assert_int_equal(find(table, sizeof table - 1, 0x42, &e), -1); // cut inside an entry
  assert_int_equal(find(table, 0, 0x103, &e), 0);                // no table: no entry
}

static void deltas_keep_their_sign(void **state) {
  (void)state;
  const int deltas[] = {-32, -8, -4, 0, 4, 8, 20, 28};
  for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
    unsigned char kb = (unsigned char)MPT_BYTE(MPT_REDO, deltas[i]);
    assert_int_equal(MPT_KIND(kb), MPT_REDO);
    assert_int_equal(MPT_DELTA(kb), deltas[i]);
  }
}

struct opcase {
  const char *what;
  unsigned char code[16];
  unsigned n;
  unsigned long regs[8]; // eax ecx edx ebx esp ebp esi edi
  int ok;
  unsigned long addr;
  int width;
};

static const struct opcase cases[] = {
    {"addl %ecx, M+8(%ebx)", {0x01, 0x8b, 0x08, 0, 0, 0x40}, 6, {0, 3, 0, 0x1000}, 1, 0x1008, 4},
    {"incb M(%esi,%ecx,4)",
     {0xfe, 0x84, 0x8e, 0, 0, 0, 0x40},
     7,
     {0, 3, 0, 0, 0, 0, 0x2000},
     1,
     0x200c,
     1},
    {"popl M+4(%esp): address after %esp moves",
     {0x8f, 0x84, 0x24, 4, 0, 0, 0x40},
     7,
     {0, 0, 0, 0, 0x5000},
     1,
     0x5008,
     4},
    {"pushw (%ebx)", {0x66, 0xff, 0x33}, 3, {0, 0, 0, 0x3000}, 1, 0x3000, 2},
    {"btsl %ecx=37, M(%ebx): the bit picks the next word",
     {0x0f, 0xab, 0x8b, 0, 0, 0, 0x40},
     7,
     {0, 37, 0, 0x1000},
     1,
     0x1004,
     4},
    {"btsl %ecx=-1, M(%ebx): a negative bit offset goes below",
     {0x0f, 0xab, 0x8b, 0, 0, 0, 0x40},
     7,
     {0, 0xffffffffu, 0, 0x1000},
     1,
     0x0ffc,
     4},
    {"btrw %cx=16, M(%ebx)",
     {0x66, 0x0f, 0xb3, 0x8b, 0, 0, 0, 0x40},
     8,
     {0, 16, 0, 0x1000},
     1,
     0x1002,
     2},
    {"lock addl $1, (%eax)", {0xf0, 0x83, 0x00, 0x01}, 4, {0x7000}, 1, 0x7000, 4},
    {"addl %eax, M+0x1234 (no base)", {0x01, 0x05, 0x34, 0x12, 0, 0x40}, 6, {0}, 1, 0x1234, 4},
    {"shrdl $3, %ecx, -4(%ebp)",
     {0x0f, 0xac, 0x4d, 0xfc, 0x03},
     5,
     {0, 0, 0, 0, 0, 0x8000},
     1,
     0x7ffc,
     4},
    {"addl %eax, %ebx: no memory operand", {0x01, 0xc3}, 2, {0}, 0, 0, 0},
    {"movl %eax, (%ebx): not at a covered EIP", {0x89, 0x03}, 2, {0}, 0, 0, 0},
    {"truncated disp32", {0x01, 0x8b, 0x08, 0}, 4, {0}, 0, 0, 0},
};

static void operands_decode_to_the_native_bytes(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct opcase *c = &cases[i];
    struct mpt_cut cut = {.arch = MPT_I386, .eip = 0x2000};
    memcpy(cut.r, c->regs, sizeof c->regs);
    unsigned long addr = 0;
    int width = 0;
    int r = mpt_operand(&cut, c->code, c->n, MOFF, &addr, &width);
    if ((r == 0) != c->ok || (c->ok && (addr != c->addr || width != c->width)))
      print_error("%s: got ok=%d addr=%#lx width=%d, expected ok=%d addr=%#lx width=%d\n", c->what,
                  r == 0, addr, width, c->ok, c->addr, c->width);
    assert_int_equal(r == 0, c->ok);
    if (c->ok) {
      assert_int_equal(addr, c->addr);
      assert_int_equal(width, c->width);
    }
  }
}

// A cut's memory for mpt_roll: user addresses [MEM_LO, MEM_LO + sizeof)
// with a native and a mirror copy, and which side this error replaced.
#define MEM_LO 0x1000u
struct fake_mem {
  unsigned char native[0x2000], mirror[0x2000];
  unsigned long replaced_page; // native page replaced from the mirror, 0: none
};

static int in_mem(unsigned long va, unsigned n) {
  return va >= MEM_LO && va - MEM_LO + n <= 0x2000;
}

static unsigned fake_read(void *arg, unsigned long va, void *dst, unsigned n) {
  struct fake_mem *m = arg;
  if (!in_mem(va, n))
    return 0;
  memcpy(dst, m->native + (va - MEM_LO), n);
  return n;
}

static int fake_sync(void *arg, unsigned long va, unsigned n, int to_mirror) {
  struct fake_mem *m = arg;
  if (!in_mem(va, n))
    return -1;
  if (to_mirror)
    memcpy(m->mirror + (va - MEM_LO), m->native + (va - MEM_LO), n);
  else
    memcpy(m->native + (va - MEM_LO), m->mirror + (va - MEM_LO), n);
  return 0;
}

static int fake_replaced(void *arg, unsigned long a, int w) {
  const struct fake_mem *m = arg;
  unsigned long first = a & ~0xffful, last = (a + (unsigned long)w - 1) & ~0xffful;
  return m->replaced_page && (m->replaced_page == first || m->replaced_page == last);
}

static void put32(unsigned char *p, unsigned v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned get32(const unsigned char *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

// The code at the cut: "addl %ecx, M(%ebx)" (the mirror half of an rmw).
#define CODE_VA 0x2100u
static const unsigned char mirror_add[] = {0x01, 0x8b, 0, 0, 0, 0x40};

// An entry as the table would decode it, without a scratch register.
static struct mpt_entry entry(unsigned long l0, int from, int to, int end, int kind, int delta) {
  struct mpt_entry e = {
      l0,   (unsigned char)from, (unsigned char)to, (unsigned char)end, (unsigned char)kind, -1, 0,
      delta};
  return e;
}

static struct mpt_cut cut_at(struct fake_mem *m, unsigned long eip, unsigned long esp) {
  struct mpt_cut c = {.eip = eip,
                      .eflags = 0x202,
                      .arch = MPT_I386,
                      .arg = m,
                      .read = fake_read,
                      .sync = fake_sync,
                      .native_replaced = fake_replaced};
  c.r[MPT_ESP] = esp;
  c.r[3] = 0x1800; // %ebx: the operand, on the first page
  return c;
}

static void rmw_rolls_back_when_native_was_replaced(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  memcpy(m.native + (CODE_VA - MEM_LO), mirror_add, sizeof mirror_add);
  put32(m.mirror + 0x800, 5); // the old value
  put32(m.native + 0x800, 9); // whatever: the mirror's bytes go back to native
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 6, 6, 12, 12, MPT_RMW, 0);
  struct mpt_cut c = cut_at(&m, CODE_VA, 0x2f00);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0); // the native half runs again, once, on the old bytes
  assert_int_equal(get32(m.native + 0x800), 5);
  assert_int_equal(c.r[MPT_ESP], 0x2f00);
}

static void rmw_rolls_forward_when_mirror_was_replaced(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  memcpy(m.native + (CODE_VA - MEM_LO), mirror_add, sizeof mirror_add);
  put32(m.native + 0x800, 8); // the native half's result
  put32(m.mirror + 0x800, 8); // the mirror page came from native: already the result
  m.replaced_page = 0;
  struct mpt_entry e = entry(CODE_VA - 6, 6, 12, 12, MPT_RMW, 0);
  struct mpt_cut c = cut_at(&m, CODE_VA, 0x2f00);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0 + e.end); // the mirror half is not applied a second time
  assert_int_equal(get32(m.mirror + 0x800), 8);
}

static void rmwf_restores_the_arithmetic_flags_and_esp(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  memcpy(m.native + (CODE_VA - MEM_LO), mirror_add, sizeof mirror_add);
  unsigned esp0 = 0x2f00;
  put32(m.native + (esp0 - 4 - MEM_LO), 0x8d5 | 0x400); // CF PF AF ZF SF OF, and DF
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 17, 17, 23, 33, MPT_RMWF, 4);
  struct mpt_cut c = cut_at(&m, CODE_VA, esp0 - 4);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0);
  assert_int_equal(c.r[MPT_ESP], esp0);
  assert_int_equal(c.eflags, 0x202 | 0x8d5); // DF is not the saved word's to give back
}

static void rmwr_restores_its_register(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  memcpy(m.native + (CODE_VA - MEM_LO), mirror_add, sizeof mirror_add);
  unsigned esp0 = 0x2f00;
  put32(m.native + (esp0 - 4 - MEM_LO), 77); // %ecx as it was at L0
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 13, 13, 19, 29, MPT_RMWR + 1, 4);
  struct mpt_cut c = cut_at(&m, CODE_VA, esp0 - 4);
  c.r[1] = 3;
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.r[1], 77);
  assert_int_equal(c.eip, e.l0);
  assert_int_equal(c.r[MPT_ESP], esp0);
}

static void redo_cds_restores_the_string_registers(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  unsigned esp0 = 0x2f00;
  put32(m.native + (esp0 - 4 - MEM_LO), 10);      // %ecx
  put32(m.native + (esp0 - 8 - MEM_LO), 0x1100);  // %edi
  put32(m.native + (esp0 - 12 - MEM_LO), 0x1200); // %esi
  struct mpt_entry e = entry(CODE_VA, 9, 11, 40, MPT_REDO_CDS, 12);
  struct mpt_cut c = cut_at(&m, CODE_VA + 9, esp0 - 12);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, CODE_VA);
  assert_int_equal(c.r[MPT_ESP], esp0);
  assert_int_equal(c.r[1], 10);
  assert_int_equal(c.r[7], 0x1100);
  assert_int_equal(c.r[6], 0x1200);
}

static void unreadable_memory_rolls_nothing(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  struct mpt_entry e = entry(0x9000, 6, 12, 12, MPT_RMW, 0);
  struct mpt_cut c = cut_at(&m, 0x9006, 0x2f00); // the code is not readable
  assert_int_equal(mpt_roll(&c, &e, MOFF), 0);
  assert_int_equal(c.eip, 0x9006);
}

// x86-64 tables: MPT_LONG64 entries beside the short and i386 long ones.
// A block at 0x401000: a short entry (3 + 7 bytes), an RMWR + 9 entry 0x20
// on (from 7, to 19, end 30, delta 18 * 8 = 144, %r11 in save slot 2), a
// pop-to-memory redo 0x40 on (delta -2 * 8) and an MPT_FWD entry at its
// L0 + 1 (covering 20-26) whose scratch is %r10 in slot 1.
// clang-format off
static const unsigned char table64[] = {
    MPT_BLOCK, 0x00, 0x10, 0x40, 0,
    0x73, 0,
    MPT_LONG64, 0x20, 7, 19, 30, MPT_RMWR + 9, 18, 0x2b,
    MPT_LONG64, 0x40, 0, 3, 6, MPT_REDO, 0xfe, 0,
    MPT_LONG64, 1, 20, 26, 30, MPT_FWD, 18, 0x1a};
// clang-format on

static void long64_entries_decode(void **state) {
  (void)state;
  struct mpt_entry e;
  assert_int_equal(find(table64, sizeof table64, 0x401003, &e), 1); // the short one
  assert_int_equal(e.kind, MPT_REDO);
  assert_int_equal(e.to, 10);
  assert_int_equal(find(table64, sizeof table64, 0x401020 + 7, &e), 1);
  assert_int_equal(e.l0, 0x401020);
  assert_int_equal(e.from, 7);
  assert_int_equal(e.to, 19);
  assert_int_equal(e.end, 30);
  assert_int_equal(e.kind, MPT_RMWR + 9);
  assert_int_equal(e.delta, 144);
  assert_int_equal(e.scratch_reg, 11);
  assert_int_equal(e.scratch_slot, 2);
  assert_int_equal(find(table64, sizeof table64, 0x401020 + 19, &e), 0); // its to
  assert_int_equal(find(table64, sizeof table64, 0x401060, &e), 1);
  assert_int_equal(e.kind, MPT_REDO);
  assert_int_equal(e.delta, -16);
  assert_int_equal(e.scratch_reg, -1);
  assert_int_equal(find(table64, sizeof table64, 0x401061 + 25, &e), 1);
  assert_int_equal(e.l0, 0x401061);
  assert_int_equal(e.kind, MPT_FWD);
  assert_int_equal(e.end, 30);
  assert_int_equal(e.scratch_reg, 10);
  assert_int_equal(e.scratch_slot, 1);
}

static void malformed_long64_entries_are_refused(void **state) {
  (void)state;
  // from, to, end, kind, delta / 8, scratch of one entry at 0x100.
  static const struct {
    const char *what;
    unsigned char b[6];
  } bad[] = {
      {"kind 0", {3, 9, 12, 0, 0, 0}},
      {"kind past RMWR + 15", {3, 9, 12, MPT_RMWR + 16, 0, 0}},
      {"empty range", {9, 9, 12, MPT_REDO, 0, 0}},
      {"range past the end", {3, 13, 12, MPT_REDO, 0, 0}},
      {"scratch in slot 0", {3, 9, 12, MPT_REDO, 0, 0x0b}},
      {"scratch in slot 4", {3, 9, 12, MPT_REDO, 0, 0x4b}},
      {"the stack pointer as scratch", {3, 9, 12, MPT_REDO, 0, 0x14}},
  };
  struct mpt_entry e;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    unsigned char t[] = {MPT_BLOCK, 0, 1, 0, 0, MPT_LONG64, 0, 0, 0, 0, 0, 0, 0};
    memcpy(t + 7, bad[i].b, 6);
    int r = find(t, sizeof t, 0x105, &e);
    if (r != -1)
      print_error("%s: got %d, expected -1\n", bad[i].what, r);
    assert_int_equal(r, -1);
  }
  const unsigned char good[] = {MPT_BLOCK, 0, 1, 0, 0, MPT_LONG64, 0, 3, 9, 12, MPT_REDO, 0, 0x3b};
  assert_int_equal(find(good, sizeof good, 0x105, &e), 1);
  assert_int_equal(find(good, sizeof good - 1, 0x105, &e), -1); // cut inside its six bytes
}

// x86-64 encodings (as --64, objdump -d), at eip 0x401000. M is the
// mirror offset 0x40000000.
struct opcase64 {
  const char *what;
  unsigned char code[16];
  unsigned n;
  unsigned long regs[MPT_NREGS]; // rax rcx rdx rbx rsp rbp rsi rdi r8-r15
  int ok;
  unsigned long addr;
  int width;
};

#define EIP64 0x401000ul
#define HI 0x100000000ul // registers past 32 bits are not cut down

static const struct opcase64 cases64[] = {
    {"addq $0x12345678, M+0x100(%rip): rip after the imm32",
     {0x48, 0x81, 0x05, 0x00, 0x01, 0x00, 0x40, 0x78, 0x56, 0x34, 0x12},
     11,
     {0},
     1,
     EIP64 + 11 + 0x100,
     8},
    {"addl $5, M+0x100(%rip): after the imm8",
     {0x83, 0x05, 0x00, 0x01, 0x00, 0x40, 0x05},
     7,
     {0},
     1,
     EIP64 + 7 + 0x100,
     4},
    {"shldq $3, %rax, M+0x100(%rip)",
     {0x48, 0x0f, 0xa4, 0x05, 0x00, 0x01, 0x00, 0x40, 0x03},
     9,
     {0},
     1,
     EIP64 + 9 + 0x100,
     8},
    {"btsq $63, 0x100(%rip)",
     {0x48, 0x0f, 0xba, 0x2d, 0x00, 0x01, 0x00, 0x00, 0x3f},
     9,
     {0},
     1,
     EIP64 + 9 + 0x100,
     8},
    {"addb $7, 0x100(%rip)",
     {0x80, 0x05, 0x00, 0x01, 0x00, 0x00, 0x07},
     7,
     {0},
     1,
     EIP64 + 7 + 0x100,
     1},
    {"testl $1, 0x100(%rip): an imm32 for f7 /0",
     {0xf7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00},
     10,
     {0},
     1,
     EIP64 + 10 + 0x100,
     4},
    {"addl %eax, M+0x100(%rip) with REX.B: still rip",
     {0x41, 0x01, 0x05, 0x00, 0x01, 0x00, 0x40},
     7,
     {0},
     1,
     EIP64 + 7 + 0x100,
     4},
    {"movq %r11, M+0x100(%rip): a copy's store",
     {0x4c, 0x89, 0x1d, 0x00, 0x01, 0x00, 0x40},
     7,
     {0},
     1,
     EIP64 + 7 + 0x100,
     8},
    {"movl 0x100(%rip), %r11d: a copy's load",
     {0x44, 0x8b, 0x1d, 0x00, 0x01, 0x00, 0x00},
     7,
     {0},
     1,
     EIP64 + 7 + 0x100,
     4},
    {"movq M+8(%r12), %r11: r12 needs a SIB",
     {0x4d, 0x8b, 0x9c, 0x24, 0x08, 0x00, 0x00, 0x40},
     8,
     {[12] = HI + 0x2000},
     1,
     HI + 0x2008,
     8},
    {"addq %rax, M+16(%r13)",
     {0x49, 0x01, 0x85, 0x10, 0x00, 0x00, 0x40},
     7,
     {[13] = 0x3000},
     1,
     0x3010,
     8},
    {"addb $7, 0(%r13): mod 1, r13 is a base",
     {0x41, 0x80, 0x45, 0x00, 0x07},
     5,
     {[13] = 0x3000},
     1,
     0x3000,
     1},
    {"incq M(%r12,%r14,8)",
     {0x4b, 0xff, 0x84, 0xf4, 0x00, 0x00, 0x00, 0x40},
     8,
     {[12] = 0x1000, [14] = 3},
     1,
     0x1018,
     8},
    {"addl %r9d, M(,%r15,4): no base",
     {0x46, 0x01, 0x0c, 0xbd, 0x00, 0x00, 0x00, 0x40},
     8,
     {[5] = 0x9999, [15] = 5},
     1,
     20,
     4},
    {"addl %ecx, M+0x100(,%r15,4): SIB base 5 at mod 0 with REX.B is no base, not r13",
     {0x43, 0x01, 0x0c, 0xbd, 0x00, 0x01, 0x00, 0x40},
     8,
     {[13] = 0x9999, [15] = 5},
     1,
     0x114,
     4},
    {"addw %ax, M+2(%rbx): 66 is 2 bytes",
     {0x66, 0x01, 0x83, 0x02, 0x00, 0x00, 0x40},
     7,
     {[3] = 0x4000},
     1,
     0x4002,
     2},
    {"btsq %rcx=-1, M(%rdi): the word below",
     {0x48, 0x0f, 0xab, 0x8f, 0x00, 0x00, 0x00, 0x40},
     8,
     {[1] = ~0ul, [7] = HI + 0x5000},
     1,
     HI + 0x4ff8,
     8},
    {"btcq %r10=-2^35, M(%rdi): a 64-bit offset, 2^29 words down",
     {0x4c, 0x0f, 0xbb, 0x97, 0x00, 0x00, 0x00, 0x40},
     8,
     {[7] = HI + 0x5000, [10] = 0ul - (1ul << 35)},
     1,
     0x5000,
     8},
    {"btsq %rcx=64, M(%rdi): the next word",
     {0x48, 0x0f, 0xab, 0x8f, 0x00, 0x00, 0x00, 0x40},
     8,
     {[1] = 64, [7] = 0x5000},
     1,
     0x5008,
     8},
    {"movb %r11b, M(%rsi)",
     {0x44, 0x88, 0x9e, 0x00, 0x00, 0x00, 0x40},
     7,
     {[6] = 0x6000},
     1,
     0x6000,
     1},
    {"movw 6(%rsi), %r11w", {0x66, 0x44, 0x8b, 0x5e, 0x06}, 5, {[6] = 0x6000}, 1, 0x6006, 2},
    {"popq M(%rsp): after %rsp moves by 8",
     {0x8f, 0x84, 0x24, 0x00, 0x00, 0x00, 0x40},
     7,
     {[4] = 0x7000},
     1,
     0x7008,
     8},
    {"pushq 16(%r8): 8 bytes without REX.W",
     {0x41, 0xff, 0x70, 0x10},
     4,
     {[8] = 0x8000},
     1,
     0x8010,
     8},
    {"incl M(%rsp): ff /0 is 4 bytes",
     {0xff, 0x84, 0x24, 0, 0, 0, 0x40},
     7,
     {[4] = 0x7000},
     1,
     0x7000,
     4},
    {"pushw (%rbx)", {0x66, 0xff, 0x33}, 3, {[3] = 0x4000}, 1, 0x4000, 2},
    {"lock addq %r8, (%r9)", {0xf0, 0x4d, 0x01, 0x01}, 4, {[9] = 0x9000}, 1, 0x9000, 8},
    {"movl %r11d, M+0x100: absolute",
     {0x44, 0x89, 0x1c, 0x25, 0x00, 0x01, 0x00, 0x40},
     8,
     {0},
     1,
     0x100,
     4},
    {"sarq %cl, M-8(%rbp)",
     {0x48, 0xd3, 0xbd, 0xf8, 0xff, 0xff, 0x3f},
     7,
     {[5] = HI + 0x3000},
     1,
     HI + 0x2ff8,
     8},
    {"REX before 66 counts for nothing: addw %ax, (%rbx)",
     {0x48, 0x66, 0x01, 0x03},
     4,
     {[3] = 0x4000},
     1,
     0x4000,
     2},
    {"addl %eax, %ebx: no memory operand", {0x01, 0xc3}, 2, {0}, 0, 0, 0},
    {"movl $1, (%rax): not at a covered EIP", {0xc7, 0x00, 1, 0, 0, 0}, 6, {0}, 0, 0, 0},
    {"addl %eax, (%eax): 32-bit addressing", {0x67, 0x01, 0x00}, 3, {0}, 0, 0, 0},
    {"addq $imm32, M(%rip) cut before its immediate",
     {0x48, 0x81, 0x05, 0x00, 0x01, 0x00, 0x40, 0x78, 0x56},
     9,
     {0},
     0,
     0,
     0},
};

static void x86_64_operands_decode_to_the_native_bytes(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases64 / sizeof cases64[0]; i++) {
    const struct opcase64 *c = &cases64[i];
    struct mpt_cut cut = {.arch = MPT_X86_64, .eip = EIP64};
    memcpy(cut.r, c->regs, sizeof c->regs);
    unsigned long addr = 0;
    int width = 0;
    int r = mpt_operand(&cut, c->code, c->n, MOFF, &addr, &width);
    if ((r == 0) != c->ok || (c->ok && (addr != c->addr || width != c->width)))
      print_error("%s: got ok=%d addr=%#lx width=%d, expected ok=%d addr=%#lx width=%d\n", c->what,
                  r == 0, addr, width, c->ok, c->addr, c->width);
    assert_int_equal(r == 0, c->ok);
    if (c->ok) {
      assert_int_equal(addr, c->addr);
      assert_int_equal(width, c->width);
    }
  }
}

// The same bytes decode the i386 way in an i386 cut: no REX (0x48 is dec
// %eax there), no mov, 32-bit addresses.
static void i386_cuts_do_not_decode_x86_64(void **state) {
  (void)state;
  const unsigned char movq_store[] = {0x4c, 0x89, 0x1d, 0x00, 0x01, 0x00, 0x40};
  const unsigned char add_rip[] = {0x01, 0x05, 0x00, 0x01, 0x00, 0x40};
  struct mpt_cut cut = {.arch = MPT_I386, .eip = EIP64};
  unsigned long addr = 0;
  int width = 0;
  assert_int_equal(mpt_operand(&cut, movq_store, sizeof movq_store, MOFF, &addr, &width), -1);
  assert_int_equal(mpt_operand(&cut, add_rip, sizeof add_rip, MOFF, &addr, &width), 0);
  assert_int_equal(addr, 0x100); // absolute, not %rip-relative
  cut.r[3] = 0xfffffff0ul;       // an i386 address wraps at 4 GiB
  const unsigned char add_ebx[] = {0x01, 0x43, 0x20};
  assert_int_equal(mpt_operand(&cut, add_ebx, sizeof add_ebx, MOFF, &addr, &width), 0);
  assert_int_equal(addr, 0x10);
}

static void put64(unsigned char *p, unsigned long v) {
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned long get64(const unsigned char *p) {
  unsigned long v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

// An x86-64 copy cut at its store: `movq %r11, M+x(%rip)` at CODE_VA with
// x the operand 0x1800 (native page 0x1000). Save slots of L0's %rsp ESP64:
// slot k at ESP64 - 128 - 8k.
#define ESP64 0x2f00ul
#define OPND64 0x1800ul
static void put_copy_store(struct fake_mem *m) {
  unsigned char code[7] = {0x4c, 0x89, 0x1d};
  put32(code + 3, (unsigned)(MOFF + OPND64 - (CODE_VA + 7)));
  memcpy(m->native + (CODE_VA - MEM_LO), code, sizeof code);
}

static unsigned char *slot64(struct fake_mem *m, int k) {
  return m->native + (ESP64 - 128 - 8ul * (unsigned long)k - MEM_LO);
}

static struct mpt_cut cut64(struct fake_mem *m, unsigned long eip, unsigned long rsp) {
  struct mpt_cut c = cut_at(m, eip, rsp);
  c.arch = MPT_X86_64;
  c.r[11] = HI + 0x77; // the copy's value in the scratch register
  return c;
}

// adcq: flags in slot 1, %r11 in slot 2; the cut at the copy's store, %rsp
// 144 below L0's.
static struct mpt_entry adc_entry(void) {
  struct mpt_entry e = entry(CODE_VA - 30, 30, 44, 52, MPT_RMWF, 144);
  e.scratch_reg = 11;
  e.scratch_slot = 2;
  return e;
}

static void x86_64_rmwf_rolls_back_with_flags_and_scratch(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  put_copy_store(&m);
  put64(m.mirror + (OPND64 - MEM_LO), 0x1111222233334444ul); // the old value
  put64(m.native + (OPND64 - MEM_LO), 0x1111222233334444ul); // replaced from the mirror
  put64(slot64(&m, 1), 0x8d5 | 0x400);
  put64(slot64(&m, 2), HI + 0x5151); // %r11 as it was at L0
  m.replaced_page = 0x1000;
  struct mpt_entry e = adc_entry();
  struct mpt_cut c = cut64(&m, CODE_VA, ESP64 - 144);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0);
  assert_int_equal(c.r[MPT_ESP], ESP64);
  assert_int_equal(c.eflags, 0x202 | 0x8d5);
  assert_int_equal(c.r[11], HI + 0x5151);
  assert_int_equal(get64(m.native + (OPND64 - MEM_LO)), 0x1111222233334444ul);
}

static void x86_64_rmwf_rolls_forward_with_scratch(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  put_copy_store(&m);
  put64(m.native + (OPND64 - MEM_LO), 0xaaaabbbbccccddddul); // the adc's result
  put64(slot64(&m, 1), 0x8d5);
  put64(slot64(&m, 2), HI + 0x5151);
  m.replaced_page = 0; // the mirror page was replaced
  struct mpt_entry e = adc_entry();
  struct mpt_cut c = cut64(&m, CODE_VA, ESP64 - 144);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0 + e.end);
  assert_int_equal(c.r[MPT_ESP], ESP64);
  assert_int_equal(c.eflags, 0x202); // the adc's flags stay
  assert_int_equal(c.r[11], HI + 0x5151);
  assert_int_equal(get64(m.mirror + (OPND64 - MEM_LO)), 0xaaaabbbbccccddddul);
}

static void x86_64_rmwr_restores_r9_from_slot_1(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  unsigned char load[7] = {0x44, 0x8b, 0x1d}; // movl x(%rip), %r11d: the copy's load
  put32(load + 3, (unsigned)(OPND64 - (CODE_VA + 7)));
  memcpy(m.native + (CODE_VA - MEM_LO), load, sizeof load);
  put64(slot64(&m, 1), 0x1122334455667788ul); // %r9 at L0
  put64(slot64(&m, 2), 0x99);                 // %r11 at L0
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 28, 28, 42, 50, MPT_RMWR + 9, 144);
  e.scratch_reg = 11;
  e.scratch_slot = 2;
  struct mpt_cut c = cut64(&m, CODE_VA, ESP64 - 144);
  c.r[9] = 5; // what xadd left in it
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0);
  assert_int_equal(c.r[9], 0x1122334455667788ul);
  assert_int_equal(c.r[11], 0x99);
  assert_int_equal(c.r[MPT_ESP], ESP64);
}

static void x86_64_rmw_rolls_back_an_8_byte_add(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  const unsigned char add[] = {0x48, 0x01, 0x83, 0x00, 0x00, 0x00, 0x40}; // addq %rax, M(%rbx)
  memcpy(m.native + (CODE_VA - MEM_LO), add, sizeof add);
  put64(m.mirror + (OPND64 - MEM_LO), HI + 5);
  put64(m.native + (OPND64 - MEM_LO), 9);
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 7, 7, 14, 14, MPT_RMW, 0);
  struct mpt_cut c = cut64(&m, CODE_VA, ESP64);
  c.r[3] = OPND64;
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0);
  assert_int_equal(get64(m.native + (OPND64 - MEM_LO)), HI + 5); // all 8 bytes back
  assert_int_equal(c.r[11], HI + 0x77);                          // no scratch: untouched
}

static void x86_64_fwd_goes_to_the_end_with_scratch(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  put64(slot64(&m, 2), HI + 0x5151);
  put64(m.native + (OPND64 - MEM_LO), 1);
  put64(m.mirror + (OPND64 - MEM_LO), 2);
  m.replaced_page = 0x1000;
  struct mpt_entry e = entry(CODE_VA - 44, 44, 52, 52, MPT_FWD, 144); // at the popq %r11
  e.scratch_reg = 11;
  e.scratch_slot = 2;
  struct mpt_cut c = cut64(&m, CODE_VA, ESP64 - 144);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, e.l0 + 52);
  assert_int_equal(c.r[MPT_ESP], ESP64);
  assert_int_equal(c.r[11], HI + 0x5151);
  assert_int_equal(get64(m.native + (OPND64 - MEM_LO)), 1); // no memory touched
  assert_int_equal(get64(m.mirror + (OPND64 - MEM_LO)), 2);
}

static void x86_64_redo_cds_restores_64_bit_registers(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  put64(slot64(&m, 1), HI + 10);     // %rcx
  put64(slot64(&m, 2), HI + 0x1100); // %rdi
  put64(slot64(&m, 3), HI + 0x1200); // %rsi
  struct mpt_entry e = entry(CODE_VA, 20, 30, 60, MPT_REDO_CDS, 152);
  struct mpt_cut c = cut64(&m, CODE_VA + 20, ESP64 - 152);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, CODE_VA);
  assert_int_equal(c.r[MPT_ESP], ESP64);
  assert_int_equal(c.r[1], HI + 10);
  assert_int_equal(c.r[7], HI + 0x1100);
  assert_int_equal(c.r[6], HI + 0x1200);
}

static void x86_64_redo_restores_its_scratch(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  put64(slot64(&m, 2), 0x42);
  struct mpt_entry e = entry(CODE_VA, 13, 30, 52, MPT_REDO, 144);
  e.scratch_reg = 11;
  e.scratch_slot = 2;
  struct mpt_cut c = cut64(&m, CODE_VA + 13, ESP64 - 144);
  assert_int_equal(mpt_roll(&c, &e, MOFF), 1);
  assert_int_equal(c.eip, CODE_VA);
  assert_int_equal(c.r[11], 0x42);
  assert_int_equal(c.r[MPT_ESP], ESP64);
}

static void x86_64_unreadable_slot_rolls_nothing(void **state) {
  (void)state;
  static struct fake_mem m;
  memset(&m, 0, sizeof m);
  struct mpt_entry e = entry(CODE_VA, 13, 30, 52, MPT_FWD, 144);
  e.scratch_reg = 11;
  e.scratch_slot = 2;
  struct mpt_cut c = cut64(&m, CODE_VA + 13, 0x9000); // its slots are not readable
  assert_int_equal(mpt_roll(&c, &e, MOFF), 0);
  assert_int_equal(c.eip, CODE_VA + 13);
  assert_int_equal(c.r[11], HI + 0x77);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rmw_rolls_back_when_native_was_replaced),
      cmocka_unit_test(rmw_rolls_forward_when_mirror_was_replaced),
      cmocka_unit_test(rmwf_restores_the_arithmetic_flags_and_esp),
      cmocka_unit_test(rmwr_restores_its_register),
      cmocka_unit_test(redo_cds_restores_the_string_registers),
      cmocka_unit_test(unreadable_memory_rolls_nothing),
      cmocka_unit_test(entry_covers_its_interior_only),
      cmocka_unit_test(short_entries_and_blocks_decode),
      cmocka_unit_test(bad_tables_are_refused),
      cmocka_unit_test(deltas_keep_their_sign),
      cmocka_unit_test(operands_decode_to_the_native_bytes),
      cmocka_unit_test(long64_entries_decode),
      cmocka_unit_test(malformed_long64_entries_are_refused),
      cmocka_unit_test(x86_64_operands_decode_to_the_native_bytes),
      cmocka_unit_test(i386_cuts_do_not_decode_x86_64),
      cmocka_unit_test(x86_64_rmwf_rolls_back_with_flags_and_scratch),
      cmocka_unit_test(x86_64_rmwf_rolls_forward_with_scratch),
      cmocka_unit_test(x86_64_rmwr_restores_r9_from_slot_1),
      cmocka_unit_test(x86_64_rmw_rolls_back_an_8_byte_add),
      cmocka_unit_test(x86_64_fwd_goes_to_the_end_with_scratch),
      cmocka_unit_test(x86_64_redo_cds_restores_64_bit_registers),
      cmocka_unit_test(x86_64_redo_restores_its_scratch),
      cmocka_unit_test(x86_64_unreadable_slot_rolls_nothing),
  };
  return cmocka_run_group_tests_name("mirrored write table", tests, NULL, NULL);
}
