// Table entries and operand decoding for recovery inside a mirrored write
// (mptable.h). Only the encodings the translator emits at covered EIPs are
// decoded: one-byte ALU/shift/unary/inc/dec/push/pop groups and the 0F
// shld/shrd/bts/btr/btc ones, with 32-bit ModRM/SIB addressing.
#include "mptable.h"

int mpt_covers(const struct mpt_entry *e, unsigned eip) {
  unsigned d = eip - e->l0; // huge when eip is below l0
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

// Decodes the entry whose descriptor d was just read; prev is the L0 the
// gap counts from.
static int next_entry(struct mpt_reader *r, unsigned d, unsigned prev, struct mpt_entry *e) {
  unsigned gap;
  if (next_uleb(r, &gap) < 0)
    return -1;
  e->l0 = prev + gap;
  if (d != MPT_LONG) {
    e->from = (unsigned char)(d & 15);
    e->to = e->end = (unsigned char)(e->from + (d >> 4));
    e->kb = MPT_BYTE(MPT_REDO, 0);
    return 0;
  }
  unsigned char b[4];
  if (next_bytes(r, b, 4) < 0)
    return -1;
  e->from = b[0];
  e->to = b[1];
  e->end = b[2];
  e->kb = b[3];
  return 0;
}

int mpt_find(mpt_byte_fn byte, void *arg, unsigned n, unsigned eip, struct mpt_entry *e) {
  struct mpt_reader r = {byte, arg, 0, n};
  int in_block = 0;
  unsigned prev = 0;
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
    if (!in_block || (!(d & 15) && d != MPT_LONG) || next_entry(&r, d, prev, e) < 0)
      return -1;
    prev = e->l0;
    if (mpt_covers(e, eip))
      return 1;
  }
  return 0;
}

// How wide the opcode's memory operand is (opsize: 2 or 4), 0 if unknown;
// *pop when it is pop r/m (the address is computed after %esp moves),
// *bitreg when ModRM.reg holds a bit offset that selects the word.
static int opcode_width(const unsigned char *code, unsigned n, unsigned *i, int opsize, int *pop,
                        int *bitreg) {
  if (*i >= n)
    return 0;
  unsigned op = code[(*i)++];
  if (op == 0x0f) {
    if (*i >= n)
      return 0;
    op = code[(*i)++];
    *bitreg = op == 0xab || op == 0xb3 || op == 0xbb;
    return op == 0xa4 || op == 0xa5 || op == 0xac || op == 0xad || op == 0xba || *bitreg ? opsize
                                                                                         : 0;
  }
  if (op < 0x40 && (op & 7) < 2) // add or adc sbb and sub xor cmp: r/m, reg
    return op & 1 ? opsize : 1;
  if (op == 0x80 || op == 0xc0 || op == 0xd0 || op == 0xd2 || op == 0xf6 || op == 0xfe)
    return 1;
  if (op == 0x81 || op == 0x83 || op == 0xc1 || op == 0xd1 || op == 0xd3 || op == 0xf7 ||
      op == 0xff)
    return opsize;
  *pop = op == 0x8f;
  return *pop ? opsize : 0;
}

int mpt_operand(const unsigned char *code, unsigned n, const unsigned regs[MPT_NREGS],
                unsigned mirror_offset, unsigned *addr, int *width) {
  unsigned i = 0;
  int opsize = 4, pop = 0, bitreg = 0;
  for (; i < n; i++) { // prefixes: operand size, lock, segments (flat), rep
    unsigned b = code[i];
    if (b == 0x66)
      opsize = 2;
    else if (b != 0xf0 && b != 0x2e && b != 0x36 && b != 0x3e && b != 0x26 && b != 0xf2 &&
             b != 0xf3)
      break;
  }
  int w = opcode_width(code, n, &i, opsize, &pop, &bitreg);
  if (!w || i >= n)
    return -1;
  unsigned modrm = code[i++], mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
  if (mod == 3)
    return -1;
  unsigned r[MPT_NREGS];
  for (int k = 0; k < MPT_NREGS; k++)
    r[k] = regs[k];
  if (pop)
    r[MPT_ESP] += (unsigned)w;
  unsigned a = 0;
  int base = (int)rm;
  if (rm == 4) {
    if (i >= n)
      return -1;
    unsigned sib = code[i++], idx = (sib >> 3) & 7;
    base = (int)(sib & 7);
    if (idx != 4)
      a += r[idx] << (sib >> 6);
  }
  if (mod == 0 && base == 5) { // no base: disp32
    if (i + 4 > n)
      return -1;
    a += le32(code + i);
    i += 4;
  } else {
    a += r[base];
  }
  if (mod == 1 && i < n)
    a += (unsigned)(int)(signed char)code[i];
  else if (mod == 2 && i + 4 <= n)
    a += le32(code + i);
  else if (mod != 0)
    return -1;
  if (bitreg) { // the bit offset is signed and may leave the operand
    int off = opsize == 2 ? (short)r[reg] : (int)r[reg];
    int words = off >= 0 ? off / (8 * w) : -((-off + 8 * w - 1) / (8 * w));
    a += (unsigned)(words * w);
  }
  if (a >= mirror_offset)
    a -= mirror_offset;
  *addr = a;
  *width = w;
  return 0;
}

