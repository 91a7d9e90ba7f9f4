// memv6sys: machine checks on the kernel's own frames (kmirror.h,
// docs/memv6.md "Recovery of kernel frames").
//
// Every kernel and page-table frame pa of the normal zone has its mirror at
// KMIRROR_PHYS + pa, and the two agree word for word except where the
// kernel mirror oracle says they may not (dead stack below a saved stack
// pointer, accessed and dirty bits the MMU sets in page tables). So a soft
// error in either copy is repaired in place from the other: the frame keeps
// its address, and nothing that points at it (the direct map, a PDE, cr3, a
// kernel pointer) changes. Only the words that differ are written. Page
// directories and page tables then move to a fresh frame where that is
// safe, and the old frame is retired (kmirror_retire).
//
// Code cut between the two halves of a mirrored write is what makes the
// copies differ legitimately for a moment; kmirror_inflight moves such
// code to one of its sequence's ends afterwards, as mce_inflight does for
// user code, with the kernel's own .mirror_pairs table.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "introspect.h"
#include "klib.h"
#include "kalloc.h"
#include "proc.h"
#include "trap.h"
#include "mce.h"
#include "mce_inflight.h"
#include "kmirror.h"
#include "vm.h"

static void flush_tlb(void) {
  uint cr3;
  __asm__ volatile("movl %%cr3, %0; movl %0, %%cr3" : "=r"(cr3) : : "memory");
}

// The native copy of a kernel frame from its mirror: each differing word
// gets the mirror's, which this translated store also writes back to the
// mirror (the same value). Page-table words ignore the MMU's A and D bits.
static uint read_cr0(void) {
  uint v;
  __asm__ volatile("movl %%cr0, %0" : "=r"(v));
  return v;
}

static void write_cr0(uint v) {
  __asm__ volatile("movl %0, %%cr0" : : "r"(v) : "memory");
}

// Kernel stacks are repaired only where their mirror is kept in step
// (kmirror_unmirrored): elsewhere the native words are the only copy.
static void repair_native(uint pa, int pgtable) {
  volatile uint *n = P2V(pa);
  const volatile uint *m = (const volatile uint *)((uint)n + MIRROR_OFFSET);
  uint mask = pgtable ? ~(uint)(PTE_A | PTE_D) : ~0u;
  struct kmirror_gap gap[KMIRROR_NGAP];
  uint ngap = pgtable ? 0 : kmirror_unmirrored(gap);
  for (uint i = 0; i < PGSIZE / 4; i++) {
    uint mv = m[i];
    if ((n[i] ^ mv) & mask && !kmirror_in_gap(gap, ngap, (uint)&n[i]))
      n[i] = mv;
  }
  if (pgtable)
    flush_tlb(); // the MMU may have cached the bad entry
}

// A frame of the kernel mirror zone: the mirror of native frame npa, read
// only if npa is a kernel or page-table frame (the mirror copy of a user
// frame's kernel stores, and the sink, are never read).
static int recover_kmirror(uint pa, struct mce_event *ev) {
  uint npa = pa - KMIRROR_PHYS;
  ev->kind = "kmirror";
  if (npa < EXTMEM || npa >= MIRROR_ZONE_BASE)
    return 1; // below the kernel, or the sink: ignored
  int kind = frame_of(npa)->kind;
  if (kmirror_zero_inflight(npa)) {
    ev->action = "repaired_mirror";
    ev->kpa = npa;
    return 1;
  }
  if (kind == FRAME_FREE)
    kmirror_forget_zero(P2V(npa)); // zeroed in both copies when handed out
  if (kind != FRAME_KERNEL && kind != FRAME_PGTABLE)
    return 1;
  kmirror_sync(P2V(npa), PGSIZE);
  ev->action = "repaired_mirror";
  ev->kpa = npa;
  return 1;
}

static int recover(uint pa, struct mce_event *ev) {
  if (pa >= KMIRROR_PHYS && pa < KMIRROR_PHYS + PHYSTOP)
    return recover_kmirror(pa, ev);
  if (pa >= MIRROR_ZONE_BASE)
    return 0;
  struct frame *f = frame_of(pa);
  // Below EXTMEM lie firmware data, the multiboot information (boot copied
  // what it needs into the kernel's bss) and the VGA window: nothing the
  // kernel reads after boot, and nothing the oracle compares.
  if (pa < EXTMEM && f->kind == FRAME_KERNEL) {
    ev->kind = "kernel";
    return 1; // ignored
  }
  if (f->kind != FRAME_KERNEL && f->kind != FRAME_PGTABLE)
    return 0;
  ev->kind = f->kind == FRAME_PGTABLE ? "pgtable" : "kernel";
  ev->pid = f->owner;
  repair_native(pa, f->kind == FRAME_PGTABLE);
  ev->action = "recovered";
  ev->kpa = pa;
  return 1;
}

