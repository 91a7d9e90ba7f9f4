// Machine checks inside a mirrored write (mce_inflight.h, docs/memv6.md).
// Runs in recovery right after the bad frames were replaced; it never
// faults (user memory is reached through the page tables).
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
#include "syscall.h"
#include "vm.h"
#include "mirror.h"
#include "mptable.h"
#include "mce_inflight.h"

// Code cut by a trap: user code (its address space, pgdir, and its last
// user trap frame) or, on memv6sys, kernel code (pgdir 0, a trap frame from
// ring 0 that kmirror_inflight found). One mechanism for both: only how
// memory, the table and %esp are reached differs.
struct cut {
  pde_t *pgdir;
  struct trapframe *tf;
};

// A ring-0 trap frame has no %esp of its own: the interrupted %esp is just
// above it, and trapentry.S resumes at the %esp pushal saved (kesp) plus
// the distance from there to that point (the gs to eflags words).
#define RING0_ESP_FROM_KESP (5 * 4 + 4 * 4)

static uint esp_of(const struct cut *c) {
  return c->pgdir ? c->tf->esp : c->tf->kesp + RING0_ESP_FROM_KESP;
}

static void set_esp(struct cut *c, uint esp) {
  if (c->pgdir)
    c->tf->esp = esp;
  else
    c->tf->kesp = esp - RING0_ESP_FROM_KESP;
}

// The kernel's own memory a kernel sequence may touch: the direct map of
// the normal zone. The 32 bytes below the interrupted %esp hold the trap
// frame now (their words are put back on return, trapentry.S): not read
// or written here.
static char *kernel_at(const struct cut *c, uint va) {
  uint esp = esp_of(c);
  if (va < KERNBASE + EXTMEM || va >= KERNBASE + MIRROR_ZONE_BASE || (va < esp && va >= esp - 32))
    return 0;
  return (char *)va;
}

