// Machine checks (#MC, vector 18) and what MemV6 does about them.
//
// Boot turns MCA reporting on: CR4.MCE, and MCG_CTL and every bank's
// MCi_CTL all ones (QEMU drops uncorrected errors for disabled banks). The
// handler reads MCG_STATUS and every bank, handles each error with an
// address, and clears the banks and MCG_STATUS.MCIP before returning: QEMU
// turns a second #MC that comes while MCIP is still set into a triple fault.
//
// A #MC is not masked by cli: it can stop the kernel at any instruction,
// with a lock held, a frame's address in a register or a page table half
// built. So the handler itself only reads the banks and queues the failing
// frames (mce_queue; on memv6sys it also repairs the kernel's own frames in
// place, which takes no lock: kmirror_mce.c); recovery (replacing, killing,
// retiring) runs later at a safe point: right away when the interrupted code had interrupts on,
// otherwise where interrupts come back on (intr_on_pop at depth 0, or the
// trap that returns to code with interrupts on). Interrupts-off sections
// are where the kernel changes frames and PTEs in several steps (cow.c,
// dedup.c, vm.c), the same guarantee dedup relies on; at a safe point no
// spinlock is held, so recovery may take locks and allocate. Until then the
// kernel may still read the bad frame: the one path that copies a user
// frame's bytes (a copy-on-write break) looks at the queue afterwards.
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
//   (memv6sys: kernel and page-table frames, and the kernel mirror's
//   frames, are repaired in place from the other copy instead, and kernel
//   code cut inside a mirrored write is rolled: kmirror_mce.c; a page
//   directory or table is then moved to a fresh frame and retired where
//   that is safe: kmirror_retire)
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
#include "mce_inflight.h"
#include "kmirror.h"

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
  write_cr4(read_cr4() | CR4_MCE);
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
static int fix_ptes_at(pde_t *pgdir, uint sz, uint pa, uint newpa, uint off, uint *va) {
  int hits = 0;
  if (!pgdir)
    return 0;
  for (uint v = 0; v < sz;) {
    uint next = (v + (1u << PDXSHIFT)) & ~((1u << PDXSHIFT) - 1);
    pte_t *pte = uvm_pte(pgdir, v + off, 0, 0); // the rest of its table follows
    for (; pte && v < next && v < sz; v += PGSIZE, pte++) {
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

// p's address space, and the one its exec is building (proc.h): a frame
// mapped only there is as much in use as any other.
static int fix_ptes_in(struct proc *p, uint pa, uint newpa, uint off, uint *va) {
  int hits = fix_ptes_at(p->pgdir, p->sz, pa, newpa, off, va);
  uint v = 0;
  int more = fix_ptes_at(p->exec_pgdir, USERTOP, pa, newpa, off, &v);
  if (more && !hits)
    *va = v;
  return hits + more;
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

// Is mpa the mirror frame of native frame npa, linked both ways (mirror.h)?
// Only such a pair may be copied from or repaired.
static int is_pair(uint npa, uint mpa) {
  return npa && mpa && mirror_linked(npa) && mirror_of(npa) == mpa;
}

// A replacement for one half of the pair (npa, mpa), or 0 when the pair is
// not sound or no frame is left. An allocator that ran dry empties the
// image cache, which may have freed the very pair: it is looked at again
// once the frame is taken.
static char *take_for_pair(uint npa, uint mpa, int zone, int kind, int owner) {
  if (!is_pair(npa, mpa))
    return 0;
  char *mem = kalloc_zone_raw(zone, kind, owner);
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
  frame_retire(pa, 0);
  return 1;
}

// Kills every process that maps the user frame pa (native PTEs), or its
// owner when only an address space under construction holds it. A frame
// the image cache alone holds costs nobody anything: its entry is dropped
// and no process dies (ignored). A mapped frame spares its owner if the
// owner no longer maps it: copy-on-write leaves a frame to the child after
// the parent (its owner) copied the page away.
static void kill_mappers(uint pa, struct mce_event *ev) {
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
      proc_kill(p->pid);
  }
  ev->action = "killed";
}

// Retires the frame pa without a replacement, after killing its users; it
// keeps its references, which their address spaces release as they go. A
// native frame's mirror partner is retired with it: nothing frees a mirror
// but its native partner's last release, and a retired frame is never
// freed.
static void kill_users(uint pa, struct mce_event *ev) {
  kill_mappers(pa, ev);
  struct frame *f = frame_of(pa);
  uint mpa = f->kind == FRAME_NATIVE ? f->partner << PGSHIFT : 0;
  if (is_pair(pa, mpa))
    frame_retire(mpa, 0);
  frame_retire(pa, f->refs);
}

// memv6, native frame: the mirror holds the same bytes, if it is still the
// frame's sound partner (a mirror that could not be repaired is unlinked).
// The new frame takes every mapping recovery can find; one it cannot (an
// address space already unhooked from its process and being freed) keeps
// its reference on the retired frame, so both counts stay exact.
static void recover_native(uint pa, struct mce_event *ev) {
  struct frame old = *frame_of(pa);
  uint mpa = old.partner << PGSHIFT;
  char *mem = take_for_pair(pa, mpa, ZONE_NORMAL, FRAME_NATIVE, old.owner);
  if (!mem) {
    if (!freed_meanwhile(pa, ev))
      kill_users(pa, ev);
    return;
  }
  page_copy(mem, P2V(mpa));
  // The exec image cache holds text frames too, possibly mapped nowhere.
  int mapped = fix_ptes(pa, V2P(mem), 0, old.owner, &ev->pid, &ev->va);
  int cached = imgcache_frame_moved(pa, V2P(mem));
  if (!cached && !mapped) {
    // Mapped nowhere recovery can see: a page still being filled.
    kfree(mem);
    kill_users(pa, ev);
    return;
  }
  // Taking the frame may have emptied the image cache: refs is read now.
  uint moved = (uint)mapped + (uint)cached;
  uint refs = frame_of(pa)->refs;
  if (moved > refs)
    panic("mce: more mappings than references");
  *frame_of(V2P(mem)) = (struct frame){
      .kind = FRAME_NATIVE, .refs = moved, .partner = mpa >> PGSHIFT, .owner = old.owner};
  frame_of(mpa)->partner = V2P(mem) >> PGSHIFT;
  frame_retire(pa, refs - moved);
  ev->action = "recovered";
  ev->newpa = V2P(mem);
}

// A mirror frame that cannot be rebuilt: nobody may trust the pair again.
// Every process that maps its native partner is killed (a mirror PTE is
// optional, so the native PTEs are the ones that say who uses the pair),
// and the native frame loses its partner, so no fault, copy or recovery
// reaches the retired frame. A frame without a sound partner has only its
// mirror PTEs to go by.
static void lose_mirror(uint mpa, struct mce_event *ev) {
  uint npa = frame_of(mpa)->partner << PGSHIFT;
  if (is_pair(npa, mpa)) {
    kill_mappers(npa, ev);
    frame_of(npa)->partner = 0;
  } else {
    ev->action = "killed";
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      uint va;
      if (p->state != PSTATE_UNUSED && fix_ptes_in(p, mpa, 0, MIRROR_OFFSET, &va))
        proc_kill(p->pid);
    }
  }
  frame_retire(mpa, 0);
}

// memv6, mirror frame: rebuilt from its native partner. The frame table's
// link is the only way there (mirror PTEs are optional), so it must be
// whole: the native frame names this one back. A shared pair is one native
// frame; every mirror PTE that maps the bad frame moves to the new one.
static void repair_mirror(uint mpa, struct mce_event *ev) {
  struct frame old = *frame_of(mpa);
  uint npa = old.partner << PGSHIFT;
  char *mem = take_for_pair(npa, mpa, ZONE_MIRROR, FRAME_MIRROR, old.owner);
  if (!mem) {
    if (!freed_meanwhile(mpa, ev))
      lose_mirror(mpa, ev);
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
  frame_retire(mpa, 0);
  ev->action = "repaired_mirror";
  ev->newpa = V2P(mem);
}

static void event_init(uint pa, struct mce_event *ev) {
  *ev = (struct mce_event){.pa = pa, .kind = "unmanaged", .action = "ignored"};
}

void mce_recover(uint pa, struct mce_event *ev) {
  event_init(pa, ev);
#if KMIRRORED
  if (kmirror_recover(pa, ev))
    return; // the kernel's own frames and their mirrors (kmirror_mce.c)
#endif
  if (pa >= PHYSTOP)
    return; // not memory this kernel uses
  struct frame *f = frame_of(pa);
  ev->pid = f->owner;
  switch (f->kind) {
  case FRAME_NATIVE:
    ev->kind = "native";
    if (MIRRORED)
      recover_native(pa, ev);
    else
      kill_users(pa, ev);
    return;
  case FRAME_MIRROR:
    ev->kind = "mirror";
    repair_mirror(pa, ev);
    return;
  case FRAME_FREE:
    ev->kind = "free";
    frame_retire(pa, 0); // kalloc drops it when it comes off the free list
    return;
  case FRAME_POISONED:
    ev->kind = "poisoned";
    return;
  case FRAME_PGTABLE:
    ev->kind = "pgtable";
    if (f->owner) {
      kill_users(pa, ev);
      return;
    }
    break;
  default:
    ev->kind = "kernel";
  }
  ev->action = "panic";
}

// The handler's queue: one record per #MC, the frames its banks named.
// Written only by the handler and read only by mce_run (which the handler
// may interrupt, never the other way round): the handler fills the slot
// at tail before it publishes it, and mce_run frees the slot at head only
// after it copied it out.
#define NQUEUE 8
#define NPERCHECK 4
struct mce_check {
  uint pa[NPERCHECK];
  uint n;
  // The frames the handler's stack was on (the trap frame's and its own
  // %esp's), 0 for a self-test: a hit there is the residue (mce_self).
  uint stack[2];
  // memv6sys: frames the handler repaired itself (bit i: pa[i], its event
  // in ev[i]); the safe point only reports them.
  uint repaired;
  struct mce_event ev[NPERCHECK];
  uint cycles[NPERCHECK];
};
static struct mce_check queue[NQUEUE];
static volatile uint head, tail;
volatile uint mce_queued; // tail - head, for a cheap test at safe points

// The cycles field is the recovery's own cost (docs/serial-protocol.md).
static void print_event(const struct mce_event *ev, uint cycles) {
  kmachine("@mce pa=%p kind=%s pid=%d va=%p action=%s newpa=%p cycles=%u", ev->pa, ev->kind,
           ev->pid, ev->va, ev->action, ev->newpa, cycles);
}

#if KMIRRORED
// The #MC handler's own data: what it reads before any recovery can run
// (its queue and bank count, the IDT that reaches it, the ring-0 resume
// block of trapentry.S). With its stack, the irreducible residue: on real
// hardware the handler would consume the error before repairing it.
extern char kresume_flags[];
static int handler_data(uint pa) {
  const void *const data[] = {queue,
                              &queue[NQUEUE - 1],
                              (const void *)&head,
                              (const void *)&tail,
                              (const void *)&mce_queued,
                              &mca_banks,
                              trap_idt(),
                              kresume_flags};
  for (uint i = 0; i < NELEM(data); i++)
    if (PGROUNDDOWN(V2P(data[i])) == pa)
      return 1;
  return 0;
}

// A repaired kernel frame the handler itself used is reported as the
// residue, so that campaigns can count it.
static void name_residue(const struct mce_check *c, struct mce_event *ev) {
  uint pa = ev->kpa;
  if (!pa || ev->action[0] != 'r' || strncmp(ev->kind, "kmirror", 8) == 0)
    return;
  // A real check's frames of the stack recovery runs on: their live words
  // have no mirror (kmirror_unmirrored), whichever stack the check hit.
  int running = c->stack[0] && kmirror_running_stack(pa);
  if (pa == c->stack[0] || pa == c->stack[1] || running || handler_data(pa))
    ev->kind = "mce_self";
}
#endif

#if KMIRRORED
// Set while mce_run runs at the running process's crossing to user mode.
static int at_user_edge;

void mce_run_user(void) {
  at_user_edge = 1;
  mce_run();
  at_user_edge = 0;
}
#endif

static void run_check(const struct mce_check *c) {
  struct mce_event ev[NPERCHECK];
  for (uint i = 0; i < c->n; i++) {
    uint64 t0 = rdtsc();
    if (c->repaired & (1u << i))
      ev[i] = c->ev[i];
    else
      mce_recover(c->pa[i], &ev[i]);
#if KMIRRORED
    name_residue(c, &ev[i]);
    // A page directory or page table repaired in place moves to a fresh
    // frame where nothing can still point at the old one (kmirror_mce.c).
    kmirror_retire(&ev[i], at_user_edge);
    uint cycles = (uint)(rdtsc() - t0) + (c->repaired & (1u << i) ? c->cycles[i] : 0);
#else
    uint cycles = c->repaired & (1u << i) ? c->cycles[i] : (uint)(rdtsc() - t0);
#endif
    print_event(&ev[i], cycles);
    if (ev[i].action[0] == 'p')
      panic("machine check: unrecoverable");
    if (c->repaired & (1u << i))
      ev[i].kpa = 0; // rolled in the handler already
  }
  // User code cut inside a mirrored write goes to one of its ends.
  mce_inflight(ev, (int)c->n);
#if KMIRRORED
  kmirror_inflight(ev, (int)c->n); // kernel code cut the same way
#endif
  mce_done();
}

#if KMIRRORED
// The kernel's own frames are repaired in place, word by word, without a
// lock or an allocation (kmirror_mce.c), so the handler does it before it
// returns: code it cut with interrupts off (a spin lock held) would
// otherwise go on reading the bad words until the next safe point. The
// code this trap cut is rolled now, while its frame is registered.
static void repair_kernel_now(struct mce_check *c) {
  for (uint i = 0; i < c->n; i++) {
    uint64 t0 = rdtsc();
    event_init(c->pa[i], &c->ev[i]);
    if (kmirror_recover(c->pa[i], &c->ev[i]))
      c->repaired |= 1u << i;
    c->cycles[i] = (uint)(rdtsc() - t0);
  }
  if (c->repaired)
    kmirror_inflight(c->ev, (int)c->n);
}
#endif

void mce_run(void) {
  // Interrupts off: a device interrupt must not run a second recovery in
  // the middle of this one (the handler only appends to the queue).
  intr_off_push();
  while (head != tail) {
    struct mce_check c = queue[head % NQUEUE];
    __asm__ volatile("" ::: "memory"); // copied before the slot is freed
    head = head + 1;
    mce_queued = tail - head;
    run_check(&c);
  }
  intr_on_pop();
}

static int push_check(const struct mce_check *c) {
  if (tail - head >= NQUEUE)
    return -1;
  queue[tail % NQUEUE] = *c;
  __asm__ volatile("" ::: "memory"); // filled before it is published
  tail = tail + 1;
  mce_queued = tail - head;
  return 0;
}

int mce_queue(uint pa) {
  struct mce_check c = {.pa = {pa}, .n = 1};
  return push_check(&c);
}

int mce_pending(uint pa) {
  for (uint i = head; i != tail; i++) {
    const struct mce_check *c = &queue[i % NQUEUE];
    for (uint k = 0; k < c->n; k++) {
      if (c->pa[k] == pa)
        return 1;
    }
  }
  return 0;
}

// Cold and its own symbol: the harness puts a breakpoint here to learn that
// a machine check has been handled (docs/serial-protocol.md), and TCG single-
// steps every instruction on a page with a breakpoint.
HARNESS_HOOK void mce_done(void) {
  __asm__ volatile("" ::: "memory"); // not folded away: the harness needs the call
}

void mce_trap(struct trapframe *tf) {
  uint64 mcg = rdmsr(MSR_MCG_STATUS);
  int fatal = 0;
  uint esp;
  __asm__ volatile("movl %%esp, %0" : "=r"(esp));
  struct mce_check c = {.n = 0, .stack = {PGROUNDDOWN(V2P(tf)), PGROUNDDOWN(V2P(esp))}};
  for (uint i = 0; i < mca_banks; i++) {
    uint64 st = rdmsr(MSR_MC_STATUS(i));
    if (!(st & MC_STATUS_VALID))
      continue;
    if ((st & MC_STATUS_ADDRV) && c.n < NPERCHECK)
      c.pa[c.n++] = PGROUNDDOWN((uint)rdmsr(MSR_MC_ADDR(i)));
    else
      fatal = 1; // an error we cannot place
    wrmsr(MSR_MC_STATUS(i), 0);
  }
  wrmsr(MSR_MCG_STATUS, 0);
  struct proc *p = myproc();
  // Without RIPV the interrupted instruction stream cannot go on.
  if (!(mcg & MCG_STATUS_RIPV) && (tf->cs & 3) == DPL_USER && p)
    p->killed = 1;
  else if (!(mcg & MCG_STATUS_RIPV))
    fatal = 1;
  if (fatal)
    panic("machine check: unrecoverable");
#if KMIRRORED
  repair_kernel_now(&c);
#endif
  if (push_check(&c) < 0)
    panic("machine check: unrecoverable");
  // Code that ran with interrupts on was at a safe point; so was code with
  // interrupts off outside every push/pop section (trap entry and return,
  // the edges of a section): it holds no lock and is changing no frame.
  // Waiting there would let the process read the bad frame before its
  // recovery (the iret after a timer's yield).
  if ((tf->eflags & EFLAGS_IF) || mycpu()->intr_depth == 0) {
#if KMIRRORED
    if ((tf->cs & 3) == DPL_USER) {
      mce_run_user(); // the check cut user code: no kernel code under way
      return;
    }
#endif
    mce_run();
  }
}
