// File-system system calls (sysfile.c). Each takes its arguments from the
// user stack (sysarg.h) and returns the value for the user's eax.
#ifndef SYSFILE_H
#define SYSFILE_H
int sys_dup(void);
int sys_read(void);
int sys_write(void);
int sys_close(void);
int sys_fstat(void);
int sys_link(void);
int sys_unlink(void);
int sys_open(void);
int sys_mkdir(void);
int sys_mknod(void);
int sys_chdir(void);
int sys_pipe(void);
#endif
