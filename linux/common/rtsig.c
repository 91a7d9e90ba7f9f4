// The mirrored build's signal handling (rtint.h, docs/linux.md, issue 26):
// recovery from memory errors the Linux way, and the refusal of every
// mapping made after start-up. Untranslated; built into the mirrored
// programs only.
#include "rtint.h"

#define LX_SIGBUS 7
#define LX_SIGSYS 31
#define LX_SA_SIGINFO 0x4
#define LX_SA_RESTORER 0x04000000
#define LX_SA_ONSTACK 0x08000000
#define LX_BUS_MCEERR_AR 4 // an uncorrected memory error the process consumed
#define LX_BUS_MCEERR_AO 5 // one found in its memory by the kernel (scrubbing)

// The kernel's siginfo as far as used: the fault address of SIGBUS, the
// system call of SIGSYS (si_call_addr, si_syscall, si_arch), after the
// union's pointer alignment.
struct lx_siginfo {
  int signo, err, code;
  void *addr;
  int syscall;
  unsigned arch;
};

// The kernel's struct sigaction for rt_sigaction.
struct lx_sigaction {
  ulong handler, flags, restorer;
  unsigned mask[2];
};

// The kernel's stack_t: the same declaration fits both architectures.
struct lx_stack {
  void *sp;
  int flags;
  ulong size;
};

static void catch (int sig, void (*handler)(int, struct lx_siginfo *, void *)) {
  struct lx_sigaction act = {
      (ulong)handler, LX_SA_SIGINFO | LX_SA_RESTORER | LX_SA_ONSTACK, (ulong)mlx_sigreturn, {0, 0}};
  if (lx_sys4(LX_NR_RT_SIGACTION, sig, (long)&act, 0, 8) != 0)
    rt_die(sig == LX_SIGBUS ? "cannot catch SIGBUS" : "cannot catch SIGSYS", 0);
}

static int is_memory_error(int code) {
  return code == LX_BUS_MCEERR_AR || code == LX_BUS_MCEERR_AO;
}

// A fresh page at page, filled from from (its other side).
static void replace_page(ulong page, ulong from) {
  if ((ulong)mlx_trusted_mmap(page, LX_PAGE, LX_PROT_RW, LX_MAP_PRIVATE_ANON | LX_MAP_FIXED) !=
      page)
    rt_die("cannot replace the page of a memory error", page);
  for (ulong i = 0; i < LX_PAGE; i++)
    ((volatile char *)page)[i] = ((const char *)from)[i];
}

// A memory error in the page of addr: a mirrored page is replaced by a
// fresh one filled from its mirror, a mirror page by one filled from
// native. Code the signal cut inside a mirrored write sequence (the
// registers in context) is then moved to one of the sequence's ends, as
// the guest kernel does (rtpairs.c): an error that arrives asynchronously
// (AO) between a native store and its mirror copy, or on the mirror page
// after a read-modify-write's native half, would otherwise lose the store
// or apply the operation twice. A consumed error (AR) stops the
// instruction that read the bad line before it completes; the same rule
// covers it. 1 for a mirrored or mirror page, 0 (nothing done) otherwise.
int mlx_memory_error(ulong addr, void *context) {
  ulong page = addr & ~(LX_PAGE - 1);
  int native = rt_mirrored(page);
  int mirror = page >= MIRROR_OFFSET && rt_mirrored(page - MIRROR_OFFSET);
  if (!native && !mirror)
    return 0;
  replace_page(page, native ? page + MIRROR_OFFSET : page - MIRROR_OFFSET);
#ifdef LX_HAS_PAIRS
  rt_inflight(context, native ? page : page - MIRROR_OFFSET, native);
#else
  (void)context;
#endif
  return 1;
}

// Linux reports an uncorrected memory error in a process page with SIGBUS,
// si_code BUS_MCEERR_AR/AO and the address: recovered from the other side
// and the program goes on; anything else ends it as Linux would.
static void on_sigbus(int sig, struct lx_siginfo *info, void *context) {
  (void)sig;
  ulong addr = (ulong)info->addr;
  int native = rt_mirrored(addr & ~(LX_PAGE - 1));
  if (!is_memory_error(info->code) || !mlx_memory_error(addr, context)) {
    rt_say("mlx: SIGBUS at ");
    rt_say_hex(addr);
    rt_say(is_memory_error(info->code) ? ": memory error outside the mirror\n"
                                       : ": not a memory error\n");
    rt_exit(128 + LX_SIGBUS);
  }
  rt_say("mlx: memory error at ");
  rt_say_hex(addr);
  rt_say(native ? ": page replaced and filled from the mirror\n"
                : ": mirror page replaced and filled from native\n");
}

// The handlers run on a stack of their own, outside the arena: on the
// program's stack, a memory error in its stack page would put the signal
// frame on the very page the handler replaces from the mirror, which never
// held that frame, and the return from the handler would read garbage.
void rt_catch_memory_errors(void) {
  rt_map_at(MLX_SIGSTACK, MLX_SIGSTACK_SIZE, "cannot map the signal stack");
  struct lx_stack st = {(void *)MLX_SIGSTACK, 0, MLX_SIGSTACK_SIZE};
  if (lx_sys3(LX_NR_SIGALTSTACK, (long)&st, 0, 0) != 0)
    rt_die("cannot set the signal stack", MLX_SIGSTACK);
  catch (LX_SIGBUS, on_sigbus);
}

