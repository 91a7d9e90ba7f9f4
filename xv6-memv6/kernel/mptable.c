// Table entries and operand decoding for recovery inside a mirrored write
// (mptable.h). Only the encodings the translator emits at covered EIPs are
// decoded: one-byte ALU/shift/unary/inc/dec/push/pop groups, the 0F
// shld/shrd/bts/btr/btc ones and, on x86-64, the mov of a copy; with
// 32-bit ModRM/SIB addressing, and on x86-64 REX and %rip-relative.
#include "mptable.h"

int mpt_covers(const struct mpt_entry *e, unsigned long eip) {
  unsigned long d = eip - e->l0; // huge when eip is below l0
  return d >= e->from && d < e->to;
}

static unsigned le32(const unsigned char *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
}

// A reader of the table's bytes, in order.
struct mpt_reader {
  mpt_byte_fn byte;
  void *arg;
  unsigned i, n;
};

static int next_bytes(struct mpt_reader *r, unsigned char *out, unsigned k) {
  for (unsigned j = 0; j < k; j++) {
    int b = r->i < r->n ? r->byte(r->arg, r->i++) : -1;
    if (b < 0)
      return -1;
    out[j] = (unsigned char)b;
  }
  return 0;
}

// An unsigned LEB128 number of at most 32 bits.
static int next_uleb(struct mpt_reader *r, unsigned *v) {
  *v = 0;
  for (unsigned shift = 0; shift < 32; shift += 7) {
    unsigned char b;
    if (next_bytes(r, &b, 1) < 0)
      return -1;
    *v |= (unsigned)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return 0;
  }
  return -1;
}

static int known_kind(unsigned k) {
  return (k >= MPT_REDO && k <= MPT_FWD) || (k >= MPT_RMWR && k <= MPT_RMWR + 15);
}

// The six bytes after MPT_LONG64: from, to, end, kind, delta / 8, scratch.
// Checked, since nothing else in them is redundant: a covered range inside
// the sequence, a known kind, a save slot 1-3 for a register other than
// the stack pointer.
static int long64_entry(const unsigned char b[6], struct mpt_entry *e) {
  unsigned slot = b[5] >> 4, reg = b[5] & 15;
  if (b[0] >= b[1] || b[1] > b[2] || !known_kind(b[3]) ||
      (b[5] && (slot < 1 || slot > 3 || reg == MPT_ESP)))
    return -1;
  e->from = b[0];
  e->to = b[1];
  e->end = b[2];
  e->kind = b[3];
  e->delta = (signed char)b[4] * 8;
  e->scratch_reg = b[5] ? (signed char)reg : -1;
  e->scratch_slot = (unsigned char)slot;
  return 0;
}

// Decodes the entry whose descriptor d was just read; prev is the L0 the
// gap counts from.
static int next_entry(struct mpt_reader *r, unsigned d, unsigned long prev, struct mpt_entry *e) {
  unsigned gap;
  unsigned char b[6];
  if (next_uleb(r, &gap) < 0)
    return -1;
  e->l0 = prev + gap;
  e->scratch_reg = -1;
  e->scratch_slot = 0;
  if (d == MPT_LONG64)
    return next_bytes(r, b, 6) < 0 ? -1 : long64_entry(b, e);
  if (d != MPT_LONG) {
    e->from = (unsigned char)(d & 15);
    e->to = e->end = (unsigned char)(e->from + (d >> 4));
    e->kind = MPT_REDO;
    e->delta = 0;
    return 0;
  }
  if (next_bytes(r, b, 4) < 0)
    return -1;
  e->from = b[0];
  e->to = b[1];
  e->end = b[2];
  e->kind = (unsigned char)MPT_KIND(b[3]);
  e->delta = MPT_DELTA(b[3]);
  return 0;
}

int mpt_find(mpt_byte_fn byte, void *arg, unsigned n, unsigned long eip, struct mpt_entry *e) {
  struct mpt_reader r = {byte, arg, 0, n};
  int in_block = 0;
  unsigned long prev = 0;
  while (r.i < n) {
    unsigned char d, b[4];
    if (next_bytes(&r, &d, 1) < 0)
      return -1;
    if (d == MPT_BLOCK) {
      if (next_bytes(&r, b, 4) < 0)
        return -1;
      prev = le32(b);
      in_block = 1;
      continue;
    }
    int known = (d & 15) || d == MPT_LONG || d == MPT_LONG64;
    if (!in_block || !known || next_entry(&r, d, prev, e) < 0)
      return -1;
    prev = e->l0;
    if (mpt_covers(e, eip))
      return 1;
  }
  return 0;
}

