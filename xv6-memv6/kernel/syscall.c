// System call dispatch and argument fetching. The call number is in eax;
// arguments are ints on the user stack above the return address, as the
// xv6 x86 user library pushes them. Reads of user memory are checked
// against [0, sz) and then done directly (the process's page table is
// loaded).
#include "types.h"
#include "syscall.h"
#include "klib.h"
#include "proc.h"
#include "trap.h"
#include "sysarg.h"
#include "sysfile.h"
#include "syscalls.h"

static int (*const calls[])(void) = {
    [SYS_fork] = sys_fork,
    [SYS_exit] = sys_exit,
    [SYS_wait] = sys_wait,
    [SYS_pipe] = sys_pipe,
    [SYS_read] = sys_read,
    [SYS_kill] = sys_kill,
    [SYS_exec] = sys_exec,
    [SYS_fstat] = sys_fstat,
    [SYS_chdir] = sys_chdir,
    [SYS_dup] = sys_dup,
    [SYS_getpid] = sys_getpid,
    [SYS_sbrk] = sys_sbrk,
    [SYS_sleep] = sys_sleep,
    [SYS_uptime] = sys_uptime,
    [SYS_open] = sys_open,
    [SYS_write] = sys_write,
    [SYS_mknod] = sys_mknod,
    [SYS_unlink] = sys_unlink,
    [SYS_link] = sys_link,
    [SYS_mkdir] = sys_mkdir,
    [SYS_close] = sys_close,
    [SYS_exitst] = sys_exitst,
    [SYS_waitst] = sys_waitst,
    [SYS_shutdown] = sys_shutdown,
    [SYS_freepages] = sys_freepages,
    [SYS_mirrorcheck] = sys_mirrorcheck,
    [SYS_mcetest] = sys_mcetest,
    [SYS_vtop] = sys_vtop,
    [SYS_dedup] = sys_dedup,
    [SYS_framerefs] = sys_framerefs,
    [SYS_freemirror] = sys_freemirror,
    [SYS_retired] = sys_retired,
};

void syscall_run(void) {
  struct proc *p = myproc();
  uint num = p->tf->eax;
  if (num < NELEM(calls) && calls[num]) {
    p->tf->eax = calls[num]();
    return;
  }
  kprintf("pid %d %s: unknown system call %d\n", p->pid, p->name, num);
  p->tf->eax = -1;
}

static int user_range(uint addr, uint n) {
  uint sz = myproc()->sz;
  return addr < sz && n <= sz - addr;
}

int fetch_int(uint addr, int *ip) {
  if (!user_range(addr, sizeof(int)))
    return -1;
  *ip = *(const int *)addr;
  return 0;
}

int fetch_str(uint addr, char **pp) {
  uint sz = myproc()->sz;
  if (addr >= sz)
    return -1;
  for (const char *s = (const char *)addr; (uint)s < sz; s++) {
    if (*s == 0) {
      *pp = (char *)addr;
      return s - (const char *)addr;
    }
  }
  return -1;
}

int arg_int(int n, int *ip) {
  // esp points at the return address the user library's stub left.
  return fetch_int(myproc()->tf->esp + 4 + 4 * n, ip);
}

int arg_ptr(int n, char **pp, int size) {
  int v;
  if (arg_int(n, &v) < 0 || size < 0 || !user_range((uint)v, size))
    return -1;
  *pp = (char *)v;
  return 0;
}

int arg_str(int n, char **pp) {
  int v;
  if (arg_int(n, &v) < 0)
    return -1;
  return fetch_str((uint)v, pp);
}
