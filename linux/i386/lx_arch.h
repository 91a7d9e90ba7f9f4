// What the shared Linux-process layer (linux/common) needs to know of i386
// Linux: system call numbers, how a call is made, and the layout of the
// structures the kernel and the runtime exchange (docs/linux.md).
#ifndef LX_ARCH_H
#define LX_ARCH_H

#define LX_ARCH_NAME "i386"
#define LX_AUDIT_ARCH 0x40000003u // AUDIT_ARCH_I386: what seccomp_data.arch holds

enum {
  LX_NR_FORK = 2,
  LX_NR_READ = 3,
  LX_NR_WRITE = 4,
  LX_NR_OPEN = 5,
  LX_NR_CLOSE = 6,
  LX_NR_LINK = 9,
  LX_NR_UNLINK = 10,
  LX_NR_EXECVE = 11,
  LX_NR_CHDIR = 12,
  LX_NR_GETPID = 20,
  LX_NR_KILL = 37,
  LX_NR_MKDIR = 39,
  LX_NR_DUP = 41,
  LX_NR_PIPE = 42,
  LX_NR_TIMES = 43,
  LX_NR_READLINK = 85,
  LX_NR_NANOSLEEP = 162,
  LX_NR_RT_SIGACTION = 174,
  LX_NR_SIGALTSTACK = 186,
  LX_NR_PRCTL = 172,
  LX_NR_EXIT_GROUP = 252,
  LX_NR_CLOCK_GETTIME = 265,
  LX_NR_SECCOMP = 354,
  LX_NR_RT_SIGQUEUEINFO = 178,
};

// The system calls that create or move mappings (docs/linux.md: a mirrored
// process refuses them). 0 where the architecture has no such call.
#define LX_MAPPING_CALLS                                                                           \
  {                                                                                                \
    {90, "mmap"}, {192, "mmap2"}, {163, "mremap"}, {45, "brk"}, {120, "clone"}, {435, "clone3"},   \
        {117, "ipc"}, {397, "shmat"}, {                                                            \
      257, "remap_file_pages"                                                                      \
    }                                                                                              \
  }

// old_mmap takes its arguments in a block whose address is its first one.
#define LX_NR_OLD_MMAP 90

// A system call with up to three arguments: Linux's result, -errno on failure.
static inline long lx_sys3(long nr, long a, long b, long c) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}

static inline long lx_sys4(long nr, long a, long b, long c, long d) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}

static inline long lx_sys5(long nr, long a, long b, long c, long d, long e) {
  long r;
  __asm__ volatile("int $0x80"
                   : "=a"(r)
                   : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                   : "memory");
  return r;
}

// waitpid(pid, status, 0). Not wait4: its fourth argument would be a struct
// rusage to fill, and lx_sys3 leaves %esi as it finds it.
#define LX_NR_WAITPID 7
static inline long lx_waitpid(long pid, int *status) {
  return lx_sys3(LX_NR_WAITPID, pid, (long)status, 0);
}

// The signal frame's saved registers (ucontext_t's mcontext gregs): where a
// trapped system call's number, first two arguments and result are.
#define LX_UC_GREGS 20      // uc_flags, uc_link, uc_stack (12 bytes)
#define LX_UC_REG_RESULT 11 // eax
#define LX_UC_REG_ARG0 8    // ebx
#define LX_UC_REG_ARG1 10   // ecx
// Where the registers of code cut by a signal are, for recovery inside a
// mirrored write (rtpairs.c): the general registers in ModRM order (eax ecx
// edx ebx esp ebp esi edi; esp is the one sigreturn restores), eip, eflags.
#define LX_UC_MODRM_REGS                                                                           \
  { 11, 10, 9, 8, 7, 6, 5, 4 }
#define LX_UC_REG_IP 14
#define LX_UC_REG_FLAGS 16
// The translator's .mirror_pairs table format (mirrorpairs.h) is i386's:
// the runtime rolls a cut inside a mirrored write with kernel/mptable.c.
#define LX_HAS_PAIRS 1
#define LX_MPT_ARCH MPT_I386
#endif
