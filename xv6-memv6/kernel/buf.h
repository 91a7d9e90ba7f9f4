// Disk block cache (bio.c) over the IDE driver (ide.c).
#ifndef BUF_H
#define BUF_H
#include "types.h"
#include "sleeplock.h"
#include "fs.h"

#define BUF_VALID 0x2 // data has been read from disk
#define BUF_DIRTY 0x4 // data must be written to disk

struct buf {
  int flags;
  uint dev;
  uint blockno;
  struct sleeplock lock;
  uint refcnt;
  struct buf *prev, *next; // LRU list
  uchar data[BSIZE];
};

void ide_init(void);
void ide_rw(struct buf *b); // polled: returns when the transfer is done

// A disk image in RAM replaces the IDE disk when QEMU loaded one (-initrd):
// its transfers take a fixed number of instructions, which makes -icount
// figures exact; IDE completion depends on host timing.
int ramdisk_init(void);        // 1 if a RAM disk is in use
int ramdisk_rw(struct buf *b); // 1 if it served the transfer

void bio_init(void);
struct buf *bread(uint dev, uint blockno); // locked buffer
void bwrite(struct buf *b);                // write a locked buffer
void brelse(struct buf *b);                // unlock and release
void bpin(struct buf *b);                  // keep in cache (log)
void bunpin(struct buf *b);
#endif
