// The untranslated runtime of a guest program run as a 32-bit Linux process
// (mlx.h, docs/linux.md). It sets the process up as exec does in the guest:
// the arena for stack and heap, and in the mirrored build (MLX_MIRRORED)
// the mirror of the image's writable part and of the arena, filled with
// what native holds. It also keeps the mirror oracle.
//
// Nothing here is translated, so it writes program memory only before the
// mirror is filled from native (mlx_start) or into both sides explicitly.
#include "mlx.h"

typedef unsigned int uint;

// Linux i386 system call numbers and flags used here.
#define LX_EXIT_GROUP 252
#define LX_WRITE 4
#define LX_OLD_MMAP 90 // takes its six arguments in a block: no %ebp needed
#define LX_PROT_RW 3
#define LX_MAP_PRIVATE_ANON 0x22
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_MAP_FIXED 0x10
#define LX_RT_SIGACTION 174
#define LX_SIGBUS 7
#define LX_SA_SIGINFO 0x4
#define LX_SA_RESTORER 0x04000000
#define LX_BUS_MCEERR_AR 4 // an uncorrected memory error the process consumed
#define LX_BUS_MCEERR_AO 5 // one found in its memory by the kernel (scrubbing)
#define PAGE 4096u

extern char etext[], end[]; // from the linker: end of text and rodata, end of bss

uint mlx_brk; // lsys.c's sbrk sets it; 0 until the first sbrk

static int lx3(int nr, int a, int b, int c) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}

#ifdef MLX_MIRRORED
static int lx4(int nr, int a, int b, int c, int d) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return r;
}
#endif

