// Write-ahead redo log: makes each file-system system call all-or-nothing.
//
// An operation's blocks stay pinned in the buffer cache until commit. Commit
// copies them into the log area, then writes the log header with their count
// and home block numbers: that single sector write is the commit point. Only
// then are the blocks written home, and the header cleared. After a crash,
// recovery replays whatever a written header lists, so an operation is seen
// either whole or not at all. Operations that overlap in time commit
// together (group commit) once the last of them ends.
#include "buf.h"
#include "fs.h"
#include "klib.h"
#include "log.h"
#include "param.h"
#include "proc.h"
#include "spinlock.h"

// The header block: how many log blocks are committed, and where each goes.
struct log_header {
  uint count;
  uint home[LOGSIZE - 1];
};
_Static_assert(sizeof(struct log_header) <= BSIZE, "log header fits one block");

static struct {
  struct spinlock lock;
  uint dev;
  uint start;    // header block; log data blocks follow it
  uint capacity; // data blocks in the log area
  int active;    // operations between begin_op and end_op
  int committing;
  struct log_header hdr; // blocks written by the current group
  // Staging buffer for the log area itself, outside the cache so that a
  // commit needs no free cache buffer while the group's blocks are pinned.
  struct buf stage;
} lg;

static void stage_io(uint blockno, int write) {
  sleeplock_acquire(&lg.stage.lock);
  lg.stage.dev = lg.dev;
  lg.stage.blockno = blockno;
  lg.stage.flags = write ? BUF_VALID | BUF_DIRTY : 0;
  ide_rw(&lg.stage);
  sleeplock_release(&lg.stage.lock);
}

static void write_header(void) {
  memset(lg.stage.data, 0, BSIZE);
  memmove(lg.stage.data, &lg.hdr, sizeof(lg.hdr));
  stage_io(lg.start, 1);
}

// Copies every logged block from the log area to its home location. Used
// only by recovery: during normal commits the cache already has the data.
static void replay(void) {
  for (uint i = 0; i < lg.hdr.count; i++) {
    stage_io(lg.start + 1 + i, 0);
    struct buf *home = bread(lg.dev, lg.hdr.home[i]);
    memmove(home->data, lg.stage.data, BSIZE);
    bwrite(home);
    brelse(home);
  }
}

void log_init(int dev, struct superblock *sb) {
  memset(&lg, 0, sizeof(lg)); // a reboot in the host tests starts clean
  spin_init(&lg.lock, "log");
  sleeplock_init(&lg.stage.lock, "logstage");
  lg.dev = dev;
  lg.start = sb->logstart;
  lg.capacity = sb->nlog - 1;
  if (lg.capacity > LOGSIZE - 1)
    lg.capacity = LOGSIZE - 1;
  stage_io(lg.start, 0);
  memmove(&lg.hdr, lg.stage.data, sizeof(lg.hdr));
  if (lg.hdr.count > lg.capacity)
    panic("log: corrupt header");
  if (lg.hdr.count > 0)
    kprintf("log: replaying %d blocks\n", lg.hdr.count);
  replay();
  lg.hdr.count = 0;
  write_header();
}

// True if one more operation could still log MAXOPBLOCKS blocks.
static int room_for_one_more(void) {
  return lg.hdr.count + (lg.active + 1) * MAXOPBLOCKS <= lg.capacity;
}

void begin_op(void) {
  spin_lock(&lg.lock);
  while (lg.committing || !room_for_one_more())
    sleep(&lg, &lg.lock);
  lg.active++;
  spin_unlock(&lg.lock);
}

static void commit(void) {
  if (lg.hdr.count == 0)
    return;
  for (uint i = 0; i < lg.hdr.count; i++) {
    struct buf *b = bread(lg.dev, lg.hdr.home[i]);
    memmove(lg.stage.data, b->data, BSIZE);
    stage_io(lg.start + 1 + i, 1);
    brelse(b);
  }
  write_header(); // the commit point
  for (uint i = 0; i < lg.hdr.count; i++) {
    struct buf *b = bread(lg.dev, lg.hdr.home[i]);
    bwrite(b);
    bunpin(b);
    brelse(b);
  }
  lg.hdr.count = 0;
  write_header(); // the log is empty again
}

void end_op(void) {
  spin_lock(&lg.lock);
  if (lg.committing || lg.active <= 0)
    panic("end_op: no operation in progress");
  int last = --lg.active == 0;
  if (last)
    lg.committing = 1;
  else
    wakeup(&lg); // our reserved space may let a waiting begin_op in
  spin_unlock(&lg.lock);
  if (!last)
    return;
  // No operation is active and none can start: the group is ours alone.
  commit();
  spin_lock(&lg.lock);
  lg.committing = 0;
  wakeup(&lg);
  spin_unlock(&lg.lock);
}

void log_write(struct buf *b) {
  spin_lock(&lg.lock);
  if (lg.active <= 0)
    panic("log_write: outside an operation");
  uint i = 0;
  while (i < lg.hdr.count && lg.hdr.home[i] != b->blockno)
    i++;
  if (i == lg.hdr.count) { // first write of this block in the group
    if (lg.hdr.count >= lg.capacity)
      panic("log_write: transaction too big");
    lg.hdr.home[lg.hdr.count++] = b->blockno;
    bpin(b);
  }
  spin_unlock(&lg.lock);
}