static int read_word(struct mpt_cut *c, unsigned va, unsigned *v) {
  return c->read(c->arg, va, v, 4) == 4 ? 0 : -1;
}

#define EFLAGS_ARITH 0x8d5 // CF PF AF ZF SF OF

// A read-modify-write cut after its native half: back to its start when
// the native bytes were replaced (they are the mirror's, the old ones),
// else forward to its end with the native result copied to the mirror.
static int finish_rmw(struct mpt_cut *c, const struct mpt_entry *e, unsigned mirror_offset) {
  unsigned char code[16];
  unsigned a, saved = 0;
  int w, kind = MPT_KIND(e->kb);
  unsigned esp0 = c->r[MPT_ESP] + (unsigned)MPT_DELTA(e->kb);
  unsigned len = c->read(c->arg, c->eip, code, sizeof code);
  if (mpt_operand(code, len, c->r, mirror_offset, &a, &w) < 0)
    return 0;
  if (c->native_replaced(c->arg, a, w)) {
    if (kind != MPT_RMW && read_word(c, esp0 - 4, &saved) < 0)
      return 0;
    if (kind - MPT_RMWR == MPT_ESP)
      return 0; // %esp as the register xadd or cmpxchg changes: not rolled
    if (c->sync(c->arg, a, (unsigned)w, 0) < 0)
      return 0;
    if (kind == MPT_RMWF)
      c->eflags = (c->eflags & ~EFLAGS_ARITH) | (saved & EFLAGS_ARITH);
    else if (kind >= MPT_RMWR)
      c->r[kind - MPT_RMWR] = saved;
    c->eip = e->l0;
  } else {
    if (c->sync(c->arg, a, (unsigned)w, 1) < 0)
      return 0;
    c->eip = e->l0 + e->end;
  }
  c->r[MPT_ESP] = esp0;
  return 1;
}

// Registers a redo restores (ModRM numbers), saved at L0's %esp - 4, - 8, - 12.
static const signed char redo_saves[][3] = {[MPT_REDO] = {-1, -1, -1},
                                            [MPT_REDO_A] = {0, -1, -1},
                                            [MPT_REDO_CD] = {1, 7, -1},
                                            [MPT_REDO_CDS] = {1, 7, 6}};

// Runs the sequence again from its start, with the registers it changed
// restored from the words it saved below its starting %esp.
static int redo(struct mpt_cut *c, const struct mpt_entry *e) {
  const signed char *regs = redo_saves[MPT_KIND(e->kb)];
  unsigned esp0 = c->r[MPT_ESP] + (unsigned)MPT_DELTA(e->kb), v[3] = {0, 0, 0};
  for (int k = 0; k < 3 && regs[k] >= 0; k++) {
    if (read_word(c, esp0 - 4 * (unsigned)(k + 1), &v[k]) < 0)
      return 0;
  }
  for (int k = 0; k < 3 && regs[k] >= 0; k++)
    c->r[regs[k]] = v[k];
  c->eip = e->l0;
  c->r[MPT_ESP] = esp0;
  return 1;
}

int mpt_roll(struct mpt_cut *c, const struct mpt_entry *e, unsigned mirror_offset) {
  int kind = MPT_KIND(e->kb);
  if (kind == MPT_REDO || kind == MPT_REDO_A || kind == MPT_REDO_CD || kind == MPT_REDO_CDS)
    return redo(c, e);
  if (kind == MPT_RMW || kind == MPT_RMWF || kind >= MPT_RMWR)
    return finish_rmw(c, e, mirror_offset);
  return 0;
}
