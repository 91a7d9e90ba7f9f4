// Primary-channel IDE disk, master drive, polled PIO with 28-bit LBA.
//
// Polling keeps the driver deterministic (no interrupt timing enters a run)
// and needs no IRQ routing. One 512-byte sector is one file-system block.
#include "buf.h"
#include "klib.h"
#include "spinlock.h"
#include "x86.h"

#define ATA_DATA 0x1f0
#define ATA_COUNT 0x1f2
#define ATA_LBA0 0x1f3
#define ATA_LBA1 0x1f4
#define ATA_LBA2 0x1f5
#define ATA_DRIVE 0x1f6
#define ATA_CMD 0x1f7 // command on write, status on read
#define ATA_CTRL 0x3f6

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_FAULT 0x20
#define ST_READY 0x40
#define ST_BUSY 0x80

#define CMD_READ 0x20
#define CMD_WRITE 0x30
#define CTRL_NO_IRQ 0x02
#define DRIVE_LBA_MASTER 0xe0

_Static_assert(BSIZE == 512, "one block must be one sector");

static struct spinlock ide_lock;

// A polled transfer on QEMU finishes within a few thousand status reads;
// this many means the drive is gone, and a panic says so instead of the
// machine spinning until some outer timeout.
#define IDE_MAX_POLLS 100000000

// Waits until the drive is not busy; returns the final status.
static uchar ide_wait(void) {
  for (uint n = 0; n < IDE_MAX_POLLS; n++) {
    uchar st = inb(ATA_CMD);
    if (!(st & ST_BUSY))
      return st;
  }
  panic("ide: the disk stays busy");
}

static void ide_check(uchar st, const char *what) {
  if (st & (ST_ERR | ST_FAULT)) {
    kprintf("ide: %s failed, status %x\n", what, st);
    panic("ide: disk error");
  }
}

void ide_init(void) {
  spin_init(&ide_lock, "ide");
  if (ramdisk_init())
    return;
  outb(ATA_CTRL, CTRL_NO_IRQ);
  outb(ATA_DRIVE, DRIVE_LBA_MASTER);
  // No drive reads as all ones (no controller) or all zeros (QEMU's
  // controller without a -drive): a ready drive always sets ST_READY.
  uchar st = inb(ATA_CMD);
  if (st == 0xff || !(st & ST_READY))
    panic("ide: no disk (give QEMU -drive ...,if=ide or -initrd IMAGE)");
  ide_wait();
}

static void ide_select(uint sector) {
  ide_wait();
  outb(ATA_DRIVE, DRIVE_LBA_MASTER | ((sector >> 24) & 0x0f));
  outb(ATA_COUNT, 1);
  outb(ATA_LBA0, sector & 0xff);
  outb(ATA_LBA1, (sector >> 8) & 0xff);
  outb(ATA_LBA2, (sector >> 16) & 0xff);
}

// The data phase of a PIO command starts once the drive raises DRQ.
static void ide_wait_drq(const char *what) {
  for (uint n = 0; n < IDE_MAX_POLLS; n++) {
    uchar st = ide_wait();
    ide_check(st, what);
    if (st & ST_DRQ)
      return;
  }
  panic("ide: the disk never offered data");
}

void ide_rw(struct buf *b) {
  if (!sleeplock_held(&b->lock))
    panic("ide_rw: buffer not locked");
  if ((b->flags & (BUF_VALID | BUF_DIRTY)) == BUF_VALID)
    panic("ide_rw: nothing to do");
  if (ramdisk_rw(b))
    return;
  spin_lock(&ide_lock);
  ide_select(b->blockno);
  if (b->flags & BUF_DIRTY) {
    outb(ATA_CMD, CMD_WRITE);
    ide_wait_drq("write");
    outsl(ATA_DATA, b->data, BSIZE / 4);
    ide_check(ide_wait(), "write");
  } else {
    outb(ATA_CMD, CMD_READ);
    ide_wait_drq("read");
    insl(ATA_DATA, b->data, BSIZE / 4);
  }
  spin_unlock(&ide_lock);
  b->flags = (b->flags | BUF_VALID) & ~BUF_DIRTY;
}
