// Open files, the device switch and pipes.
#ifndef FILE_H
#define FILE_H
#include "types.h"

struct inode;
struct pipe;
struct stat;

struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE } type;
  int ref;
  char readable;
  char writable;
  struct pipe *pipe;
  struct inode *ip;
  uint off;
};

// Device drivers behind T_DEV inodes, by major number. dst/src are user
// virtual addresses when the flag is set (see vm.h).
struct devsw {
  int (*read)(struct inode *ip, int to_user, uint dst, int n);
  int (*write)(struct inode *ip, int from_user, uint src, int n);
};
extern struct devsw devsw[];
#define CONSOLE 1

void file_init(void);
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int filestat(struct file *f, uint user_st); // user address of a struct stat
int fileread(struct file *f, uint user_dst, int n);
int filewrite(struct file *f, uint user_src, int n);

int pipealloc(struct file **rf, struct file **wf);
void pipeclose(struct pipe *p, int writable);
int piperead(struct pipe *p, uint user_dst, int n);
int pipewrite(struct pipe *p, uint user_src, int n);
#endif
