// A one-process, one-thread stand-in for the kernel around the file-system
// sources, so fs_host_test can run them on the host: a RAM disk with a
// crash switch, locks that fail loudly on misuse, one process, and system
// call arguments set by the test.
//
// Kernel code passes addresses as 32-bit uints, so everything the kernel
// code touches lives below 4 GiB: the test binary is not position
// independent, and the disk, frames and the test's stack come from
// MAP_32BIT mappings.
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "buf.h"
#include "kalloc.h"
#include "klib.h"
#include "proc.h"
#include "sleeplock.h"
#include "imgcache.h"
#include "fs_host_env.h"

uchar *env_disk;
long env_disk_writes;
long env_crash_budget = -1;
jmp_buf *env_crash_point;

static struct proc the_proc = {.pid = 1};
static uint sys_args[4];

void *env_low_alloc(size_t n) {
  void *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    abort();
  }
  return p;
}

// ---- console: the kernel's string routines come from kernel/klib.c ----

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

void panic(const char *msg) {
  printf("kernel panic: %s\n", msg);
  fflush(stdout);
  abort();
}

// ---- locks: one thread, so any wait would be forever ----

void spin_init(struct spinlock *lk, const char *name) {
  lk->locked = 0;
  lk->name = name;
}

void spin_lock(struct spinlock *lk) {
  if (lk->locked)
    panic("spin_lock: already held (would deadlock)");
  lk->locked = 1;
}

void spin_unlock(struct spinlock *lk) {
  if (!lk->locked)
    panic("spin_unlock: not held");
  lk->locked = 0;
}

int spin_held(struct spinlock *lk) {
  return lk->locked;
}

void sleep(void *chan, struct spinlock *lk) {
  (void)chan;
  (void)lk;
  panic("sleep: the only process would never wake up");
}

void wakeup(void *chan) {
  (void)chan;
}

int proc_killed(struct proc *p) {
  return p->killed;
}

struct proc *myproc(void) {
  return &the_proc;
}

// ---- memory ----

void *kalloc(void) {
  return env_low_alloc(4096);
}

void kfree(void *va) {
  munmap(va, 4096);
}

// Addresses at or above ENV_BAD_ADDR play the part of unmapped user memory.
int copy_to_dst(int to_user, uint dst, const void *src, uint n) {
  if (to_user && (dst >= ENV_BAD_ADDR || dst + n > ENV_BAD_ADDR))
    return -1;
  memmove((void *)(uintptr_t)dst, src, n);
  return 0;
}

int copy_from_src(void *dst, int from_user, uint src, uint n) {
  if (from_user && (src >= ENV_BAD_ADDR || src + n > ENV_BAD_ADDR))
    return -1;
  memmove(dst, (const void *)(uintptr_t)src, n);
  return 0;
}

// ---- the disk: writes may be cut off to simulate a crash ----

void ide_init(void) {}

void ide_rw(struct buf *b) {
  uchar *sector = env_disk + (size_t)b->blockno * BSIZE;
  if (b->blockno >= FSSIZE)
    panic("ide_rw: block beyond the disk");
  if (b->flags & BUF_DIRTY) {
    if (env_crash_budget == 0)
      longjmp(*env_crash_point, 1);
    if (env_crash_budget > 0)
      env_crash_budget--;
    memmove(sector, b->data, BSIZE);
    env_disk_writes++;
  } else {
    memmove(b->data, sector, BSIZE);
  }
  b->flags = BUF_VALID;
}

// ---- the process and its system call arguments ----

void env_set_args(uint a0, uint a1, uint a2) {
  sys_args[0] = a0;
  sys_args[1] = a1;
  sys_args[2] = a2;
}

int arg_int(int n, int *ip) {
  *ip = (int)sys_args[n];
  return 0;
}

int arg_ptr(int n, char **pp, int size) {
  (void)size;
  *pp = (char *)(uintptr_t)sys_args[n];
  return 0;
}

int arg_str(int n, char **pp) {
  *pp = (char *)(uintptr_t)sys_args[n];
  return strlen(*pp);
}

void env_reset_proc(void) {
  for (int fd = 0; fd < NOFILE; fd++)
    the_proc.ofile[fd] = 0;
  the_proc.cwd = 0;
  the_proc.killed = 0;
}

// fs.c tells the exec image cache about files that change; there is none.
void imgcache_forget(uint dev, uint inum) {
  (void)dev;
  (void)inum;
}
