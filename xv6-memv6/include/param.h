// System-wide limits.
#ifndef PARAM_H
#define PARAM_H
#define NPROC 64        // process table slots
#define KSTACKSIZE 4096 // per-process kernel stack
#define NCPU 1          // one CPU for now; state still lives in struct cpu
#define NOFILE 16       // open files per process
#define NFILE 100       // open files in the whole system
#define NINODE 50       // in-memory inodes
#define NDEV 10         // device major numbers
#define ROOTDEV 1       // device number of the root file system
#define MAXARG 32       // exec arguments
#define USTACKPAGES 8   // user stack (32 KiB): enough for recursive sorts
#define MAXOPBLOCKS 10  // blocks one file-system operation may write
#define LOGSIZE (MAXOPBLOCKS * 3)
#define NBUF (MAXOPBLOCKS * 3)
// File system size in blocks (12 MiB): a file of MAXFILE blocks (fs.h,
// 8 MiB) fits beside everything the image holds, with 3 MiB to spare.
#define FSSIZE 24576
#define TICK_HZ 100 // timer interrupts per second
#endif
