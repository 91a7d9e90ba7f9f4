// Machine checks (#MC, vector 18) and what MemV6 does about them.
//
// Boot turns MCA reporting on: CR4.MCE, and MCG_CTL and every bank's
// MCi_CTL all ones (QEMU drops uncorrected errors for disabled banks). The
// handler reads MCG_STATUS and every bank, handles each error with an
// address, and clears the banks and MCG_STATUS.MCIP before returning: QEMU
// turns a second #MC that comes while MCIP is still set into a triple fault.
//
// The handler runs with interrupts off on the only CPU. It may interrupt
// code that holds a spinlock (the frame allocator's, the console's), so it
// takes locks only when the interrupted code had interrupts on: then it held
// none. Otherwise it uses spare frames and defers its serial line.
//
// Policy per kind of frame (frame table, kalloc.h):
//   native  memv6: new frame copied from the mirror, every PTE that mapped
//           the bad frame rewritten (and the exec image cache's hold on
//           it moved), TLB flushed, process resumes (recovered); native
//           build: every process mapping it is killed
//   (any frame retired without a replacement: the image cache entry
//   holding it, if any, is never used again)
//   mirror  new mirror frame copied from its native partner, present mirror
//           PTEs rewritten (repaired_mirror)
//   pgtable of a process: the process is killed; the kernel's own: panic
//   kernel  panic: the kernel cannot vouch for its own state
//   free    retired where it lies, nothing else to do (ignored)
// A bad frame is always marked FRAME_POISONED and never handed out again.
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
#include "vm.h"
#include "mirror.h"
#include "mce.h"
#include "imgcache.h"

#define CPUID_MCE (1u << 7)
#define CPUID_MCA (1u << 14)
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MC_CTL(i) (0x400 + 4 * (i))
#define MSR_MC_STATUS(i) (0x401 + 4 * (i))
#define MSR_MC_ADDR(i) (0x402 + 4 * (i))
#define MCG_CTL_PRESENT (1u << 8)
#define MCG_STATUS_RIPV 1ull // the interrupted code can be resumed
#define MC_STATUS_VALID (1ull << 63)
#define MC_STATUS_ADDRV (1ull << 58)

static uint mca_banks;

// Spare frames for handlers that may not take the allocator's lock.
#define NSPARE 2
static void *spares[NZONES][NSPARE];

static void refill_spares(void) {
  for (int z = 0; z < NZONES; z++) {
    for (int i = 0; i < NSPARE; i++) {
      if (!spares[z][i] && (z == ZONE_NORMAL || MIRRORED))
        spares[z][i] = kalloc_zone_raw(z, FRAME_KERNEL, 0);
    }
  }
}

void mce_init(void) {
  uint a, b, c, d;
  cpuid(1, &a, &b, &c, &d);
  if (!(d & CPUID_MCE))
    return;
  if (d & CPUID_MCA) {
    uint cap = (uint)rdmsr(MSR_MCG_CAP);
    mca_banks = cap & 0xff;
    if (cap & MCG_CTL_PRESENT)
      wrmsr(MSR_MCG_CTL, ~0ull);
    for (uint i = 0; i < mca_banks; i++) {
      wrmsr(MSR_MC_CTL(i), ~0ull);
      wrmsr(MSR_MC_STATUS(i), 0);
    }
  }
  refill_spares();
  write_cr4(read_cr4() | CR4_MCE);
}

// An unzeroed frame of zone (the caller overwrites all of it), or 0.
static void *take_frame(int zone, int kind, int owner, int may_lock) {
  if (may_lock)
    return kalloc_zone_raw(zone, kind, owner);
  for (int i = 0; i < NSPARE; i++) {
    void *f = spares[zone][i];
    if (f) {
      spares[zone][i] = 0;
      *frame_of(V2P(f)) = (struct frame){.kind = kind, .refs = 1, .owner = owner};
      return f;
    }
  }
  return 0;
}

static struct proc *proc_of(int pid) {
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (pid > 0 && p->pid == pid && p->state != PSTATE_UNUSED)
      return p;
  }
  return 0;
}

static void flush_tlb(void) {
  uint cr3;
  __asm__ volatile("movl %%cr3, %0; movl %0, %%cr3" : "=r"(cr3) : : "memory");
}

