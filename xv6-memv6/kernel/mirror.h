// MemV6 mirror mappings: every user page va has a mirror page at
// va + MIRROR_OFFSET on a frame of the mirror zone, and the two frames name
// each other as partners in the frame table. vm.c calls these on every path
// that makes, changes or removes a user mapping, and for every kernel write
// into user memory. In the native build they do nothing (MIRRORED is 0).
#ifndef MIRROR_H
#define MIRROR_H
#include "types.h"

#ifdef MEMV6
#define MIRRORED 1
#else
#define MIRRORED 0
#endif

// Maps a mirror frame for the native page va (frame npa) with the native
// page's permissions, filled from src (a kernel address) or zeroed when src
// is 0. 0, or -1 when out of memory (then nothing was changed).
int mirror_map(pde_t *pgdir, uint va, uint npa, int perm, const void *src, int owner);

// The present mirror PTE of the user page va, or 0.
pte_t *mirror_pte(pde_t *pgdir, uint va);

// Clears perm bits in the mirror PTE of va (the guard page loses PTE_U).
void mirror_clear_perm(pde_t *pgdir, uint va, int perm);

// Writes [src, src+n) to the mirror of va; the range lies in one page, whose
// mirror the caller made writable (cow_writable).
void mirror_write(pde_t *pgdir, uint va, const void *src, uint n);

// Records npa and mpa as each other's partner frames.
void mirror_link(uint npa, uint mpa);
#endif
