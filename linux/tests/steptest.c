// steptest: instruction-exact memory errors inside mirrored writes, in a
// mirrored Linux process, natively (no gdb; stepinject.c). A window of
// translated code rich in the forms the translator mirrors with more than
// one instruction (stores, read-modify-writes with and without the carry,
// xadd, cmpxchg, bit ops, setcc, xchg, rep stos/movs, movs, push/pop of
// memory, pushf, pusha, enter, calls with pushed arguments, x87 stores and
// popping stores) runs once untraced for the expected result, once traced
// (EFLAGS.TF) to count its instructions, and once traced with a child
// forked at every instruction for each target: before that instruction a
// memory error strikes a page the window writes, its data page or its stack
// page, the native side or the mirror side (a bit flipped, then the
// runtime's recovery as for BUS_MCEERR_AO there). Every child must end the
// window with the expected result and the oracle at 0. Prints per target
// "steptest: TARGET trials=N rolled=R wrong=W" and exits 0 when every
// instruction was tried and no child went wrong; the untranslated build
// only checks a traced run's result.
#include "types.h"
#include "user.h"
#include "mlx.h"
#include "lx_arch.h"
#include "stepinject.h"

// The window's data, alone in its page (the "data" target).
struct state {
  uint w[16];
  uchar b[16];
  ushort h[8];
  uint blk[12], blk2[12];
  uint lo, hi, lo2, hi2, cnt, lk, sum;
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
static struct state ref;

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

// The window: every field it reads it first writes.
static __attribute__((noinline)) void window(void) {
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

static __attribute__((noinline)) void traced(void) {
  step_on();
  window();
  step_off();
}

// Overwrites, in both copies, the stack an untranslated callee just used.
static __attribute__((noinline)) uint scrub(void) {
  volatile uint pad[128];
  for (uint i = 0; i < 128; i++)
    pad[i] = 0;
  return pad[0];
}

static int differ(void) {
  int n = 0;
  for (uint i = 0; i < sizeof g; i++) {
    n += ((uchar *)&g)[i] != ((uchar *)&ref)[i];
  }
  return n;
}

static const char *target_name[] = {"data-native", "data-mirror", "stack-native", "stack-mirror"};

// In a child of the sweep (stepinject.c): the error was injected before
// one instruction of the traced run that just ended; judge it and exit.
static void judge_child(void) {
  int t = (int)step_ctl.child - 1, bad = differ(), oracle = mirrorcheck(0);
  int wrong = step_ctl.hit != 1 || bad != 0 || oracle != 0;
  if (wrong && step_ctl.wrong[t] < 5)
    printf(1,
           "steptest: WRONG %s at instruction %d (pc 0x%x): error taken %d (expected 1), "
           "result bytes differing %d (expected 0), mirrorcheck %d (expected 0)\n",
           target_name[t], (int)step_ctl.at, (uint)step_ctl.pc, (int)step_ctl.hit, bad, oracle);
  for (;;) // no oracle line at exit: the verdict is the status
    lx_sys3(LX_NR_EXIT_GROUP, STEP_STATUS(wrong, step_ctl.rolled), 0, 0);
}

int main(void) {
  step_init();
  scrub();
  use_x87 = x87_survives_traps();
  if (!use_x87)
    printf(1, "steptest: x87 registers do not survive a signal here (an emulator?): "
              "x87 forms left out\n");
  step_ctl.steps = 0;
  window();
  ref = g;
  traced();
  long steps = step_ctl.steps;
  int same = differ() == 0;
  printf(1, "steptest: traced steps=%d result=%s\n", (int)steps, same ? "ok" : "BAD");
  if (mirrorcheck(0) < 0) {
    printf(1, "steptest: no mirror in this build\n");
    return same ? 0 : 1;
  }
  step_ctl.data = (uint)(uintptr)&g;
  step_ctl.steps = 0;
  step_ctl.sweep = 1;
  traced();
  if (step_ctl.child)
    judge_child();
  int wrong = differ() != 0;
  for (int t = 0; t < STEP_TARGETS; t++) {
    printf(1, "steptest: %s trials=%d rolled=%d wrong=%d\n", target_name[t],
           (int)step_ctl.trials[t], (int)step_ctl.rolled_n[t], (int)step_ctl.wrong[t]);
    wrong += step_ctl.wrong[t] != 0 || step_ctl.trials[t] != steps;
  }
  return same && steps > 200 && wrong == 0 ? 0 : 1;
}