// Mapping calls and their names, for the refusal's message.
static const struct {
  int nr;
  const char *name;
} mapping_calls[] = LX_MAPPING_CALLS;
#define NCALLS (sizeof mapping_calls / sizeof mapping_calls[0])

static ulong saved_reg(void *context, int reg) {
  return ((ulong *)((char *)context + LX_UC_GREGS))[reg];
}

// A mapping call (or a system call of another architecture's numbering,
// which the filter cannot judge) was trapped: it fails with ENOMEM and says
// why on stderr; the program decides what to do without the memory.
static void on_sigsys(int sig, struct lx_siginfo *info, void *context) {
  (void)sig;
  const char *name = "a system call of another architecture";
  for (ulong i = 0; i < NCALLS && info->arch == LX_AUDIT_ARCH; i++)
    if (mapping_calls[i].nr == info->syscall)
      name = mapping_calls[i].name;
  ulong args[2] = {saved_reg(context, LX_UC_REG_ARG0), saved_reg(context, LX_UC_REG_ARG1)};
#ifdef LX_NR_OLD_MMAP
  if (info->arch == LX_AUDIT_ARCH && info->syscall == LX_NR_OLD_MMAP) {
    const ulong *block = (const ulong *)args[0]; // the program's own argument block
    args[0] = block[0], args[1] = block[1];
  }
#endif
  rt_say("mlx: ");
  rt_say(name);
  rt_say(" (");
  rt_say_hex(args[0]);
  rt_say(", ");
  rt_say_hex(args[1]);
  rt_say(") refused: a mirrored process has memory only in its image and arena ([");
  rt_say_hex(MLX_ARENA);
  rt_say(", ");
  rt_say_hex(MLX_STACK_TOP);
  rt_say("), heap by malloc/sbrk), which the mirror covers; a new mapping would have no mirror\n");
  ((ulong *)((char *)context + LX_UC_GREGS))[LX_UC_REG_RESULT] = (ulong)-LX_ENOMEM;
}

// Classic BPF as seccomp runs it, on struct seccomp_data: nr at 0, arch at
// 4, the instruction pointer (after the system call instruction) at 8.
struct sock_filter {
  unsigned short code;
  unsigned char jt, jf;
  unsigned k;
};
struct sock_fprog {
  unsigned short len;
  const struct sock_filter *filter;
};
#define BPF_LD_ABS 0x20
#define BPF_JEQ 0x15
#define BPF_RET 0x06
#define RET_ALLOW 0x7fff0000u
#define RET_TRAP 0x00030000u
#define LX_PR_SET_NO_NEW_PRIVS 38
#define LX_SECCOMP_SET_MODE_FILTER 1
#define LX_SECCOMP_FILTER_FLAG_SPEC_ALLOW 4

// Every mapping call traps (SIGSYS) unless it is entry.S's
// mlx_trusted_mmap (the memory-error recovery's), as does every call of
// another architecture's numbering (int $0x80 in an x86-64 process).
// SPEC_ALLOW: a filter would otherwise switch on the speculative store
// bypass mitigation on some kernels, slowing the stores the timing measures.
void rt_refuse_mappings(void) {
  unsigned long long ip = (unsigned long long)(ulong)mlx_trusted_ip;
  enum { HEAD = 4, TAIL = 7 };
  struct sock_filter f[HEAD + NCALLS + TAIL];
  unsigned n = 0;
  f[n++] = (struct sock_filter){BPF_LD_ABS, 0, 0, 4};
  f[n++] = (struct sock_filter){BPF_JEQ, 1, 0, LX_AUDIT_ARCH};
  f[n++] = (struct sock_filter){BPF_RET, 0, 0, RET_TRAP};
  f[n++] = (struct sock_filter){BPF_LD_ABS, 0, 0, 0};
  for (ulong i = 0; i < NCALLS; i++) // a match jumps to the instruction-pointer check
    f[n++] = (struct sock_filter){BPF_JEQ, (unsigned char)(NCALLS - i), 0,
                                  (unsigned)mapping_calls[i].nr};
  f[n++] = (struct sock_filter){BPF_RET, 0, 0, RET_ALLOW};
  f[n++] = (struct sock_filter){BPF_LD_ABS, 0, 0, 8};
  f[n++] = (struct sock_filter){BPF_JEQ, 0, 3, (unsigned)ip};
  f[n++] = (struct sock_filter){BPF_LD_ABS, 0, 0, 12};
  f[n++] = (struct sock_filter){BPF_JEQ, 0, 1, (unsigned)(ip >> 32)};
  f[n++] = (struct sock_filter){BPF_RET, 0, 0, RET_ALLOW};
  f[n++] = (struct sock_filter){BPF_RET, 0, 0, RET_TRAP};
  struct sock_fprog prog = {(unsigned short)n, f};
  catch (LX_SIGSYS, on_sigsys);
  long r = lx_sys5(LX_NR_PRCTL, LX_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (r == 0)
    r = lx_sys3(LX_NR_SECCOMP, LX_SECCOMP_SET_MODE_FILTER, LX_SECCOMP_FILTER_FLAG_SPEC_ALLOW,
                (long)&prog);
  if (r != 0) {
    rt_say("mlx: warning: cannot refuse later mappings (seccomp: errno ");
    rt_say_ulong((ulong)-r);
    rt_say("): a mapping the program makes will have no mirror\n");
  }
}
