// The file system proper: block allocation, inodes and file data, on top
// of the log (log.c) and the block cache (bio.c). Directories and path
// names are in dir.c.
//
// Locking: itable.lock guards which inode each cache slot holds and its
// reference count; an inode's sleeplock guards everything read from disk.
// Every function that writes the disk must run inside begin_op/end_op.
#include "buf.h"
#include "fsys.h"
#include "klib.h"
#include "log.h"
#include "param.h"
#include "spinlock.h"
#include "stat.h"
#include "vm.h"
#include "imgcache.h"

_Static_assert(BSIZE % sizeof(struct dinode) == 0, "dinodes tile a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents tile a block");

static struct superblock sb;

static struct {
  struct spinlock lock;
  struct inode slot[NINODE];
} itable;

void fs_init(int dev) {
  memset(&itable, 0, sizeof(itable)); // a reboot in the host tests starts clean
  spin_init(&itable.lock, "itable");
  for (int i = 0; i < NINODE; i++)
    sleeplock_init(&itable.slot[i].lock, "inode");
  struct buf *b = bread(dev, 1);
  memmove(&sb, b->data, sizeof(sb));
  brelse(b);
  if (sb.magic != FSMAGIC)
    panic("fs_init: disk has no xv6-memv6 file system");
  log_init(dev, &sb);
}

// ---- blocks ----

static void zero_block(uint dev, uint bno) {
  struct buf *b = bread(dev, bno);
  memset(b->data, 0, BSIZE);
  log_write(b);
  brelse(b);
}

// Claims the first free bit in one bitmap block; returns its block number,
// or 0 if that bitmap block has none free.
static uint claim_in(uint dev, uint first) {
  struct buf *map = bread(dev, BBLOCK(first, sb));
  uint found = 0;
  for (uint bit = 0; bit < BPB && first + bit < sb.size; bit++) {
    uchar *byte = &map->data[bit / 8];
    if (*byte == 0xff) {
      bit |= 7; // the whole byte is taken
      continue;
    }
    uchar mask = 1 << (bit % 8);
    if (!(*byte & mask)) {
      *byte |= mask;
      log_write(map);
      found = first + bit;
      break;
    }
  }
  brelse(map);
  return found;
}

// A newly allocated, zeroed block, or 0 when the disk is full.
static uint balloc(uint dev) {
  for (uint first = 0; first < sb.size; first += BPB) {
    uint bno = claim_in(dev, first);
    if (bno) {
      zero_block(dev, bno);
      return bno;
    }
  }
  return 0;
}

static void bfree(uint dev, uint bno) {
  struct buf *map = bread(dev, BBLOCK(bno, sb));
  uchar mask = 1 << (bno % 8);
  uchar *byte = &map->data[(bno % BPB) / 8];
  if (!(*byte & mask))
    panic("bfree: block is not allocated");
  *byte &= ~mask;
  log_write(map);
  brelse(map);
}

// ---- the inode cache ----

struct inode *iget(uint dev, uint inum) {
  struct inode *spare = 0;
  spin_lock(&itable.lock);
  for (struct inode *in = itable.slot; in < itable.slot + NINODE; in++) {
    if (in->ref > 0 && in->dev == dev && in->inum == inum) {
      in->ref++;
      spin_unlock(&itable.lock);
      return in;
    }
    if (!spare && in->ref == 0)
      spare = in;
  }
  if (!spare)
    panic("iget: no free inode cache slot");
  spare->dev = dev;
  spare->inum = inum;
  spare->ref = 1;
  spare->valid = 0;
  spin_unlock(&itable.lock);
  return spare;
}

struct inode *idup(struct inode *ip) {
  spin_lock(&itable.lock);
  ip->ref++;
  spin_unlock(&itable.lock);
  return ip;
}

static struct dinode *dinode_in(struct buf *b, uint inum) {
  return (struct dinode *)b->data + inum % IPB;
}

// Finds a free on-disk inode and gives it the type; 0 if none is left.
struct inode *ialloc(uint dev, short type) {
  for (uint inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *d = dinode_in(b, inum);
    int is_free = d->type == 0;
    if (is_free) {
      memset(d, 0, sizeof(*d));
      d->type = type;
      log_write(b);
    }
    brelse(b);
    if (is_free)
      return iget(dev, inum);
  }
  return 0;
}

