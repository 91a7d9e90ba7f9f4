// Copy-on-write sharing of user frames (see cow.h). Sharing and breaking
// happen with interrupts off: dedup (which merges pages with interrupts
// off) must never see a page half way between shared and private.
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "vm.h"
#include "mirror.h"
#include "cow.h"

#define PF_PRESENT 1 // page-fault error code: the page was mapped (a protection fault)
#define PF_WRITE 2   // the access was a write

static void share_into(pte_t *src, pte_t *dst) {
  if (*dst & PTE_P)
    panic("cow_share: page already mapped");
  *src = (*src & ~PTE_W) | PTE_COW;
  *dst = *src;
  frame_retain(PTE_ADDR(*src));
}

int cow_share_range(pde_t *from, pde_t *to, uint va, uint end, int owner) {
  // Walk each page table once, not once per page: fork of a process is
  // mostly this loop, and in memv6 it runs over two tables.
  pte_t *n = uvm_pte(from, va, 0, 0);
  pte_t *m = MIRRORED ? uvm_pte(from, va + MIRROR_OFFSET, 0, 0) : 0;
  if (!n || (MIRRORED && !m))
    panic("cow_share: user pages without their page tables");
  // Both page tables first, so a failure leaves nothing half shared.
  pte_t *nd = uvm_pte(to, va, 1, owner);
  pte_t *md = MIRRORED ? uvm_pte(to, va + MIRROR_OFFSET, 1, owner) : 0;
  if (!nd || (MIRRORED && !md))
    return -1;
  uint pages = (PGROUNDUP(end) - va) / PGSIZE;
  intr_off_push();
  for (uint i = 0; i < pages; i++) {
    if (!(n[i] & PTE_P) || (m && !(m[i] & PTE_P)))
      panic("cow_share: user page without its frames");
    share_into(&n[i], &nd[i]);
    if (m)
      share_into(&m[i], &md[i]);
  }
  intr_on_pop();
  return 0;
}

void cow_flush(pde_t *pgdir) {
  if (read_cr3() == V2P(pgdir))
    write_cr3(V2P(pgdir));
}

// Points pte at a private copy of its frame; the caller releases the old.
static int copy_frame(pte_t *pte, int zone, int kind, int owner) {
  char *mem = kalloc_zone_raw(zone, kind, owner);
  if (!mem)
    return -1;
  page_copy(mem, P2V(PTE_ADDR(*pte)));
  *pte = V2P(mem) | PTE_FLAGS(*pte);
  return 0;
}

// The native page (and its mirror, m) gets frames of its own.
static int copy_pair(pte_t *n, pte_t *m, int owner) {
  uint old_n = PTE_ADDR(*n), old_m = m ? PTE_ADDR(*m) : 0;
  if (copy_frame(n, ZONE_NORMAL, FRAME_NATIVE, owner) < 0)
    return -1;
  if (m && copy_frame(m, ZONE_MIRROR, FRAME_MIRROR, owner) < 0) {
    kfree(P2V(PTE_ADDR(*n)));
    *n = old_n | PTE_FLAGS(*n);
    return -1;
  }
  if (m) {
    mirror_link(PTE_ADDR(*n), PTE_ADDR(*m));
    frame_release(old_m);
  }
  frame_release(old_n);
  return 0;
}

static void unshare(pte_t *pte) {
  if (pte)
    *pte = (*pte | PTE_W) & ~PTE_COW;
}

// With interrupts off: n (and m) made writable, copied first if shared.
static int break_sharing(pte_t *n, pte_t *m, int owner) {
  struct frame *nf = frame_of(PTE_ADDR(*n));
  // The pair is shared as a unit; different counts mean lost bookkeeping.
  if (m && frame_of(PTE_ADDR(*m))->refs != nf->refs)
    panic("cow: native and mirror frames shared differently");
  if (nf->refs > 1 && copy_pair(n, m, owner) < 0)
    return -1;
  // The last mapping: the frame is the writer's now, whoever allocated it
  // (recovery looks for a frame's owner first).
  nf = frame_of(PTE_ADDR(*n));
  nf->owner = owner;
  if (m)
    frame_of(PTE_ADDR(*m))->owner = owner;
  unshare(n);
  unshare(m);
  return 0;
}

pte_t *cow_writable(pde_t *pgdir, uint va, int owner) {
  pte_t *n = uvm_pte(pgdir, va, 0, 0), *m = mirror_pte(pgdir, va);
  if (!n || (*n & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  if (MIRRORED && !m)
    panic("cow_writable: user page without a mirror");
  if ((*n & PTE_W) && (!m || (*m & PTE_W)))
    return n;
  if (!(*n & PTE_COW))
    return 0; // read-only for good
  intr_off_push();
  int r = break_sharing(n, m, owner);
  if (r == 0 && read_cr3() == V2P(pgdir)) {
    invlpg(va);
    invlpg(va + MIRROR_OFFSET);
  }
  intr_on_pop();
  return r == 0 ? n : 0;
}

int cow_fault(pde_t *pgdir, uint sz, uint addr, uint err, int owner) {
  if ((err & (PF_PRESENT | PF_WRITE)) != (PF_PRESENT | PF_WRITE))
    return 0;
  uint va = addr;
  if (MIRRORED && addr >= MIRROR_OFFSET && addr - MIRROR_OFFSET < sz)
    va = addr - MIRROR_OFFSET;
  if (va >= sz)
    return 0;
  // Only a store that hit a copy-on-write PTE; anything else is a real
  // fault (and retrying it would loop).
  pte_t *hit = uvm_pte(pgdir, PGROUNDDOWN(addr), 0, 0);
  if (!hit || !(*hit & PTE_COW))
    return 0;
  return cow_writable(pgdir, PGROUNDDOWN(va), owner) != 0;
}
