// The interface between the rewriting engine (rewrite.c) and an architecture's
// tables (arch_i386.c, arch_x86_64.c). The engine knows AT&T syntax and the mirroring
// strategies; an architecture says which mnemonics exist, which of them write
// memory, how wide the write is and which strategy mirrors it, and gives the
// registers and the code templates the strategies are built from.
#ifndef MIRROR_ARCH_H
#define MIRROR_ARCH_H

#include <stddef.h>

// How a memory write is mirrored. See docs/translator.md for the emitted code.
enum strategy {
  ST_NONE,   // the instruction never writes memory
  ST_REPEAT, // repeat the instruction with the written operand moved by the offset
  ST_COPY,   // after it, copy the written bytes native -> mirror (scratch register)
  ST_XCHG,   // as ST_COPY for xadd: the register saved, the exchange, its result copied
  ST_PUSH,   // before it, store the pushed register/immediate; a memory/segment source
             // or flags are copied from 0(%esp) after it
  ST_PUSHA,  // before it, store each register at its mirror slot
  ST_ENTER,  // level 0: store %ebp before; level L: copy the frame pointers after
  ST_CALL,   // before it, store the return label at the mirror slot
  ST_STOS,   // string store: store the accumulator at the mirror of (%edi) / redo rep
  ST_MOVS,   // string move: copy (%esi) to the mirror of (%edi) / copy the block after
  ST_BITOP,  // bts/btr/btc: immediate offset = ST_COPY; register offset addresses a
             // dword chosen by the offset (computed with flags saved)
};

// Registers. Ids are the architecture's own; gpr is the number of the full
// general-purpose register a name is part of (-1 for others), so that %al and
// %eax are recognised as the same register.
struct reg_info {
  const char *name;
  int gpr;        // 0..ngpr-1, or -1
  int size;       // bytes: 1, 2, 4, 8; 16/32/64 for xmm/ymm/zmm; 0 for others
  int is_segment; // segment register
};

// Operand forms an instruction accepts for its write.
enum insn_flag {
  IF_LOCK = 1 << 0,          // accepts the lock prefix
  IF_REP = 1 << 1,           // accepts rep/repe/repz (string stores, ret, nop)
  IF_REPNE = 1 << 2,         // accepts repne/repnz (scas, cmps)
  IF_WRITES_SRC = 1 << 3,    // writes its (first) register operand too (xadd)
  IF_WRITES_EAX = 1 << 4,    // writes the accumulator (cmpxchg)
  IF_WRITES_EDXEAX = 1 << 5, // writes edx:eax and reads ecx:ebx (cmpxchg8b)
  IF_XCHG = 1 << 6,          // either operand may be the memory one
  IF_COUNT = 1 << 7,         // first of 2+ operands is a count/bit offset, not a size
  // Without a lock prefix, mirrored by running the same instruction on the
  // mirror operand right after it: its result and the flags it sets depend
  // only on its operands, and it changes no register (docs/translator.md).
  IF_DUAL = 1 << 8,
};

// Instruction prefixes written as words before the mnemonic.
enum prefix { PFX_NONE = 0, PFX_LOCK, PFX_REP, PFX_REPNE };

struct insn_desc {
  const char *mnemonic; // full mnemonic, suffix included
  enum strategy strategy;
  int width;            // bytes written; 0 = from a register operand (bare mnemonic)
  int min_ops, max_ops; // accepted operand counts
  unsigned flags;       // enum insn_flag
  const char *klass;    // statistics class
};

struct arch {
  const char *name;
  int word;     // bytes in a stack slot
  int red_zone; // bytes below the stack pointer a leaf function may use
  // Entries of the .mirror_pairs table that are not short use MPT_LONG64
  // (x86-64: 8-byte stack deltas, registers r8-r15, a scratch register)
  // instead of i386's MPT_LONG (xv6-memv6/include/mirrorpairs.h).
  int long64;
  int sp;                     // gpr number of the stack pointer
  int bp;                     // gpr number of the frame pointer
  int ax, cx, dx, bx, si, di; // implicit operands of string/atomic ops
  const int *scratch_order;   // gpr numbers tried as scratch, in order
  int nscratch;
  unsigned byte_gprs; // mask of gprs that have a low byte register
  const struct insn_desc *(*lookup)(const char *mnemonic);
  const struct reg_info *(*reg)(const char *name); // name without '%'
  const char *(*gpr_name)(int gpr, int size);      // e.g. (0, 1) -> "al"
  const char *(*mov)(int size);                    // e.g. 4 -> "movl"
  enum prefix (*prefix)(const char *word);         // PFX_NONE when not a prefix
  const char *const *classes;                      // statistics classes, in report order
  int nclasses;
  // Consistency check of the table (no mnemonic listed twice with different
  // entries). Returns 0 when sound; else writes a message to msg.
  int (*check)(char *msg, size_t msglen);
};

extern const struct arch arch_i386;
extern const struct arch arch_x86_64;

// The architecture called name ("i386", "x86_64"), or NULL.
const struct arch *arch_find(const char *name);

#endif
