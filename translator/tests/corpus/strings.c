// Corpus: string and memory routines, varargs formatting, byte loops.
#include <stdarg.h>

typedef unsigned int uint;
typedef unsigned char uchar;

void *cmemset(void *dst, int c, uint n) {
  uchar *p = dst;
  while (n-- > 0)
    *p++ = (uchar)c;
  return dst;
}

void *cmemcpy(void *dst, const void *src, uint n) {
  uchar *d = dst;
  const uchar *s = src;
  if (s < d && s + n > d) {
    d += n;
    s += n;
    while (n-- > 0)
      *--d = *--s;
  } else
    while (n-- > 0)
      *d++ = *s++;
  return dst;
}

uint cstrlen(const char *s) {
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

int cstrcmp(const char *p, const char *q) {
  while (*p && *p == *q)
    p++, q++;
  return (uchar)*p - (uchar)*q;
}

char *cstrcpy(char *d, const char *s) {
  char *r = d;
  while ((*d++ = *s++) != 0)
    ;
  return r;
}

static char digits[] = "0123456789abcdef";

static int putnum(char *out, int pos, int max, unsigned long long x, int base, int sign) {
  char buf[24];
  int i = 0, neg = 0;
  if (sign && (long long)x < 0) {
    neg = 1;
    x = -x;
  }
  do
    buf[i++] = digits[x % base];
  while ((x /= base) != 0);
  if (neg)
    buf[i++] = '-';
  while (--i >= 0 && pos < max - 1)
    out[pos++] = buf[i];
  return pos;
}

int csnprintf(char *out, int max, const char *fmt, ...) {
  va_list ap;
  int pos = 0;
  va_start(ap, fmt);
  for (const char *f = fmt; *f && pos < max - 1; f++) {
    if (*f != '%') {
      out[pos++] = *f;
      continue;
    }
    switch (*++f) {
    case 'd':
      pos = putnum(out, pos, max, va_arg(ap, int), 10, 1);
      break;
    case 'u':
      pos = putnum(out, pos, max, va_arg(ap, uint), 10, 0);
      break;
    case 'x':
      pos = putnum(out, pos, max, va_arg(ap, uint), 16, 0);
      break;
    case 'l':
      pos = putnum(out, pos, max, va_arg(ap, long long), 10, 1);
      f++;
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      while (*s && pos < max - 1)
        out[pos++] = *s++;
      break;
    }
    case 'c':
      out[pos++] = (char)va_arg(ap, int);
      break;
    default:
      out[pos++] = *f;
    }
  }
  va_end(ap);
  out[pos] = 0;
  return pos;
}

void reverse(char *s) {
  uint n = cstrlen(s);
  for (uint i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

int count_words(const char *s) {
  int n = 0, in = 0;
  for (; *s; s++) {
    int space = *s == ' ' || *s == '\t' || *s == '\n';
    if (!space && !in)
      n++;
    in = !space;
  }
  return n;
}
