// COM1, the 16550 UART that is the kernel's console. Output is polled: the
// console must work before interrupts do, and inside panic. Input raises
// IRQ 4, which trap.c routes to console_intr().
#include "types.h"
#include "x86.h"
#include "console.h"

#define COM1 0x3f8
#define REG_DATA 0 // receive/transmit buffer (DLAB=0)
#define REG_IER 1  // interrupt enable (DLAB=0)
#define REG_FCR 2  // FIFO control
#define REG_LCR 3  // line control
#define REG_MCR 4  // modem control
#define REG_LSR 5  // line status
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_RX_READY 0x01
#define LSR_TX_EMPTY 0x20
#define MCR_DTR_RTS_OUT2 0x0b // OUT2 gates the IRQ line to the PIC on a PC

static int uart_present;
// Whether the last byte sent was not a newline: machine lines start on a
// line of their own (kprintf.c). Callers send with interrupts off, so a
// machine check's line (printed only where interrupts come back on, mce.c)
// never falls between a byte and this update.
static int mid_line;

void uart_init(void) {
  outb(COM1 + REG_FCR, 0);
  outb(COM1 + REG_LCR, LCR_DLAB);
  outb(COM1 + REG_DATA, 1); // divisor 1: 115200 baud
  outb(COM1 + REG_IER, 0);
  outb(COM1 + REG_LCR, LCR_8N1);
  outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
  // A missing UART reads back all ones.
  uart_present = inb(COM1 + REG_LSR) != 0xff;
}

// Interrupt on received data only; transmit stays polled.
void uart_enable_rx_intr(void) {
  if (!uart_present)
    return;
  outb(COM1 + REG_IER, 0x01);
  // Drain anything that arrived before, so the first edge is not lost.
  (void)inb(COM1 + 2);
  (void)inb(COM1 + REG_DATA);
}

void uart_putc(int c) {
  if (!uart_present)
    return;
  for (int spin = 0; spin < 100000 && !(inb(COM1 + REG_LSR) & LSR_TX_EMPTY); spin++)
    ;
  outb(COM1 + REG_DATA, (uchar)c);
  mid_line = c != '\n';
}

int uart_mid_line(void) {
  return mid_line;
}

// The next received byte, or -1 when none is waiting.
int uart_getc(void) {
  if (!uart_present || !(inb(COM1 + REG_LSR) & LSR_RX_READY))
    return -1;
  return inb(COM1 + REG_DATA);
}
