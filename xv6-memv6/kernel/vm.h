// Page tables and user memory.
//
// Every kernel write into user memory goes through copyout() or
// copy_to_dst(): MemV6 mirrors those writes, so a write that bypasses them
// (a plain store through a user pointer) would leave the mirror stale.
// Reading user memory through a validated pointer is fine.
#ifndef VM_H
#define VM_H
#include "types.h"

int copyout(pde_t *pgdir, uint va, const void *src, uint n);

// Copy n bytes to dst, which is a user virtual address of the current
// process when to_user is set and a kernel address otherwise.
int copy_to_dst(int to_user, uint dst, const void *src, uint n);
#endif
