// The exec image cache (docs/kernel.md, "Exec and the image cache").
//
// exec keeps the read-only segment (text and rodata) of the last few
// programs it loaded as the frames it filled, one reference per frame (a
// native/mirror pair on memv6). Running the same unchanged file again maps
// those frames copy-on-write instead of reading the file. Any change to the
// file drops its entry first, so exec never sees stale text.
//
// Frames held only by the cache count as free (freepages, freemirror):
// the allocator takes them back when it runs dry, so they are free memory
// in all but name, and leak checks see the same numbers as without a cache.
#ifndef IMGCACHE_H
#define IMGCACHE_H
#include "types.h"

struct inode;
struct elf_phdr;

// Segment ph of ip (locked by the caller) from the cache: its frames
// mapped copy-on-write at ph->vaddr in pgdir. 1 if so, 0 when not cached, -1
// when out of memory (pages may be mapped; the caller frees pgdir).
int imgcache_map(pde_t *pgdir, const struct inode *ip, const struct elf_phdr *ph, int owner);

// Remembers the frames pgdir maps for segment ph of ip (locked), which
// exec has just loaded, in place of the least recently used entry.
void imgcache_add(pde_t *pgdir, const struct inode *ip, const struct elf_phdr *ph);

// The file dev/inum is about to change or be freed: forget its segments.
// The caller holds the file's inode lock.
void imgcache_forget(uint dev, uint inum);

// Drops every entry; 1 if that released anything. The allocator calls it
// when a zone is empty; the empty-cache system call too.
int imgcache_drop_all(void);

// Frames of zone (ZONE_NORMAL or ZONE_MIRROR) that only the cache holds.
uint imgcache_idle_frames(int zone);

// Machine-check recovery, with interrupts off and no lock taken (the cache
// may be in the middle of an update). The frame pa was replaced by newpa,
// which has pa's references: 1 if the cache held pa and now holds newpa.
int imgcache_frame_moved(uint pa, uint newpa);
// The frame pa (a native frame or the mirror of one) is retired without a
// replacement: the entry holding it is never used again. 1 if the cache
// held it.
int imgcache_frame_lost(uint pa);
#endif
