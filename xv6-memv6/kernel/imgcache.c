// The exec image cache (imgcache.h). A handful of entries, each the
// frames of one read-only segment, replaced least recently used first.
//
// The lock guards the entries; the cache holds one reference per native
// frame, which holds its mirror partner too (kalloc.c). Machine-check recovery cannot take the
// lock, so its two hooks only ever rewrite one frame number or set the lost flag, and the next
// locked pass drops a lost entry.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "fsys.h"
#include "elf.h"
#include "vm.h"
#include "mirror.h"
#include "cow.h"
#include "imgcache.h"

#define NIMAGES 4
#define IMAGE_MAXPAGES 64 // 256 KiB; a longer text is read from the file each time

struct image {
  uint dev, inum;                   // the file ...
  uint off, filesz, memsz, vaddr;   // ... and which segment of it
  uint npages;                      // 0: the slot is empty
  uint last_use;                    // clock value of the latest hit
  volatile int lost;                // a machine check took a frame without replacing it
  volatile uint pa[IMAGE_MAXPAGES]; // native frames; each one's mirror is its partner
};

static struct {
  struct spinlock lock;
  uint clock;
  struct image slot[NIMAGES];
} cache = {.lock = {.name = "imgcache"}};

static int holds(const struct image *im, const struct inode *ip, const struct elf_phdr *ph) {
  return im->npages && im->dev == ip->dev && im->inum == ip->inum && im->off == ph->off &&
         im->filesz == ph->filesz && im->memsz == ph->memsz && im->vaddr == ph->vaddr;
}

// With the lock held. The slot stays filled until every frame is released,
// so a machine check meanwhile still finds (and moves) the rest.
static void drop(struct image *im) {
  for (uint i = 0; i < im->npages; i++)
    frame_release(im->pa[i]);
  im->npages = 0;
  im->lost = 0;
}

// The page tables for the segment's pages, made before the lock is taken:
// an allocator that runs dry with the lock held cannot drop the cache, so
// a program the cache holds could fail to exec for want of frames that the
// cache itself keeps (and counts as free). The segment's load needs them
// anyway if the cache misses.
static int make_tables(pde_t *pgdir, const struct elf_phdr *ph, uint npages, int owner) {
  uint end = ph->vaddr + npages * PGSIZE;
  for (uint va = ph->vaddr; va < end; va = (va + (1u << PDXSHIFT)) & ~((1u << PDXSHIFT) - 1)) {
    if (!uvm_pte(pgdir, va, 1, owner))
      return -1;
  }
  return 0;
}

int imgcache_map(pde_t *pgdir, const struct inode *ip, const struct elf_phdr *ph, int owner) {
  uint npages = PGROUNDUP(ph->memsz) / PGSIZE;
  if (npages == 0 || npages > IMAGE_MAXPAGES)
    return 0; // never cached
  if (make_tables(pgdir, ph, npages, owner) < 0)
    return -1;
  int r = 0;
  spin_lock(&cache.lock);
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (im->npages && im->lost)
      drop(im);
    if (!holds(im, ip, ph))
      continue;
    im->last_use = ++cache.clock;
    r = 1;
    for (uint i = 0; i < im->npages && r > 0; i++) {
      if (pair_map_shared(pgdir, ph->vaddr + i * PGSIZE, im->pa[i], owner) < 0)
        r = -1;
    }
    break;
  }
  spin_unlock(&cache.lock);
  return r;
}

// The slot to fill: an empty or lost one, else the least recently used.
static struct image *victim(void) {
  struct image *v = cache.slot;
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (!im->npages || im->lost)
      return im;
    if (im->last_use < v->last_use)
      v = im;
  }
  return v;
}

// The native frame pgdir maps at va, if it is a sound user frame.
static uint mapped_frame(pde_t *pgdir, uint va) {
  pte_t *pte = uvm_pte(pgdir, va, 0, 0);
  if (!pte || !(*pte & PTE_P) || frame_of(PTE_ADDR(*pte))->kind != FRAME_NATIVE)
    return 0; // e.g. retired by a machine check while exec was loading
  return PTE_ADDR(*pte);
}

void imgcache_add(pde_t *pgdir, const struct inode *ip, const struct elf_phdr *ph) {
  uint npages = PGROUNDUP(ph->memsz) / PGSIZE;
  if (npages == 0 || npages > IMAGE_MAXPAGES)
    return;
  spin_lock(&cache.lock);
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (holds(im, ip, ph))
      drop(im); // the caller held ip's lock and missed, so this cannot be
  }
  struct image *im = victim();
  if (im->npages)
    drop(im);
  uint i;
  for (i = 0; i < npages; i++) {
    uint pa = mapped_frame(pgdir, ph->vaddr + i * PGSIZE);
    if (!pa || frame_retain(pa) < 0)
      break;
    im->pa[i] = pa;
  }
  im->npages = i;
  if (i < npages) {
    drop(im); // not the whole segment: not worth keeping
  } else {
    im->dev = ip->dev;
    im->inum = ip->inum;
    im->off = ph->off;
    im->filesz = ph->filesz;
    im->memsz = ph->memsz;
    im->vaddr = ph->vaddr;
    im->last_use = ++cache.clock;
  }
  spin_unlock(&cache.lock);
}

static int has_file(uint dev, uint inum) {
  for (const struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (im->npages && im->dev == dev && im->inum == inum)
      return 1;
  }
  return 0;
}

void imgcache_forget(uint dev, uint inum) {
  // Every write comes here. The caller holds the file's inode lock, and
  // only an exec holding it adds an entry for the file: if there is none
  // now, none appears before the caller is done, so no lock is needed to
  // see that.
  if (!has_file(dev, inum))
    return;
  spin_lock(&cache.lock);
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (im->npages && im->dev == dev && im->inum == inum)
      drop(im);
  }
  spin_unlock(&cache.lock);
}

int imgcache_drop_all(void) {
  if (spin_held(&cache.lock))
    return 0; // the allocator ran dry inside a cache operation
  int dropped = 0;
  spin_lock(&cache.lock);
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    if (im->npages) {
      drop(im);
      dropped = 1;
    }
  }
  spin_unlock(&cache.lock);
  return dropped;
}

// Is native frame pa held by the cache alone?
static int idle(uint pa) {
  const struct frame *f = frame_of(pa);
  return f->kind == FRAME_NATIVE && f->refs == 1;
}

uint imgcache_idle_frames(int zone) {
  uint n = 0;
  spin_lock(&cache.lock);
  for (const struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    for (uint i = 0; i < im->npages; i++) {
      // A mirror frame is held through its native partner (kalloc.c).
      if (zone == ZONE_NORMAL || mirror_linked(im->pa[i]))
        n += idle(im->pa[i]);
    }
  }
  spin_unlock(&cache.lock);
  return n;
}

int imgcache_frame_moved(uint pa, uint newpa) {
  int held = 0;
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    for (uint i = 0; i < im->npages; i++) {
      if (im->pa[i] == pa) {
        im->pa[i] = newpa;
        held = 1;
      }
    }
  }
  return held;
}

int imgcache_frame_lost(uint pa) {
  uint fn = pa >> PGSHIFT;
  int held = 0;
  for (struct image *im = cache.slot; im < cache.slot + NIMAGES; im++) {
    for (uint i = 0; i < im->npages; i++) {
      if (im->pa[i] == pa || (MIRRORED && frame_of(im->pa[i])->partner == fn)) {
        im->lost = 1;
        held = 1;
      }
    }
  }
  return held;
}
