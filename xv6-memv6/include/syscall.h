// System call numbers. 1-21 are xv6 x86's, so its programs run unchanged;
// ours start at 22. Every call enters through int $T_SYSCALL (64).
#ifndef SYSCALL_H
#define SYSCALL_H
#define T_SYSCALL 64

#define SYS_fork 1
#define SYS_exit 2
#define SYS_wait 3
#define SYS_pipe 4
#define SYS_read 5
#define SYS_kill 6
#define SYS_exec 7
#define SYS_fstat 8
#define SYS_chdir 9
#define SYS_dup 10
#define SYS_getpid 11
#define SYS_sbrk 12
#define SYS_sleep 13
#define SYS_uptime 14
#define SYS_open 15
#define SYS_write 16
#define SYS_mknod 17
#define SYS_unlink 18
#define SYS_link 19
#define SYS_mkdir 20
#define SYS_close 21
// Ours.
#define SYS_exitst 22      // exit with a status (xv6's exit() means status 0)
#define SYS_waitst 23      // wait, and store the child's status
#define SYS_shutdown 24    // print @exit, power QEMU off through isa-debug-exit
#define SYS_freepages 25   // number of free physical frames
#define SYS_mcetest 27     // flip a bit behind a user va and recover (self-test)
#define SYS_vtop 28        // physical address behind a user va (debugging)
#define SYS_mirrorcheck 26 // memv6 mirror oracle: mismatched bytes (-1 on native)
#define SYS_dedup 29       // merge identical user pages of all processes: frames freed
#define SYS_framerefs 30   // references to the native frame behind a user va, -1 if none
#define SYS_freemirror 31  // free frames in the mirror zone (0 on native)
#define SYS_retired 32     // frames machine checks retired in a zone (0 normal, 1 mirror)
#endif
