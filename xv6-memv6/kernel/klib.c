// Freestanding memory and string routines. The compiler may emit calls to
// memset/memcpy/memmove for structure copies, so these exact names matter.
#include "types.h"
#include "klib.h"

void *memset(void *dst, int c, uint n) {
  str_set(dst, (uchar)c * 0x01010101u, n);
  return dst;
}

void *memmove(void *dst, const void *src, uint n) {
  uchar *d = dst;
  const uchar *s = src;
  if (d == s || n == 0)
    return dst;
  if (d < s || d >= s + n) {
    str_copy(d, s, n);
  } else {
    // dst overlaps src from above: copy backwards, byte by byte (rare).
    d += n - 1;
    s += n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory", "cc");
  }
  return dst;
}

void *memcpy(void *dst, const void *src, uint n) {
  return memmove(dst, src, n);
}

int memcmp(const void *a, const void *b, uint n) {
  const uchar *x = a, *y = b;
  for (uint i = 0; i < n; i++) {
    if (x[i] != y[i])
      return x[i] - y[i];
  }
  return 0;
}

int strncmp(const char *a, const char *b, uint n) {
  for (uint i = 0; i < n; i++) {
    if (a[i] != b[i] || a[i] == 0)
      return (uchar)a[i] - (uchar)b[i];
  }
  return 0;
}

// Like the C library's: pads with NULs and does not terminate when src is
// n bytes or longer.
char *strncpy(char *dst, const char *src, int n) {
  int i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char *strlcpy0(char *dst, const char *src, int n) {
  if (n <= 0)
    return dst;
  int i = 0;
  for (; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

int strlen(const char *s) {
  int n = 0;
  while (s[n])
    n++;
  return n;
}