// An instruction being decoded: its bytes, the next one to read, and what
// its prefixes said.
struct insn {
  const unsigned char *code;
  unsigned n, i;
  int x64;    // x86-64: REX prefixes, %rip-relative, 8-byte push/pop
  int opsize; // 2, 4 or 8 (66, none, REX.W)
  unsigned rex;
};

// Operand size, lock, segments (flat), rep; on x86-64 a REX right before
// the opcode (one followed by another prefix counts for nothing).
static void prefixes(struct insn *d) {
  for (; d->i < d->n; d->i++) {
    unsigned b = d->code[d->i];
    if (b == 0x66 || b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0xf2 ||
        b == 0xf3) {
      d->opsize = b == 0x66 ? 2 : d->opsize;
      d->rex = 0;
    } else if (d->x64 && (b & 0xf0) == 0x40) {
      d->rex = b;
    } else {
      break;
    }
  }
  if (d->rex & 8)
    d->opsize = 8;
}

// What an opcode does with its memory operand.
struct opinfo {
  int width;  // bytes, 0: not an opcode recovery knows
  int imm;    // bytes of immediate after the operand
  int pop;    // pop r/m: the address is computed after the stack pointer moves
  int bitreg; // ModRM.reg holds a bit offset that selects the word
};

// Push and pop: 8 bytes on x86-64 whatever REX.W says, 2 with 66.
static int stack_width(const struct insn *d) {
  return d->x64 && d->opsize != 2 ? 8 : d->opsize;
}

// The 0F opcodes: shld/shrd (ib or %cl), bts/btr/btc (register or ib).
static void op_0f(const struct insn *d, unsigned op, struct opinfo *o) {
  o->bitreg = op == 0xab || op == 0xb3 || op == 0xbb;
  int known = op == 0xa4 || op == 0xa5 || op == 0xac || op == 0xad || op == 0xba || o->bitreg;
  o->width = known ? d->opsize : 0;
  o->imm = op == 0xa4 || op == 0xac || op == 0xba;
}

// One-byte opcodes; reg is ModRM.reg (the group's operation).
static void op_1(const struct insn *d, unsigned op, unsigned reg, struct opinfo *o) {
  int iz = d->opsize == 2 ? 2 : 4; // imm16/32, sign-extended for 8 bytes
  if (op < 0x40 && (op & 7) < 2) { // add or adc sbb and sub xor cmp: r/m, reg
    o->width = op & 1 ? d->opsize : 1;
  } else if (op == 0x80 || op == 0xc0 || op == 0xd0 || op == 0xd2 || op == 0xfe) {
    o->width = 1;
    o->imm = op == 0x80 || op == 0xc0;
  } else if (op == 0xf6 || op == 0xf7) { // test (/0 /1) has an immediate
    o->width = op == 0xf6 ? 1 : d->opsize;
    o->imm = reg >= 2 ? 0 : op == 0xf6 ? 1 : iz;
  } else if (op == 0x81 || op == 0x83 || op == 0xc1 || op == 0xd1 || op == 0xd3) {
    o->width = d->opsize;
    o->imm = op == 0x81 ? iz : op == 0x83 || op == 0xc1;
  } else if (op == 0xff) {
    o->width = reg == 6 ? stack_width(d) : d->opsize;
  } else if (op == 0x8f) {
    o->pop = 1;
    o->width = stack_width(d);
  } else if (d->x64 && op >= 0x88 && op <= 0x8b) { // a copy's load or store
    o->width = op & 1 ? d->opsize : 1;
  }
}

// Reads the opcode and fills o; ModRM is the byte after it. 0 or -1.
static int opcode(struct insn *d, struct opinfo *o) {
  if (d->i >= d->n)
    return -1;
  unsigned op = d->code[d->i++];
  int two = op == 0x0f;
  if (two && d->i >= d->n)
    return -1;
  if (two)
    op = d->code[d->i++];
  if (d->i >= d->n)
    return -1;
  if (two)
    op_0f(d, op, o);
  else
    op_1(d, op, (d->code[d->i] >> 3) & 7, o);
  return o->width ? 0 : -1;
}

