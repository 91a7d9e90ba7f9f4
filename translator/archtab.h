// Building an architecture's mnemonic table from compact lists (families of
// suffixed mnemonics, single entries, names of instructions that never
// write memory), shared by arch_i386.c and arch_x86_64.c.
#ifndef MIRROR_ARCHTAB_H
#define MIRROR_ARCHTAB_H

#include "arch.h"

#include <stddef.h>

// A family expands to one entry per suffix character: 'b' 'w' 'l' 'q' give
// the mnemonic with that suffix and widths 1 2 4 8; '.' gives the bare
// mnemonic, whose width comes from a register operand; '1' gives the bare
// mnemonic with width 1 (setcc). A '%' in base is replaced by every
// condition code (e, ne, a, ...), giving one family per condition.
struct family {
  const char *base;
  const char *suffixes;
  enum strategy strategy;
  int min_ops, max_ops;
  unsigned flags;
  const char *klass;
};

struct list {
  const void *items;
  size_t n;
};
#define LIST(a)                                                                                    \
  { (a), sizeof(a) / sizeof((a)[0]) }
#define ARCHTAB_LISTS 4

// Readers are names of instructions that never write memory (any operand
// count from 0 to reader_max_ops, 3 if not set), written with brace alternatives:
// "{,v}{add,sub}{ps,pd}" is addps addpd subps subpd vaddps vaddpd vsubps vsubpd.
struct archtab {
  struct list families[ARCHTAB_LISTS]; // of struct family
  struct list singles[ARCHTAB_LISTS];  // of struct insn_desc
  struct list readers[ARCHTAB_LISTS];  // of const char *
  int x87;                             // add the x87 stores and readers (archtab.c)
  int reader_max_ops;                  // AVX has 4-operand forms (vpinsrd, vblendvpd)
  const char *const *classes;
  size_t nclasses;
  // Built on first use: the expanded entries sorted by mnemonic.
  struct insn_desc *table;
  size_t ntable, cap;
  char conflict[160];
};

const struct insn_desc *archtab_lookup(struct archtab *t, const char *mnemonic);
// 0 when the table is sound (no mnemonic listed twice, every writing entry
// has a known class); else -1 with a message in msg.
int archtab_check(struct archtab *t, char *msg, size_t msglen);

#endif
