// MemV6 mirror bookkeeping (see mirror.h). A mirror PTE is an ordinary user
// mapping in the window [USERTOP, KERNBASE): translated user code stores to
// it directly, so it carries the native page's permissions.
// Untranslated code never computes such addresses, and system calls accept
// only pointers below sz, so native behaviour does not change.
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "introspect.h"
#include "klib.h"
#include "kalloc.h"
#include "vm.h"
#include "mirror.h"

void mirror_link(uint npa, uint mpa) {
  frame_of(npa)->partner = mpa >> PGSHIFT;
  frame_of(mpa)->partner = npa >> PGSHIFT;
}

int mirror_map(pde_t *pgdir, uint va, uint npa, int perm, const void *src, int owner) {
  if (!MIRRORED)
    return 0;
  char *mem = src ? kalloc_zone_raw(ZONE_MIRROR, FRAME_MIRROR, owner)
                  : kalloc_zone(ZONE_MIRROR, FRAME_MIRROR, owner);
  if (!mem)
    return -1;
  if (src)
    page_copy(mem, src);
  pte_t *pte = uvm_pte(pgdir, va + MIRROR_OFFSET, 1, owner);
  // Allocating is a safe point for machine-check recovery (mce.c), which
  // may have retired npa, a page nobody maps yet, and killed its owner: a
  // retired frame gets no partner (nothing would ever free it).
  if (!pte || frame_of(npa)->kind != FRAME_NATIVE) {
    kfree(mem);
    return -1;
  }
  if (*pte & PTE_P)
    panic("mirror_map: mirror already mapped");
  *pte = V2P(mem) | perm | PTE_P;
  mirror_link(npa, V2P(mem));
  return 0;
}

pte_t *mirror_pte(pde_t *pgdir, uint va) {
  if (!MIRRORED)
    return 0;
  pte_t *pte = uvm_pte(pgdir, va + MIRROR_OFFSET, 0, 0);
  return pte && (*pte & PTE_P) ? pte : 0;
}

void mirror_clear_perm(pde_t *pgdir, uint va, int perm) {
  pte_t *pte = mirror_pte(pgdir, va);
  if (pte)
    *pte &= ~perm;
}

uint mirror_of(uint npa) {
  return MIRRORED ? frame_of(npa)->partner << PGSHIFT : 0;
}

void mirror_write(uint npa, uint va, const void *src, uint n) {
  if (!MIRRORED)
    return;
  // The kernel writes through its own mapping, which ignores PTE_W, so a
  // shared pair would be written for every sharer: the caller unshared it.
  struct frame *f = frame_of(npa);
  if (f->kind == FRAME_NATIVE && f->refs != 1)
    panic("mirror_write: no private mirror frame");
  // A machine check (which may come even with interrupts off) that retired
  // the frame, or could not rebuild its mirror, killed its users and
  // unlinked the pair: there is nothing left to keep in step.
  if (!mirror_linked(npa))
    return;
  mem_copy((char *)P2V(f->partner << PGSHIFT) + (va & (PGSIZE - 1)), src, n);
}
