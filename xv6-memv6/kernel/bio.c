// The block cache: NBUF buffers, each caching one disk block.
//
// Caching also serialises access: a block has at most one buffer, and that
// buffer's sleeplock is held by whoever is using it. Buffers form one list
// ordered by last release, most recent first, so reuse takes the tail.
#include "buf.h"
#include "klib.h"
#include "param.h"
#include "proc.h"
#include "spinlock.h"

static struct {
  struct spinlock lock; // the list, refcnt, dev and blockno of every buffer
  struct buf bufs[NBUF];
  struct buf lru; // list head: lru.next is the most recently released
} cache;

static void unlink_buf(struct buf *b) {
  b->prev->next = b->next;
  b->next->prev = b->prev;
}

static void push_front(struct buf *b) {
  b->next = cache.lru.next;
  b->prev = &cache.lru;
  cache.lru.next->prev = b;
  cache.lru.next = b;
}

void bio_init(void) {
  memset(&cache, 0, sizeof(cache)); // a reboot in the host tests starts clean
  spin_init(&cache.lock, "bcache");
  cache.lru.next = cache.lru.prev = &cache.lru;
  for (struct buf *b = cache.bufs; b < cache.bufs + NBUF; b++) {
    sleeplock_init(&b->lock, "buf");
    push_front(b);
  }
}

// Finds or recycles the buffer for (dev, blockno), referenced but unlocked;
// 0 if every buffer is referenced. Called with cache.lock held.
static struct buf *lookup(uint dev, uint blockno) {
  for (struct buf *b = cache.lru.next; b != &cache.lru; b = b->next) {
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      return b;
    }
  }
  // Unreferenced buffers hold nothing unwritten: the log pins every buffer
  // it has yet to install, so refcnt 0 means the disk copy is current.
  for (struct buf *b = cache.lru.prev; b != &cache.lru; b = b->prev) {
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->flags = 0;
      b->refcnt = 1;
      return b;
    }
  }
  return 0;
}

struct buf *bread(uint dev, uint blockno) {
  spin_lock(&cache.lock);
  struct buf *b;
  // Many processes each holding a buffer (say, preempted while copying a
  // block to user memory) can take them all for a moment; wait for one.
  while ((b = lookup(dev, blockno)) == 0)
    sleep(&cache, &cache.lock);
  spin_unlock(&cache.lock);
  sleeplock_acquire(&b->lock);
  if (!(b->flags & BUF_VALID))
    ide_rw(b);
  return b;
}

void bwrite(struct buf *b) {
  if (!sleeplock_held(&b->lock))
    panic("bwrite: buffer not locked");
  b->flags |= BUF_DIRTY;
  ide_rw(b);
}

void brelse(struct buf *b) {
  if (!sleeplock_held(&b->lock))
    panic("brelse: buffer not locked");
  sleeplock_release(&b->lock);
  spin_lock(&cache.lock);
  if (--b->refcnt == 0) {
    unlink_buf(b);
    push_front(b);
    wakeup(&cache);
  }
  spin_unlock(&cache.lock);
}

void bpin(struct buf *b) {
  spin_lock(&cache.lock);
  b->refcnt++;
  spin_unlock(&cache.lock);
}

void bunpin(struct buf *b) {
  spin_lock(&cache.lock);
  if (b->refcnt == 0)
    panic("bunpin: not pinned");
  if (--b->refcnt == 0)
    wakeup(&cache);
  spin_unlock(&cache.lock);
}
