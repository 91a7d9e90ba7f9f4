// Two-level i386 paging. Every address space shares the kernel's page
// tables for [KERNBASE, 4G); only the user half below KERNBASE is private.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "introspect.h"
#include "klib.h"
#include "kalloc.h"
#include "proc.h"
#include "seg.h"
#include "vm.h"
#include "mirror.h"
#include "spinlock.h"
#include "cow.h"
#include "kmirror.h"

static pde_t *kpgdir;

pte_t *uvm_pte(pde_t *pgdir, uint va, int create, int owner) {
  pde_t *pde = &pgdir[PDX(va)];
  pte_t *table;
  if (*pde & PTE_P) {
    table = P2V(PTE_ADDR(*pde));
  } else {
    if (!create)
      return 0;
    table = kalloc_kind(FRAME_PGTABLE, owner);
    if (!table)
      return 0;
    // Permissions are decided per page; the directory entry allows all.
    *pde = V2P(table) | PTE_P | PTE_W | PTE_U;
  }
  return &table[PTX(va)];
}

static int map_page(pde_t *pgdir, uint va, uint pa, int perm, int owner) {
  pte_t *pte = uvm_pte(pgdir, va, 1, owner);
  if (!pte)
    return -1;
  if (*pte & PTE_P)
    panic("map_page: va already mapped");
  *pte = pa | perm | PTE_P;
  return 0;
}

void page_copy(void *dst, const void *src) {
  // One string instruction instead of a byte loop: fork and machine-check
  // recovery copy whole frames, and recovery has a cycle budget.
#ifdef MEMV6SYS
  if (kmirror_user_bulk(dst, PGSIZE)) {
    kmirror_copy_native(dst, src, PGSIZE);
    return;
  }
#endif
  uint n = PGSIZE / 4;
  __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory", "cc");
}

void mem_copy(void *dst, const void *src, uint n) {
  // Words, then the odd bytes: every read(2) and exec passes through here,
  // and the memv6 kernel copies each byte twice.
#ifdef MEMV6SYS
  if (kmirror_user_bulk(dst, n)) {
    kmirror_copy_native(dst, src, n);
    return;
  }
#endif
  str_copy(dst, src, n);
}

// The native frame mem at va and a mirror filled from mirror_src (zeroed
// when 0): both mapped, or neither (then mem is released).
static int map_pair(pde_t *pgdir, uint va, char *mem, int perm, const void *mirror_src, int owner) {
  if (map_page(pgdir, va, V2P(mem), perm, owner) < 0) {
    frame_release(V2P(mem));
    return -1;
  }
  if (mirror_map(pgdir, va, V2P(mem), perm, mirror_src, owner) < 0) {
    *uvm_pte(pgdir, va, 0, 0) = 0;
    frame_release(V2P(mem));
    return -1;
  }
  return 0;
}

// A zeroed native frame at va and its zeroed mirror.
static int add_user_page(pde_t *pgdir, uint va, int perm, int owner) {
  char *mem = kalloc_kind(FRAME_NATIVE, owner);
  if (!mem)
    return -1;
  return map_pair(pgdir, va, mem, perm, 0, owner);
}

int uvm_map_filled(pde_t *pgdir, uint va, void *mem, int perm, int owner) {
  return map_pair(pgdir, va, mem, perm, mem, owner);
}

// The end of va's page table's reach, or limit if that comes first.
static uint table_end(uint va, uint limit) {
  uint next = (PDX(va) + 1) << PDXSHIFT;
  return next < limit ? next : limit;
}

extern char data_start[]; // kernel.ld: text and rodata end below it

void kvm_init(void) {
  kpgdir = kalloc_kind(FRAME_PGTABLE, 0);
  if (!kpgdir)
    panic("kvm_init: out of memory");
  // Kernel text and rodata read-only (CR0.WP is on), so a stray kernel
  // write there faults instead of corrupting code.
  uint ro_lo = EXTMEM, ro_hi = V2P(data_start);
  for (uint pa = 0; pa < PHYSTOP; pa += PGSIZE) {
    int perm = pa >= ro_lo && pa < ro_hi ? 0 : PTE_W;
    if (map_page(kpgdir, KERNBASE + pa, pa, perm, 0) < 0)
      panic("kvm_init: out of memory");
  }
#ifdef MEMV6SYS
  kmirror_map_window(kpgdir);
#endif
  kvm_switch();
}

void kvm_switch(void) {
  write_cr3(V2P(kpgdir));
}

#ifdef MEMV6SYS
pde_t *kvm_pgdir(void) {
  return kpgdir;
}

void kvm_move_pgdir(pde_t *pgdir) {
  uint old = V2P(kpgdir);
  kpgdir = pgdir;
  if (read_cr3() == old)
    kvm_switch();
}
#endif

pde_t *uvm_create(int owner) {
  pde_t *pgdir = kalloc_pgdir(owner);
  if (!pgdir)
    return 0;
#ifdef MEMV6SYS
  intr_off_push(); // recovery may move kpgdir at a safe point (kvm_move_pgdir)
#endif
  for (uint i = PDX(KERNBASE); i < NPDENTRIES; i++)
    pgdir[i] = kpgdir[i];
#ifdef MEMV6SYS
  intr_on_pop();
#endif
  return pgdir;
}

void uvm_switch(struct proc *p) {
  if (!p || !p->pgdir || !p->kstack)
    panic("uvm_switch: incomplete process");
  intr_off_push();
  tss_set_kstack((uint)p->kstack + KSTACKSIZE);
  write_cr3(V2P(p->pgdir));
  intr_on_pop();
}

