// The host stand-in for the kernel that fs_host_test runs the file-system
// sources in (fs_host_env.c).
#ifndef FS_HOST_ENV_H
#define FS_HOST_ENV_H
#include <setjmp.h>
#include <stddef.h>
#include "types.h"

#define ENV_BAD_ADDR 0xf0000000u // user addresses from here on are "unmapped"

extern uchar *env_disk;          // FSSIZE blocks, below 4 GiB
extern long env_disk_writes;     // sector writes so far
extern long env_crash_budget;    // writes allowed before the crash; -1 = no crash
extern jmp_buf *env_crash_point; // where ide_rw jumps when the budget runs out

void *env_low_alloc(size_t n); // zeroed memory below 4 GiB
void env_set_args(uint a0, uint a1, uint a2);
void env_reset_proc(void); // no open files, no cwd
#endif
