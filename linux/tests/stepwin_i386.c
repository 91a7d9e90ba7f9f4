// steptest's window for i386 (stepwin.h): stores, read-modify-writes with
// and without the carry, xadd, cmpxchg, bit ops, setcc, xchg, rep
// stos/movs, movs, push/pop of memory, pushf, pusha, enter, calls with
// pushed arguments, x87 stores and popping stores.
#include "types.h"
#include "user.h"
#include "mlx.h"
#include "stepinject.h"
#include "stepwin.h"

// The window's data, alone in its page (the "data" target).
struct state {
  uint w[16];
  uchar b[16];
  ushort h[8];
  uint blk[12], blk2[12];
  uint lo, hi, lo2, hi2, cnt, lk, sum, xold[2];
  double d[6];
  int ints[6];
  long long q[2];
  long double ld;
};
static union {
  struct state s;
  uchar page[4096];
} gpage __attribute__((aligned(4096)));
#define g (gpage.s)
const struct step_window step_window = {gpage.page, sizeof(struct state)};

// A call whose arguments GCC pushes or stores at the stack pointer.
static __attribute__((noinline)) void put5(uint *p, uint a, uint b, uint c, uint d) {
  p[0] += a ^ b;
  p[1] -= c + d;
}

static __attribute__((noinline)) void rmw_forms(struct state *s) {
  for (uint i = 0; i < 2; i++) {
    uint v = i + 3, n = i + 1;
    __asm__ volatile("addl %1, %0" : "+m"(s->w[i]) : "r"(v) : "cc");
    __asm__ volatile("incl %0; negl %0; notl %0" : "+m"(s->w[i + 4])::"cc");
    __asm__ volatile("shll $3, %0; sarl %%cl, %0" : "+m"(s->w[i + 8]) : "c"(n) : "cc");
    __asm__ volatile("xorb %1, %0" : "+m"(s->b[i]) : "q"((uchar)v) : "cc");
    __asm__ volatile("orw %1, %0" : "+m"(s->h[i]) : "r"((ushort)v) : "cc");
    __asm__ volatile("lock addl %1, %0" : "+m"(s->sum) : "r"(v) : "cc");
    __asm__ volatile("shldl $5, %1, %0" : "+m"(s->w[i + 12]) : "r"(v) : "cc");
    __asm__ volatile("btsl %1, %0; btrl $2, %0" : "+m"(s->w[i]) : "r"(n * 7) : "cc");
  }
}

static __attribute__((noinline)) void carry_forms(struct state *s) {
  for (uint i = 0; i < 2; i++) {
    uint x = 0xf0000000u + i, y = i;
    __asm__ volatile("addl %2, %0; adcl %3, %1" : "+m"(s->lo), "+m"(s->hi) : "r"(x), "r"(y) : "cc");
    __asm__ volatile("subl %2, %0; sbbl %3, %1"
                     : "+m"(s->lo2), "+m"(s->hi2)
                     : "r"(x), "r"(y)
                     : "cc");
    __asm__ volatile("stc; rcll $1, %0" : "+m"(s->w[i]) : : "cc");
    uint v = i + 1, old = s->lk;
    __asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(s->cnt) : : "cc");
    __asm__ volatile("lock cmpxchgl %2, %1" : "+a"(old), "+m"(s->lk) : "r"(old * 3 + v) : "cc");
    __asm__ volatile("cmpl %1, %2; sete %0" : "=m"(s->b[i + 8]) : "r"(v), "r"(old) : "cc");
    __asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(s->w[i + 4]));
    s->xold[i] = v; // the old word xchg returns
  }
}

static __attribute__((noinline)) void string_forms(struct state *s) {
  uint *dst = s->blk, n = 6, val = 0x5a5a0000u + s->w[3];
  __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(val) : "memory");
  const uint *src = s->blk;
  dst = s->blk2, n = 3;
  __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
  __asm__ volatile("movsl; movsb; movsb" : "+D"(dst), "+S"(src) : : "memory");
  uchar *bd = s->b + 12;
  n = 3;
  __asm__ volatile("rep stosb" : "+D"(bd), "+c"(n) : "a"(0x77) : "memory");
}

static __attribute__((noinline)) void stack_forms(struct state *s) {
  __asm__ volatile("pushl %1; popl %0" : "=m"(s->w[9]) : "m"(s->w[10]));
  __asm__ volatile("cmpl $7, %1; pushfl; popl %0" : "=m"(s->w[11]) : "r"(s->w[8]) : "cc");
  __asm__ volatile("pushal; incl %%eax; popal" ::: "cc");
  __asm__ volatile("enter $16, $0; movl %%esp, %%eax; movl $5, (%%eax); leave" ::: "eax");
  for (uint i = 0; i < 2; i++)
    put5(&s->w[2 * i], i, s->w[i], i * 5, s->w[i + 1]);
  s->w[11] &= 0x8d5; // the arithmetic flags of the cmp (TF is the tracer's)
}

static __attribute__((noinline)) void x87_forms(struct state *s) {
  s->d[0] = 1.25;
  for (int i = 1; i < 3; i++)
    s->d[i] = s->d[i - 1] * 1.5 + i;
  for (int i = 0; i < 2; i++)
    s->ints[i] = (int)s->d[i];
  s->q[0] = (long long)(s->d[2] * 1e6);
  s->ld = (long double)s->d[1] * 3;
}

// Whether x87 registers survive a trap's signal frame here: qemu-i386 7.2
// loses them (a traced run's x87 results come out 0), real CPUs keep them.
// Where they do not, the window leaves its x87 forms out (and says so).
static int use_x87;
static volatile double xa = 1.5, xb;

static __attribute__((noinline)) void x87_ops(void) {
  xb = xa * 3.0 + xa;
}

static __attribute__((noinline)) int x87_survives_traps(void) {
  step_on();
  x87_ops();
  step_off();
  return xb == 6.0;
}

void step_window_init(void) {
  use_x87 = x87_survives_traps();
  if (!use_x87)
    printf(1, "steptest: x87 registers do not survive a signal here (an emulator?): "
              "x87 forms left out\n");
}

void step_window_run(void) {
  struct state *s = &g;
  for (uint i = 0; i < 16; i += 4) {
    s->w[i] = s->w[i + 1] = i * 0x01010101u + 7;
    s->w[i + 2] = s->w[i + 3] = i + 1;
    s->b[i] = s->b[i + 1] = s->b[i + 2] = s->b[i + 3] = (uchar)i;
    s->h[i / 2] = s->h[i / 2 + 1] = (ushort)(i * 3);
  }
  s->lo = s->hi = s->lo2 = s->hi2 = s->cnt = s->lk = s->sum = 1;
  rmw_forms(s);
  carry_forms(s);
  string_forms(s);
  stack_forms(s);
  if (use_x87)
    x87_forms(s);
}
