// Inodes (fs.c), directories and path names (dir.c).
#ifndef FSYS_H
#define FSYS_H
#include "types.h"
#include "sleeplock.h"
#include "fs.h"

struct stat;

// In-memory copy of an inode; the fields below `lock` are valid only while
// the inode is locked and `valid` is set.
struct inode {
  uint dev;
  uint inum;
  int ref;
  struct sleeplock lock;
  int valid;
  short type;
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NADDRS];
};

void fs_init(int dev); // reads the superblock, recovers the log
struct inode *ialloc(uint dev, short type);
struct inode *iget(uint dev, uint inum); // referenced, not locked or read
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);
void stati(struct inode *ip, struct stat *st);
// dst/src are user virtual addresses when *_user is set (see vm.h).
int readi(struct inode *ip, int to_user, uint dst, uint off, uint n);
int writei(struct inode *ip, int from_user, uint src, uint off, uint n);
int namecmp(const char *a, const char *b);
struct inode *dirlookup(struct inode *dp, const char *name, uint *poff);
int dirlink(struct inode *dp, const char *name, uint inum);
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
#endif
