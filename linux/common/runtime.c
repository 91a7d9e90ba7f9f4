// The untranslated runtime of a guest program run as a Linux process, i386
// or x86-64 (mlx.h, rtint.h, docs/linux.md). It sets the process up as exec
// does in the guest: the arena for stack and heap, and in the mirrored build
// (MLX_MIRRORED) the mirror of the image's writable part and of the arena,
// filled with what native holds. It also keeps the mirror oracle.
#include "rtint.h"

extern char etext[], end[]; // from the linker: end of text and rodata, end of bss

ulong mlx_brk; // lsys.c's sbrk sets it; 0 until the first sbrk

static ulong len(const char *s) {
  ulong n = 0;
  while (s[n])
    n++;
  return n;
}

void rt_say(const char *s) {
  lx_sys3(LX_NR_WRITE, 2, (long)s, (long)len(s));
}

static void say_base(ulong v, ulong base) {
  char buf[24];
  int i = sizeof buf;
  do
    buf[--i] = "0123456789abcdef"[v % base];
  while ((v /= base) && i > 0);
  lx_sys3(LX_NR_WRITE, 2, (long)(buf + i), (long)sizeof buf - i);
}

void rt_say_ulong(ulong v) {
  say_base(v, 10);
}

void rt_say_hex(ulong v) {
  rt_say("0x");
  say_base(v, 16);
}

void rt_exit(int status) {
  for (;;)
    lx_sys3(LX_NR_EXIT_GROUP, status, 0, 0);
}

void rt_die(const char *what, ulong addr) {
  rt_say("mlx: ");
  rt_say(what);
  rt_say(" at ");
  rt_say_hex(addr);
  rt_say(" (is the address taken in this process, or is this kernel older than 4.17?)\n");
  rt_exit(127);
}

// MAP_FIXED_NOREPLACE refuses to replace a mapping; kernels before 4.17
// ignore it and may place the mapping elsewhere, which the address check
// catches.
void rt_map_at(ulong addr, ulong n, const char *what) {
  long r = mlx_trusted_mmap(addr, n, LX_PROT_RW, LX_MAP_PRIVATE_ANON | LX_MAP_FIXED_NOREPLACE);
  if ((ulong)r != addr)
    rt_die(what, addr);
}

// The image's part that may be written: from the page of etext (rodata's end)
// to the end of bss, as the corpus oracle of translator/tests does.
ulong rt_image_lo(void) {
  return (ulong)etext & ~(LX_PAGE - 1);
}

ulong rt_image_hi(void) {
  return ((ulong)end + LX_PAGE - 1) & ~(LX_PAGE - 1);
}

int rt_mirrored(ulong page) {
  ulong heap_hi = mlx_brk ? mlx_brk : MLX_ARENA;
  return (page >= rt_image_lo() && page < rt_image_hi()) || (page >= MLX_ARENA && page < heap_hi) ||
         (page >= MLX_STACK_LO && page < MLX_STACK_TOP);
}

#ifdef MLX_MIRRORED
static void copy_to_mirror(ulong lo, ulong hi) {
  for (ulong a = lo; a < hi; a++)
    *(volatile char *)(a + MIRROR_OFFSET) = *(const char *)a;
}
#endif

// Copies n bytes to the new stack at sp (both sides in the mirrored build).
static ulong push_bytes(ulong sp, const void *src, ulong n) {
  sp -= n;
  for (ulong i = 0; i < n; i++) {
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
// address, argc and argv (the frame mlx_main expects on i386; entry.S loads
// them into registers on x86-64), with the argument strings copied into the
// arena (a program may write them). The word above the return address is
// 16-byte aligned, as both ABIs want at a function's entry.
ulong mlx_start(ulong *linux_sp) {
  rt_map_at(MLX_ARENA, MLX_HEAP_MAX, "cannot map the heap");
  rt_map_at(MLX_STACK_LO, MLX_STACK_SIZE, "cannot map the stack");
#ifdef MLX_MIRRORED
  rt_map_at(MLX_ARENA + MIRROR_OFFSET, MLX_HEAP_MAX, "cannot map the heap's mirror");
  rt_map_at(MLX_STACK_LO + MIRROR_OFFSET, MLX_STACK_SIZE, "cannot map the stack's mirror");
  rt_map_at(rt_image_lo() + MIRROR_OFFSET, rt_image_hi() - rt_image_lo(),
            "cannot map the image's mirror");
  rt_catch_memory_errors();
  copy_to_mirror(rt_image_lo(), rt_image_hi()); // the last write to the image before main
#endif
  long argc = (long)linux_sp[0];
  char **argv = (char **)(linux_sp + 1);
  ulong sp = MLX_STACK_TOP, ptrs[64];
  if (argc > 63)
    argc = 63;
  for (long i = argc - 1; i >= 0; i--)
    ptrs[i] = sp = push_bytes(sp, argv[i], len(argv[i]) + 1);
  ptrs[argc] = 0;
  // Below the argv array: argc, argv, the return address; the return
  // address's slot ends on a 16-byte boundary.
  ulong words = (ulong)argc + 1 + 2;
  sp = ((sp - words * sizeof(ulong)) & ~15ul) + words * sizeof(ulong);
  sp = push_bytes(sp, ptrs, (ulong)(argc + 1) * sizeof(ulong));
  ulong frame[3] = {~0ul, (ulong)argc, sp};
  sp = push_bytes(sp, frame, sizeof frame);
#ifdef MLX_MIRRORED
  rt_refuse_mappings(); // the last: from here on only entry.S's mlx_trusted_mmap maps
#endif
  return sp;
}

void mlx_mirror_sync(const void *p, ulong n) {
#ifdef MLX_MIRRORED
  copy_to_mirror((ulong)p, (ulong)p + n);
#else
  (void)p, (void)n;
#endif
}

#ifdef MLX_MIRRORED
static ulong differ(ulong lo, ulong hi) {
  ulong n = 0;
  for (ulong a = lo; a < hi; a++)
    n += *(const char *)a != *(const char *)(a + MIRROR_OFFSET);
  return n;
}

// sp: the lowest live stack address; below it is dead stack, as in the
// kernel's oracle.
static int oracle_from(ulong sp) {
  ulong heap_hi = mlx_brk ? mlx_brk : MLX_ARENA;
  return (int)(differ(rt_image_lo(), rt_image_hi()) + differ(MLX_ARENA, heap_hi) +
               differ(sp, MLX_STACK_TOP));
}
#endif

// The caller's stack pointer: what lies above this function's return address.
#define CALLER_SP() ((ulong)__builtin_frame_address(0) + sizeof(ulong))

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
  rt_say("mlx: mirror oracle: ");
  rt_say_ulong((ulong)bad);
  rt_say(" mismatched bytes\n");
  if (bad)
    status = MLX_ORACLE_STATUS;
#endif
  rt_exit(status);
}

#ifndef MLX_MIRRORED
// The untranslated build has no mirror to recover from (rtsig.c has the
// mirrored build's).
int mlx_memory_error(ulong addr, void *context) {
  (void)addr, (void)context;
  return 0;
}
#endif