// Rewrites p's PTEs in [off, off + sz) that map pa to newpa (or, with newpa
// 0, only counts them); the first hit's user va goes to *va. The walk goes
// a page table at a time (recovery has a cycle budget); off is a multiple
// of 4 MiB, so page tables cover the same user pages at either offset.
static int fix_ptes_in(struct proc *p, uint pa, uint newpa, uint off, uint *va) {
  int hits = 0;
  if (!p->pgdir)
    return 0;
  for (uint v = 0; v < p->sz;) {
    uint next = (v + (1u << PDXSHIFT)) & ~((1u << PDXSHIFT) - 1);
    pte_t *pte = uvm_pte(p->pgdir, v + off, 0, 0); // the rest of its table follows
    for (; pte && v < next && v < p->sz; v += PGSIZE, pte++) {
      if ((*pte & PTE_P) && PTE_ADDR(*pte) == pa) {
        if (newpa)
          *pte = newpa | PTE_FLAGS(*pte);
        if (!hits++)
          *va = v;
      }
    }
    v = next;
  }
  return hits;
}

// Every address space that maps pa, the owner's first, until refs mappings
// are found (a native frame's refs: all of them; a mirror frame has at most
// as many mirror PTEs as its native partner has mappings). Returns the number found; *pid
// and *va name the first.
static int fix_ptes_upto(uint pa, uint newpa, uint off, int owner, int refs, int *pid, uint *va) {
  int hits = 0;
  struct proc *first = proc_of(owner);
  if (first && (hits = fix_ptes_in(first, pa, newpa, off, va)) > 0)
    *pid = owner;
  for (struct proc *p = procs; p < &procs[NPROC] && hits < refs; p++) {
    if (p == first || p->state == PSTATE_UNUSED)
      continue;
    int n = fix_ptes_in(p, pa, newpa, off, va);
    if (n && !hits)
      *pid = p->pid;
    hits += n;
  }
  if (newpa && hits)
    flush_tlb();
  return hits;
}

static int fix_ptes(uint pa, uint newpa, uint off, int owner, int *pid, uint *va) {
  return fix_ptes_upto(pa, newpa, off, owner, frame_of(pa)->refs, pid, va);
}

static void kill_pid(int pid, int may_lock) {
  struct proc *p = proc_of(pid);
  if (!p)
    return;
  if (may_lock)
    proc_kill(pid); // also wakes it if it sleeps
  else
    p->killed = 1; // it notices at its next crossing into user mode
}

// A free frame stays linked in its free list (the handler may not take the
// allocator's lock): kalloc drops it when it reaches the head.
static void poison(uint pa) {
  struct frame *f = frame_of(pa);
  *f = (struct frame){.kind = FRAME_POISONED, .owner = f->owner, .next_free = f->next_free};
}

// Is mpa the mirror frame of native frame npa, linked both ways (mirror.h)?
// Only such a pair may be copied from or repaired.
static int is_pair(uint npa, uint mpa) {
  return npa && mpa && mirror_linked(npa) && mirror_of(npa) == mpa;
}

// A replacement for one half of the pair (npa, mpa), or 0 when the pair is
// not sound or no frame is left. An allocator that ran dry empties the
// image cache, which may have freed the very pair: it is looked at again
// once the frame is taken.
static char *take_for_pair(uint npa, uint mpa, int zone, int kind, int owner, int may_lock) {
  if (!is_pair(npa, mpa))
    return 0;
  char *mem = take_frame(zone, kind, owner, may_lock);
  if (mem && !is_pair(npa, mpa)) {
    kfree(mem);
    return 0;
  }
  return mem;
}

// The bad frame pa went back to its zone while recovery took a frame (the
// image cache held it and was emptied): retired, and nothing else to do.
static int freed_meanwhile(uint pa, struct mce_event *ev) {
  if (frame_of(pa)->kind != FRAME_FREE)
    return 0;
  ev->kind = "free";
  poison(pa);
  return 1;
}

// Kills every process that maps the user frame pa (native PTEs), or its
// owner when only an address space under construction holds it. A frame
// the image cache alone holds costs nobody anything: its entry is dropped
// and no process dies (ignored). A mapped frame spares its owner if the
// owner no longer maps it: copy-on-write leaves a frame to the child after
// the parent (its owner) copied the page away.
static void kill_mappers(uint pa, int may_lock, struct mce_event *ev) {
  struct frame *f = frame_of(pa);
  int cached = imgcache_frame_lost(pa);
  ev->pid = f->owner;
  int mapped = fix_ptes(pa, 0, 0, f->owner, &ev->pid, &ev->va);
  if (!mapped && cached) {
    ev->pid = 0;
    ev->action = "ignored";
    return;
  }
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    uint va;
    if (p->state != PSTATE_UNUSED &&
        ((!mapped && p->pid == f->owner) || fix_ptes_in(p, pa, 0, 0, &va)))
      kill_pid(p->pid, may_lock);
  }
  ev->action = "killed";
}

