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
// Word copies when both sides are aligned: a quarter of the stores, and so
// a quarter of the mirror stores on memv6.
void *memcpy(void *dst, const void *src, uint n) {
  if ((((uintptr)dst | (uintptr)src) & 3) == 0) {
    uint *d = dst;
    const uint *s = src;
    uint words = n / 4;
    for (uint i = 0; i < words; i++)
      d[i] = s[i];
    uchar *db = (uchar *)(d + words);
    const uchar *sb = (const uchar *)(s + words);
    for (uint i = 0; i < n % 4; i++)
      db[i] = sb[i];
    return dst;
  }
  return memmove(dst, src, (int)n);
}

char *strncpy(char *dst, const char *src, uint n) {
  uint i = 0;
  for (; i < n && src[i] != '\0'; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = '\0'; // the standard pads the rest with zeros
  return dst;
}

char *strcat(char *dst, const char *src) {
  strcpy(dst + strlen(dst), src);
  return dst;
}

char *strrchr(const char *s, char c) {
  const char *last = 0;
  for (;; s++) {
    if (*s == c)
      last = s;
    if (*s == '\0')
      return (char *)last;
  }
}

char *strstr(const char *hay, const char *needle) {
  uint n = strlen(needle);
  for (; *hay != '\0'; hay++) {
    if (strncmp(hay, needle, n) == 0)
      return (char *)hay;
  }
  return n == 0 ? (char *)hay : 0;
}

void *memchr(const void *s, int c, uint n) {
  const uchar *p = s;
  for (uint i = 0; i < n; i++) {
    if (p[i] == (uchar)c)
      return (void *)(p + i);
  }
  return 0;
}
