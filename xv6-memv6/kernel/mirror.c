// MemV6 mirror bookkeeping (see mirror.h). The mirror of a user page is an
// ordinary user mapping in the window [USERTOP, KERNBASE): translated user
// code stores to it directly, so it is PTE_U|PTE_W like the native page.
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
  if (!pte) {
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

void mirror_unmap(pde_t *pgdir, uint va) {
  pte_t *pte = mirror_pte(pgdir, va);
  if (!pte)
    return;
  struct frame *f = frame_of(PTE_ADDR(*pte));
  if (f->kind == FRAME_MIRROR && f->refs > 1)
    f->refs--;
  else
    kfree(P2V(PTE_ADDR(*pte)));
  *pte = 0;
}

int mirror_share(pde_t *from, pde_t *to, uint va, uint npa, int owner) {
  if (!MIRRORED)
    return 0;
  pte_t *src = mirror_pte(from, va);
  if (!src)
    panic("mirror_share: user page without a mirror");
  pte_t *dst = uvm_pte(to, va + MIRROR_OFFSET, 1, owner);
  if (!dst)
    return -1;
  *src &= ~PTE_W;
  *dst = *src;
  frame_of(PTE_ADDR(*src))->refs++;
  frame_of(npa)->partner = PTE_ADDR(*src) >> PGSHIFT;
  return 0;
}

void mirror_flush(void) {
  if (!MIRRORED)
    return;
  uint cr3;
  __asm__ volatile("movl %%cr3, %0; movl %0, %%cr3" : "=r"(cr3) : : "memory");
}

pte_t *mirror_writable(pde_t *pgdir, uint va) {
  pte_t *mpte = mirror_pte(pgdir, va), *npte = uvm_pte(pgdir, va, 0, 0);
  if (!mpte || !npte || !(*mpte & PTE_U))
    return 0;
  if (*mpte & PTE_W)
    return mpte;
  uint mpa = PTE_ADDR(*mpte), npa = PTE_ADDR(*npte);
  struct frame *m = frame_of(mpa);
  if (m->refs > 1) {
    char *mem = kalloc_zone_raw(ZONE_MIRROR, FRAME_MIRROR, frame_of(npa)->owner);
    if (!mem)
      return 0;
    page_copy(mem, P2V(mpa));
    m->refs--;
    mpa = V2P(mem);
  }
  *mpte = mpa | PTE_FLAGS(*mpte) | PTE_W;
  mirror_link(npa, mpa);
  __asm__ volatile("invlpg (%0)" : : "r"(va + MIRROR_OFFSET) : "memory");
  return mpte;
}

#define PF_WRITE 2 // page-fault error code: the access was a write

int mirror_fault(pde_t *pgdir, uint sz, uint addr, uint err) {
  if (!MIRRORED || !(err & PF_WRITE) || addr < MIRROR_OFFSET || addr - MIRROR_OFFSET >= sz)
    return 0;
  return mirror_writable(pgdir, PGROUNDDOWN(addr - MIRROR_OFFSET)) != 0;
}

void mirror_clear_perm(pde_t *pgdir, uint va, int perm) {
  pte_t *pte = mirror_pte(pgdir, va);
  if (pte)
    *pte &= ~perm;
}

int mirror_write(pde_t *pgdir, uint va, const void *src, uint n) {
  if (!MIRRORED)
    return 0;
  // Every user page has a mirror; a missing one is a bookkeeping bug.
  if (!mirror_pte(pgdir, PGROUNDDOWN(va)))
    panic("mirror_write: user page without a mirror");
  // The kernel writes through its own mapping, which ignores PTE_W: a
  // shared frame must be copied first, as a user store would.
  pte_t *pte = mirror_writable(pgdir, PGROUNDDOWN(va));
  if (!pte)
    return -1;
  mem_copy((char *)P2V(PTE_ADDR(*pte)) + (va & (PGSIZE - 1)), src, n);
  return 0;
}
