// A lock held across disk I/O: waiters sleep instead of spinning.
#ifndef SLEEPLOCK_H
#define SLEEPLOCK_H
#include "spinlock.h"

struct sleeplock {
  uint locked;
  struct spinlock guard; // protects this struct
  int owner;             // pid of the holder
  const char *name;
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void sleeplock_acquire(struct sleeplock *lk);
void sleeplock_release(struct sleeplock *lk);
int sleeplock_held(struct sleeplock *lk); // held by the current process
#endif
