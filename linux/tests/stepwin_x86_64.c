// steptest's window for x86-64 (stepwin.h): the x86-64 forms of the
// translator's table, with 8-byte and 4-byte widths, %rip-relative globals
// (g.field) beside pointer operands (s->field), operands and sources in
// r8-r15: read-modify-writes, adc/sbb/rcl/rcr, lock xadd and cmpxchg, bit
// ops with a register offset that leaves the word, setcc, xchg, rep
// stosq/movsq/stosb, movsq/movsb, pushq/popq of memory, pushfq, a call
// with arguments on the stack, SSE and x87 stores.
#include "types.h"
#include "user.h"
#include "mlx.h"
#include "stepinject.h"
#include "stepwin.h"

typedef unsigned long u64;
typedef float v4f __attribute__((vector_size(16)));

struct state {
  u64 q[16];
  uint w[8];
  uchar b[16];
  ushort h[8];
  u64 blk[8], blk2[8];
  u64 lo, hi, lo2, hi2, cnt, cnt2, lk, lk2, sum, out[8];
  uint lo32, hi32, lk32;
  double d[4];
  v4f v[2];
  long double ld;
};
static union {
  struct state s;
  uchar page[4096];
} gpage __attribute__((aligned(4096)));
#define g (gpage.s)
const struct step_window step_window = {gpage.page, sizeof(struct state)};

void step_window_init(void) {}

// Six arguments in registers, the last two on the stack.
static __attribute__((noinline)) void put8(u64 *p, u64 a, u64 b, u64 c, u64 d, u64 e, u64 f,
                                           u64 h) {
  p[0] += a ^ b ^ h;
  p[1] -= c + d + e * f;
}

static __attribute__((noinline)) void rmw_forms(struct state *s) {
  for (u64 i = 0; i < 2; i++) {
    u64 v = i + 3, n = i + 1;
    __asm__ volatile("addq %1, %0" : "+m"(s->q[i]) : "r"(v) : "cc");
    __asm__ volatile("incq %0; negq %0; notq %0" : "+m"(g.q[i + 4])::"cc");
    __asm__ volatile("shlq $3, %0; sarq %%cl, %0" : "+m"(s->q[i + 8]) : "c"(n) : "cc");
    __asm__ volatile("xorb %1, %0" : "+m"(g.b[i]) : "q"((uchar)v) : "cc");
    __asm__ volatile("orw %1, %0" : "+m"(s->h[i]) : "r"((ushort)v) : "cc");
    __asm__ volatile("lock addq %1, %0" : "+m"(g.sum) : "r"(v) : "cc");
    __asm__ volatile("addq $0x12345, %0; subl $7, %1" : "+m"(g.q[14]), "+m"(g.w[i])::"cc");
    __asm__ volatile("shldq $5, %1, %0" : "+m"(s->q[i + 12]) : "r"(v) : "cc");
    // A bit offset of 70 + i picks the next word, -3 the one before.
    __asm__ volatile("btsq %1, %0; btrq $2, %0" : "+m"(s->q[i]) : "r"(70 + i) : "cc", "memory");
    __asm__ volatile("btcq %1, %0" : "+m"(g.q[i + 10]) : "r"(-3L) : "cc", "memory");
    register u64 r9 __asm__("r9") = v * 5;
    register u64 *r12 __asm__("r12") = s->q + 2;
    register u64 r13 __asm__("r13") = i;
    __asm__ volatile("addq %1, 8(%0,%2,8); andl %k1, 4(%0)" ::"r"(r12), "r"(r9), "r"(r13)
                     : "cc", "memory");
  }
}

