// Inside the untranslated runtime of a guest program run as a Linux process
// (runtime.c, rtsig.c; docs/linux.md): what its parts share. Nothing here is
// translated, so it writes program memory only into both sides explicitly
// or before the mirror is filled from native.
#ifndef RTINT_H
#define RTINT_H

#include "lx_arch.h"
#include "mlx.h"

typedef unsigned long ulong;

#define LX_PAGE 4096ul
#define LX_PROT_RW 3
#define LX_MAP_PRIVATE_ANON 0x22
#define LX_MAP_FIXED 0x10
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_ENOMEM 12

// Messages on stderr, without a C library.
void rt_say(const char *s);
void rt_say_ulong(ulong v);
void rt_say_hex(ulong v);
void rt_exit(int status) __attribute__((noreturn));
// Says "mlx: WHAT at ADDR (why that may be)" and exits with status 127.
void rt_die(const char *what, ulong addr) __attribute__((noreturn));
// Anonymous read-write memory exactly at addr (MAP_FIXED_NOREPLACE), or rt_die.
void rt_map_at(ulong addr, ulong n, const char *what);

// The mirrored ranges: the image's writable part (from the page of etext to
// the end of bss), the heap below the break, the stack.
ulong rt_image_lo(void);
ulong rt_image_hi(void);
int rt_mirrored(ulong page);

// rtsig.c: the mirrored build's signal handlers, installed by mlx_start
// before main: memory errors (SIGBUS) recovered from the mirror, and every
// later mapping refused (seccomp, SIGSYS) since its memory would have none.
void rt_catch_memory_errors(void);
void rt_refuse_mappings(void);

// rtpairs.c (where lx_arch.h says LX_HAS_PAIRS): after the page page
// (native address; its native side when native) was replaced, the code the
// signal cut (registers in context, the ucontext) is moved to an end of the
// mirrored write sequence it was in, if any, by the program's .mirror_pairs
// table.
void rt_inflight(void *context, ulong page, int native);

// entry.S: mmap of anonymous memory, through the one system call
// instruction the seccomp filter lets map memory (mlx_trusted_ip is the
// address after it; section mlx_trusted, linked at MLX_TRUSTED_TEXT);
// rt_sigreturn.
long mlx_trusted_mmap(ulong addr, ulong n, long prot, long flags);
extern const char mlx_trusted_ip[];
void mlx_sigreturn(void);
#endif
