// kprintf and panic: formatted, polled output on the serial console. Safe
// from any context, including traps and panics.
#include <stdarg.h>
#include "types.h"
#include "memlayout.h"
#include "x86.h"
#include "klib.h"
#include "console.h"
#include "spinlock.h"
#include "poweroff.h"

static struct spinlock print_lock;
static int print_lock_ready;
static volatile int panicked;

static void put_uint(uint v, uint base) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n > 0)
    uart_putc(buf[--n]);
}

static void put_str(const char *s) {
  if (!s)
    s = "(null)";
  for (; *s; s++) {
    if (*s == '\n')
      uart_putc('\r');
    uart_putc(*s);
  }
}

static void format(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      if (*fmt == '\n')
        uart_putc('\r');
      uart_putc(*fmt);
      continue;
    }
    switch (*++fmt) {
    case 'd': {
      int v = va_arg(ap, int);
      if (v < 0) {
        uart_putc('-');
        put_uint(-(uint)v, 10);
      } else {
        put_uint(v, 10);
      }
      break;
    }
    case 'u':
      put_uint(va_arg(ap, uint), 10);
      break;
    case 'x':
      put_uint(va_arg(ap, uint), 16);
      break;
    case 'p':
      put_str("0x");
      put_uint(va_arg(ap, uint), 16);
      break;
    case 's':
      put_str(va_arg(ap, const char *));
      break;
    case 'c':
      uart_putc(va_arg(ap, int));
      break;
    case '%':
      uart_putc('%');
      break;
    case 0:
      return;
    default: // unknown conversion: show it rather than guess
      uart_putc('%');
      uart_putc(*fmt);
    }
  }
}

// A machine line (docs/serial-protocol.md) always starts a line: when the
// console is in the middle of one (a program's unfinished output), a
// newline goes first and the line ends with the field split=1, so a reader
// can join the program's text around it.
static void print(int machine, const char *fmt, va_list ap) {
  // The lock keeps lines from interleaving once interrupts are on; before
  // the first call nothing else can be printing.
  if (!print_lock_ready) {
    spin_init(&print_lock, "kprintf");
    print_lock_ready = 1;
  }
  int locked = !panicked;
  if (locked)
    spin_lock(&print_lock);
  int split = machine && uart_mid_line();
  if (split)
    put_str("\n");
  format(fmt, ap);
  if (machine)
    put_str(split ? " split=1\n" : "\n");
  if (locked)
    spin_unlock(&print_lock);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  print(0, fmt, ap);
  va_end(ap);
}

void kmachine(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  print(1, fmt, ap);
  va_end(ap);
}

// Return addresses up the frame-pointer chain (the kernel keeps frame
// pointers); addr2line turns them into source lines.
static void backtrace(void) {
  const uint *fp = __builtin_frame_address(0);
  kprintf("backtrace:");
  for (int depth = 0; depth < 12; depth++) {
    if ((uint)fp < KERNBASE || (uint)fp >= KERNBASE + PHYSTOP - 8 || ((uint)fp & 3))
      break;
    kprintf(" %p", fp[1]);
    fp = (const uint *)fp[0];
  }
  kprintf("\n");
}

HARNESS_HOOK void panic(const char *msg) {
  cli();
  panicked = 1;
  kprintf("panic: %s\n", msg);
  backtrace();
  // One machine line, then power off at once: a harness would otherwise
  // wait for its timeout and could not tell a panic from a hang.
  char quoted[128];
  int n = 0;
  for (const char *c = msg; *c && n < (int)sizeof(quoted) - 1; c++)
    quoted[n++] = *c == '"' ? '\'' : *c;
  quoted[n] = 0;
  kmachine("@panic msg=\"%s\"", quoted);
  power_off(PANIC_EXIT_VALUE);
}
