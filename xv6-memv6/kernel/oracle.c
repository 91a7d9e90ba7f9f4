// The mirror oracle. What it compares, and what it leaves out:
// - every page in [0, sz) that user code can reach (PTE_U); the guard page
//   is skipped, nothing may write it;
// - dead stack: the bytes of the stack (the USTACKPAGES pages right above
//   the guard) below the process's saved user esp. Translated code uses the
//   slots just below esp as scratch without mirroring them, and nothing
//   live is stored there;
// - only processes whose last entry from user mode was a system call (or
//   the caller itself). A process the timer interrupted in user mode may be
//   between a store and its mirror store, so comparing it proves nothing.
// The native page is compared with its mirror frame, found through the
// frame table (the native frame names it as its partner), not through the
// mirror PTE, which is optional. The page counts as wholly mismatched when
// the pair is not whole (partners naming each other, the mirror not
// counted: refs 1) or its mirror PTE breaks the rule of mirror.h: a present
// mirror PTE maps the partner; a writable native PTE has a present,
// writable mirror PTE; a read-only one has none or a read-only one.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "syscall.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "proc.h"
#include "trap.h"
#include "vm.h"
#include "mirror.h"
#include "oracle.h"
#include "kmirror.h"

struct oracle_run {
  int pid;      // the process being compared
  uint dead_lo; // [dead_lo, dead_hi): dead stack, not compared
  uint dead_hi;
  uint pages;    // pages compared
  uint mismatch; // bytes that differ
  int lines;     // mismatch lines printed so far
};

// Every trap from user mode builds its frame at the top of the kernel
// stack, so this is the user state the process last left behind.
static struct trapframe *user_frame(struct proc *p) {
  return (struct trapframe *)(p->kstack + KSTACKSIZE) - 1;
}

static void report(struct oracle_run *r, uint va, const char *native, const char *mirror) {
  if (r->lines++ >= ORACLE_MAX_LINES)
    return;
  kmachine("@oracle pid=%d va=%p native=%s mirror=%s", r->pid, va, native, mirror);
}

static void hex_byte(char *out, uchar b) {
  out[0] = '0';
  out[1] = 'x';
  out[2] = "0123456789abcdef"[b >> 4];
  out[3] = "0123456789abcdef"[b & 15];
  out[4] = 0;
}

static void compare_bytes(struct oracle_run *r, uint va, const uchar *n, const uchar *m, uint len) {
  for (uint i = 0; i < len; i++) {
    if (n[i] == m[i] || (va + i >= r->dead_lo && va + i < r->dead_hi))
      continue;
    r->mismatch++;
    char a[5], b[5];
    hex_byte(a, n[i]);
    hex_byte(b, m[i]);
    report(r, va + i, a, b);
  }
}

// Word-wise first: pages nearly always agree.
static void compare_page(struct oracle_run *r, uint va, const uint *n, const uint *m) {
  for (uint w = 0; w < PGSIZE / 4; w++) {
    if (n[w] != m[w])
      compare_bytes(r, va + 4 * w, (const uchar *)&n[w], (const uchar *)&m[w], 4);
  }
}

// Frames are shared (fork, dedup) as native/mirror pairs: the two name each
// other, and only the native frame counts its mappings.
static int linked(uint npa, uint mpa) {
  return mirror_linked(npa) && mirror_of(npa) == mpa && frame_of(mpa)->refs == 1 &&
         frame_of(npa)->refs >= 1;
}

// What is wrong with the pair behind native PTE pte and mirror PTE mpte
// (0 if absent), or 0.
static const char *pair_fault(pte_t pte, const pte_t *mpte, uint mpa) {
  if (!linked(PTE_ADDR(pte), mpa))
    return "unlinked";
  if (mpte && PTE_ADDR(*mpte) != mpa)
    return "mismapped";
  if ((pte & PTE_W) && !mpte)
    return "unmapped";
  if ((pte & PTE_W) && !(*mpte & PTE_W))
    return "read-only";
  if (!(pte & PTE_W) && mpte && (*mpte & PTE_W))
    return "writable";
  return 0;
}

static void check_page(struct oracle_run *r, pde_t *pgdir, uint va, pte_t pte) {
  pte_t *mpte = mirror_pte(pgdir, va);
  uint mpa = mirror_of(PTE_ADDR(pte));
  r->pages++;
  const char *bad = pair_fault(pte, mpte, mpa);
  if (bad) {
    r->mismatch += PGSIZE;
    report(r, va, "page", bad);
    return;
  }
  compare_page(r, va, P2V(PTE_ADDR(pte)), P2V(mpa));
}

static void check_proc(struct oracle_run *r, struct proc *p) {
  r->pid = p->pid;
  r->dead_lo = r->dead_hi = 0;
  uint esp = user_frame(p)->esp;
  for (uint va = 0; va < p->sz; va += PGSIZE) {
    pte_t *pte = uvm_pte(p->pgdir, va, 0, 0);
    if (!pte || !(*pte & PTE_P))
      continue;
    if (!(*pte & PTE_U)) {
      // The guard page; the stack sits right above it.
      uint stack = va + PGSIZE;
      if (esp >= stack && esp <= stack + USTACKPAGES * PGSIZE) {
        r->dead_lo = stack;
        r->dead_hi = esp;
      }
      continue;
    }
    check_page(r, p->pgdir, va, *pte);
  }
}

static int comparable(struct proc *p, struct proc *caller) {
  if (p->state == PSTATE_UNUSED || p->state == PSTATE_EMBRYO || !p->pgdir || !p->kstack)
    return 0;
  return p == caller || user_frame(p)->trapno == T_SYSCALL;
}

// How much memory mirroring costs right now (one mirror frame per native
// frame; fork and dedup share them in pairs). A machine line: a correct
// recovery changes these counts (a retired frame), and lines for people
// must read the same after one.
static void count_frames(void) {
  uint n[FRAME_POISONED + 1] = {0};
  for (uint f = 0; f < NFRAMES; f++) {
    if (frames[f].kind <= FRAME_POISONED)
      n[frames[f].kind]++;
  }
  kmachine("@frames native=%u mirror=%u pgtables=%u retired=%u", n[FRAME_NATIVE], n[FRAME_MIRROR],
           n[FRAME_PGTABLE], n[FRAME_POISONED]);
}

int oracle_check(int pid) {
  if (!MIRRORED)
    return -1;
  struct oracle_run r = {0};
  int found = 0;
  // Interrupts off: no other process may free or remap pages mid-walk.
  intr_off_push();
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if ((pid == 0 || p->pid == pid) && comparable(p, myproc())) {
      found = 1;
      check_proc(&r, p);
    }
  }
  intr_on_pop();
  if (!found && pid != 0)
    return -1;
#ifdef MEMV6SYS
  // All processes: the kernel's own frames as well (kmirror.c).
  if (pid == 0)
    r.mismatch += kmirror_check();
#endif
  if (pid == 0)
    count_frames();
  kmachine("@oracle pid=%d pages=%u mismatches=%u", pid, r.pages, r.mismatch);
  return r.mismatch;
}
