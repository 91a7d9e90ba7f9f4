// The rewriting engine: AT&T assembly in, the same program with every memory
// write mirrored at offset + address out.
#ifndef MIRROR_REWRITE_H
#define MIRROR_REWRITE_H

#include "arch.h"

#include <stddef.h>
#include <stdio.h>

#define MIRROR_MAX_CLASSES 32

struct mirror_opts {
  const struct arch *arch;
  const char *offset;   // the mirror offset as the assembler should read it, e.g. "0x40000000"
  const char *filename; // for error messages
  FILE *errors;         // where errors go (one line each)
  int max_errors;       // stop reporting after this many (0: no limit)
  // Stack writes not mirrored (--no-stack-mirror, for the memv6sys kernel,
  // which keeps its stacks' mirrors itself): pushes, calls, enter, pusha
  // and stores addressed through the stack or frame pointer; %ebp must then
  // be a frame pointer (docs/translator.md).
  int no_stack;
};

struct mirror_stats {
  long lines_in, lines_out;
  long insns;                         // instruction statements seen
  long writes;                        // of which write memory (all mirrored)
  long per_class[MIRROR_MAX_CLASSES]; // indexed like arch->classes
  size_t bytes_in, bytes_out;
};

struct buf {
  char *p;
  size_t len, cap;
};

// Translates in[0..inlen) and appends the result to out. Returns the number of
// errors (0: out holds the whole translation).
int mirror_translate(const struct mirror_opts *o, const char *in, size_t inlen, struct buf *out,
                     struct mirror_stats *st);

void buf_free(struct buf *b);

#endif
