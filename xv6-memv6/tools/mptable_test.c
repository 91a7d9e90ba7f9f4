// The pure part of recovery inside a mirrored write (kernel/mptable.c): an
// interrupted EIP matched with a table entry, and the bytes the instruction
// there writes, decoded as recovery must (docs/memv6.md).
#include "mptable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MOFF 0x40000000u

static void entry_covers_its_interior_only(void **state) {
  (void)state;
  const unsigned char b[MPT_ENTRY_SIZE] = {0x00, 0x01, 0, 0, 3, 9, 12, MPT_BYTE(MPT_RMWF, 8)};
  struct mpt_entry e;
  mpt_entry_read(b, &e);
  assert_int_equal(e.l0, 0x100);
  assert_int_equal(MPT_KIND(e.kb), MPT_RMWF);
  assert_int_equal(MPT_DELTA(e.kb), 8);
  assert_false(mpt_covers(&e, 0x100)); // before the first half: nothing to do
  assert_false(mpt_covers(&e, 0x102));
  assert_true(mpt_covers(&e, 0x103));
  assert_true(mpt_covers(&e, 0x108));
  assert_false(mpt_covers(&e, 0x109));
  assert_false(mpt_covers(&e, 0xff)); // below l0 must not wrap into range
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(entry_covers_its_interior_only),
      cmocka_unit_test(deltas_keep_their_sign),
      cmocka_unit_test(operands_decode_to_the_native_bytes),
  };
  return cmocka_run_group_tests_name("mirrored write table", tests, NULL, NULL);
}
