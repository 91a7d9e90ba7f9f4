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
#include "mce.h"
#include "cow.h"

#define PF_PRESENT 1 // page-fault error code: the page was mapped (a protection fault)
#define PF_WRITE 2   // the access was a write

// A frame recovery retired (its process was killed) is not shared: fork
// fails, and the killed parent never sees it.
static int share_into(pte_t *src, pte_t *dst) {
  if (*dst & PTE_P)
    panic("cow_share: page already mapped");
  if (frame_retain(PTE_ADDR(*src)) < 0)
    return -1;
  *src = (*src & ~PTE_W) | PTE_COW;
  *dst = *src;
  return 0;
}

// Pages [from, to) of the range whose native PTEs are n (the parent's) and
// nd (the child's); m: the parent's mirror PTEs, or 0.
static int share_pages(pte_t *n, pte_t *m, pte_t *nd, uint from, uint to) {
  for (uint i = from; i < to; i++) {
    if (!(n[i] & PTE_P))
      panic("cow_share: user page without its frame");
    if (share_into(&n[i], &nd[i]) < 0)
      return -1;
    // The mirror frame is shared now: nobody may store to it. Cleared
    // rather than made read-only, so exit has nothing to undo.
    if (m)
      m[i] = 0;
  }
  return 0;
}

int cow_share_range(pde_t *from, pde_t *to, uint va, uint end, int owner) {
  // Walk each page table once, not once per page: fork of a process is
  // mostly this loop. The child gets no mirror page table: its mirror PTEs
  // are made when it first writes (or touches the mirror address).
  pte_t *n = uvm_pte(from, va, 0, 0);
  pte_t *m = MIRRORED ? uvm_pte(from, va + MIRROR_OFFSET, 0, 0) : 0;
  if (!n)
    panic("cow_share: user pages without their page table");
  pte_t *nd = uvm_pte(to, va, 1, owner);
  if (!nd)
    return -1;
  uint pages = (PGROUNDUP(end) - va) / PGSIZE;
  intr_off_push();
  // A self-test may raise a machine check right after one page is shared
  // (mce_fork_test): the loop is split there rather than asking per page.
  uint at = mce_fork_test_at(va, pages); // 0: no test here
  int r = share_pages(n, m, nd, 0, at ? at : pages);
  if (r == 0 && at) {
    mce_fork_test_fire(n[at - 1]);
    r = share_pages(n, m, nd, at, pages);
  }
  intr_on_pop();
  return r;
}

void cow_flush(pde_t *pgdir) {
  if (read_cr3() == V2P(pgdir))
    write_cr3(V2P(pgdir));
}

// A new frame of zone holding a copy of frame pa, or 0.
static char *copy_frame(uint pa, int zone, int kind, int owner) {
  char *mem = kalloc_zone_raw(zone, kind, owner);
  if (mem)
    page_copy(mem, P2V(pa));
  return mem;
}

// The native page n gets a frame of its own, partnered with a copy of the
// old frame's mirror frame (each half copied from its own half, so a store
// that faulted between the two stays pending on both).
static int copy_pair(pte_t *n, int owner) {
  uint old = PTE_ADDR(*n);
  char *nm = copy_frame(old, ZONE_NORMAL, FRAME_NATIVE, owner);
  if (!nm)
    return -1;
  if (MIRRORED) {
    char *mm = copy_frame(mirror_of(old), ZONE_MIRROR, FRAME_MIRROR, owner);
    if (!mm) {
      kfree(nm);
      return -1;
    }
    // A machine check on the old pair waits for interrupts to come back
    // on (mce.c), so its bad bytes may be in a copy: take the other half's.
    if (mce_queued && mce_pending(old))
      page_copy(nm, mm);
    else if (mce_queued && mce_pending(mirror_of(old)))
      page_copy(mm, nm);
    mirror_link(V2P(nm), V2P(mm));
  }
  *n = V2P(nm) | PTE_FLAGS(*n);
  frame_release(old); // shared: the others keep the old pair
  return 0;
}

