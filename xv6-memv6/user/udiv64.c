// 64-bit division for the user library. GCC calls these helpers for / and %
// on 64-bit operands on i386 (printf's put_num does). They are ours rather
// than libgcc's so that the memv6 build translates them: libgcc's
// __udivmoddi4 stores the remainder through a pointer into its caller's
// frame, and untranslated, that store would never reach the mirror. This
// file must not divide 64-bit values itself (that would call them again):
// it uses 32-bit divl and shift-and-subtract only.
#include "types.h"

uint64 __udivmoddi4(uint64 n, uint64 d, uint64 *rem);
uint64 __udivdi3(uint64 n, uint64 d);
uint64 __umoddi3(uint64 n, uint64 d);
long long __divmoddi4(long long a, long long b, long long *rem);
long long __divdi3(long long a, long long b);
long long __moddi3(long long a, long long b);

// (hi:lo) / d for hi < d: one divl, quotient and remainder fit 32 bits.
static uint divl(uint hi, uint lo, uint d, uint *r) {
  uint q;
  __asm__("divl %4" : "=a"(q), "=d"(*r) : "a"(lo), "d"(hi), "rm"(d));
  return q;
}

// Leading zero bits of v (v != 0), from 32-bit bsr.
static int clz64(uint64 v) {
  uint hi = (uint)(v >> 32);
  return hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint)v);
}

uint64 __udivmoddi4(uint64 n, uint64 d, uint64 *rem) {
  uint dh = (uint)(d >> 32), dl = (uint)d;
  uint64 q, r;
  if (dh == 0) {
    // Two 32-bit steps; a zero divisor traps in the first, as it would in
    // libgcc's.
    uint nh = (uint)(n >> 32), rh = nh % dl, rl;
    uint ql = divl(rh, (uint)n, dl, &rl);
    q = (uint64)(nh / dl) << 32 | ql;
    r = rl;
  } else if (n < d) {
    q = 0;
    r = n;
  } else {
    // The quotient fits in 32 bits: at most 32 shift-and-subtract steps.
    int shift = clz64(d) - clz64(n);
    uint64 ds = d << shift;
    q = 0;
    r = n;
    for (; shift >= 0; shift--, ds >>= 1) {
      q <<= 1;
      if (r >= ds) {
        r -= ds;
        q |= 1;
      }
    }
  }
  if (rem)
    *rem = r;
  return q;
}

uint64 __udivdi3(uint64 n, uint64 d) {
  return __udivmoddi4(n, d, 0);
}

uint64 __umoddi3(uint64 n, uint64 d) {
  uint64 r;
  __udivmoddi4(n, d, &r);
  return r;
}

// Signed: the quotient truncates toward zero, the remainder has the
// dividend's sign (C's rules).
long long __divmoddi4(long long a, long long b, long long *rem) {
  uint64 ua = a < 0 ? 0 - (uint64)a : (uint64)a, ub = b < 0 ? 0 - (uint64)b : (uint64)b, ur;
  uint64 uq = __udivmoddi4(ua, ub, &ur);
  if (rem)
    *rem = a < 0 ? (long long)(0 - ur) : (long long)ur;
  return (a < 0) != (b < 0) ? (long long)(0 - uq) : (long long)uq;
}

long long __divdi3(long long a, long long b) {
  return __divmoddi4(a, b, 0);
}

long long __moddi3(long long a, long long b) {
  long long r;
  __divmoddi4(a, b, &r);
  return r;
}
