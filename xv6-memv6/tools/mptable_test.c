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

static int find(const unsigned char *b, unsigned n, unsigned eip, struct mpt_entry *e) {
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
  assert_int_equal(MPT_KIND(e.kb), MPT_RMWF);
  assert_int_equal(MPT_DELTA(e.kb), 8);
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
  assert_int_equal(MPT_KIND(e.kb), MPT_REDO);
  assert_int_equal(MPT_DELTA(e.kb), 0);
  assert_int_equal(find(table, sizeof table, 0x19a, &e), 1);
  assert_int_equal(find(table, sizeof table, 0x19b, &e), 0); // the end
  assert_int_equal(find(table, sizeof table, 0x193, &e), 0); // the native half
  assert_int_equal(find(table, sizeof table, 0x42, &e), 1);  // the second block
  assert_int_equal(e.l0, 0x40);
  assert_int_equal(e.to, 5);
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
  unsigned regs[MPT_NREGS]; // eax ecx edx ebx esp ebp esi edi
  int ok;
  unsigned addr;
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
    unsigned addr = 0;
    int width = 0;
    int r = mpt_operand(c->code, c->n, c->regs, MOFF, &addr, &width);
    if ((r == 0) != c->ok || (c->ok && (addr != c->addr || width != c->width)))
      print_error("%s: got ok=%d addr=%#x width=%d, expected ok=%d addr=%#x width=%d\n", c->what,
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
  unsigned replaced_page; // native page replaced from the mirror, 0: none
};

static int in_mem(unsigned va, unsigned n) {
  return va >= MEM_LO && va - MEM_LO + n <= 0x2000;
}

static unsigned fake_read(void *arg, unsigned va, void *dst, unsigned n) {
  struct fake_mem *m = arg;
  if (!in_mem(va, n))
    return 0;
  memcpy(dst, m->native + (va - MEM_LO), n);
  return n;
}

static int fake_sync(void *arg, unsigned va, unsigned n, int to_mirror) {
  struct fake_mem *m = arg;
  if (!in_mem(va, n))
    return -1;
  if (to_mirror)
    memcpy(m->mirror + (va - MEM_LO), m->native + (va - MEM_LO), n);
  else
    memcpy(m->native + (va - MEM_LO), m->mirror + (va - MEM_LO), n);
  return 0;
}

static int fake_replaced(void *arg, unsigned a, int w) {
  const struct fake_mem *m = arg;
  unsigned first = a & ~0xfffu, last = (a + (unsigned)w - 1) & ~0xfffu;
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

static struct mpt_cut cut_at(struct fake_mem *m, unsigned eip, unsigned esp) {
  struct mpt_cut c = {{0}, eip, 0x202, m, fake_read, fake_sync, fake_replaced};
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
  struct mpt_entry e = {CODE_VA - 6, 6, 12, 12, (unsigned char)MPT_BYTE(MPT_RMW, 0)};
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
  struct mpt_entry e = {CODE_VA - 6, 6, 12, 12, (unsigned char)MPT_BYTE(MPT_RMW, 0)};
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
  struct mpt_entry e = {CODE_VA - 17, 17, 23, 33, (unsigned char)MPT_BYTE(MPT_RMWF, 4)};
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
  struct mpt_entry e = {CODE_VA - 13, 13, 19, 29, (unsigned char)MPT_BYTE(MPT_RMWR + 1, 4)};
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
  struct mpt_entry e = {CODE_VA, 9, 11, 40, (unsigned char)MPT_BYTE(MPT_REDO_CDS, 12)};
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
  struct mpt_entry e = {0x9000, 6, 12, 12, (unsigned char)MPT_BYTE(MPT_RMW, 0)};
  struct mpt_cut c = cut_at(&m, 0x9006, 0x2f00); // the code is not readable
  assert_int_equal(mpt_roll(&c, &e, MOFF), 0);
  assert_int_equal(c.eip, 0x9006);
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
  };
  return cmocka_run_group_tests_name("mirrored write table", tests, NULL, NULL);
}