static __attribute__((noinline)) void carry_forms(struct state *s) {
  for (u64 i = 0; i < 2; i++) {
    u64 x = 0xf000000000000000ul + i, y = i;
    __asm__ volatile("addq %2, %0; adcq %3, %1" : "+m"(s->lo), "+m"(s->hi) : "r"(x), "r"(y) : "cc");
    __asm__ volatile("subq %2, %0; sbbq %3, %1" : "+m"(g.lo2), "+m"(g.hi2) : "r"(x), "r"(y) : "cc");
    __asm__ volatile("addl %2, %0; adcl %3, %1"
                     : "+m"(s->lo32), "+m"(s->hi32)
                     : "r"((uint)x | 0xf0000000u), "r"((uint)y)
                     : "cc");
    __asm__ volatile("stc; rclq $1, %0; clc; rcrl $1, %1" : "+m"(s->q[i]), "+m"(g.w[i + 2])::"cc");
    u64 v = i + 1, old = s->lk;
    __asm__ volatile("lock xaddq %0, %1" : "+r"(v), "+m"(s->cnt) : : "cc");
    register u64 r10 __asm__("r10") = i + 2;
    __asm__ volatile("lock xaddq %0, %1" : "+r"(r10), "+m"(g.cnt2) : : "cc");
    __asm__ volatile("lock cmpxchgq %2, %1" : "+a"(old), "+m"(s->lk) : "r"(old * 3 + v) : "cc");
    u64 old2 = g.lk2;
    register u64 r14 __asm__("r14") = old2 + r10;
    __asm__ volatile("lock cmpxchgq %2, %1" : "+a"(old2), "+m"(g.lk2) : "r"(r14) : "cc");
    uint o32 = s->lk32;
    __asm__ volatile("cmpxchgl %2, %1" : "+a"(o32), "+m"(s->lk32) : "r"(o32 + 9) : "cc");
    __asm__ volatile("cmpq %1, %2; sete %0" : "=m"(g.b[i + 8]) : "r"(v), "r"(old) : "cc");
    __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(s->q[i + 4]));
    // The registers the other forms changed, and the old word xchg returns.
    s->out[i] = old ^ r10 ^ old2 ^ o32;
    s->out[i + 2] = v;
  }
}

static __attribute__((noinline)) void string_forms(struct state *s) {
  u64 *dst = s->blk, n = 6, val = 0x5a5a000000000000ul + s->q[3];
  __asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(val) : "memory");
  const u64 *src = s->blk;
  dst = s->blk2, n = 3;
  __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
  __asm__ volatile("movsq; movsb; movsb" : "+D"(dst), "+S"(src) : : "memory");
  uchar *bd = s->b + 12;
  n = 3;
  __asm__ volatile("rep stosb" : "+D"(bd), "+c"(n) : "a"(0x77) : "memory");
}

// Not a leaf (it calls put8), so GCC keeps nothing in the red zone that
// the pushes would overwrite.
static __attribute__((noinline)) void stack_forms(struct state *s) {
  __asm__ volatile("pushq %1; popq %0" : "=m"(s->q[9]) : "m"(s->q[10]));
  __asm__ volatile("pushq %1; popq %0" : "=m"(g.q[11]) : "m"(g.q[13]));
  __asm__ volatile("cmpq $7, %1; pushfq; popq %0" : "=m"(s->q[15]) : "r"(s->q[8]) : "cc");
  for (u64 i = 0; i < 2; i++)
    put8(&s->q[2 * i], i, s->q[i], i * 5, s->q[i + 1], 3, i, s->q[i + 5] + 1);
  s->q[15] &= 0x8d5; // the arithmetic flags of the cmp (TF is the tracer's)
}

static __attribute__((noinline)) void sse_forms(struct state *s) {
  s->d[0] = 1.25;
  for (int i = 1; i < 4; i++)
    s->d[i] = s->d[i - 1] * 1.5 + i;
  v4f a = {(float)s->d[1], 2.0f, (float)s->d[2], 4.0f};
  __asm__ volatile("movups %1, %0" : "=m"(s->v[0]) : "x"(a));
  __asm__ volatile("movq %1, %0" : "=m"(g.q[3]) : "x"(a));
  __asm__ volatile("movd %1, %0" : "=m"(g.w[6]) : "x"(a));
  s->ld = (long double)s->d[3] * 3;
}

void step_window_run(void) {
  struct state *s = &g;
  for (uint i = 0; i < 16; i += 4) {
    s->q[i] = s->q[i + 1] = i * 0x0101010101010101ul + 7;
    s->q[i + 2] = s->q[i + 3] = i + 1;
    s->b[i] = s->b[i + 1] = s->b[i + 2] = s->b[i + 3] = (uchar)i;
    s->h[i / 2] = s->h[i / 2 + 1] = (ushort)(i * 3);
    s->w[i / 2] = s->w[i / 2 + 1] = i + 5;
  }
  s->lo = s->hi = s->lo2 = s->hi2 = s->cnt = s->cnt2 = s->lk = s->lk2 = s->sum = 1;
  s->lo32 = s->hi32 = s->lk32 = 1;
  rmw_forms(s);
  carry_forms(s);
  string_forms(s);
  stack_forms(s);
  sse_forms(s);
}
