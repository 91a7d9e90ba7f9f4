// Table entries and operand decoding for recovery inside a mirrored write
// (mptable.h). Only the encodings the translator emits at covered EIPs are
// decoded: one-byte ALU/shift/unary/inc/dec/push/pop groups and the 0F
// shld/shrd/bts/btr/btc ones, with 32-bit ModRM/SIB addressing.
#include "mptable.h"

void mpt_entry_read(const unsigned char b[MPT_ENTRY_SIZE], struct mpt_entry *e) {
  e->l0 = (unsigned)b[0] | (unsigned)b[1] << 8 | (unsigned)b[2] << 16 | (unsigned)b[3] << 24;
  e->from = b[4];
  e->to = b[5];
  e->end = b[6];
  e->kb = b[7];
}

int mpt_covers(const struct mpt_entry *e, unsigned eip) {
  unsigned d = eip - e->l0; // huge when eip is below l0
  return d >= e->from && d < e->to;
}

static unsigned le32(const unsigned char *p) {
  return (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24;
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
