// Formatted output to a file descriptor.
//
// Conversions: %d %u %x %p %s %c %%, and the l or ll modifier before d, u
// or x for a 64-bit argument (uint64 or long long). Output collects in a
// small buffer so that a short line leaves in one write(): lines from
// concurrent processes then rarely interleave, and the console sees far
// fewer system calls than with one write per character.
#include <stdarg.h>
#include "types.h"
#include "user.h"

struct outbuf {
  int fd;
  int len;
  char bytes[128];
};

static void flush(struct outbuf *o) {
  if (o->len > 0)
    write(o->fd, o->bytes, o->len);
  o->len = 0;
}

static void put(struct outbuf *o, char c) {
  if (o->len == (int)sizeof(o->bytes))
    flush(o);
  o->bytes[o->len++] = c;
}

static void put_str(struct outbuf *o, const char *s) {
  if (s == 0)
    s = "(null)";
  while (*s != '\0')
    put(o, *s++);
}

// Unsigned 64-bit value in the given base; digits come out least
// significant first, so they are staged and then emitted in reverse.
static void put_num(struct outbuf *o, uint64 v, uint base, int negative) {
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int n = 0;
  do {
    // A value that fits 32 bits divides with one instruction instead of a
    // call to the 64-bit helpers (udiv64.c).
    uint d;
    if (v >> 32) {
      d = (uint)(v % base);
      v /= base;
    } else {
      d = (uint)v % base;
      v = (uint)v / base;
    }
    tmp[n++] = digits[d];
  } while (v != 0);
  if (negative)
    put(o, '-');
  while (n > 0)
    put(o, tmp[--n]);
}

// Fetch a d/u/x argument of the width the modifier asked for.
static uint64 take_unsigned(va_list *ap, int wide) {
  if (wide)
    return va_arg(*ap, uint64);
  return va_arg(*ap, uint);
}

static void put_signed(struct outbuf *o, va_list *ap, int wide) {
  long long v = wide ? va_arg(*ap, long long) : va_arg(*ap, int);
  if (v < 0)
    put_num(o, (uint64)0 - (uint64)v, 10, 1);
  else
    put_num(o, (uint64)v, 10, 0);
}

// Handle one conversion whose letter is c; returns 0 for an unknown one.
static int convert(struct outbuf *o, char c, va_list *ap, int wide) {
  switch (c) {
  case 'd':
    put_signed(o, ap, wide);
    return 1;
  case 'u':
    put_num(o, take_unsigned(ap, wide), 10, 0);
    return 1;
  case 'x':
    put_num(o, take_unsigned(ap, wide), 16, 0);
    return 1;
  case 'p':
    put_str(o, "0x");
    put_num(o, (uintptr)va_arg(*ap, void *), 16, 0);
    return 1;
  case 's':
    put_str(o, va_arg(*ap, const char *));
    return 1;
  case 'c':
    put(o, (char)va_arg(*ap, int));
    return 1;
  case '%':
    put(o, '%');
    return 1;
  }
  return 0;
}

void printf(int fd, const char *fmt, ...) {
  struct outbuf o;
  va_list ap;
  o.fd = fd;
  o.len = 0;
  va_start(ap, fmt);
  for (const char *p = fmt; *p != '\0'; p++) {
    if (*p != '%') {
      put(&o, *p);
      continue;
    }
    const char *start = p++;
    int wide = 0;
    while (*p == 'l') {
      wide = 1;
      p++;
    }
    if (*p == '\0')
      break;
    // An unknown conversion is printed as written, to make the mistake visible.
    if (!convert(&o, *p, &ap, wide)) {
      while (start <= p)
        put(&o, *start++);
    }
  }
  va_end(ap);
  flush(&o);
}