int kmirror_recover(uint pa, struct mce_event *ev) {
  // Either repair stores to the native copy (a translated store writes
  // both), and the kernel text is mapped read-only: write protection is
  // off meanwhile (recovery runs with interrupts off).
  uint cr0 = read_cr0();
  write_cr0(cr0 & ~CR0_WP);
  int r = recover(pa, ev);
  write_cr0(cr0);
  return r;
}

// Retiring page directories and page tables (docs/memv6.md "Retired or
// repaired in place"). The frame was just repaired in place, so its two
// copies agree but for the MMU's A and D bits: the fresh frame takes the
// mirror's words, with native's where the two differ only in A or D, as
// repair_native leaves them. Translated stores fill both of its copies.
static void fill_table(pte_t *dst, uint pa) {
  const volatile uint *n = P2V(pa);
  const volatile uint *m = (const volatile uint *)((uint)n + MIRROR_OFFSET);
  uint ad = PTE_A | PTE_D;
  for (uint i = 0; i < NPTENTRIES; i++) {
    uint mv = m[i], nv = n[i];
    dst[i] = (nv ^ mv) & ~ad ? mv : nv;
  }
}

// A fresh page-table frame filled from pa, or 0 when none is free. Taking
// it takes no process's tables away: an allocator that ran dry empties
// only the exec image cache (user frames).
static pte_t *copy_table(uint pa) {
  pte_t *mem = kalloc_zone_raw(ZONE_NORMAL, FRAME_PGTABLE, frame_of(pa)->owner);
  if (mem)
    fill_table(mem, pa);
  return mem;
}

// The entry of pgdir's user half that names page table pa, or 0. A
// process's page table has one such entry: tables are never shared.
static pde_t *user_pde(pde_t *pgdir, uint pa) {
  for (uint i = 0; i < PDX(KERNBASE); i++) {
    if ((pgdir[i] & PTE_P) && PTE_ADDR(pgdir[i]) == pa)
      return &pgdir[i];
  }
  return 0;
}

// The running process's page directory or one of its page tables. Its
// kernel code is done (the crossing to user mode), so no walk of its is
// under way and no pointer into the old frame is left in a register or on
// its stack; dedup and the oracle walk other processes' tables only with
// interrupts off, as recovery runs. Another process's tables may be named
// by a pointer its stack still holds (switched out inside fork, exec or a
// page fault): they stay where they are.
static int retire_user(uint pa) {
  struct proc *p = myproc();
  if (!p || !p->pgdir)
    return 0;
  int dir = V2P(p->pgdir) == pa;
  pde_t *pde = dir ? 0 : user_pde(p->pgdir, pa);
  if (!dir && !pde)
    return 0;
  pte_t *mem = copy_table(pa);
  if (!mem)
    return 0;
  if (dir) {
    p->pgdir = mem;
    if (read_cr3() == pa)
      write_cr3(V2P(mem));
  } else {
    *pde = V2P(mem) | PTE_FLAGS(*pde);
    flush_tlb(); // the MMU may hold the old table's entries
  }
  return (int)V2P(mem);
}

// The kernel's own page directory: named only by kpgdir and, while the
// scheduler runs, cr3. Each process's directory holds its own copies of
// the kernel entries, which stay right.
static int retire_kernel_dir(uint pa) {
  pte_t *mem = copy_table(pa);
  if (!mem)
    return 0;
  kvm_move_pgdir(mem);
  return (int)V2P(mem);
}

