// Kernel symbols from the ELF symbol table (libelf).
#ifndef MH_ELFSYM_H
#define MH_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

// Finds a symbol's value (address) and size in an ELF file's .symtab.
int mh_elf_symbol(const char *path, const char *name, uint64_t *addr, uint64_t *size,
                  struct mh_err *e);

// An address written as "0x..." or as symbol[+offset] ("buf+0x1000").
int mh_elf_address(const char *path, const char *spec, uint64_t *addr, struct mh_err *e);
// Names an address as symbol+0xoffset ("memsum_round+0x1c"): the function
// that contains it, else the nearest label below it ("… (past its end)" when
// that label is a function that ends before addr).
int mh_elf_where(const char *path, uint64_t addr, char *out, size_t cap, struct mh_err *e);

#endif
