// Sleeping locks: a holder may wait for the disk, so waiters give up the CPU
// instead of spinning. The guard spinlock only protects the fields.
#include "sleeplock.h"
#include "proc.h"

void sleeplock_init(struct sleeplock *lk, const char *name) {
  spin_init(&lk->guard, "sleeplock");
  lk->name = name;
  lk->locked = 0;
  lk->owner = 0;
}

void sleeplock_acquire(struct sleeplock *lk) {
  spin_lock(&lk->guard);
  while (lk->locked)
    sleep(lk, &lk->guard);
  lk->locked = 1;
  lk->owner = myproc()->pid;
  spin_unlock(&lk->guard);
}

void sleeplock_release(struct sleeplock *lk) {
  spin_lock(&lk->guard);
  lk->locked = 0;
  lk->owner = 0;
  wakeup(lk);
  spin_unlock(&lk->guard);
}

int sleeplock_held(struct sleeplock *lk) {
  spin_lock(&lk->guard);
  int mine = lk->locked && lk->owner == myproc()->pid;
  spin_unlock(&lk->guard);
  return mine;
}
