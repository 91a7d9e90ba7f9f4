// The frame allocator. Each zone keeps a singly linked list of its free
// frames in the frame table (next_free), never in the frames themselves: a
// page nobody has used keeps the zeros QEMU gave it, and snapshots of the
// guest (savevm/loadvm, used per fault-injection trial) skip zero pages.
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "boot.h"
#include "kalloc.h"
#include "imgcache.h"
#include "mirror.h"
#include "kmirror.h"

struct zone {
  struct spinlock lock;
  uint head; // frame number of the first free frame, 0 if none
  uint nfree;
  uint lo, hi; // physical bounds
#ifdef MEMV6SYS
  // Free page tables whose kernel mirror is known zero (kfree_zeroed),
  // apart from head so that the kernel's own zeroed allocations find them
  // first; they count in nfree like the others.
  uint zhead;
#endif
};

#ifdef MEMV6SYS
#define ZONE_LIST(z, zeroed) ((zeroed) ? &(z)->zhead : &(z)->head)
#else
#define ZONE_LIST(z, zeroed) ((void)(zeroed), &(z)->head)
#endif

_Static_assert(GUEST_RAM_MB * 1024u * 1024u > PHYSTOP,
               "the default guest RAM covers the managed memory and the firmware tables above it");

struct frame frames[NFRAMES];
static struct zone zones[NZONES];
static uint retired[NZONES]; // frames frame_retire took out of use, per zone

static int zone_of(uint pa) {
  return pa >= zones[ZONE_MIRROR].lo && pa < zones[ZONE_MIRROR].hi ? ZONE_MIRROR : ZONE_NORMAL;
}

// Frame 0 is below every zone, so 0 can end a list.
static void zone_push(struct zone *z, uint *list, uint pa) {
  frames[pa >> PGSHIFT].next_free = *list;
  *list = pa >> PGSHIFT;
  z->nfree++;
}

void kalloc_init(void) {
  uint lo = boot_phys_base();
  uint top = PGROUNDDOWN(boot_phys_top());
  uint split = top;
#ifdef MEMV6
  if (split > MIRROR_ZONE_BASE)
    split = MIRROR_ZONE_BASE;
#endif
  const char *names[NZONES] = {"zone normal", "zone mirror"};
  for (int i = 0; i < NZONES; i++)
    spin_init(&zones[i].lock, names[i]);
  zones[ZONE_NORMAL].lo = lo;
  zones[ZONE_NORMAL].hi = split;
  zones[ZONE_MIRROR].lo = split;
  zones[ZONE_MIRROR].hi = top;

  // Everything outside [lo, top) is the kernel's or not RAM at all.
  for (uint f = 0; f < NFRAMES; f++) {
    frames[f].kind = FRAME_KERNEL;
    frames[f].refs = 1;
  }
  // Push from the top down so the first allocations come from low memory.
  for (uint pa = top; pa > lo;) {
    pa -= PGSIZE;
    frames[pa >> PGSHIFT] = (struct frame){.kind = FRAME_FREE};
    struct zone *z = &zones[zone_of(pa)];
    zone_push(z, &z->head, pa);
  }
}

// Pops the zone's next usable frame. A free frame that was retired stays
// linked (unlinking it from the middle would walk the list) but no longer
// counts as free: it is dropped here instead of being handed out.
static void *zone_pop(struct zone *z, uint *list) {
  for (;;) {
    uint fn = *list;
    if (!fn)
      return 0;
    struct frame *f = &frames[fn];
    *list = f->next_free;
    f->next_free = 0;
    if (f->kind == FRAME_FREE) {
      z->nfree--;
      return P2V(fn << PGSHIFT);
    }
    if (f->kind != FRAME_POISONED)
      panic("kalloc: free list holds a frame in use");
  }
}

#ifdef MEMV6SYS
// kalloc_zone's own calls: it zeroes the frame in both copies right after,
// so the kernel mirror needs no copy first (that copy was half of fork's
// cost on memv6sys: docs/memv6.md).
#define KIND_ZEROED_NEXT 0x100
// ... and a kernel or page-table frame comes from the zone's zeroed list
// first: kmirror_zero_frame zeroes one copy of a frame whose mirror is zero.
#define KIND_FROM_ZEROED 0x200

