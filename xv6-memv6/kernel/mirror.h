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

// Fork: maps the mirror of va in from into to as well (for the native
// frame npa of to), read-only in both: mirror frames are copied on the
// first write (mirror_writable). Mirror memory is not copied for pages
// neither process writes again, which is most of them when the child
// execs or exits soon. 0, or -1 (nothing changed).
int mirror_share(pde_t *from, pde_t *to, uint va, uint npa, int owner);

// The mirror PTE of the user page va made writable, copying a shared frame
// first; 0 if va has no user mirror or memory ran out.
pte_t *mirror_writable(pde_t *pgdir, uint va);

// A user-mode page fault at addr: 1 if it was a write to a shared mirror
// page and is resolved (the store is retried), 0 if it is a real fault.
int mirror_fault(pde_t *pgdir, uint sz, uint addr, uint err);

// Reloads CR3 after this address space's PTEs lost permissions.
void mirror_flush(void);

// Removes the mirror of va, if there is one, and frees its frame once no
// address space maps it.
void mirror_unmap(pde_t *pgdir, uint va);

// The present mirror PTE of the user page va, or 0.
pte_t *mirror_pte(pde_t *pgdir, uint va);

// Clears perm bits in the mirror PTE of va (the guard page loses PTE_U).
void mirror_clear_perm(pde_t *pgdir, uint va, int perm);

// Writes [src, src+n) to the mirror of va; the range lies in one page.
// 0, or -1 when a shared mirror frame could not be copied.
int mirror_write(pde_t *pgdir, uint va, const void *src, uint n);

// Records npa and mpa as each other's partner frames.
void mirror_link(uint npa, uint mpa);
#endif
