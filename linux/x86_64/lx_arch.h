// What the shared Linux-process layer (linux/common) needs to know of
// x86-64 Linux: system call numbers, how a call is made, and the layout of
// the structures the kernel and the runtime exchange (docs/linux.md).
#ifndef LX_ARCH_H
#define LX_ARCH_H

#define LX_ARCH_NAME "x86_64"
#define LX_AUDIT_ARCH 0xc000003eu // AUDIT_ARCH_X86_64: what seccomp_data.arch holds

enum {
  LX_NR_READ = 0,
  LX_NR_WRITE = 1,
  LX_NR_OPEN = 2,
  LX_NR_CLOSE = 3,
  LX_NR_RT_SIGACTION = 13,
  LX_NR_SIGALTSTACK = 131,
  LX_NR_PIPE = 22,
  LX_NR_DUP = 32,
  LX_NR_NANOSLEEP = 35,
  LX_NR_GETPID = 39,
  LX_NR_FORK = 57,
  LX_NR_EXECVE = 59,
  LX_NR_WAIT4 = 61,
  LX_NR_KILL = 62,
  LX_NR_CHDIR = 80,
  LX_NR_MKDIR = 83,
  LX_NR_LINK = 86,
  LX_NR_UNLINK = 87,
  LX_NR_READLINK = 89,
  LX_NR_TIMES = 100,
  LX_NR_RT_SIGQUEUEINFO = 129,
  LX_NR_PRCTL = 157,
  LX_NR_CLOCK_GETTIME = 228,
  LX_NR_EXIT_GROUP = 231,
  LX_NR_SECCOMP = 317,
};

// The system calls that create or move mappings (docs/linux.md: a mirrored
// process refuses them).
#define LX_MAPPING_CALLS                                                                           \
  {                                                                                                \
    {9, "mmap"}, {25, "mremap"}, {12, "brk"}, {56, "clone"}, {435, "clone3"}, {30, "shmat"}, {     \
      216, "remap_file_pages"                                                                      \
    }                                                                                              \
  }

// A system call with up to five arguments: Linux's result, -errno on
// failure. The syscall instruction overwrites %rcx and %r11.
static inline long lx_sys5(long nr, long a, long b, long c, long d, long e) {
  long r;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return r;
}

static inline long lx_sys4(long nr, long a, long b, long c, long d) {
  return lx_sys5(nr, a, b, c, d, 0);
}

static inline long lx_sys3(long nr, long a, long b, long c) {
  return lx_sys4(nr, a, b, c, 0);
}

// waitpid(pid, status, 0) is wait4 without a struct rusage.
static inline long lx_waitpid(long pid, int *status) {
  return lx_sys4(LX_NR_WAIT4, pid, (long)status, 0, 0);
}

// The signal frame's saved registers (ucontext_t's mcontext gregs): where a
// trapped system call's first two arguments and result are.
#define LX_UC_GREGS 40      // uc_flags, uc_link, uc_stack (24 bytes)
#define LX_UC_REG_RESULT 13 // rax
#define LX_UC_REG_ARG0 8    // rdi
#define LX_UC_REG_ARG1 9    // rsi
// Where the registers of code cut by a signal are, for recovery inside a
// mirrored write (rtpairs.c): the general registers in ModRM order extended
// by REX (rax rcx rdx rbx rsp rbp rsi rdi r8-r15; glibc's REG_R8 = 0 ...
// REG_R15 = 7, REG_RDI = 8, RSI, RBP, RBX, RDX, RAX, RCX, REG_RSP = 15), rip,
// eflags.
#define LX_UC_MODRM_REGS                                                                           \
  { 13, 14, 12, 11, 15, 10, 9, 8, 0, 1, 2, 3, 4, 5, 6, 7 }
#define LX_UC_REG_IP 16
#define LX_UC_REG_FLAGS 17
// The translator's .mirror_pairs table (mirrorpairs.h, MPT_LONG64 entries):
// the runtime rolls a cut inside a mirrored write with kernel/mptable.c,
// decoding x86-64 instructions.
#define LX_HAS_PAIRS 1
#define LX_MPT_ARCH MPT_X86_64
#endif
