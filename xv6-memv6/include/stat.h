// struct stat as xv6 x86 user programs know it (layout is ABI).
#ifndef STAT_H
#define STAT_H
#define T_DIR 1
#define T_FILE 2
#define T_DEV 3

struct stat {
  short type;  // T_DIR, T_FILE or T_DEV
  int dev;     // device of the file system
  uint ino;    // inode number
  short nlink; // links to the inode
  uint size;   // bytes
};
#endif
