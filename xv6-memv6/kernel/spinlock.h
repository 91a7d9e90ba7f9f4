// Mutual exclusion with interrupts off. One CPU for now, but every shared
// structure still takes its lock so that SMP can come later.
#ifndef SPINLOCK_H
#define SPINLOCK_H
#include "types.h"

struct spinlock {
  uint locked;
  const char *name;   // for panics
  struct cpu *holder; // the CPU holding it
};

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk); // disables interrupts until unlock
void spin_unlock(struct spinlock *lk);
int spin_held(struct spinlock *lk);

// Nested interrupt disabling: intr_off_push/intr_on_pop pairs; interrupts
// come back on only when the outermost pair ends and they were on before.
void intr_off_push(void);
void intr_on_pop(void);
#endif
