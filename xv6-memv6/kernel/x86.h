// Thin wrappers around the i386 instructions the kernel needs from C:
// port I/O, control registers, interrupt flag and descriptor tables.
#ifndef X86_H
#define X86_H
#include "types.h"

static inline uchar inb(ushort port) {
  uchar v;
  __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
  return v;
}

static inline void outb(ushort port, uchar v) {
  __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline void outw(ushort port, ushort v) {
  __asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

static inline void outl(ushort port, uint v) {
  __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port));
}

// Block port transfers of 32-bit words (the IDE data register).
#ifdef MEMV6SYS
// Out of line and untranslated, because the block must reach the kernel
// mirror as well (kmirror_io.S).
void insl(ushort port, void *dst, uint words);
#else
static inline void insl(ushort port, void *dst, uint words) {
  __asm__ volatile("cld; rep insl" : "+D"(dst), "+c"(words) : "d"(port) : "memory", "cc");
}
#endif

static inline void outsl(ushort port, const void *src, uint words) {
  __asm__ volatile("cld; rep outsl" : "+S"(src), "+c"(words) : "d"(port) : "cc");
}

static inline uint read_eflags(void) {
  uint f;
  __asm__ volatile("pushfl; popl %0" : "=r"(f));
  return f;
}

static inline void cli(void) {
  __asm__ volatile("cli" ::: "memory");
}

static inline void sti(void) {
  __asm__ volatile("sti" ::: "memory");
}

static inline void hlt(void) {
  __asm__ volatile("hlt");
}

static inline uint read_cr2(void) {
  uint v;
  __asm__ volatile("movl %%cr2, %0" : "=r"(v));
  return v;
}

static inline void write_cr3(uint pa) {
  __asm__ volatile("movl %0, %%cr3" : : "r"(pa) : "memory");
}

static inline uint read_cr3(void) {
  uint v;
  __asm__ volatile("movl %%cr3, %0" : "=r"(v));
  return v;
}

static inline void invlpg(uint va) {
  __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint read_cr4(void) {
  uint v;
  __asm__ volatile("movl %%cr4, %0" : "=r"(v));
  return v;
}

static inline void write_cr4(uint v) {
  __asm__ volatile("movl %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64 rdmsr(uint msr) {
  uint lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64)hi << 32) | lo;
}

static inline void wrmsr(uint msr, uint64 v) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint)v), "d"((uint)(v >> 32)));
}

static inline void cpuid(uint leaf, uint *a, uint *b, uint *c, uint *d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64 rdtsc(void) {
  uint lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64)hi << 32) | lo;
}

// The spinlock's building blocks. An atomic bit test-and-set rather than
// an exchange: it changes no register, so the mirrored kernel (memv6sys)
// runs it again on the mirror, one instruction, where a sound exchange
// needs its register saved and its result copied (docs/translator.md).
// Returns the bit's old value.
static inline int test_and_set(volatile uint *p) {
  int was;
  __asm__ volatile("lock; btsl $0, %0" : "+m"(*p), "=@ccc"(was) : : "memory");
  return was;
}

// A store that releases: x86 does not reorder a store with earlier loads
// or stores, so a plain one does, once the compiler is kept from moving
// memory accesses across it.
static inline void store_release(volatile uint *p, uint v) {
  __asm__ volatile("movl %1, %0" : "=m"(*p) : "ir"(v) : "memory");
}

// lgdt/lidt take a 6-byte operand: 16-bit limit, then 32-bit base.
static inline void load_gdt(const void *base, uint bytes) {
  volatile ushort d[3] = {(ushort)(bytes - 1), (ushort)(uint)base, (ushort)((uint)base >> 16)};
  __asm__ volatile("lgdt (%0)" : : "r"(d) : "memory");
}

static inline void load_idt(const void *base, uint bytes) {
  volatile ushort d[3] = {(ushort)(bytes - 1), (ushort)(uint)base, (ushort)((uint)base >> 16)};
  __asm__ volatile("lidt (%0)" : : "r"(d) : "memory");
}

static inline void load_tr(ushort sel) {
  __asm__ volatile("ltr %0" : : "r"(sel));
}
#endif
