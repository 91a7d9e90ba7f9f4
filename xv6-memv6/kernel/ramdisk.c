// The file system served from a disk image in RAM (a multiboot module).
//
// QEMU completes IDE transfers when the host's I/O finishes, so a polled
// driver spins a varying number of times and -icount cycle counts drift
// between runs. Copying from RAM costs the same instructions every time.
// Writes stay in RAM and vanish at power-off, like QEMU's snapshot=on.
#include "types.h"
#include "memlayout.h"
#include "boot.h"
#include "buf.h"
#include "klib.h"

static uchar *disk;
static uint nblocks;

int ramdisk_init(void) {
  uint pa, len;
  if (boot_module(&pa, &len) < 0)
    return 0;
  disk = P2V(pa);
  nblocks = len / BSIZE;
  kprintf("ramdisk: %d blocks at pa %x\n", nblocks, pa);
  return 1;
}

int ramdisk_rw(struct buf *b) {
  if (!disk)
    return 0;
  if (b->blockno >= nblocks)
    panic("ramdisk: block out of range");
  uchar *blk = disk + b->blockno * BSIZE;
  if (b->flags & BUF_DIRTY)
    memmove(blk, b->data, BSIZE);
  else
    memmove(b->data, blk, BSIZE);
  b->flags = (b->flags | BUF_VALID) & ~BUF_DIRTY;
  return 1;
}