// One of the kernel's page tables (the direct map's): entry i of the kernel
// half of every page directory names it, the kernel's and each process's
// (uvm_create copies them), published or not yet (fork, exec) or being
// freed. So every directory is found by its frame's kind, not by a list: a
// page-table frame of the normal zone whose entry i is present, user
// accessible and names pa is one, as only a directory's entries name page
// tables with PTE_U (the kernel's own entries lack it, a user table's name
// user frames). Nothing writes a kernel page table after boot or walks one
// with a pointer kept across a safe point, so it moves at any.
static int retire_kernel_table(uint pa) {
  pde_t *kd = kvm_pgdir();
  uint i = PDX(KERNBASE);
  while (i < NPDENTRIES && ((kd[i] & (PTE_P | PTE_PS)) != PTE_P || PTE_ADDR(kd[i]) != pa))
    i++;
  if (i == NPDENTRIES)
    return 0;
  pte_t *mem = copy_table(pa);
  if (!mem)
    return 0;
  uint lo, hi;
  zone_bounds(ZONE_NORMAL, &lo, &hi);
  for (uint fn = lo >> PGSHIFT; fn < hi >> PGSHIFT; fn++) {
    if (frames[fn].kind != FRAME_PGTABLE)
      continue;
    pde_t *d = P2V(fn << PGSHIFT);
    if ((d[i] & (PTE_P | PTE_U | PTE_PS)) == (PTE_P | PTE_U) && PTE_ADDR(d[i]) == pa)
      d[i] = V2P(mem) | PTE_FLAGS(d[i]);
  }
  flush_tlb(); // cr3's directory may have cached the old entry
  return (int)V2P(mem);
}

void kmirror_retire(struct mce_event *ev, int user_edge) {
  uint pa = ev->kpa;
  if (!pa || strncmp(ev->kind, "pgtable", 8) != 0 || frame_of(pa)->kind != FRAME_PGTABLE)
    return;
  uint newpa = 0;
  if (pa == V2P(kvm_pgdir()))
    newpa = (uint)retire_kernel_dir(pa);
  else if (frame_of(pa)->owner == 0)
    newpa = (uint)retire_kernel_table(pa);
  else if (user_edge)
    newpa = (uint)retire_user(pa);
  if (!newpa)
    return;            // repaired in place: the line says newpa=0x0
  frame_retire(pa, 0); // never handed out again
  ev->newpa = newpa;
}

// Trap frames from ring 0 whose traps are being handled. A slot is taken
// and given back by the same trap; a machine check that comes while one
// is taken runs to its end first (it only nests), so no lock is needed.
#define NKTRAP 32
static struct trapframe *volatile ktraps[NKTRAP];

// trapentry.S builds a trap's frame natively and copies it to the mirror
// only once it is complete (trap_entry_mirrored). A trap that cuts that
// entry (a machine check, or a timer interrupt cutting a system call's
// entry, whose gate keeps interrupts on) finds the frame of a trap from
// ring 3 alone at the top of its kernel stack, from the cut %esp up: its
// mirror is brought in step here, before a safe point could repair the page
// from the stale mirror or the process be switched out. The entry of a trap
// from ring 0 sits below the interrupted code's words, whose pending mirror
// slots KMIRROR_ENTER itself saves; it is left alone (docs/memv6.md).
extern char trap_vec0[], trap_entry_mirrored[];
#define ENTRY_MAX_BYTES (19 * 4 + 32) // a ring-3 frame and KPENDING (trapentry.S)

static void forward_cut_entry(struct trapframe *tf) {
  uint esp = (uint)&tf->esp, top = PGROUNDDOWN(esp) + PGSIZE;
  if (tf->eip < (uint)trap_vec0 || tf->eip >= (uint)trap_entry_mirrored)
    return;
  if (top - esp > ENTRY_MAX_BYTES)
    return;
  kmirror_sync((const void *)esp, top - esp);
}

int kmirror_trap_enter(struct trapframe *tf) {
  if ((tf->cs & 3) == DPL_USER)
    return -1;
  forward_cut_entry(tf);
  for (int i = 0; i < NKTRAP; i++) {
    if (!ktraps[i]) {
      ktraps[i] = tf;
      return i;
    }
  }
  return -1; // deeper than any nesting this kernel makes: not rolled
}

void kmirror_trap_leave(int slot) {
  if (slot >= 0)
    ktraps[slot] = 0;
}

void kmirror_inflight(const struct mce_event *ev, int n) {
  int repaired = 0;
  for (int i = 0; i < n; i++)
    repaired |= ev[i].kpa != 0;
  if (!repaired)
    return;
  for (int i = 0; i < NKTRAP; i++) {
    struct trapframe *tf = ktraps[i];
    if (tf)
      mce_inflight_ring0(tf, ev, n);
  }
}
