// The pure part of recovery inside a mirrored write (docs/memv6.md, "A
// machine check inside a mirrored write"): matching an interrupted EIP with
// an entry of a program's .mirror_pairs table, and finding the bytes the
// instruction at that EIP writes. No kernel state: the host test
// (tools/mptable_test.c) runs it as it is.
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
#endif
