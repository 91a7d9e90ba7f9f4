// The pure part of recovery inside a mirrored write (docs/memv6.md, "A
// machine check inside a mirrored write"): matching an interrupted EIP with
// an entry of a program's .mirror_pairs table, finding the bytes the
// instruction at that EIP writes, and moving the cut to one of the
// sequence's ends. No kernel state: the host test (tools/mptable_test.c)
// runs it as it is, and the Linux runtime (linux/common/rtpairs.c) uses the
// same source for a mirrored i386 or x86-64 process. Registers and
// addresses are unsigned long: 32 bits in the i386 kernel, 64 on x86-64.
#ifndef MPTABLE_H
#define MPTABLE_H
#include "mirrorpairs.h"

// The code a cut belongs to: word size, red zone, REX prefixes and
// %rip-relative operands differ.
enum { MPT_I386, MPT_X86_64 };

struct mpt_entry {
  unsigned long l0;            // the sequence's first instruction
  unsigned char from, to, end; // offsets from l0
  unsigned char kind;          // MPT_REDO ... MPT_RMWR + 15
  signed char scratch_reg;     // restored whichever end the cut goes to; -1: none
  unsigned char scratch_slot;  // its save slot (1-3)
  int delta;                   // bytes to add to the stack pointer for L0's
};

// Registers in ModRM order extended by REX: eax/rax ecx edx ebx esp ebp esi
// edi, then r8-r15 (x86-64 only; an i386 cut leaves them 0).
enum { MPT_NREGS = 16, MPT_ESP = 4 };

// Reads byte i of a table: 0..255, or -1 when it cannot be read.
typedef int (*mpt_byte_fn)(void *arg, unsigned i);

// Looks eip up in the n-byte table whose bytes byte(arg, i) gives
// (mirrorpairs.h): 1 with *e the entry that covers it, 0 if none does, -1
// for a table that does not decode (nothing is rolled then).
int mpt_find(mpt_byte_fn byte, void *arg, unsigned n, unsigned long eip, struct mpt_entry *e);

// Whether the interrupted eip (the next instruction to run) lies in e.
int mpt_covers(const struct mpt_entry *e, unsigned long eip);

// Code cut inside a sequence: its registers (in and out) and how recovery
// reaches its memory (the kernel through page tables, the Linux runtime
// directly).
struct mpt_cut {
  unsigned long r[MPT_NREGS]; // r[MPT_ESP] is the interrupted stack pointer
  unsigned long eip, eflags;
  int arch; // MPT_I386 or MPT_X86_64
  void *arg;
  // Reads up to n native bytes at va into dst: how many could be read.
  unsigned (*read)(void *arg, unsigned long va, void *dst, unsigned n);
  // Copies [va, va + n) native -> mirror (to_mirror) or back: 0, or -1
  // when a byte has no sound pair.
  int (*sync)(void *arg, unsigned long va, unsigned n, int to_mirror);
  // Whether this error left the native bytes of a page of [a, a + w) as the
  // mirror had them (their page was replaced by a copy of the mirror).
  int (*native_replaced)(void *arg, unsigned long a, int w);
};

// The bytes written or copied by the instruction in code[0..n), which
// starts at c->eip (the next instruction's address is what %rip-relative
// operands count from): the native address of its memory operand (a mirror
// operand has mirror_offset taken off) and its width. Uses c->r and
// c->arch. Knows what the translator puts at an MPT_RMW* entry's covered
// EIPs: the read-modify-write opcodes, push and pop of memory, and on
// x86-64 the `mov` loads and stores of a copy. 0, or -1 for anything else.
int mpt_operand(const struct mpt_cut *c, const unsigned char *code, unsigned n,
                unsigned long mirror_offset, unsigned long *addr, int *width);

// Moves the cut c, inside the sequence of e, to one of the sequence's ends
// as docs/memv6.md's rule says (redo, rmw back or forward, registers and
// flags restored from their saves): 1 when c's registers were changed, 0
// when nothing could be done (memory not readable, unknown instruction).
int mpt_roll(struct mpt_cut *c, const struct mpt_entry *e, unsigned long mirror_offset);
#endif