// Retires the frame pa without a replacement, after killing its users. A
// native frame's mirror partner is retired with it: frame_release skips a
// poisoned frame, so the mirror would otherwise never be freed, and the
// handler may not take the mirror zone's lock to free it now. It is counted
// as poisoned, like the bad frame.
static void kill_users(uint pa, int may_lock, struct mce_event *ev) {
  kill_mappers(pa, may_lock, ev);
  struct frame *f = frame_of(pa);
  uint mpa = f->kind == FRAME_NATIVE ? f->partner << PGSHIFT : 0;
  if (is_pair(pa, mpa))
    poison(mpa);
  poison(pa);
}

// memv6, native frame: the mirror holds the same bytes, if it is still the
// frame's sound partner (a mirror that could not be repaired is unlinked).
static void recover_native(uint pa, int may_lock, struct mce_event *ev) {
  struct frame old = *frame_of(pa);
  uint mpa = old.partner << PGSHIFT;
  char *mem = take_for_pair(pa, mpa, ZONE_NORMAL, FRAME_NATIVE, old.owner, may_lock);
  if (!mem) {
    if (!freed_meanwhile(pa, ev))
      kill_users(pa, may_lock, ev);
    return;
  }
  old.refs = frame_of(pa)->refs; // taking the frame may have emptied the image cache
  page_copy(mem, P2V(mpa));
  // The exec image cache holds text frames too, possibly mapped nowhere.
  int mapped = fix_ptes(pa, V2P(mem), 0, old.owner, &ev->pid, &ev->va);
  if (!imgcache_frame_moved(pa, V2P(mem)) && !mapped) {
    // Not mapped anywhere yet: an image exec or fork is still building.
    kfree(mem);
    kill_users(pa, may_lock, ev);
    return;
  }
  *frame_of(V2P(mem)) = (struct frame){
      .kind = FRAME_NATIVE, .refs = old.refs, .partner = mpa >> PGSHIFT, .owner = old.owner};
  frame_of(mpa)->partner = V2P(mem) >> PGSHIFT;
  poison(pa);
  ev->action = "recovered";
  ev->newpa = V2P(mem);
}

// A mirror frame that cannot be rebuilt: nobody may trust the pair again.
// Every process that maps its native partner is killed (a mirror PTE is
// optional, so the native PTEs are the ones that say who uses the pair),
// and the native frame loses its partner, so no fault, copy or recovery
// reaches the retired frame. A frame without a sound partner has only its
// mirror PTEs to go by.
static void lose_mirror(uint mpa, int may_lock, struct mce_event *ev) {
  uint npa = frame_of(mpa)->partner << PGSHIFT;
  if (is_pair(npa, mpa)) {
    kill_mappers(npa, may_lock, ev);
    frame_of(npa)->partner = 0;
  } else {
    ev->action = "killed";
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      uint va;
      if (p->state != PSTATE_UNUSED && fix_ptes_in(p, mpa, 0, MIRROR_OFFSET, &va))
        kill_pid(p->pid, may_lock);
    }
  }
  poison(mpa);
}

// memv6, mirror frame: rebuilt from its native partner. The frame table's
// link is the only way there (mirror PTEs are optional), so it must be
// whole: the native frame names this one back. A shared pair is one native
// frame; every mirror PTE that maps the bad frame moves to the new one.
static void repair_mirror(uint mpa, int may_lock, struct mce_event *ev) {
  struct frame old = *frame_of(mpa);
  uint npa = old.partner << PGSHIFT;
  char *mem = take_for_pair(npa, mpa, ZONE_MIRROR, FRAME_MIRROR, old.owner, may_lock);
  if (!mem) {
    if (!freed_meanwhile(mpa, ev))
      lose_mirror(mpa, may_lock, ev);
    return;
  }
  struct frame *nf = frame_of(npa);
  page_copy(mem, P2V(npa));
  *frame_of(V2P(mem)) = (struct frame){
      .kind = FRAME_MIRROR, .refs = 1, .partner = npa >> PGSHIFT, .owner = old.owner};
  nf->partner = V2P(mem) >> PGSHIFT;
  // The report names a process and page that use the pair: one that maps
  // the native frame (it need not have made the mirror PTE yet).
  fix_ptes_upto(npa, 0, 0, old.owner, 1, &ev->pid, &ev->va);
  int pid;
  uint va;
  fix_ptes_upto(mpa, V2P(mem), MIRROR_OFFSET, old.owner, nf->refs, &pid, &va);
  poison(mpa);
  ev->action = "repaired_mirror";
  ev->newpa = V2P(mem);
}

