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
  // The address space an exec is building, until it replaces pgdir:
  // machine-check recovery looks there too (mce.c).
  pde_t *exec_pgdir;
  char *kstack; // bottom of the kernel stack
  struct proc *parent;
  struct trapframe *tf;      // trap frame of the current system call/trap
  struct context *context;   // switch here to run the process
  void *chan;                // sleeping on this, if nonzero
  struct proc *next_sleeper; // the list of sleeping processes (proc.c)
  int killed;                // kill() was called
  int xstatus;               // exit status for waitst()
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];
};

extern struct cpu cpus[NCPU];
extern struct proc procs[NPROC]; // the process table (introspection reads it)
struct cpu *mycpu(void);
struct proc *myproc(void);

// Sleep on chan, releasing lk while asleep and holding it again on return.
void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);
int proc_killed(struct proc *p);
void yield(void);
void exit_proc(int status) __attribute__((noreturn));

void proc_init(void);
void proc_start_first(void (*body)(void));      // body runs first, in kernel mode
void scheduler(void) __attribute__((noreturn)); // never returns
int proc_fork(void);                            // child pid, or -1
int proc_wait(int *status);                     // pid of a reaped child, or -1
int proc_kill(int pid);
void proc_dump(void); // console ^P
int proc_grow(int n); // sbrk: 0, or -1 when refused
#endif