// With interrupts off: n made writable, copied first if shared, and its
// mirror PTE slot m (0 in the native build) mapping the page's mirror frame
// writable.
static int break_sharing(pte_t *n, pte_t *m, int owner) {
  if (frame_of(PTE_ADDR(*n))->refs > 1 && copy_pair(n, owner) < 0)
    return -1;
  // The last mapping: the frame is the writer's now, whoever allocated it
  // (recovery looks for a frame's owner first).
  struct frame *nf = frame_of(PTE_ADDR(*n));
  nf->owner = owner;
  *n = (*n | PTE_W) & ~PTE_COW;
  if (m) {
    uint mpa = nf->partner << PGSHIFT;
    frame_of(mpa)->owner = owner;
    *m = mpa | PTE_FLAGS(*n);
  }
  return 0;
}

pte_t *cow_writable(pde_t *pgdir, uint va, int owner) {
  pte_t *n = uvm_pte(pgdir, va, 0, 0);
  if (!n || (*n & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  // A page recovery gave up on is never written or mirrored again: the
  // access fails rather than store through, map or copy a retired frame.
  if (MIRRORED && !mirror_linked(PTE_ADDR(*n)))
    return 0;
  if (*n & PTE_W)
    return n; // and so is its mirror PTE (mirror.h)
  if (!(*n & PTE_COW))
    return 0; // read-only for good
  // The mirror PTE's slot first: failing then changes nothing.
  pte_t *m = 0;
  if (MIRRORED && !(m = uvm_pte(pgdir, va + MIRROR_OFFSET, 1, owner)))
    return 0;
  intr_off_push();
  int r = break_sharing(n, m, owner);
  if (r == 0 && read_cr3() == V2P(pgdir)) {
    invlpg(va);
    invlpg(va + MIRROR_OFFSET);
  }
  intr_on_pop();
  return r == 0 ? n : 0;
}

// A user access to the mirror of page va, whose mirror PTE is not made yet.
// A store to a shared page copies it, as a native store would; otherwise
// the mirror PTE is made with the native PTE's permissions.
static int mirror_fault(pde_t *pgdir, uint va, int write, int owner) {
  pte_t *n = uvm_pte(pgdir, va, 0, 0);
  if (!n || (*n & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  if (write && !(*n & PTE_W))
    return cow_writable(pgdir, va, owner) != 0;
  pte_t *m = uvm_pte(pgdir, va + MIRROR_OFFSET, 1, owner);
  if (!m)
    return 0;
  intr_off_push(); // dedup may not repoint n in between
  int ok = mirror_linked(PTE_ADDR(*n));
  if (ok)
    *m = mirror_of(PTE_ADDR(*n)) | PTE_FLAGS(*n);
  intr_on_pop();
  return ok;
}

int cow_fault(pde_t *pgdir, uint sz, uint addr, uint err, int owner) {
  uint va = addr;
  int mirror = MIRRORED && addr >= MIRROR_OFFSET && addr - MIRROR_OFFSET < sz;
  if (mirror)
    va = addr - MIRROR_OFFSET;
  if (va >= sz)
    return 0;
  if (mirror && !(err & PF_PRESENT))
    return mirror_fault(pgdir, PGROUNDDOWN(va), (err & PF_WRITE) != 0, owner);
  if ((err & (PF_PRESENT | PF_WRITE)) != (PF_PRESENT | PF_WRITE))
    return 0;
  // Only a store that hit a copy-on-write PTE; anything else is a real
  // fault (and retrying it would loop).
  pte_t *hit = uvm_pte(pgdir, PGROUNDDOWN(addr), 0, 0);
  if (!hit || !(*hit & PTE_COW))
    return 0;
  return cow_writable(pgdir, PGROUNDDOWN(va), owner) != 0;
}

int pair_map_shared(pde_t *pgdir, uint va, uint npa, int owner) {
  // The mirror PTE is left to the first touch (cow_fault): a read-only
  // native page needs none, and text is only read.
  pte_t *n = uvm_pte(pgdir, va, 1, owner);
  if (!n)
    return -1;
  if (*n & PTE_P)
    panic("pair_map_shared: page already mapped");
  if (frame_retain(npa) < 0)
    return -1; // not expected: the cache drops an entry with a retired frame
  *n = npa | PTE_COW | PTE_U | PTE_P;
  return 0;
}