// Either list first, the other when it is empty.
static void *zone_pop_from(struct zone *z, int zeroed) {
  void *l = zone_pop(z, ZONE_LIST(z, zeroed));
  return l ? l : zone_pop(z, ZONE_LIST(z, !zeroed));
}
#endif

void *kalloc_zone_raw(int zone, int kind, int owner) {
#ifdef MEMV6SYS
  int raw = !(kind & KIND_ZEROED_NEXT);
  int sync = raw && (kind == FRAME_KERNEL || kind == FRAME_PGTABLE);
  int zeroed = kind & KIND_FROM_ZEROED;
  kind &= ~(KIND_ZEROED_NEXT | KIND_FROM_ZEROED);
#endif
  struct zone *z = &zones[zone];
  for (;;) {
    spin_lock(&z->lock);
#ifdef MEMV6SYS
    void *l = zone_pop_from(z, zeroed);
#else
    void *l = zone_pop(z, &z->head);
#endif
    if (l)
      *frame_of(V2P(l)) = (struct frame){.kind = kind, .refs = 1, .owner = owner};
    spin_unlock(&z->lock);
#ifdef MEMV6SYS
    // A kernel frame's mirror may be stale from the frame's last use (user
    // frames are mirrored elsewhere); the caller may fill only part of it.
    if (l && sync)
      kmirror_sync(l, PGSIZE);
    if (l && raw)
      kmirror_forget_zero(l);
#endif
    // Frames only the exec image cache holds count as free: take them.
    if (l || !imgcache_drop_all())
      return l;
  }
}

void *kalloc_zone(int zone, int kind, int owner) {
#ifdef MEMV6SYS
  int from = kind == FRAME_KERNEL || kind == FRAME_PGTABLE ? KIND_FROM_ZEROED : 0;
  void *l = kalloc_zone_raw(zone, kind | KIND_ZEROED_NEXT | from, owner);
  if (l)
    kmirror_zero_frame(l, kind, PGSIZE);
#else
  void *l = kalloc_zone_raw(zone, kind, owner);
  if (l)
    kmirror_zero(l, PGSIZE);
#endif
  return l;
}

#ifdef MEMV6SYS
void *kalloc_stack(int owner) {
  void *l = kalloc_zone_raw(ZONE_NORMAL, FRAME_KERNEL | KIND_ZEROED_NEXT, owner);
  if (l) {
    kmirror_forget_zero(l);
    kmirror_set_native(l, 0, PGSIZE);
  }
  return l;
}

void *kalloc_pgdir(int owner) {
  void *l =
      kalloc_zone_raw(ZONE_NORMAL, FRAME_PGTABLE | KIND_ZEROED_NEXT | KIND_FROM_ZEROED, owner);
  if (l)
    kmirror_zero_frame(l, FRAME_PGTABLE, PDX(KERNBASE) * sizeof(pde_t));
  return l;
}
#endif

void *kalloc_kind(int kind, int owner) {
  return kalloc_zone(ZONE_NORMAL, kind, owner);
}

void *kalloc(void) {
  return kalloc_zone(ZONE_NORMAL, FRAME_KERNEL, 0);
}

// A frame of an unused zone is a bug.
static struct frame *managed_frame(uint pa) {
  if ((pa & (PGSIZE - 1)) || pa < zones[ZONE_NORMAL].lo || pa >= zones[ZONE_MIRROR].hi)
    panic("frame: not a managed frame");
  return &frames[pa >> PGSHIFT];
}

