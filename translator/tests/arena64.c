// The x86-64 form programs' arena mappings and entry registers (run64.h).
#define _GNU_SOURCE
#include "run64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

void *map_at(uintptr_t addr, size_t size) {
  void *p = mmap((void *)addr, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED || p != (void *)addr) {
    fprintf(stderr, "cannot map 0x%lx (taken in this process?)\n", (unsigned long)addr);
    exit(2);
  }
  return p;
}

// Pointers into the arena, small counts, and one value with every byte
// different (r15) so a 64-bit operation is seen whole.
void entry_regs(struct regs64 *in, uint64_t flags) {
  static const uint64_t v[NREGS] = {ARENA + 0x1000,    3,
                                    ARENA + 0x2000,    ARENA + 0x3000,
                                    ARENA + STACK_TOP, ARENA + 0x6000,
                                    ARENA + 0x4000,    ARENA + 0x5000,
                                    ARENA + 0x1800,    7,
                                    ARENA + 0x2800,    ARENA + 0x3800,
                                    ARENA + 0x4800,    2,
                                    ARENA + 0x5800,    0x0123456789abcdefULL};
  memcpy(in->r, v, sizeof v);
  in->rflags = flags;
}

size_t forms_count(void) {
  return ((uintptr_t)__stop_forms_mirror - (uintptr_t)__start_forms_mirror) / sizeof(struct entry);
}