// The kernel address of the native byte at va, or 0 when its page is not
// present for the user (user code) or not the kernel's (kernel code).
static char *native_at(const struct cut *c, uint va) {
  if (!c->pgdir)
    return kernel_at(c, va);
  pte_t *pte = uvm_pte(c->pgdir, PGROUNDDOWN(va), 0, 0);
  if (!pte || (*pte & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  return (char *)P2V(PTE_ADDR(*pte)) + (va & (PGSIZE - 1));
}

// The kernel address of the mirror byte of user va, or 0 without a sound pair.
static char *mirror_at(const struct cut *c, uint va) {
  char *nat = native_at(c, va);
  if (!nat || !mirror_linked(V2P(nat) & ~(PGSIZE - 1)))
    return 0;
  return (char *)P2V(mirror_of(V2P(nat) & ~(PGSIZE - 1))) + (va & (PGSIZE - 1));
}

// Reads up to n bytes at va: how many could be read.
static uint read_upto(const struct cut *c, uint va, void *dst, uint n) {
  for (uint i = 0; i < n; i++) {
    const char *p = native_at(c, va + i);
    if (!p)
      return i;
    ((char *)dst)[i] = *p;
  }
  return n;
}

static int read_at(const struct cut *c, uint va, void *dst, uint n) {
  return read_upto(c, va, dst, n) == n ? 0 : -1;
}

// A kernel byte from one copy to the other. Only memv6sys runs kernel
// cuts, and there this file is translated: a store to the native byte is
// repeated at its mirror, so storing the native byte back copies it to the
// mirror, and storing the mirror's byte at native sets both.
static void sync_kernel_byte(volatile char *nat, int to_mirror) {
  if (to_mirror) {
    char v = *nat;
    *nat = v;
  } else
    *nat = *(volatile char *)((uint)nat + MIRROR_OFFSET);
}

// Copies [va, va + n) from native to mirror (to_mirror) or back, byte by
// byte (the range may cross a page). -1 if a byte has no sound pair.
static int sync_bytes(const struct cut *c, uint va, uint n, int to_mirror) {
  for (uint i = 0; i < n; i++) {
    if (!c->pgdir) {
      char *nat = native_at(c, va + i);
      if (!nat)
        return -1;
      sync_kernel_byte(nat, to_mirror);
      continue;
    }
    char *nat = native_at(c, va + i), *mir = mirror_at(c, va + i);
    if (!nat || !mir)
      return -1;
    if (to_mirror)
      *mir = *nat;
    else
      *nat = *mir;
  }
  return 0;
}

// The table's bytes in p's memory, one page-table walk per page.
struct table_bytes {
  const struct cut *c;
  uint start;
  uint page_va; // the page that page maps, 1 before the first
  const char *page;
};

static int table_byte(void *arg, unsigned i) {
  struct table_bytes *t = arg;
  uint va = t->start + i;
  if (PGROUNDDOWN(va) != t->page_va) {
    t->page_va = PGROUNDDOWN(va);
    t->page = native_at(t->c, t->page_va);
  }
  return t->page ? (unsigned char)t->page[va & (PGSIZE - 1)] : -1;
}

// The entry of p's table that covers eip; 0 if none. The table is found
// through the header at MPT_HEADER_VA and must lie inside the image.
static int find_entry(struct proc *p, const struct cut *c, uint eip, struct mpt_entry *e) {
  uint h[3];
  if (read_at(c, MPT_HEADER_VA, h, sizeof h) < 0 || h[0] != MPT_MAGIC)
    return 0;
  uint start = h[1], end = h[2];
  if (start > end || end > p->sz)
    return 0;
  struct table_bytes t = {c, start, 1, 0};
  return mpt_find(table_byte, &t, end - start, eip, e) == 1;
}

// memv6sys: the kernel's own table, which the linker put between these
// symbols (kernel.ld); the translated kernel's code lies below it.
extern const unsigned char kmpt_start[], kmpt_end[];

static int kernel_table_byte(void *arg, unsigned i) {
  return ((const unsigned char *)arg)[i];
}

static int find_kernel_entry(uint eip, struct mpt_entry *e) {
  if (eip < KERNLINK || eip >= (uint)kmpt_start)
    return 0;
  uint n = (uint)kmpt_end - (uint)kmpt_start; // two linker symbols, one section
  return mpt_find(kernel_table_byte, (void *)kmpt_start, n, eip, e) == 1;
}

// Whether this #MC left the native bytes of a page of [a, a + w) as the
// mirror had them: it replaced the page's native frame by a copy of the
// mirror (user memory), or rewrote the kernel frame's native copy from its
// mirror in place (memv6sys).
static int native_replaced(const struct cut *c, uint a, int w, const struct mce_event *ev, int n) {
  for (int i = 0; i < n; i++) {
    for (uint va = PGROUNDDOWN(a); va < a + (uint)w; va += PGSIZE) {
      const char *nat = native_at(c, va);
      if (!nat)
        continue;
      if (!c->pgdir && ev[i].kpa && strncmp(ev[i].kind, "kmirror", 8) != 0 && V2P(nat) == ev[i].kpa)
        return 1;
      if (c->pgdir && ev[i].kind[0] == 'n' && ev[i].newpa && V2P(nat) == ev[i].newpa)
        return 1;
    }
  }
  return 0;
}

// What mpt_roll reaches the cut's memory through: the cut and this check's events.
struct roll_ctx {
  const struct cut *c;
  const struct mce_event *ev;
  int n;
};

static unsigned roll_read(void *arg, unsigned long va, void *dst, unsigned n) {
  return read_upto(((struct roll_ctx *)arg)->c, va, dst, n);
}

static int roll_sync(void *arg, unsigned long va, unsigned n, int to_mirror) {
  return sync_bytes(((struct roll_ctx *)arg)->c, va, n, to_mirror);
}

static int roll_native_replaced(void *arg, unsigned long a, int w) {
  struct roll_ctx *x = arg;
  return native_replaced(x->c, a, w, x->ev, x->n);
}

// Code cut inside the sequence e: to one of its ends (mptable.c's rule),
// with the trap frame's registers, flags and %esp.
static void roll(struct cut *c, const struct mpt_entry *e, const struct mce_event *ev, int n) {
  struct trapframe *tf = c->tf;
  struct roll_ctx x = {c, ev, n};
  struct mpt_cut m = {
      .r = {tf->eax, tf->ecx, tf->edx, tf->ebx, esp_of(c), tf->ebp, tf->esi, tf->edi},
      .eip = tf->eip,
      .eflags = tf->eflags,
      .arch = MPT_I386,
      .arg = &x,
      .read = roll_read,
      .sync = roll_sync,
      .native_replaced = roll_native_replaced};
  if (!mpt_roll(&m, e, MIRROR_OFFSET))
    return;
  tf->eax = m.r[0], tf->ecx = m.r[1], tf->edx = m.r[2], tf->ebx = m.r[3];
  tf->ebp = m.r[5], tf->esi = m.r[6], tf->edi = m.r[7];
  tf->eip = m.eip;
  tf->eflags = m.eflags;
  set_esp(c, m.r[MPT_ESP]);
}

// p's user code, if it stopped inside a sequence.
static void fix_process(struct proc *p, const struct mce_event *ev, int n) {
  struct cut c = {p->pgdir, p->tf};
  struct mpt_entry e;
  // A system call's EIP is right after its int, which is in no sequence:
  // only a process cut by an interrupt or a fault needs the table.
  if (!c.pgdir || !c.tf || (c.tf->cs & 3) != DPL_USER || c.tf->trapno == T_SYSCALL ||
      !find_entry(p, &c, c.tf->eip, &e))
    return;
  roll(&c, &e, ev, n);
}

void mce_inflight(const struct mce_event *ev, int n) {
  int replaced = 0;
  for (int i = 0; i < n; i++)
    replaced |= ev[i].newpa != 0;
  if (!replaced)
    return;
  // Any process may have been cut inside a sequence (preempted there, or
  // trapped on one of its instructions); only these have a trap frame.
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p->state == PSTATE_RUNNABLE || p->state == PSTATE_RUNNING || p->state == PSTATE_SLEEPING)
      fix_process(p, ev, n);
  }
}

void mce_inflight_ring0(struct trapframe *tf, const struct mce_event *ev, int n) {
  struct cut c = {0, tf};
  struct mpt_entry e;
  if ((tf->cs & 3) == DPL_USER || !find_kernel_entry(tf->eip, &e))
    return;
  roll(&c, &e, ev, n);
}
