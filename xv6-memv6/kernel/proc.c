// The process table, the scheduler, sleep/wakeup, fork/exit/wait/kill.
//
// table_lock protects every proc's state, chan, killed and parent, and is
// held across the context switch between a process and the scheduler.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "vm.h"
#include "file.h"
#include "fsys.h"
#include "log.h"
#include "trap.h"
#include "proc.h"

// Callee-saved registers, in the order swtch.S pushes them.
struct context {
  uint edi, esi, ebx, ebp;
  uint eip;
};

void ctx_switch(struct context **save, struct context *next); // swtch.S

struct proc procs[NPROC];
static struct spinlock table_lock;
static int last_pid;
static struct proc *init_proc;
static void (*first_body)(void);

void proc_init(void) {
  spin_init(&table_lock, "proc table");
}

struct proc *myproc(void) {
  intr_off_push();
  struct proc *p = mycpu()->proc;
  intr_on_pop();
  return p;
}

// Every new process's first context starts here, still holding
// table_lock from the scheduler; returning enters trap_return.
static void proc_entry(void) {
  spin_unlock(&table_lock);
  if (first_body) {
    void (*body)(void) = first_body;
    first_body = 0;
    body();
  }
}

// An EMBRYO with a kernel stack laid out to start in proc_entry.
static struct proc *proc_alloc(void) {
  spin_lock(&table_lock);
  struct proc *p = procs;
  while (p < &procs[NPROC] && p->state != PSTATE_UNUSED)
    p++;
  if (p == &procs[NPROC]) {
    spin_unlock(&table_lock);
    return 0;
  }
  p->state = PSTATE_EMBRYO;
  p->pid = ++last_pid;
  spin_unlock(&table_lock);

  p->kstack = kalloc_stack(p->pid);
  if (!p->kstack) {
    p->state = PSTATE_UNUSED;
    return 0;
  }
  char *sp = p->kstack + KSTACKSIZE;
  sp -= sizeof(struct trapframe);
  p->tf = (struct trapframe *)sp;
  sp -= sizeof(uint);
  *(uint *)sp = (uint)trap_return;
  sp -= sizeof(struct context);
  p->context = (struct context *)sp;
  memset(p->context, 0, sizeof(*p->context));
  p->context->eip = (uint)proc_entry;
  return p;
}

void proc_start_first(void (*body)(void)) {
  struct proc *p = proc_alloc();
  if (!p || !(p->pgdir = uvm_create(p->pid)))
    panic("proc_start_first: out of memory");
  p->sz = 0;
  // Ring 3 segments and interrupts on: exec fills in eip and esp.
  memset(p->tf, 0, sizeof(*p->tf));
  p->tf->cs = (SEG_UCODE << 3) | DPL_USER;
  p->tf->ds = p->tf->es = p->tf->ss = (SEG_UDATA << 3) | DPL_USER;
  p->tf->fs = p->tf->gs = (SEG_UDATA << 3) | DPL_USER;
  p->tf->eflags = EFLAGS_IF;
  strlcpy0(p->name, "init", sizeof(p->name));
  init_proc = p;
  first_body = body;
  spin_lock(&table_lock);
  p->state = PSTATE_RUNNABLE;
  spin_unlock(&table_lock);
}

void scheduler(void) {
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    sti(); // devices may wake someone between rounds
    int ran = 0;
    spin_lock(&table_lock);
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      if (p->state != PSTATE_RUNNABLE)
        continue;
      c->proc = p;
      uvm_switch(p);
      p->state = PSTATE_RUNNING;
      ctx_switch(&c->scheduler, p->context);
      kvm_switch();
      c->proc = 0;
      ran = 1;
    }
    spin_unlock(&table_lock);
    if (!ran)
      __asm__ volatile("sti; hlt"); // idle until the next interrupt
  }
}

// Give the CPU back to the scheduler. The caller holds only table_lock and
// has already changed the process's state.
static void sched(void) {
  struct proc *p = myproc();
  struct cpu *c = mycpu();
  if (!spin_held(&table_lock) || c->intr_depth != 1)
    panic("sched: wrong locks held");
  if (p->state == PSTATE_RUNNING || (read_eflags() & EFLAGS_IF))
    panic("sched: process still running or interrupts on");
  // intr_was_on belongs to this process's kernel thread, not the CPU.
  int was_on = c->intr_was_on;
  ctx_switch(&p->context, c->scheduler);
  mycpu()->intr_was_on = was_on;
}

