// Open files: the system-wide table that file descriptors point into, and
// reads and writes dispatched to pipes, devices or inodes.
#include "file.h"
#include "fsys.h"
#include "klib.h"
#include "log.h"
#include "param.h"
#include "spinlock.h"
#include "stat.h"
#include "vm.h"

struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;
  struct file files[NFILE];
} ftable;

// Bytes one writei may take so that its transaction stays within
// MAXOPBLOCKS: an unaligned chunk touches one data block more than it
// fills, each data block may dirty a bitmap block, and the inode and the
// indirect block come on top.
#define WRITE_CHUNK ((((MAXOPBLOCKS - 2) / 2) - 1) * BSIZE)

void file_init(void) {
  memset(&ftable, 0, sizeof(ftable)); // a reboot in the host tests starts clean
  spin_init(&ftable.lock, "ftable");
}

struct file *filealloc(void) {
  spin_lock(&ftable.lock);
  for (struct file *f = ftable.files; f < ftable.files + NFILE; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      spin_unlock(&ftable.lock);
      return f;
    }
  }
  spin_unlock(&ftable.lock);
  return 0;
}

struct file *filedup(struct file *f) {
  spin_lock(&ftable.lock);
  if (f->ref < 1)
    panic("filedup: closed file");
  f->ref++;
  spin_unlock(&ftable.lock);
  return f;
}

void fileclose(struct file *f) {
  spin_lock(&ftable.lock);
  if (f->ref < 1)
    panic("fileclose: closed file");
  if (--f->ref > 0) {
    spin_unlock(&ftable.lock);
    return;
  }
  // Release the slot first; the pipe or inode is dropped from the copy,
  // since dropping an inode may sleep.
  struct file gone = *f;
  f->type = FD_NONE;
  f->pipe = 0;
  f->ip = 0;
  spin_unlock(&ftable.lock);
  if (gone.type == FD_PIPE) {
    pipeclose(gone.pipe, gone.writable);
  } else if (gone.type == FD_INODE) {
    begin_op();
    iput(gone.ip);
    end_op();
  }
}

int filestat(struct file *f, uint user_st) {
  if (f->type != FD_INODE)
    return -1;
  struct stat st;
  memset(&st, 0, sizeof(st));
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copy_to_dst(1, user_st, &st, sizeof(st)) < 0 ? -1 : 0;
}

// The driver for a T_DEV inode, or 0. Type and major never change while
// the file holds its reference, so no inode lock is needed to read them.
static struct devsw *driver(struct inode *ip) {
  if (ip->type != T_DEV || ip->major < 0 || ip->major >= NDEV)
    return 0;
  return &devsw[ip->major];
}

int fileread(struct file *f, uint user_dst, int n) {
  if (!f->readable || n < 0)
    return -1;
  if (f->type == FD_PIPE)
    return piperead(f->pipe, user_dst, n);
  if (f->type != FD_INODE)
    panic("fileread: bad file type");
  if (f->ip->type == T_DEV) {
    struct devsw *d = driver(f->ip);
    return d && d->read ? d->read(f->ip, 1, user_dst, n) : -1;
  }
  ilock(f->ip);
  int r = readi(f->ip, 1, user_dst, f->off, n);
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  return r;
}

// One transaction's worth of filewrite; returns bytes written or -1.
static int write_chunk(struct file *f, uint src, uint n) {
  begin_op();
  ilock(f->ip);
  int r = writei(f->ip, 1, src, f->off, n);
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  end_op();
  return r;
}

int filewrite(struct file *f, uint user_src, int n) {
  if (!f->writable || n < 0)
    return -1;
  if (f->type == FD_PIPE)
    return pipewrite(f->pipe, user_src, n);
  if (f->type != FD_INODE)
    panic("filewrite: bad file type");
  if (f->ip->type == T_DEV) {
    struct devsw *d = driver(f->ip);
    return d && d->write ? d->write(f->ip, 1, user_src, n) : -1;
  }
  // Large writes span several transactions: each fits in the log, and a
  // crash may keep a prefix of the write, never a torn block.
  int done = 0;
  while (done < n) {
    uint part = n - done < WRITE_CHUNK ? (uint)(n - done) : WRITE_CHUNK;
    int r = write_chunk(f, user_src + done, part);
    if (r > 0)
      done += r;
    if (r != (int)part)
      return done > 0 ? done : -1; // disk full or a bad address
  }
  return n;
}
