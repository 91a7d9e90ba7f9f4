// Process system calls, xv6's plus ours (exitst, waitst, shutdown,
// freepages).
#include "types.h"
#include "x86.h"
#include "klib.h"
#include "proc.h"
#include "vm.h"
#include "kalloc.h"
#include "imgcache.h"
#include "pic.h"
#include "sysarg.h"
#include "syscalls.h"
#include "poweroff.h"

int sys_fork(void) {
  return proc_fork();
}

int sys_exit(void) {
  exit_proc(0);
}

int sys_exitst(void) {
  int status;
  if (arg_int(0, &status) < 0)
    return -1;
  exit_proc(status);
}

int sys_wait(void) {
  return proc_wait(0);
}

int sys_waitst(void) {
  int addr;
  if (arg_int(0, &addr) < 0)
    return -1;
  // Check the destination before reaping, so a bad pointer loses no child.
  int probe;
  if (addr && copy_from_src(&probe, 1, addr, sizeof(probe)) < 0)
    return -1;
  int status;
  int pid = proc_wait(&status);
  if (pid >= 0 && addr && copy_to_dst(1, addr, &status, sizeof(status)) < 0)
    return -1;
  return pid;
}

int sys_kill(void) {
  int pid;
  if (arg_int(0, &pid) < 0)
    return -1;
  return proc_kill(pid);
}

int sys_getpid(void) {
  return myproc()->pid;
}

int sys_sbrk(void) {
  int n;
  if (arg_int(0, &n) < 0)
    return -1;
  int old = myproc()->sz;
  if (proc_grow(n) < 0)
    return -1;
  return old;
}

int sys_sleep(void) {
  int n;
  if (arg_int(0, &n) < 0 || n < 0)
    return -1;
  return timer_sleep(n);
}

int sys_uptime(void) {
  return timer_ticks();
}

int sys_freepages(void) {
  return free_frames() + imgcache_idle_frames(ZONE_NORMAL); // see imgcache.h
}

HARNESS_HOOK int sys_shutdown(void) {
  int status;
  if (arg_int(0, &status) < 0)
    return -1;
  kmachine("@exit status=%d", status);
  power_off(status);
}
