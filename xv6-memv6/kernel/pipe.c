// Pipes: a ring of PIPE_SIZE bytes between a reading and a writing file.
//
// rpos and wpos count bytes ever read and written; they only grow, so the
// ring is empty when they are equal and full when they differ by PIPE_SIZE
// (unsigned wrap-around keeps the difference right).
#include "file.h"
#include "kalloc.h"
#include "klib.h"
#include "proc.h"
#include "spinlock.h"
#include "vm.h"

#define PIPE_SIZE 512
#define BATCH 128 // bytes moved between the ring and user memory per copy

struct pipe {
  struct spinlock lock;
  uint rpos;
  uint wpos;
  int reader_open;
  int writer_open;
  char ring[PIPE_SIZE];
};

_Static_assert(sizeof(struct pipe) <= 4096, "a pipe fits one frame");

int pipealloc(struct file **rf, struct file **wf) {
  struct pipe *p = 0;
  *rf = filealloc();
  *wf = *rf ? filealloc() : 0;
  if (*wf)
    p = kalloc();
  if (!p) {
    if (*rf)
      fileclose(*rf);
    if (*wf)
      fileclose(*wf);
    *rf = *wf = 0;
    return -1;
  }
  spin_init(&p->lock, "pipe");
  p->rpos = p->wpos = 0;
  p->reader_open = p->writer_open = 1;
  **rf = (struct file){.type = FD_PIPE, .ref = 1, .readable = 1, .pipe = p};
  **wf = (struct file){.type = FD_PIPE, .ref = 1, .writable = 1, .pipe = p};
  return 0;
}

void pipeclose(struct pipe *p, int writable) {
  spin_lock(&p->lock);
  if (writable) {
    p->writer_open = 0;
    wakeup(&p->rpos); // readers see end of file
  } else {
    p->reader_open = 0;
    wakeup(&p->wpos); // writers see a broken pipe
  }
  int unused = !p->reader_open && !p->writer_open;
  spin_unlock(&p->lock);
  if (unused)
    kfree(p);
}

// Pushes k bytes into the ring, waiting for room; -1 if the reader is gone
// or we were killed meanwhile.
static int push(struct pipe *p, const char *bytes, int k) {
  spin_lock(&p->lock);
  for (int i = 0; i < k; i++) {
    while (p->reader_open && p->wpos - p->rpos == PIPE_SIZE && !proc_killed(myproc())) {
      wakeup(&p->rpos);
      sleep(&p->wpos, &p->lock);
    }
    if (!p->reader_open || proc_killed(myproc())) { // nobody will read it
      spin_unlock(&p->lock);
      return -1;
    }
    p->ring[p->wpos++ % PIPE_SIZE] = bytes[i];
  }
  wakeup(&p->rpos);
  spin_unlock(&p->lock);
  return 0;
}

// Writes all n bytes unless the reader goes away or we are killed. User
// memory is read in batches outside the lock.
int pipewrite(struct pipe *p, uint user_src, int n) {
  char batch[BATCH];
  int done = 0;
  while (done < n) {
    int k = n - done < BATCH ? n - done : BATCH;
    if (copy_from_src(batch, 1, user_src + done, k) < 0)
      return done > 0 ? done : -1;
    if (push(p, batch, k) < 0)
      return -1;
    done += k;
  }
  return n;
}

// Waits for data (or end of file), then returns what is there, up to n.
int piperead(struct pipe *p, uint user_dst, int n) {
  char batch[BATCH];
  spin_lock(&p->lock);
  while (p->rpos == p->wpos && p->writer_open) {
    if (proc_killed(myproc())) {
      spin_unlock(&p->lock);
      return -1;
    }
    sleep(&p->rpos, &p->lock);
  }
  int got = 0;
  // Copying to user memory may take a while (memv6 writes the mirror too),
  // so it happens with the lock dropped, one batch at a time. Each batch is
  // taken out of the ring first, so a second reader never sees it twice.
  while (got < n && p->rpos != p->wpos) {
    int k = 0;
    while (k < BATCH && got + k < n && p->rpos != p->wpos)
      batch[k++] = p->ring[p->rpos++ % PIPE_SIZE];
    wakeup(&p->wpos);
    spin_unlock(&p->lock);
    if (copy_to_dst(1, user_dst + got, batch, k) < 0)
      return got > 0 ? got : -1;
    got += k;
    spin_lock(&p->lock);
  }
  wakeup(&p->wpos);
  spin_unlock(&p->lock);
  return got;
}