// A signed 32-bit displacement, as an address addend.
static unsigned long disp32(const unsigned char *p) {
  return (unsigned long)(long)(int)le32(p);
}

// The address of the ModRM operand (mod != 3) from registers r; *rip when
// it counts from the next instruction (x86-64: mod 0, r/m 5, no SIB).
static int modrm_address(struct insn *d, const unsigned long r[MPT_NREGS], unsigned long *addr,
                         int *rip) {
  unsigned modrm = d->code[d->i++], mod = modrm >> 6, rm = modrm & 7;
  unsigned b = d->rex & 1 ? 8 : 0, x = d->rex & 2 ? 8 : 0;
  unsigned long a = 0;
  unsigned base = rm | b;
  if (mod == 3)
    return -1;
  if (rm == 4) { // SIB, also for r12
    if (d->i >= d->n)
      return -1;
    unsigned sib = d->code[d->i++], idx = ((sib >> 3) & 7) | x;
    base = (sib & 7) | b;
    if (idx != 4) // no index; r12 (REX.X) is one
      a += r[idx] << (sib >> 6);
  }
  *rip = d->x64 && mod == 0 && rm == 5;
  if (mod == 0 && (base & 7) == 5) { // no base (r13 too): disp32, or %rip + disp32
    if (d->i + 4 > d->n)
      return -1;
    a += disp32(d->code + d->i);
    d->i += 4;
  } else {
    a += r[base];
  }
  if (mod == 1 && d->i < d->n)
    a += (unsigned long)(long)(signed char)d->code[d->i++];
  else if (mod == 2 && d->i + 4 <= d->n)
    a += disp32(d->code + d->i), d->i += 4;
  else if (mod != 0)
    return -1;
  *addr = a;
  return 0;
}

// How far a bit offset in a register moves the operand: signed, in words
// of w bytes, rounded down.
static long bit_words(unsigned long v, int w) {
  long off = w == 2 ? (short)v : w == 4 ? (long)(int)v : (long)v;
  unsigned long bits = 8ul * (unsigned long)w;
  if (off >= 0)
    return (long)((unsigned long)off / bits);
  return -(long)((0ul - (unsigned long)off + bits - 1) / bits);
}

int mpt_operand(const struct mpt_cut *c, const unsigned char *code, unsigned n,
                unsigned long mirror_offset, unsigned long *addr, int *width) {
  struct insn d = {code, n, 0, c->arch == MPT_X86_64, 4, 0};
  struct opinfo o = {0, 0, 0, 0};
  prefixes(&d);
  if (opcode(&d, &o) < 0)
    return -1;
  unsigned reg = ((d.code[d.i] >> 3) & 7) | (d.rex & 4 ? 8 : 0);
  unsigned long r[MPT_NREGS], a;
  for (int k = 0; k < MPT_NREGS; k++)
    r[k] = c->r[k];
  if (o.pop)
    r[MPT_ESP] += (unsigned long)o.width;
  int rip;
  if (modrm_address(&d, r, &a, &rip) < 0)
    return -1;
  if (rip) { // counts from the end of the instruction, after its immediate
    if (d.i + (unsigned)o.imm > d.n)
      return -1;
    a += c->eip + d.i + (unsigned)o.imm;
  }
  if (o.bitreg) // the bit offset is signed and may leave the operand
    a += (unsigned long)(bit_words(r[reg], o.width) * o.width);
  if (!d.x64)
    a &= 0xfffffffful;
  if (a >= mirror_offset)
    a -= mirror_offset;
  *addr = a;
  *width = o.width;
  return 0;
}

// The stack pointer as it was at the sequence's first instruction.
static unsigned long sp_at_l0(const struct mpt_cut *c, const struct mpt_entry *e) {
  unsigned long sp = c->r[MPT_ESP] + (unsigned long)(long)e->delta;
  return c->arch == MPT_X86_64 ? sp : sp & 0xfffffffful;
}

// Save slot k (mirrorpairs.h): the word at L0's stack pointer - red - word * k.
static int read_slot(struct mpt_cut *c, const struct mpt_entry *e, int k, unsigned long *v) {
  int x64 = c->arch == MPT_X86_64;
  unsigned word = x64 ? 8 : 4, red = x64 ? 128 : 0;
  unsigned long va = sp_at_l0(c, e) - red - word * (unsigned long)k;
  unsigned char b[8];
  if (c->read(c->arg, x64 ? va : va & 0xfffffffful, b, word) != word)
    return -1;
  *v = 0;
  for (unsigned i = word; i-- > 0;)
    *v = *v << 8 | b[i];
  return 0;
}

