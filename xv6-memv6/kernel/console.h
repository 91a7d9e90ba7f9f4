// The console is the first serial port (COM1). Output goes to the UART;
// input arrives by interrupt and is line-edited for the console device.
#ifndef CONSOLE_H
#define CONSOLE_H
void uart_init(void);
void uart_putc(int c);          // with interrupts off (uart.c)
int uart_mid_line(void);        // the last byte sent was not a newline
int uart_getc(void);            // a received byte, or -1
void uart_enable_rx_intr(void); // after the IDT and PIC are ready
void console_init(void);        // registers the console device in devsw[CONSOLE]
void console_intr(void);        // UART receive interrupt
#endif
