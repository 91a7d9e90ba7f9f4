// dedup(): one pass over every user page of every process. Each distinct
// native frame seen goes into a hash table (hash of the whole page); a page
// whose hash bucket holds a frame with equal bytes is remapped onto it.
// The hash only picks the candidates: equal pages are compared in full,
// and on memv6 their mirror frames as well, so a pair whose native and
// mirror halves differ for a moment (a process stopped between a store and
// its mirror store) is merged only with an equal pair, and the pending
// store then faults and copies both, as after fork.
//
// The whole pass runs with interrupts off: no process can fork, fault,
// write through copyout or tear down pages while mappings move (those
// paths do their part with interrupts off too).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "proc.h"
#include "vm.h"
#include "mirror.h"
#include "dedup.h"

// A distinct frame and the first place it was seen mapped.
struct entry {
  uint fn;      // native frame number
  uint next;    // next entry of the bucket, index + 1 (0 ends it)
  pde_t *pgdir; // an address space that maps it ...
  uint va;      // ... at this user page
};

#define ENTRIES_PER_CHUNK (PGSIZE / sizeof(struct entry))
#define NCHUNKS (NFRAMES / ENTRIES_PER_CHUNK + 1) // room for every frame
#define NBUCKETS 4096

// Only one pass runs at a time (interrupts are off), so these are static.
static struct entry *chunks[NCHUNKS]; // kalloc'd while the pass runs
static uint buckets[NBUCKETS];        // first entry, index + 1
static uint nentries;

static struct entry *entry_at(uint i) {
  return &chunks[i / ENTRIES_PER_CHUNK][i % ENTRIES_PER_CHUNK];
}

// Whole-page hash, words mixed by multiplication (FNV-1a style on words).
static uint page_hash(const uint *w) {
  uint h = 2166136261u;
  for (uint i = 0; i < PGSIZE / 4; i++)
    h = (h ^ w[i]) * 16777619u;
  return h;
}

static int same_bytes(uint pa, uint pb) {
  const uint *a = P2V(pa), *b = P2V(pb);
  for (uint i = 0; i < PGSIZE / 4; i++) {
    if (a[i] != b[i])
      return 0;
  }
  return 1;
}

// Out of memory for the table just means fewer merges this time.
static int add_entry(uint bucket, uint fn, pde_t *pgdir, uint va) {
  uint i = nentries;
  if (i / ENTRIES_PER_CHUNK >= NCHUNKS)
    return -1;
  if (!chunks[i / ENTRIES_PER_CHUNK] &&
      !(chunks[i / ENTRIES_PER_CHUNK] = kalloc_zone_raw(ZONE_NORMAL, FRAME_KERNEL, 0)))
    return -1;
  *entry_at(i) = (struct entry){.fn = fn, .next = buckets[bucket], .pgdir = pgdir, .va = va};
  buckets[bucket] = ++nentries;
  frames[fn].scan = 1;
  return 0;
}

// The native PTE of user page va, if its frame is a complete pair: a page
// being mapped or unmapped right now (its process was stopped half way) is
// left alone. *mpte is its mirror PTE, or 0 when there is none (mirror PTEs
// are made on first use) and on the native build.
static pte_t *user_pair(pde_t *pgdir, uint va, pte_t **mpte) {
  pte_t *n = uvm_pte(pgdir, va, 0, 0);
  *mpte = 0;
  if (!n || (*n & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
    return 0;
  struct frame *f = frame_of(PTE_ADDR(*n));
  if (f->kind != FRAME_NATIVE || f->refs == 0)
    return 0;
  if (MIRRORED) {
    pte_t *m = mirror_pte(pgdir, va);
    if (!f->partner || (m && PTE_ADDR(*m) != f->partner << PGSHIFT))
      return 0;
    *mpte = m;
  }
  return n;
}

// Same native bytes, and on memv6 the same mirror bytes.
static int mergeable(uint npa, uint kpa) {
  if (frames[kpa >> PGSHIFT].refs >= FRAME_MAX_REFS || !same_bytes(npa, kpa))
    return 0;
  return !MIRRORED || same_bytes(frames[npa >> PGSHIFT].partner << PGSHIFT,
                                 frames[kpa >> PGSHIFT].partner << PGSHIFT);
}

static void protect(pte_t *pte) {
  if (pte)
    *pte = (*pte & ~PTE_W) | PTE_COW;
}

// Points the native PTE at frame pa (its flags kept, made copy-on-write)
// and returns whether releasing the old frame freed it (with its mirror).
static int repoint(pte_t *pte, uint pa) {
  uint old = PTE_ADDR(*pte);
  // The pass runs with interrupts off, so recovery retires nothing during
  // it, and the table holds native frames only.
  if (frame_retain(pa) < 0)
    panic("dedup: a retired frame in the table");
  *pte = pa | PTE_FLAGS(*pte);
  protect(pte);
  return frame_release(old);
}

// Merges the page (n, and its mirror PTE m if it has one) onto entry e's
// frame; native frames freed. A mirror PTE holds no reference: it just
// follows, read-only, to the kept frame's mirror; an absent one stays so.
static int merge(pte_t *n, pte_t *m, struct entry *e) {
  uint kpa = e->fn << PGSHIFT;
  pte_t *km;
  pte_t *kn = user_pair(e->pgdir, e->va, &km);
  if (!kn || PTE_ADDR(*kn) != kpa)
    panic("dedup: a table entry lost its mapping");
  // The kept frame's first mapping may still be private and writable.
  protect(kn);
  protect(km);
  if (m) {
    *m = mirror_of(kpa) | PTE_FLAGS(*m);
    protect(m);
  }
  return repoint(n, kpa);
}

// One user page: merged onto an equal frame already in the table, or
// entered itself. Returns native frames freed.
static int visit(pde_t *pgdir, uint va) {
  pte_t *m, *n = user_pair(pgdir, va, &m);
  if (!n || frames[PTE_ADDR(*n) >> PGSHIFT].scan)
    return 0; // not a complete user page, or this frame is in the table
  uint npa = PTE_ADDR(*n);
  uint bucket = page_hash(P2V(npa)) % NBUCKETS;
  for (uint i = buckets[bucket]; i; i = entry_at(i - 1)->next) {
    struct entry *e = entry_at(i - 1);
    if (mergeable(npa, e->fn << PGSHIFT))
      return merge(n, m, e);
  }
  add_entry(bucket, npa >> PGSHIFT, pgdir, va);
  return 0;
}

static int visit_proc(struct proc *p) {
  int freed = 0;
  for (uint va = 0; va < p->sz;) {
    if (!(p->pgdir[PDX(va)] & PTE_P)) {
      va = (PDX(va) + 1) << PDXSHIFT; // no page table: the next 4 MiB
      if (va == 0)
        break;
      continue;
    }
    freed += visit(p->pgdir, va);
    va += PGSIZE;
  }
  return freed;
}

// Clears the marks and gives the table's memory back.
static void reset_table(void) {
  for (uint i = 0; i < nentries; i++)
    frames[entry_at(i)->fn].scan = 0;
  for (uint c = 0; c < NCHUNKS && chunks[c]; c++) {
    kfree(chunks[c]);
    chunks[c] = 0;
  }
  memset(buckets, 0, sizeof(buckets));
  nentries = 0;
}

int dedup_all(void) {
  int freed = 0;
  intr_off_push();
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p->state != PSTATE_UNUSED && p->state != PSTATE_EMBRYO && p->pgdir)
      freed += visit_proc(p);
  }
  reset_table();
  write_cr3(read_cr3()); // the caller's PTEs may have lost PTE_W
  intr_on_pop();
  return freed;
}