void yield(void) {
  spin_lock(&table_lock);
  myproc()->state = PSTATE_RUNNABLE;
  sched();
  spin_unlock(&table_lock);
}

// Two things keep wakeup cheap; the buffer cache alone calls it twice per
// disk block read, and nearly always nobody is waiting.
// - A count of sleepers per channel slot, read before taking table_lock.
//   Reading it unlocked is safe for the reason the sleep/wakeup protocol
//   is: the waker holds the condition's lock, and a sleeper counts itself,
//   under table_lock, before it lets that lock go. The slot is a
//   multiplicative hash of the address: channels are struct fields whose
//   low bits repeat with the struct's size.
// - The sleeping processes on a list, so a wakeup whose slot collides walks
//   the few sleepers, not all NPROC entries.
#define SLEEP_SLOTS 256
static uint sleepers[SLEEP_SLOTS];
static struct proc *sleeping; // guarded by table_lock

static uint *sleep_slot(void *chan) {
  return &sleepers[((uint)chan * 2654435761u) >> 24];
}

static void sleeping_remove(struct proc *p) {
  struct proc **at = &sleeping;
  while (*at != p)
    at = &(*at)->next_sleeper;
  *at = p->next_sleeper;
  p->next_sleeper = 0;
}

void sleep(void *chan, struct spinlock *lk) {
  struct proc *p = myproc();
  if (!p || !lk)
    panic("sleep: no process or no lock");
  // Taking table_lock before dropping lk means no wakeup can slip between.
  if (lk != &table_lock) {
    spin_lock(&table_lock);
    spin_unlock(lk);
  }
  p->chan = chan;
  p->state = PSTATE_SLEEPING;
  p->next_sleeper = sleeping;
  sleeping = p;
  (*sleep_slot(chan))++;
  sched();
  (*sleep_slot(chan))--;
  sleeping_remove(p);
  p->chan = 0;
  if (lk != &table_lock) {
    spin_unlock(&table_lock);
    spin_lock(lk);
  }
}

// A killed sleeper is made runnable but stays listed until it runs.
static void wake_locked(void *chan) {
  for (struct proc *p = sleeping; p; p = p->next_sleeper) {
    if (p->state == PSTATE_SLEEPING && p->chan == chan)
      p->state = PSTATE_RUNNABLE;
  }
}

void wakeup(void *chan) {
  if (__atomic_load_n(sleep_slot(chan), __ATOMIC_ACQUIRE) == 0)
    return;
  spin_lock(&table_lock);
  wake_locked(chan);
  spin_unlock(&table_lock);
}

int proc_killed(struct proc *p) {
  return p && p->killed;
}

int proc_kill(int pid) {
  spin_lock(&table_lock);
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    // A zombie is already dead: killing it succeeds and changes nothing.
    if (p->pid == pid && p->state != PSTATE_UNUSED) {
      p->killed = 1;
      if (p->state == PSTATE_SLEEPING)
        p->state = PSTATE_RUNNABLE; // so it notices and exits
      spin_unlock(&table_lock);
      return 0;
    }
  }
  spin_unlock(&table_lock);
  return -1;
}

