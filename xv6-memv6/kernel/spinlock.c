// Spinlocks. Holding one keeps interrupts off on this CPU, because an
// interrupt handler that wants the same lock would spin forever.
#include "types.h"
#include "x86.h"
#include "mmu.h"
#include "klib.h"
#include "spinlock.h"
#include "proc.h"
#include "mce.h"

void spin_init(struct spinlock *lk, const char *name) {
  lk->locked = 0;
  lk->name = name;
  lk->holder = 0;
}

// spin_held without its own interrupt guard, for callers that hold one.
// Locks are taken on every frame retain/release, so the nested
// push/pop that spin_held would add is worth saving.
static int held_here(struct spinlock *lk) {
  return lk->locked && lk->holder == mycpu();
}

void spin_lock(struct spinlock *lk) {
  intr_off_push();
  if (held_here(lk)) {
    kprintf("lock %s\n", lk->name);
    panic("spin_lock: already held by this cpu");
  }
  while (test_and_set(&lk->locked))
    ;
  __sync_synchronize(); // the critical section's loads stay after the test-and-set
  lk->holder = mycpu();
}

void spin_unlock(struct spinlock *lk) {
  // Interrupts are off while a lock is held, so no guard is needed.
  if (!held_here(lk)) {
    kprintf("lock %s\n", lk->name);
    panic("spin_unlock: not held");
  }
  lk->holder = 0;
  __sync_synchronize(); // the critical section's stores land before the release
  store_release(&lk->locked, 0);
  intr_on_pop();
}

int spin_held(struct spinlock *lk) {
  intr_off_push();
  int mine = held_here(lk);
  intr_on_pop();
  return mine;
}

void intr_off_push(void) {
  uint was_on = read_eflags() & EFLAGS_IF;
  cli();
  struct cpu *c = mycpu();
  if (c->intr_depth == 0)
    c->intr_was_on = was_on != 0;
  c->intr_depth++;
}

void intr_on_pop(void) {
  if (read_eflags() & EFLAGS_IF)
    panic("intr_on_pop: interrupts are on");
  struct cpu *c = mycpu();
  if (c->intr_depth <= 0)
    panic("intr_on_pop: unbalanced");
  c->intr_depth--;
  if (c->intr_depth == 0 && c->intr_was_on) {
    // The end of the outermost interrupts-off section: a safe point for
    // the machine checks that came in it (mce.c).
    if (mce_queued)
      mce_run();
    sti();
  }
}
