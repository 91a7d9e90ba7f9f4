// The console device: serial output, and line-edited serial input for
// readers of devsw[CONSOLE]. A read returns at most one line; ^D ends the
// input (a read at the start of a line then returns 0).
#include "types.h"
#include "param.h"
#include "klib.h"
#include "spinlock.h"
#include "proc.h"
#include "file.h"
#include "vm.h"
#include "pic.h"
#include "trap.h"
#include "console.h"

#define CTRL(c) ((c) - '@')
#define INPUT_SIZE 128

// Bytes in [rd, committed) are readable; [committed, edit) is the line
// still being typed. The counters only grow; index with % INPUT_SIZE.
static struct {
  struct spinlock lock;
  char buf[INPUT_SIZE];
  uint rd, committed, edit;
} in;

// Serial terminals want CR LF; the harness strips the CR.
static void out(int c) {
  if (c == '\n')
    uart_putc('\r');
  uart_putc(c);
}

// Echo of typed input: a backspace erases the character on the terminal.
static void echo(int c) {
  if (c == '\b') {
    uart_putc('\b');
    uart_putc(' ');
  }
  out(c);
}

static void input_byte(int c) {
  if (c == CTRL('U')) {
    while (in.edit != in.committed && in.buf[(in.edit - 1) % INPUT_SIZE] != '\n') {
      in.edit--;
      echo('\b');
    }
    return;
  }
  if (c == '\b' || c == 0x7f) {
    if (in.edit != in.committed) {
      in.edit--;
      echo('\b');
    }
    return;
  }
  if (c == 0 || in.edit - in.rd >= INPUT_SIZE)
    return;
  if (c == '\r')
    c = '\n';
  in.buf[in.edit++ % INPUT_SIZE] = (char)c;
  if (c != CTRL('D'))
    echo(c);
  if (c == '\n' || c == CTRL('D') || in.edit - in.rd == INPUT_SIZE) {
    in.committed = in.edit;
    wakeup(&in.rd);
  }
}

void console_intr(void) {
  int c, dump = 0;
  spin_lock(&in.lock);
  while ((c = uart_getc()) >= 0) {
    if (c == CTRL('P'))
      dump = 1;
    else
      input_byte(c);
  }
  spin_unlock(&in.lock);
  if (dump)
    proc_dump();
}

static int console_read(struct inode *ip, int to_user, uint dst, int n) {
  (void)ip;
  int want = n;
  spin_lock(&in.lock);
  while (n > 0) {
    while (in.rd == in.committed) {
      if (proc_killed(myproc())) {
        spin_unlock(&in.lock);
        return -1;
      }
      sleep(&in.rd, &in.lock);
    }
    char c = in.buf[in.rd++ % INPUT_SIZE];
    if (c == CTRL('D')) {
      // Keep ^D for the next read when this one already has data, so
      // that read sees end of file.
      if (n < want)
        in.rd--;
      break;
    }
    if (copy_to_dst(to_user, dst, &c, 1) < 0)
      break;
    dst++;
    n--;
    if (c == '\n')
      break;
  }
  spin_unlock(&in.lock);
  return want - n;
}

static int console_write(struct inode *ip, int from_user, uint src, int n) {
  (void)ip;
  char chunk[64];
  for (int done = 0; done < n;) {
    int len = n - done < (int)sizeof(chunk) ? n - done : (int)sizeof(chunk);
    if (copy_from_src(chunk, from_user, src + done, len) < 0)
      return done ? done : -1;
    // A chunk goes out whole: a machine line waits for its end, and then
    // knows whether it leaves a line unfinished (uart.c).
    intr_off_push();
    for (int i = 0; i < len; i++)
      out(chunk[i]);
    intr_on_pop();
    done += len;
  }
  return n;
}

void console_init(void) {
  spin_init(&in.lock, "console");
  devsw[CONSOLE].read = console_read;
  devsw[CONSOLE].write = console_write;
  uart_enable_rx_intr();
  pic_unmask(IRQ_COM1);
}