uint uvm_grow(pde_t *pgdir, uint oldsz, uint newsz, int owner) {
  if (newsz > USERTOP)
    return 0;
  if (newsz <= oldsz)
    return oldsz;
  for (uint va = PGROUNDUP(oldsz); va < newsz; va += PGSIZE) {
    if (add_user_page(pgdir, va, PTE_W | PTE_U, owner) < 0) {
      uvm_shrink(pgdir, va, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Unmaps the pages [va, end) under one directory entry: n and m are the
// native and mirror PTEs of va (m 0 without a mirror page table). A mirror
// PTE holds no reference: its frame goes with the native one.
static void unmap_range(pte_t *n, pte_t *m, uint va, uint end) {
  uint pages = (PGROUNDUP(end) - va) / PGSIZE;
  // In one piece: dedup must not repoint a PTE that is about to be
  // cleared, nor see a mirror PTE whose frame is gone.
  intr_off_push();
  for (uint i = 0; i < pages; i++) {
    if (m)
      m[i] = 0; // stale mirror PTEs must not outlive sbrk down
    if (n[i] & PTE_P) {
      frame_release(PTE_ADDR(n[i])); // shared frames live on for the others
      n[i] = 0;
    }
  }
  intr_on_pop();
}

uint uvm_shrink(pde_t *pgdir, uint oldsz, uint newsz) {
  if (newsz >= oldsz)
    return oldsz;
  // One page table at a time (oldsz <= USERTOP, so no wrap-around).
  for (uint va = PGROUNDUP(newsz); va < oldsz; va = table_end(va, oldsz)) {
    pte_t *n = uvm_pte(pgdir, va, 0, 0);
    pte_t *m = MIRRORED ? uvm_pte(pgdir, va + MIRROR_OFFSET, 0, 0) : 0;
    if (n)
      unmap_range(n, m, va, table_end(va, oldsz));
  }
  return newsz;
}

void uvm_free(pde_t *pgdir, uint sz) {
  if (!pgdir)
    panic("uvm_free: no page directory");
  uvm_shrink(pgdir, sz, 0);
  for (uint i = 0; i < PDX(KERNBASE); i++) {
    pde_t pde = pgdir[i];
    // Unhooked first: recovery, which may run inside kfree, must not walk
    // a table that is back on the free list.
    pgdir[i] = 0;
    if (pde & PTE_P)
      kmirror_free_zeroed(P2V(PTE_ADDR(pde)), 1); // kfree; memv6sys: its mirror is zero
  }
  kmirror_free_zeroed(pgdir, 0);
}

// Fork copies nothing: both address spaces map the same frames read-only
// and a write copies the page then (cow.c). Most forked pages are never
// written again: the child execs or exits, the parent writes a few stack
// and data pages.
int uvm_copy(pde_t *from, pde_t *to, uint sz, int owner) {
  uint va;
  for (va = 0; va < sz; va = table_end(va, sz)) {
    if (cow_share_range(from, to, va, table_end(va, sz), owner) < 0)
      break;
  }
  cow_flush(from); // the parent's PTEs lost PTE_W
  return va < sz ? -1 : 0;
}

void uvm_make_guard(pde_t *pgdir, uint va) {
  pte_t *pte = uvm_pte(pgdir, va, 0, 0);
  if (!pte)
    panic("uvm_make_guard: unmapped");
  *pte &= ~PTE_U;
  mirror_clear_perm(pgdir, va, PTE_U);
}

int copyout(pde_t *pgdir, uint va, const void *src, uint n) {
  const char *from = src;
  int owner = myproc() ? myproc()->pid : 0;
  if (va + n < va || va + n > USERTOP)
    return -1;
  while (n > 0) {
    uint page = PGROUNDDOWN(va);
    uint off = va - page;
    uint chunk = PGSIZE - off < n ? PGSIZE - off : n;
    // The kernel's own mapping ignores PTE_W: a shared page is unshared
    // first. Interrupts stay off until the chunk is written, so dedup
    // cannot merge the page again in between.
    intr_off_push();
    pte_t *pte = cow_writable(pgdir, page, owner);
    if (!pte) {
      intr_on_pop();
      return -1;
    }
    // Mirror first: a machine check between the two writes then recovers
    // the page from a mirror that already holds the new bytes.
    mirror_write(PTE_ADDR(*pte), va, from, chunk);
    mem_copy((char *)P2V(PTE_ADDR(*pte)) + off, from, chunk);
    intr_on_pop();
    from += chunk;
    va += chunk;
    n -= chunk;
  }
  return 0;
}

// Is [va, va+n) inside the current process's memory?
static int user_range_ok(uint va, uint n) {
  struct proc *p = myproc();
  return p && va + n >= va && va + n <= p->sz;
}

int copy_to_dst(int to_user, uint dst, const void *src, uint n) {
  if (!to_user) {
    mem_copy((void *)dst, src, n);
    return 0;
  }
  if (!user_range_ok(dst, n))
    return -1;
  return copyout(myproc()->pgdir, dst, src, n);
}

int copy_from_src(void *dst, int from_user, uint src, uint n) {
  if (from_user && !user_range_ok(src, n))
    return -1;
  // The current page directory maps the user range, so a plain read works.
  memmove(dst, (const void *)src, n);
  return 0;
}
