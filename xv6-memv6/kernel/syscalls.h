// System call dispatch (syscall.c) and the calls implemented by the kernel
// core (sysproc.c, exec.c). The file-system calls are in sysfile.h.
#ifndef SYSCALLS_H
#define SYSCALLS_H
void syscall_run(void); // the current process's tf holds the call

int sys_fork(void);
int sys_exit(void);
int sys_wait(void);
int sys_kill(void);
int sys_getpid(void);
int sys_sbrk(void);
int sys_sleep(void);
int sys_uptime(void);
int sys_exitst(void);
int sys_waitst(void);
int sys_shutdown(void);
int sys_freepages(void);
int sys_exec(void);
int sys_mirrorcheck(void); // sysmem.c: MemV6 calls
int sys_mcetest(void);
int sys_vtop(void);
int sys_dedup(void); // sharing of user frames (copy-on-write, dedup)
int sys_framerefs(void);
int sys_freemirror(void);
int sys_retired(void);
#endif