void mce_recover(uint pa, int may_lock, struct mce_event *ev) {
  *ev = (struct mce_event){.pa = pa, .kind = "unmanaged", .action = "ignored"};
  if (pa >= PHYSTOP)
    return; // not memory this kernel uses
  struct frame *f = frame_of(pa);
  ev->pid = f->owner;
  switch (f->kind) {
  case FRAME_NATIVE:
    ev->kind = "native";
    if (MIRRORED)
      recover_native(pa, may_lock, ev);
    else
      kill_users(pa, may_lock, ev);
    return;
  case FRAME_MIRROR:
    ev->kind = "mirror";
    repair_mirror(pa, may_lock, ev);
    return;
  case FRAME_FREE:
    ev->kind = "free";
    poison(pa); // kalloc drops it when it comes off the free list
    return;
  case FRAME_POISONED:
    ev->kind = "poisoned";
    return;
  case FRAME_PGTABLE:
    ev->kind = "pgtable";
    if (f->owner) {
      kill_users(pa, may_lock, ev);
      return;
    }
    break;
  default:
    ev->kind = "kernel";
  }
  ev->action = "panic";
}

// Lines a handler could not print: the console lock may have been held.
#define NPENDING 4
static struct {
  struct mce_event ev;
  uint cycles;
} pending[NPENDING];
static int npending;

static void print_event(const struct mce_event *ev, uint cycles) {
  kprintf("@mce pa=%p kind=%s pid=%d va=%p action=%s newpa=%p cycles=%u\n", ev->pa, ev->kind,
          ev->pid, ev->va, ev->action, ev->newpa, cycles);
}

void mce_report(const struct mce_event *ev, uint cycles, int may_lock) {
  if (may_lock) {
    print_event(ev, cycles);
  } else if (npending < NPENDING) {
    pending[npending].ev = *ev;
    pending[npending++].cycles = cycles;
  }
}

void mce_flush(void) {
  if (!npending)
    return;
  intr_off_push();
  for (int i = 0; i < npending; i++)
    print_event(&pending[i].ev, pending[i].cycles);
  npending = 0;
  intr_on_pop();
  refill_spares();
}

void mce_trap(struct trapframe *tf) {
  uint64 t0 = rdtsc();
  int may_lock = (tf->eflags & EFLAGS_IF) != 0;
  uint64 mcg = rdmsr(MSR_MCG_STATUS);
  struct mce_event ev[4];
  int n = 0, fatal = 0;
  for (uint i = 0; i < mca_banks; i++) {
    uint64 st = rdmsr(MSR_MC_STATUS(i));
    if (!(st & MC_STATUS_VALID))
      continue;
    if ((st & MC_STATUS_ADDRV) && n < (int)NELEM(ev)) {
      mce_recover(PGROUNDDOWN((uint)rdmsr(MSR_MC_ADDR(i))), may_lock, &ev[n]);
      fatal |= ev[n++].action[0] == 'p';
    } else {
      fatal = 1; // an error we cannot place
    }
    wrmsr(MSR_MC_STATUS(i), 0);
  }
  wrmsr(MSR_MCG_STATUS, 0);
  uint cycles = (uint)(rdtsc() - t0);
  for (int i = 0; i < n; i++)
    mce_report(&ev[i], cycles, may_lock);
  struct proc *p = myproc();
  // Without RIPV the interrupted instruction stream cannot go on.
  if (!(mcg & MCG_STATUS_RIPV) && (tf->cs & 3) == DPL_USER && p)
    p->killed = 1;
  else if (!(mcg & MCG_STATUS_RIPV))
    fatal = 1;
  if (fatal) {
    mce_flush();
    panic("machine check: unrecoverable");
  }
}
