// sweep: store-heavy windows for instruction-exact fault sweeps
// (campaigns/sweeps/, docs/campaign.md "Instruction-exact injection").
//
// Five phases, each right after a call to its own marker function (a
// breakpoint target): call-heavy code writing the stack (calls, pushes,
// locals), a store loop on the heap, stores and read-modify-writes on
// globals, x87 stores, and string instructions (rep stos, rep movs, stos,
// movs). Every phase runs over a thousand instructions and writes one page
// only (the stack page, the single heap page, the page of its global array),
// so a campaign can aim its fault at the page being written. The program
// prints one digest per phase, then the mirror oracle's verdict on itself
// (mismatched bytes; -1 on the native kernel; mirrorcheck(0) would add the
// kernel's frame counts, which a recovery changes): a trial whose
// recovery left native and mirror apart prints another number than the
// golden run.
#include "types.h"
#include "user.h"

#define PAGE 4096
#define WORDS 256 // 1 KiB per array

// Each array on a page of its own: a fault aimed at its page hits only it.
static uint gbuf[WORDS] __attribute__((aligned(PAGE)));
static double gdbl[64] __attribute__((aligned(PAGE)));
static int gint[64];

// Breakpoint targets, one per phase: noinline and the empty asm keep each a
// real function with its own address.
#define MARKER(name)                                                                               \
  __attribute__((noinline)) void name(void) {                                                      \
    __asm__ volatile("" : : : "memory");                                                           \
  }
MARKER(mark_stack)
MARKER(mark_heap)
MARKER(mark_global)
MARKER(mark_x87)
MARKER(mark_string)

// ---- stack: calls, pushes, locals ----

__attribute__((noinline)) static uint leaf(uint a, uint b) {
  volatile uint t[4];
  t[0] = a;
  t[1] = b;
  t[2] = a ^ b;
  t[3] = a + b;
  return t[0] * 3 + t[1] + t[2] + t[3];
}

__attribute__((noinline)) static uint descend(int depth, uint x) {
  volatile uint loc[6];
  for (int i = 0; i < 6; i++)
    loc[i] = x + (uint)i * 7;
  if (depth == 0)
    return leaf(loc[1], loc[5]);
  return descend(depth - 1, loc[2]) + leaf(loc[3], (uint)depth) + loc[4];
}

static uint phase_stack(void) {
  uint s = 1;
  for (uint r = 0; r < 8; r++)
    s = s * 31 + descend(6, s + r);
  return s;
}

// ---- heap: a store loop and read-modify-writes on one heap page ----
// The two halves of the array are written one way each, so that the last
// write of every word is the one the oracle compares at the end (a store
// would otherwise repair a mirror that a recovery got wrong).

#define HALF (WORDS / 2)

static uint phase_heap(uint *buf) {
  for (uint r = 0; r < 3; r++) {
    for (uint i = 0; i < HALF; i++)
      buf[i] = buf[i] * 0x9e3779b1u + i + r; // load, store
    for (uint i = 0; i < HALF; i++)
      buf[HALF + (i * 5) % HALF] += i + r; // read-modify-write in memory
  }
  uint s = 0;
  for (uint i = 0; i < WORDS; i++)
    s = s * 33 + buf[i];
  return s;
}

// ---- globals: stores, rmw, bit operations ----

static uint phase_global(void) {
  for (uint r = 0; r < 3; r++)
    for (uint i = 1; i < HALF; i++) {
      gbuf[i] ^= gbuf[i - 1] << 1;     // rmw
      gbuf[i] |= 1u << ((i + r) & 31); // rmw
      gbuf[HALF + i] = gbuf[i] + r;    // store
      gbuf[HALF + i - 1] -= (i & 1);   // rmw on a stored word
    }
  uint s = 0;
  for (uint i = 0; i < WORDS; i++)
    s = s * 33 + gbuf[i];
  return s;
}

// ---- x87: fstp to memory, fist (int conversion), fnstcw ----

static uint phase_x87(void) {
  for (int r = 0; r < 4; r++)
    for (int i = 0; i < 64; i++) {
      gdbl[i] = gdbl[i] * 1.5 + i - r * 0.25;
      gint[i] = (int)gdbl[i];
    }
  uint s = 0;
  for (int i = 0; i < 64; i++)
    s = s * 33 + (uint)gint[i];
  return s;
}

// ---- string instructions on the heap page ----

static void rep_stosl(uint *dst, uint v, uint n) {
  __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

static void rep_movsl(uint *dst, const uint *src, uint n) {
  __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void one_stosl_movsl(uint *dst, const uint *src, uint v) {
  __asm__ volatile("stosl\n\tmovsl" : "+D"(dst), "+S"(src) : "a"(v) : "memory");
}

// Each round writes words of its own, so the last write of every word is
// the one the oracle compares at the end.
static uint phase_string(uint *buf) {
  for (uint r = 0; r < 4; r++) {
    uint *dst = buf + 512 + r * 80;
    rep_stosl(dst, r * 0x01010101u + 1, 32);
    rep_movsl(dst + 32, buf + r * 64, 32);
    for (uint i = 0; i < 8; i++)
      one_stosl_movsl(dst + 64 + 2 * i, buf + 300 + 8 * r + i, i + r);
  }
  uint s = 0;
  for (uint i = 512; i < 1024; i++)
    s = s * 33 + buf[i];
  return s;
}

int main(void) {
  uint *buf = (uint *)sbrk(PAGE); // the heap: exactly one page
  if (buf == (uint *)-1) {
    printf(2, "sweep: sbrk failed\n");
    return 1;
  }
  for (uint i = 0; i < PAGE / sizeof(uint); i++)
    buf[i] = i * 2654435761u;
  for (int i = 0; i < 64; i++)
    gdbl[i] = i * 0.5;
  mark_stack();
  uint d_stack = phase_stack();
  mark_heap();
  uint d_heap = phase_heap(buf);
  mark_global();
  uint d_global = phase_global();
  mark_x87();
  uint d_x87 = phase_x87();
  mark_string();
  uint d_string = phase_string(buf);
  printf(1, "sweep: stack=%x heap=%x global=%x x87=%x string=%x\n", d_stack, d_heap, d_global,
         d_x87, d_string);
  printf(1, "sweep: oracle=%d\n", mirrorcheck(getpid()));
  return 0;
}
