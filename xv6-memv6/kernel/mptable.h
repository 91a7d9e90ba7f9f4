// The pure part of recovery inside a mirrored write (docs/memv6.md, "A
// machine check inside a mirrored write"): matching an interrupted EIP with
// an entry of a program's .mirror_pairs table, finding the bytes the
// instruction at that EIP writes, and moving the cut to one of the
// sequence's ends. No kernel state: the host test (tools/mptable_test.c)
// runs it as it is, and the Linux runtime (linux/common/rtpairs.c) uses the
// same source for a mirrored i386 process.
#ifndef MPTABLE_H
#define MPTABLE_H
#include "mirrorpairs.h"

struct mpt_entry {
  unsigned l0;                     // the sequence's first instruction
  unsigned char from, to, end, kb; // offsets from l0; kind | delta << 4
};

// Registers in ModRM order: eax ecx edx ebx esp ebp esi edi.
enum { MPT_NREGS = 8, MPT_ESP = 4 };

// Reads byte i of a table: 0..255, or -1 when it cannot be read.
typedef int (*mpt_byte_fn)(void *arg, unsigned i);

// Looks eip up in the n-byte table whose bytes byte(arg, i) gives
// (mirrorpairs.h): 1 with *e the entry that covers it, 0 if none does, -1
// for a table that does not decode (nothing is rolled then).
int mpt_find(mpt_byte_fn byte, void *arg, unsigned n, unsigned eip, struct mpt_entry *e);

// Whether the interrupted eip (the next instruction to run) lies in e.
int mpt_covers(const struct mpt_entry *e, unsigned eip);

// The bytes written by the instruction in code[0..n) (its memory operand):
// their native address (a mirror operand has mirror_offset taken off) and
// width. regs are the registers when it is about to run. Knows the
// read-modify-write, push and pop opcodes the translator puts at an MPT_RMW*
// entry's covered EIPs. 0, or -1 for anything else.
int mpt_operand(const unsigned char *code, unsigned n, const unsigned regs[MPT_NREGS],
                unsigned mirror_offset, unsigned *addr, int *width);

// Code cut inside a sequence: its registers (in and out) and how recovery
// reaches its memory (the kernel through page tables, the Linux runtime
// directly).
struct mpt_cut {
  unsigned r[MPT_NREGS]; // r[MPT_ESP] is the interrupted %esp
  unsigned eip, eflags;
  void *arg;
  // Reads up to n native bytes at va into dst: how many could be read.
  unsigned (*read)(void *arg, unsigned va, void *dst, unsigned n);
  // Copies [va, va + n) native -> mirror (to_mirror) or back: 0, or -1
  // when a byte has no sound pair.
  int (*sync)(void *arg, unsigned va, unsigned n, int to_mirror);
  // Whether this error left the native bytes of a page of [a, a + w) as the
  // mirror had them (their page was replaced by a copy of the mirror).
  int (*native_replaced)(void *arg, unsigned a, int w);
};

// Moves the cut c, inside the sequence of e, to one of the sequence's ends
// as docs/memv6.md's rule says (redo, rmw back or forward, registers and
// flags restored from their saves): 1 when c's registers were changed, 0
// when nothing could be done (memory not readable, unknown instruction).
int mpt_roll(struct mpt_cut *c, const struct mpt_entry *e, unsigned mirror_offset);
#endif
