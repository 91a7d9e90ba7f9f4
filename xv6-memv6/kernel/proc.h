// Processes, the scheduler, and sleeping. Fields the harness reads are named
// in introspect.h by offset; keep that block in step when adding fields.
#ifndef PROC_H
#define PROC_H
#include "types.h"
#include "param.h"
#include "spinlock.h"

struct file;
struct inode;
struct trapframe;
struct context; // callee-saved registers for the context switch (swtch.S)

struct cpu {
  struct context *scheduler; // where the scheduler loop resumes
  struct proc *proc;         // the process running here, or 0
  int intr_depth;            // depth of intr_off_push nesting
  int intr_was_on;           // were interrupts on before the first push?
  struct taskstate *ts;      // used by the CPU to find the kernel stack
};

struct proc {
  int state; // PSTATE_* (introspect.h)
  int pid;
  uint sz;      // bytes of user memory [0, sz)
  pde_t *pgdir; // page directory (kernel va)
  char *kstack; // bottom of the kernel stack
  struct proc *parent;
  struct trapframe *tf;    // trap frame of the current system call/trap
  struct context *context; // switch here to run the process
  void *chan;              // sleeping on this, if nonzero
  int killed;              // kill() was called
  int xstatus;             // exit status for waitst()
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];
};

extern struct cpu cpus[NCPU];
struct cpu *mycpu(void);
struct proc *myproc(void);

// Sleep on chan, releasing lk while asleep and holding it again on return.
void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);
int proc_killed(struct proc *p);
void yield(void);
void exit_proc(int status) __attribute__((noreturn));
#endif
