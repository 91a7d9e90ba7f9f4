// System call stubs. Each loads its call number into %eax and traps; the
// arguments stay where the C caller pushed them, on the user stack, and the
// kernel reads them from there (xv6's convention). The result comes back in
// %eax. One instruction per line keeps the file easy for the translator.
#include "syscall.h"

        .text
        .globl fork
fork:
        movl $SYS_fork, %eax
        int $T_SYSCALL
        ret

        .globl exit
exit:
        movl $SYS_exit, %eax
        int $T_SYSCALL
        ret

        .globl wait
wait:
        movl $SYS_wait, %eax
        int $T_SYSCALL
        ret

        .globl pipe
pipe:
        movl $SYS_pipe, %eax
        int $T_SYSCALL
        ret

        .globl read
read:
        movl $SYS_read, %eax
        int $T_SYSCALL
        ret

        .globl kill
kill:
        movl $SYS_kill, %eax
        int $T_SYSCALL
        ret

        .globl exec
exec:
        movl $SYS_exec, %eax
        int $T_SYSCALL
        ret

        .globl fstat
fstat:
        movl $SYS_fstat, %eax
        int $T_SYSCALL
        ret

        .globl chdir
chdir:
        movl $SYS_chdir, %eax
        int $T_SYSCALL
        ret

        .globl dup
dup:
        movl $SYS_dup, %eax
        int $T_SYSCALL
        ret

        .globl getpid
getpid:
        movl $SYS_getpid, %eax
        int $T_SYSCALL
        ret

        .globl sbrk
sbrk:
        movl $SYS_sbrk, %eax
        int $T_SYSCALL
        ret

        .globl sleep
sleep:
        movl $SYS_sleep, %eax
        int $T_SYSCALL
        ret

        .globl uptime
uptime:
        movl $SYS_uptime, %eax
        int $T_SYSCALL
        ret

        .globl open
open:
        movl $SYS_open, %eax
        int $T_SYSCALL
        ret

        .globl write
write:
        movl $SYS_write, %eax
        int $T_SYSCALL
        ret

        .globl mknod
mknod:
        movl $SYS_mknod, %eax
        int $T_SYSCALL
        ret

        .globl unlink
unlink:
        movl $SYS_unlink, %eax
        int $T_SYSCALL
        ret

        .globl link
link:
        movl $SYS_link, %eax
        int $T_SYSCALL
        ret

        .globl mkdir
mkdir:
        movl $SYS_mkdir, %eax
        int $T_SYSCALL
        ret

        .globl close
close:
        movl $SYS_close, %eax
        int $T_SYSCALL
        ret

        .globl exitst
exitst:
        movl $SYS_exitst, %eax
        int $T_SYSCALL
        ret

        .globl waitst
waitst:
        movl $SYS_waitst, %eax
        int $T_SYSCALL
        ret

        .globl shutdown
shutdown:
        movl $SYS_shutdown, %eax
        int $T_SYSCALL
        ret

        .globl freepages
freepages:
        movl $SYS_freepages, %eax
        int $T_SYSCALL
        ret

        .globl mirrorcheck
mirrorcheck:
        movl $SYS_mirrorcheck, %eax
        int $T_SYSCALL
        ret

        .globl mcetest
mcetest:
        movl $SYS_mcetest, %eax
        int $T_SYSCALL
        ret

        .globl vtop
vtop:
        movl $SYS_vtop, %eax
        int $T_SYSCALL
        ret

        .globl dedup
dedup:
        movl $SYS_dedup, %eax
        int $T_SYSCALL
        ret

        .globl framerefs
framerefs:
        movl $SYS_framerefs, %eax
        int $T_SYSCALL
        ret

        .globl freemirror
freemirror:
        movl $SYS_freemirror, %eax
        int $T_SYSCALL
        ret

        .globl retired
retired:
        movl $SYS_retired, %eax
        int $T_SYSCALL
        ret

// No executable stack wanted (silences the linker).
        .section .note.GNU-stack,"",@progbits