int proc_fork(void) {
  struct proc *cur = myproc();
  struct proc *child = proc_alloc();
  if (!child)
    return -1;
  // Published before it is filled, so machine-check recovery finds and
  // rewrites (or kills for) the child's mappings too while fork shares.
  child->pgdir = uvm_create(child->pid);
  child->sz = cur->sz;
  // A child that recovery killed meanwhile (it mapped a frame that could
  // not be replaced) is not worth starting: fork fails.
  if (!child->pgdir || uvm_copy(cur->pgdir, child->pgdir, cur->sz, child->pid) < 0 ||
      child->killed) {
    pde_t *pgdir = child->pgdir;
    child->pgdir = 0;
    child->sz = 0;
    if (pgdir)
      uvm_free(pgdir, cur->sz); // a retired frame keeps count of what is released
    kfree(child->kstack);
    child->kstack = 0;
    spin_lock(&table_lock);
    child->killed = 0; // recovery may have killed it for a mapping fork made
    child->state = PSTATE_UNUSED;
    spin_unlock(&table_lock);
    return -1;
  }
  *child->tf = *cur->tf;
  child->tf->eax = 0; // fork returns 0 in the child
  for (int fd = 0; fd < NOFILE; fd++) {
    if (cur->ofile[fd])
      child->ofile[fd] = filedup(cur->ofile[fd]);
  }
  child->cwd = cur->cwd ? idup(cur->cwd) : 0;
  memmove(child->name, cur->name, sizeof(cur->name));
  int pid = child->pid;
  spin_lock(&table_lock);
  child->parent = cur;
  child->state = PSTATE_RUNNABLE;
  spin_unlock(&table_lock);
  return pid;
}

void exit_proc(int status) {
  struct proc *p = myproc();
  if (p == init_proc)
    panic("init exited");
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  if (p->cwd) {
    begin_op();
    iput(p->cwd);
    end_op();
    p->cwd = 0;
  }

  spin_lock(&table_lock);
  wake_locked(p->parent);
  // Orphans go to init, which reaps whatever it is given.
  for (struct proc *c = procs; c < &procs[NPROC]; c++) {
    if (c->parent != p)
      continue;
    c->parent = init_proc;
    if (c->state == PSTATE_ZOMBIE)
      wake_locked(init_proc);
  }
  p->xstatus = status;
  p->state = PSTATE_ZOMBIE;
  sched();
  panic("exit_proc: zombie ran again");
}

// Frees what exit left behind; table_lock is held.
static void reap(struct proc *p) {
  kfree(p->kstack);
  uvm_free(p->pgdir, p->sz);
  p->kstack = 0;
  p->pgdir = 0;
  p->sz = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->killed = 0;
  p->state = PSTATE_UNUSED;
}

int proc_wait(int *status) {
  struct proc *cur = myproc();
  spin_lock(&table_lock);
  for (;;) {
    int children = 0;
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      if (p->parent != cur)
        continue;
      children = 1;
      if (p->state != PSTATE_ZOMBIE)
        continue;
      int pid = p->pid;
      if (status)
        *status = p->xstatus;
      reap(p);
      spin_unlock(&table_lock);
      return pid;
    }
    if (!children || cur->killed) {
      spin_unlock(&table_lock);
      return -1;
    }
    sleep(cur, &table_lock);
  }
}

// A shrink to a size inside a page keeps that page with its old bytes;
// growing over them again must show zeros, like fresh memory.
static void zero_tail(struct proc *p, uint from, uint to) {
  static const char zeros[256];
  while (from < to) {
    uint n = to - from < sizeof(zeros) ? to - from : sizeof(zeros);
    if (copyout(p->pgdir, from, zeros, n) < 0)
      return; // the guard page: not user memory anyway
    from += n;
  }
}

int proc_grow(int n) {
  struct proc *p = myproc();
  uint sz = p->sz;
  if (n > 0) {
    if (sz + n < sz || (sz = uvm_grow(p->pgdir, sz, sz + n, p->pid)) == 0)
      return -1;
    uint tail = PGROUNDUP(p->sz) < sz ? PGROUNDUP(p->sz) : sz;
    zero_tail(p, p->sz, tail);
  } else if (n < 0) {
    if ((uint)-n > sz)
      return -1;
    sz = uvm_shrink(p->pgdir, sz, sz + n);
  }
  p->sz = sz;
  uvm_switch(p); // reload cr3: removed pages must leave the TLB
  return 0;
}

// ^P on the console: one line per process, for finding hangs by hand. No
// lock, so it works even when the table lock is stuck.
void proc_dump(void) {
  static const char *names[] = {"unused", "embryo", "sleep", "runnable", "run", "zombie"};
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p->state == PSTATE_UNUSED)
      continue;
    const char *st = p->state >= 0 && p->state < (int)NELEM(names) ? names[p->state] : "?";
    kprintf("%d %s %s sz %u chan %p%s\n", p->pid, st, p->name, p->sz, (uint)p->chan,
            p->killed ? " killed" : "");
  }
}