// Writes the in-memory copy back; the caller holds the inode's lock.
void iupdate(struct inode *ip) {
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *d = dinode_in(b, ip->inum);
  d->type = ip->type;
  d->major = ip->major;
  d->minor = ip->minor;
  d->nlink = ip->nlink;
  d->size = ip->size;
  memmove(d->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(b);
  brelse(b);
}

static void load_inode(struct inode *ip) {
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  const struct dinode *d = dinode_in(b, ip->inum);
  ip->type = d->type;
  ip->major = d->major;
  ip->minor = d->minor;
  ip->nlink = d->nlink;
  ip->size = d->size;
  memmove(ip->addrs, d->addrs, sizeof(ip->addrs));
  brelse(b);
}

void ilock(struct inode *ip) {
  if (!ip || ip->ref < 1)
    panic("ilock: unreferenced inode");
  sleeplock_acquire(&ip->lock);
  if (!ip->valid) {
    load_inode(ip);
    ip->valid = 1;
    if (ip->type == 0)
      panic("ilock: inode is free on disk");
  }
}

void iunlock(struct inode *ip) {
  if (!ip || ip->ref < 1 || !sleeplock_held(&ip->lock))
    panic("iunlock: inode not locked by caller");
  sleeplock_release(&ip->lock);
}

static void itrunc(struct inode *ip);

// Drops a reference. The last reference to an inode that no directory
// names frees it on disk, so callers that may drop it run in a transaction.
void iput(struct inode *ip) {
  spin_lock(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Unreachable by name and ours alone: nobody else can be holding or
    // waiting for its lock, so sleeping on it here cannot deadlock.
    spin_unlock(&itable.lock);
    sleeplock_acquire(&ip->lock);
    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;
    sleeplock_release(&ip->lock);
    spin_lock(&itable.lock);
  }
  ip->ref--;
  spin_unlock(&itable.lock);
}

void iunlockput(struct inode *ip) {
  iunlock(ip);
  iput(ip);
}

void stati(struct inode *ip, struct stat *st) {
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// ---- file data ----

// Entry idx of the block-number table stored in block tbl; with grow set a
// missing entry is allocated (balloc hands out zeroed blocks, so a new table
// starts empty). 0 means absent, or the disk is full.
static uint table_entry(uint dev, uint tbl, uint idx, int grow) {
  struct buf *b = bread(dev, tbl);
  uint *table = (uint *)b->data;
  if (!table[idx] && grow) {
    table[idx] = balloc(dev);
    if (table[idx])
      log_write(b);
  }
  uint bno = table[idx];
  brelse(b);
  return bno;
}

// The block in the inode's own addrs[slot], allocated on demand.
static uint inode_slot(struct inode *ip, int slot, int grow) {
  if (!ip->addrs[slot] && grow)
    ip->addrs[slot] = balloc(ip->dev);
  return ip->addrs[slot];
}

// The disk block holding block idx of the file. With grow set, a missing
// block (and any missing table on the way) is allocated; 0 means it does not
// exist (or the disk is full).
static uint bmap(struct inode *ip, uint idx, int grow) {
  if (idx < NDIRECT)
    return inode_slot(ip, idx, grow);
  idx -= NDIRECT;
  if (idx < NINDIRECT) {
    uint tbl = inode_slot(ip, ADDR_INDIRECT, grow);
    return tbl ? table_entry(ip->dev, tbl, idx, grow) : 0;
  }
  idx -= NINDIRECT;
  if (idx >= NDINDIRECT)
    panic("bmap: block beyond MAXFILE");
  uint top = inode_slot(ip, ADDR_DINDIRECT, grow);
  uint mid = top ? table_entry(ip->dev, top, idx / NINDIRECT, grow) : 0;
  return mid ? table_entry(ip->dev, mid, idx % NINDIRECT, grow) : 0;
}

// Frees every block listed in table block tbl, then tbl itself. At depth 2
// the entries are tables themselves.
static void free_table(uint dev, uint tbl, int depth) {
  struct buf *b = bread(dev, tbl);
  const uint *table = (const uint *)b->data;
  for (uint i = 0; i < NINDIRECT; i++) {
    if (!table[i])
      continue;
    if (depth > 1)
      free_table(dev, table[i], depth - 1);
    else
      bfree(dev, table[i]);
  }
  brelse(b);
  bfree(dev, tbl);
}

static void itrunc(struct inode *ip) {
  imgcache_forget(ip->dev, ip->inum);
  for (int i = 0; i < NDIRECT; i++) {
    if (ip->addrs[i])
      bfree(ip->dev, ip->addrs[i]);
    ip->addrs[i] = 0;
  }
  if (ip->addrs[ADDR_INDIRECT])
    free_table(ip->dev, ip->addrs[ADDR_INDIRECT], 1);
  if (ip->addrs[ADDR_DINDIRECT])
    free_table(ip->dev, ip->addrs[ADDR_DINDIRECT], 2);
  ip->addrs[ADDR_INDIRECT] = ip->addrs[ADDR_DINDIRECT] = 0;
  ip->size = 0;
  iupdate(ip);
}

// Disk blocks of file blocks idx, idx+1, ... (at most max) that one table
// lists: a long read (exec) then takes each indirect block once, not once
// per data block. The caller holds the inode lock, so the map is stable.
static uint bmap_run(struct inode *ip, uint idx, uint max, uint *out) {
  if (idx < NDIRECT) {
    uint n = min_u(max, NDIRECT - idx);
    for (uint i = 0; i < n; i++)
      out[i] = ip->addrs[idx + i];
    return n;
  }
  uint k = idx - NDIRECT;
  if (k >= NINDIRECT || !ip->addrs[ADDR_INDIRECT]) {
    out[0] = bmap(ip, idx, 0);
    return 1;
  }
  uint n = min_u(max, NINDIRECT - k);
  struct buf *b = bread(ip->dev, ip->addrs[ADDR_INDIRECT]);
  memmove(out, (const uint *)b->data + k, n * sizeof(uint));
  brelse(b);
  return n;
}

#define READ_RUN 32 // block numbers looked up at a time

int readi(struct inode *ip, int to_user, uint dst, uint off, uint n) {
  if (off > ip->size || off + n < off)
    return -1;
  n = min_u(n, ip->size - off);
  uint run[READ_RUN], have = 0, next = 0;
  for (uint done = 0; done < n;) {
    if (next == have) {
      uint left = (off + (n - done) + BSIZE - 1) / BSIZE - off / BSIZE;
      have = bmap_run(ip, off / BSIZE, min_u(left, READ_RUN), run);
      next = 0;
    }
    uint bno = run[next++];
    if (!bno)
      return -1; // a hole: files are written densely, so the inode is bad
    struct buf *b = bread(ip->dev, bno);
    uint part = min_u(n - done, BSIZE - off % BSIZE);
    int r = copy_to_dst(to_user, dst, b->data + off % BSIZE, part);
    brelse(b);
    if (r < 0)
      return -1;
    done += part;
    off += part;
    dst += part;
  }
  return n;
}

// Returns the bytes written: fewer than n when the disk fills up or the
// source turns out to be a bad address part-way.
int writei(struct inode *ip, int from_user, uint src, uint off, uint n) {
  if (off > ip->size || off + n < off || off + n > MAXFILE * BSIZE)
    return -1;
  if (n)
    imgcache_forget(ip->dev, ip->inum); // exec must not map the old text
  uint done = 0;
  uchar part_data[BSIZE];
  while (done < n) {
    uint part = min_u(n - done, BSIZE - off % BSIZE);
    // Fetch before allocating: a bad address must not leave a block
    // attached beyond the end of the file.
    if (copy_from_src(part_data, from_user, src, part) < 0)
      break;
    uint bno = bmap(ip, off / BSIZE, 1);
    if (!bno)
      break;
    struct buf *b = bread(ip->dev, bno);
    memmove(b->data + off % BSIZE, part_data, part);
    log_write(b);
    brelse(b);
    done += part;
    off += part;
    src += part;
  }
  if (off > ip->size)
    ip->size = off;
  iupdate(ip); // bmap may have added blocks even when the size stayed
  return done;
}
