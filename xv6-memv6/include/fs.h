// On-disk file system format, shared by the kernel, mkfs and user programs.
// Disk layout, in 512-byte blocks:
//   [0 unused][1 superblock][log][inodes][free bitmap][data ...]
#ifndef FS_H
#define FS_H

#define BSIZE 512
#define ROOTINO 1
#define FSMAGIC 0x6d763666 // "fv6m"

struct superblock {
  uint magic;      // FSMAGIC
  uint size;       // blocks in the image
  uint nblocks;    // data blocks
  uint ninodes;    // inodes
  uint nlog;       // log blocks (header included)
  uint logstart;   // first log block
  uint inodestart; // first inode block
  uint bmapstart;  // first bitmap block
};

// A file's blocks: NDIRECT listed in the inode, then those listed in the
// indirect block, then those reached through the doubly-indirect block (a
// block of indirect blocks). addrs[] keeps 13 entries, as before the double
// level was added, so struct dinode stays 64 bytes.
#define NDIRECT 11
#define NINDIRECT (BSIZE / sizeof(uint))
#define NDINDIRECT (NINDIRECT * NINDIRECT)
#define MAXFILE (NDIRECT + NINDIRECT + NDINDIRECT)
#define ADDR_INDIRECT NDIRECT        // addrs[] slot of the indirect block
#define ADDR_DINDIRECT (NDIRECT + 1) // addrs[] slot of the doubly-indirect block
#define NADDRS (NDIRECT + 2)

// An inode as stored on disk.
struct dinode {
  short type;  // 0 = free, else T_DIR/T_FILE/T_DEV
  short major; // device numbers (T_DEV only)
  short minor;
  short nlink;        // directory entries naming it
  uint size;          // bytes
  uint addrs[NADDRS]; // direct, indirect, doubly-indirect
};

#define IPB (BSIZE / sizeof(struct dinode))         // inodes per block
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart) // block holding inode i
#define BPB (BSIZE * 8)                             // bitmap bits per block
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)  // bitmap block for b

#define DIRSIZ 14

struct dirent {
  ushort inum; // 0 = unused entry
  char name[DIRSIZ];
};
#endif
