// MemV6 mirror mappings: every native user frame has a partner frame in the
// mirror zone, and the two name each other in the frame table; the mirror
// frame lives and dies with its native partner. The kernel finds a page's
// mirror through that link, never through a page table.
//
// The mirror PTE (va + MIRROR_OFFSET) is what translated user code stores
// through. It is optional: fork leaves it out and a fault makes it on first
// use (cow.c). A writable native PTE always has a present, writable mirror
// PTE; a read-only one has none or a read-only one. In the native build
// these do nothing (MIRRORED is 0).
#ifndef MIRROR_H
#define MIRROR_H
#include "types.h"
#include "mmu.h"
#include "introspect.h"
#include "kalloc.h"

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

// Writes [src, src+n) to the mirror of the native frame npa at va's offset
// in the page; the range lies in one page, which the caller made private
// (cow_writable).
void mirror_write(uint npa, uint va, const void *src, uint n);

// The mirror frame of native frame npa (0 in the native build).
uint mirror_of(uint npa);

// Whether native frame npa and its mirror partner name each other. Machine-
// check recovery unlinks a pair it cannot trust (and kills its users) and
// retires a native frame it cannot replace; only a linked pair is copied
// from, written or mapped. 0 in the native build. Inline: every copyout
// asks, twice.
static inline int mirror_linked(uint npa) {
  if (!MIRRORED)
    return 0;
  const struct frame *n = &frames[npa >> PGSHIFT];
  if (n->kind != FRAME_NATIVE || !n->partner)
    return 0;
  const struct frame *m = &frames[n->partner];
  return m->kind == FRAME_MIRROR && m->partner == npa >> PGSHIFT;
}

// Records npa and mpa as each other's partner frames.
void mirror_link(uint npa, uint mpa);
#endif
