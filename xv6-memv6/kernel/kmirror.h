// memv6sys: the kernel's own memory mirrored (docs/memv6.md, "The kernel
// mirror"). The kernel's C is translated like user code, so every kernel
// store to kernel address va is repeated at va + MIRROR_OFFSET, in the
// kernel mirror window (memlayout.h). What follows keeps the writes the
// translator never sees in step, maps the window, and checks it.
#ifndef KMIRROR_H
#define KMIRROR_H
#include "types.h"
#include "mmu.h"
#include "klib.h"
#include "param.h"
#include "kalloc.h"

#ifdef MEMV6SYS
#define KMIRRORED 1
#else
#define KMIRRORED 0
#endif

// Maps the kernel mirror window in pgdir (the kernel's page directory,
// which every address space shares above KERNBASE).
void kmirror_map_window(pde_t *pgdir);

// Copies [va, va+n) to its mirror: for kernel memory something other than
// a translated store changed (the CPU, a port, a copy made untranslated).
void kmirror_sync(const void *va, uint n);

// Is every byte of [va, va+n) in a user frame (native or mirror) of the
// direct map, and n big enough to be worth asking? Then a bulk write may
// skip the frames' kernel mirror, which nobody reads: kmirror_set_native and
// kmirror_copy_native (kmirror_bulk.S, untranslated) write one copy. The
// caller owns the frames, so their kind does not change meanwhile. Below
// KMIRROR_BULK_MIN bytes the check costs about what the second copy does.
#define KMIRROR_BULK_MIN 64
int kmirror_user_frames(const void *va, uint n);
static inline int kmirror_user_bulk(const void *va, uint n) {
  return n >= KMIRROR_BULK_MIN && kmirror_user_frames(va, n);
}
void kmirror_set_native(void *dst, uint word, uint n);
void kmirror_copy_native(void *dst, const void *src, uint n);

// memset(dst, 0, n) for frames: user frames in one copy on memv6sys.
#ifdef MEMV6SYS
void kmirror_zero(void *dst, uint n);
#else
static inline void kmirror_zero(void *dst, uint n) {
  memset(dst, 0, n);
}
#endif

// Page tables whose kernel mirror is known to be zero. uvm_free clears every
// entry of a process's page tables (translated stores: both copies) and the
// user half of its page directory before it frees them, so their mirror is
// zero there (whole: the whole frame; else the user half). They go on their
// zone's zeroed list (kfree_zeroed), which kalloc_zone takes kernel and
// page-table frames from first, and it zeroes such a frame in its native
// copy only, as native does (kmirror_zero_frame); any other use of the
// frame forgets the mark. The oracle checks every marked frame's mirror
// (kmirror_check).
#ifdef MEMV6SYS
void kmirror_free_zeroed(void *va, int whole);
void kmirror_mark_zero(uint pa, int zero); // kfree_zeroed's, under the zone lock
// kind a user frame: its native copy. Else both copies, each once, its
// mirror [0, mirror_len) only (the caller writes the rest in both copies
// before anything reads it: a page directory's kernel half).
void kmirror_zero_frame(void *va, int kind, uint mirror_len);
// recover_kmirror: pa's mirror is being zeroed, and was zeroed over.
int kmirror_zero_inflight(uint pa);
void kmirror_forget_zero(const void *va);
#else
static inline void kmirror_free_zeroed(void *va, int whole) {
  (void)whole;
  kfree(va);
}
#endif

// Panics unless the guest has the RAM the kernel mirror lives in.
void kmirror_check_ram(uint ram_top);

// Xors mask into the byte at va, in that copy only (kmirror_io.S, not
// translated): mcetest's kernel modes make a memory error with it.
void kmirror_flip(void *va, uint mask);

struct mce_event;
struct trapframe;

// Machine checks on the kernel's own frames (kmirror_mce.c, docs/memv6.md
// "Recovery of kernel frames"): 1 when pa is a kernel or page-table frame
// of the normal zone (its native copy repaired in place from the mirror)
// or a frame of the kernel mirror zone (repaired from native, or ignored
// where the kernel never reads it), with *ev filled; 0 for any other frame.
int kmirror_recover(uint pa, struct mce_event *ev);

// After a page directory or page table was repaired in place (ev, kind
// pgtable): moves it to a fresh frame, filled from the old one's copies as
// the repair leaves them, rewrites what names it and retires the old frame
// (ev->newpa). The kernel's page directory moves at any safe point; a
// process's only at its crossing to user mode (user_edge), and only the
// running process's. Otherwise, or without a free frame, it stays where it
// is, repaired in place (docs/memv6.md "Retired or repaired in place").
void kmirror_retire(struct mce_event *ev, int user_edge);

// After the frames of one check are repaired: kernel code that traps
// interrupted inside a mirrored write sequence (the kernel's own
// .mirror_pairs table) goes to one of the sequence's ends.
void kmirror_inflight(const struct mce_event *ev, int n);

// trap_dispatch registers every trap frame from ring 0 while its trap is
// handled, so recovery finds kernel code cut at any instruction (also on
// the stacks of processes switched out meanwhile). -1: not registered.
#if KMIRRORED
int kmirror_trap_enter(struct trapframe *tf);
void kmirror_trap_leave(int slot);
#else
static inline int kmirror_trap_enter(struct trapframe *tf) {
  (void)tf;
  return -1;
}
static inline void kmirror_trap_leave(int slot) {
  (void)slot;
}
#endif

// The parts of kernel stacks whose mirror is not kept in step (kmirror.c,
// docs/memv6.md "Kernel stacks"), as [lo, hi) kernel addresses: the oracle
// does not compare them and recovery does not repair them from the mirror.
struct kmirror_gap {
  uint lo, hi;
};
#define KMIRROR_NGAP (NPROC + 1)
uint kmirror_unmirrored(struct kmirror_gap *d); // fills at most KMIRROR_NGAP
int kmirror_in_gap(const struct kmirror_gap *d, uint n, uint va);

// Is frame pa part of the stack the kernel runs on now? Its live frames
// have no mirror: a machine check there is the handler's residue.
int kmirror_running_stack(uint pa);

// The kernel mirror oracle: compares every kernel and page-table frame of
// the normal zone with its mirror, except unmirrored stack, and prints
// `@koracle` lines. Returns the number of words that differ.
uint kmirror_check(void);
#endif