#define EFLAGS_ARITH 0x8d5 // CF PF AF ZF SF OF

// A read-modify-write cut after its native half: back to its start when
// the native bytes were replaced (they are the mirror's, the old ones),
// else forward to its end with the native result copied to the mirror.
static int finish_rmw(struct mpt_cut *c, const struct mpt_entry *e, unsigned long mirror_offset) {
  unsigned char code[16];
  unsigned long a, saved = 0;
  int w, kind = e->kind;
  unsigned len = c->read(c->arg, c->eip, code, sizeof code);
  if (mpt_operand(c, code, len, mirror_offset, &a, &w) < 0)
    return 0;
  if (c->native_replaced(c->arg, a, w)) {
    if (kind != MPT_RMW && read_slot(c, e, 1, &saved) < 0)
      return 0;
    if (kind - MPT_RMWR == MPT_ESP)
      return 0; // the stack pointer as the register xadd or cmpxchg changes: not rolled
    if (c->sync(c->arg, a, (unsigned)w, 0) < 0)
      return 0;
    if (kind == MPT_RMWF)
      c->eflags = (c->eflags & ~(unsigned long)EFLAGS_ARITH) | (saved & EFLAGS_ARITH);
    else if (kind >= MPT_RMWR)
      c->r[kind - MPT_RMWR] = saved;
    c->eip = e->l0;
  } else {
    if (c->sync(c->arg, a, (unsigned)w, 1) < 0)
      return 0;
    c->eip = e->l0 + e->end;
  }
  c->r[MPT_ESP] = sp_at_l0(c, e);
  return 1;
}

// Registers a redo restores (ModRM numbers), from save slots 1, 2, 3.
static const signed char redo_saves[][3] = {[MPT_REDO] = {-1, -1, -1},
                                            [MPT_REDO_A] = {0, -1, -1},
                                            [MPT_REDO_CD] = {1, 7, -1},
                                            [MPT_REDO_CDS] = {1, 7, 6}};

// Runs the sequence again from its start, with the registers it changed
// restored from the words it saved below its starting stack pointer.
static int redo(struct mpt_cut *c, const struct mpt_entry *e) {
  const signed char *regs = redo_saves[e->kind];
  unsigned long v[3] = {0, 0, 0};
  for (int k = 0; k < 3 && regs[k] >= 0; k++) {
    if (read_slot(c, e, k + 1, &v[k]) < 0)
      return 0;
  }
  for (int k = 0; k < 3 && regs[k] >= 0; k++)
    c->r[regs[k]] = v[k];
  c->eip = e->l0;
  c->r[MPT_ESP] = sp_at_l0(c, e);
  return 1;
}

// Only the stack adjustment is left (MPT_FWD): to the end.
static int forward(struct mpt_cut *c, const struct mpt_entry *e) {
  c->eip = e->l0 + e->end;
  c->r[MPT_ESP] = sp_at_l0(c, e);
  return 1;
}

static int roll_kind(struct mpt_cut *c, const struct mpt_entry *e, unsigned long mirror_offset) {
  int kind = e->kind;
  if (kind == MPT_REDO || kind == MPT_REDO_A || kind == MPT_REDO_CD || kind == MPT_REDO_CDS)
    return redo(c, e);
  if (kind == MPT_FWD)
    return forward(c, e);
  if (kind == MPT_RMW || kind == MPT_RMWF || (kind >= MPT_RMWR && kind < MPT_RMWR + MPT_NREGS))
    return finish_rmw(c, e, mirror_offset);
  return 0;
}

int mpt_roll(struct mpt_cut *c, const struct mpt_entry *e, unsigned long mirror_offset) {
  unsigned long scratch = 0;
  int has_scratch = e->scratch_reg >= 0;
  if (has_scratch && (e->scratch_reg >= MPT_NREGS || e->scratch_reg == MPT_ESP ||
                      read_slot(c, e, e->scratch_slot, &scratch) < 0))
    return 0;
  if (!roll_kind(c, e, mirror_offset))
    return 0;
  if (has_scratch) // whichever end: the sequence's value of it is gone
    c->r[e->scratch_reg] = scratch;
  return 1;
}