// Counting takes no zone lock: fork and exit retain and release every user
// frame, and a lock round trip cost more than the rest of the work. The
// atomic add keeps the count exact; the lock guards the free list, which
// only the last release touches.
//
// memv6: only native frames are counted. A mirror frame belongs to its
// native partner (refs stays 1, mirror PTEs hold no reference) and goes
// back to its zone when the native frame does.
//
// A retired frame keeps counting the mappings recovery could not move (an
// address space being torn down, say), so releasing them stays exact; it
// takes no new ones.
int frame_retain(uint pa) {
  struct frame *f = managed_frame(pa);
  if (f->kind == FRAME_POISONED)
    return -1;
  if (f->kind == FRAME_FREE || f->kind == FRAME_MIRROR || f->refs == 0 || f->refs == FRAME_MAX_REFS)
    panic("frame_retain: frame not in use, a mirror, or shared too often");
  __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
  return 0;
}

// Puts a frame whose last reference is gone back on one of its zone's lists
// (memv6sys: zeroed, with what kmirror_mark_zero needs; no recovery runs
// while the lock is held, so none finds the frame free and unmarked).
static int free_frame_on(uint pa, struct frame *f, int zeroed) {
  struct zone *z = &zones[zone_of(pa)];
  spin_lock(&z->lock);
  int freed = f->kind != FRAME_POISONED; // a check may have struck meanwhile
  if (freed) {
    *f = (struct frame){.kind = FRAME_FREE};
    zone_push(z, ZONE_LIST(z, zeroed), pa);
#ifdef MEMV6SYS
    if (zeroed)
      kmirror_mark_zero(pa, zeroed);
#endif
  }
  spin_unlock(&z->lock);
  return freed;
}

static int free_frame(uint pa, struct frame *f) {
  return free_frame_on(pa, f, 0);
}

int frame_release(uint pa) {
  struct frame *f = managed_frame(pa);
  // A frame a machine check retired loses its mappings but never returns
  // to a free list.
  if (f->kind == FRAME_POISONED) {
    if (f->refs)
      __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL);
    return 0;
  }
  if (f->kind == FRAME_FREE || f->refs == 0)
    panic("frame_release: frame not in use");
  if (f->kind == FRAME_MIRROR && f->partner)
    panic("frame_release: a mirror frame goes with its native frame");
  if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return 0;
  // Only the mirror that names this frame back is ours to free (a retired
  // one stays retired; free_frame also skips one poisoned meanwhile).
  uint mirror = mirror_linked(pa) ? f->partner : 0;
  int freed = free_frame(pa, f);
  if (mirror)
    free_frame(mirror << PGSHIFT, &frames[mirror]);
  return freed;
}

void frame_retire(uint pa, uint refs) {
  struct frame *f = frame_of(pa);
  struct zone *z = &zones[zone_of(pa)];
  spin_lock(&z->lock);
  if (f->kind != FRAME_POISONED) {
    if (f->kind == FRAME_FREE) {
      z->nfree--; // it stays linked: zone_pop drops it
      refs = 0;
    }
    *f = (struct frame){
        .kind = FRAME_POISONED, .refs = refs, .owner = f->owner, .next_free = f->next_free};
    retired[zone_of(pa)]++;
  }
  spin_unlock(&z->lock);
}

#ifdef MEMV6SYS
void kfree_zeroed(void *va, int zero) {
  uint pa = V2P(va);
  struct frame *f = managed_frame(pa);
  // Anything but a page table only this caller holds: the ordinary way.
  if (f->kind != FRAME_PGTABLE || f->refs != 1)
    kfree(va);
  else
    free_frame_on(pa, f, zero);
}
#endif

uint zone_retired_frames(int zone) {
  return retired[zone];
}

// Kernel frames have one owner; only user frames are shared.
void kfree(void *va) {
  struct frame *f = frame_of(V2P(va));
  if (f->kind != FRAME_POISONED && f->refs > 1)
    panic("kfree: frame still shared");
  frame_release(V2P(va));
}

uint free_frames(void) {
  return zone_free_frames(ZONE_NORMAL);
}

uint zone_free_frames(int zone) {
  return zones[zone].nfree;
}

struct frame *frame_of(uint pa) {
  if (pa >= PHYSTOP)
    panic("frame_of: beyond PHYSTOP");
  return &frames[pa >> PGSHIFT];
}

void zone_bounds(int zone, uint *lo, uint *hi) {
  *lo = zones[zone].lo;
  *hi = zones[zone].hi;
}