static uint len(const char *s) {
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

static void say(const char *s) {
  lx3(LX_WRITE, 2, (int)s, (int)len(s));
}

static void say_uint(uint v) {
  char buf[12];
  int i = sizeof buf;
  do
    buf[--i] = (char)('0' + v % 10);
  while ((v /= 10) && i > 0);
  lx3(LX_WRITE, 2, (int)(buf + i), (int)sizeof buf - i);
}

static void __attribute__((noreturn)) lx_exit(int status) {
  for (;;)
    lx3(LX_EXIT_GROUP, status, 0, 0);
}

static void __attribute__((noreturn)) die(const char *what, uint addr) {
  say("mlx: ");
  say(what);
  say(" at ");
  say_uint(addr);
  say(" (is the address taken in this process, or is this kernel older than 4.17?)\n");
  lx_exit(127);
}

// Anonymous read-write memory exactly at addr. MAP_FIXED_NOREPLACE refuses
// to replace a mapping; kernels before 4.17 ignore it and may place the
// mapping elsewhere, which the address check catches.
static void map_flags(uint addr, uint n, uint flags, const char *what) {
  uint args[6] = {addr, n, LX_PROT_RW, LX_MAP_PRIVATE_ANON | flags, (uint)-1, 0};
  int r = lx3(LX_OLD_MMAP, (int)args, 0, 0);
  if ((uint)r != addr)
    die(what, addr);
}

static void map_at(uint addr, uint n, const char *what) {
  map_flags(addr, n, LX_MAP_FIXED_NOREPLACE, what);
}

#ifdef MLX_MIRRORED
// The image's part that may be written: from the page of etext (rodata's end)
// to the end of bss, as the corpus oracle of translator/tests does.
static uint image_lo(void) {
  return (uint)etext & ~(PAGE - 1);
}

static uint image_hi(void) {
  return ((uint)end + PAGE - 1) & ~(PAGE - 1);
}

static void copy_to_mirror(uint lo, uint hi) {
  for (uint a = lo; a < hi; a++)
    *(volatile char *)(a + MIRROR_OFFSET) = *(const char *)a;
}
#endif

#ifdef MLX_MIRRORED
// Whether the page at addr is program memory that has a mirror.
static int mirrored(uint page) {
  uint heap_hi = mlx_brk ? mlx_brk : MLX_ARENA;
  return (page >= image_lo() && page < image_hi()) || (page >= MLX_ARENA && page < heap_hi) ||
         (page >= MLX_STACK_LO && page < MLX_STACK_TOP);
}

// Recovery the Linux way (issue 26): Linux reports an uncorrected memory
// error in a process page with SIGBUS, si_code BUS_MCEERR_AR/AO and the
// address. A mirrored page is replaced by a fresh one, filled from its
// mirror, and the program goes on; anything else ends it as Linux would.
// info: the i386 siginfo (signo, errno, code, addr).
static void on_sigbus(int sig, const uint *info, void *context) {
  (void)sig, (void)context;
  uint code = info[2], page = info[3] & ~(PAGE - 1);
  if ((code != LX_BUS_MCEERR_AR && code != LX_BUS_MCEERR_AO) || !mirrored(page)) {
    say("mlx: SIGBUS at ");
    say_uint(info[3]);
    say(code == LX_BUS_MCEERR_AR || code == LX_BUS_MCEERR_AO ? ": memory error outside the mirror\n"
                                                             : ": not a memory error\n");
    lx_exit(128 + LX_SIGBUS);
  }
  map_flags(page, PAGE, LX_MAP_FIXED, "cannot replace the page of a memory error");
  for (uint a = page; a < page + PAGE; a++)
    *(volatile char *)a = *(const char *)(a + MIRROR_OFFSET);
  say("mlx: memory error at ");
  say_uint(info[3]);
  say(": page replaced and filled from the mirror\n");
}

void mlx_sigreturn(void); // entry.S

static void catch_memory_errors(void) {
  // struct sigaction of i386 rt_sigaction: handler, flags, restorer, 64-bit mask
  uint act[5] = {(uint)on_sigbus, LX_SA_SIGINFO | LX_SA_RESTORER, (uint)mlx_sigreturn, 0, 0};
  if (lx4(LX_RT_SIGACTION, LX_SIGBUS, (int)act, 0, 8) != 0)
    die("cannot catch SIGBUS", 0);
}
#endif

// Copies n bytes to the new stack at sp (both sides in the mirrored build).
static uint push_bytes(uint sp, const void *src, uint n) {
  sp -= n;
  for (uint i = 0; i < n; i++) {
    char c = ((const char *)src)[i];
    ((char *)sp)[i] = c;
#ifdef MLX_MIRRORED
    ((volatile char *)(sp + MIRROR_OFFSET))[i] = c;
#endif
  }
  return sp;
}

// Called by entry.S with Linux's initial stack pointer (argc, argv[], NULL,
// envp...). Returns the program's stack pointer in the arena: a fake return
// address, argc and argv, the frame mlx_main expects, with the argument
// strings copied into the arena (a program may write them).
uint mlx_start(uint *linux_sp) {
  map_at(MLX_ARENA, MLX_HEAP_MAX, "cannot map the heap");
  map_at(MLX_STACK_LO, MLX_STACK_SIZE, "cannot map the stack");
#ifdef MLX_MIRRORED
  map_at(MLX_ARENA + MIRROR_OFFSET, MLX_HEAP_MAX, "cannot map the heap's mirror");
  map_at(MLX_STACK_LO + MIRROR_OFFSET, MLX_STACK_SIZE, "cannot map the stack's mirror");
  map_at(image_lo() + MIRROR_OFFSET, image_hi() - image_lo(), "cannot map the image's mirror");
  catch_memory_errors();
  copy_to_mirror(image_lo(), image_hi()); // the last write to the image before main
#endif
  int argc = (int)linux_sp[0];
  char **argv = (char **)(linux_sp + 1);
  uint sp = MLX_STACK_TOP, ptrs[64];
  if (argc > 63)
    argc = 63;
  for (int i = argc - 1; i >= 0; i--)
    ptrs[i] = sp = push_bytes(sp, argv[i], len(argv[i]) + 1);
  ptrs[argc] = 0;
  sp &= ~3u;
  sp = push_bytes(sp, ptrs, (uint)(argc + 1) * 4);
  uint frame[3] = {0xffffffffu, (uint)argc, sp};
  return push_bytes(sp, frame, sizeof frame);
}

void mlx_mirror_sync(const void *p, uint n) {
#ifdef MLX_MIRRORED
  copy_to_mirror((uint)p, (uint)p + n);
#else
  (void)p, (void)n;
#endif
}

#ifdef MLX_MIRRORED
static uint differ(uint lo, uint hi) {
  uint n = 0;
  for (uint a = lo; a < hi; a++)
    n += *(const char *)a != *(const char *)(a + MIRROR_OFFSET);
  return n;
}

// sp: the lowest live stack address; below it is dead stack, as in the
// kernel's oracle.
static int oracle_from(uint sp) {
  uint heap_hi = mlx_brk ? mlx_brk : MLX_ARENA;
  return (int)(differ(image_lo(), image_hi()) + differ(MLX_ARENA, heap_hi) +
               differ(sp, MLX_STACK_TOP));
}
#endif

// The caller's stack pointer: what lies above this function's return address.
#define CALLER_SP() ((uint)__builtin_frame_address(0) + 4)

__attribute__((noinline)) int mlx_oracle(void) {
#ifdef MLX_MIRRORED
  return oracle_from(CALLER_SP());
#else
  return -1;
#endif
}

__attribute__((noinline)) void mlx_exit(int status) {
#ifdef MLX_MIRRORED
  int bad = oracle_from(CALLER_SP());
  say("mlx: mirror oracle: ");
  say_uint((uint)bad);
  say(" mismatched bytes\n");
  if (bad)
    status = MLX_ORACLE_STATUS;
#endif
  lx_exit(status);
}
