// Byte and string helpers. Written as plain loops: the compiler flags forbid
// builtins, and the translator mirrors each store one by one anyway.
#include "types.h"
#include "user.h"

uint strlen(const char *s) {
  uint n = 0;
  while (s[n] != '\0')
    n++;
  return n;
}

char *strcpy(char *dst, const char *src) {
  uint i = 0;
  do {
    dst[i] = src[i];
  } while (src[i++] != '\0');
  return dst;
}

int strcmp(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return (uchar)*a - (uchar)*b;
}

int strncmp(const char *a, const char *b, uint n) {
  for (; n > 0; n--, a++, b++) {
    if (*a != *b || *a == '\0')
      return (uchar)*a - (uchar)*b;
  }
  return 0;
}

char *strchr(const char *s, char c) {
  for (; *s != '\0'; s++) {
    if (*s == c)
      return (char *)s;
  }
  return 0;
}

void *memset(void *dst, int c, uint n) {
  uchar *d = dst;
  for (uint i = 0; i < n; i++)
    d[i] = (uchar)c;
  return dst;
}

int memcmp(const void *a, const void *b, uint n) {
  const uchar *x = a;
  const uchar *y = b;
  for (uint i = 0; i < n; i++) {
    if (x[i] != y[i])
      return x[i] - y[i];
  }
  return 0;
}

// Overlap-safe: copy backwards when the destination lies above the source.
void *memmove(void *dst, const void *src, int n) {
  uchar *d = dst;
  const uchar *s = src;
  if (d > s && d < s + n) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    for (int i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

// GCC may emit calls to memcpy for structure copies even with -fno-builtin.
void *memcpy(void *dst, const void *src, uint n) {
  return memmove(dst, src, (int)n);
}
