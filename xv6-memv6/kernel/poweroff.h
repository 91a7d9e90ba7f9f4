// Ending the machine: QEMU's isa-debug-exit device turns a value written to
// its port into QEMU's exit code ((value << 1) | 1), so the host learns how
// the guest ended without reading the console.
#ifndef POWEROFF_H
#define POWEROFF_H

// The value panic() writes: QEMU exits with 253, which no exitst() status
// in 0..125 produces, so a panic is told apart from a program's status.
#define PANIC_EXIT_VALUE 0x7e

void power_off(int value) __attribute__((noreturn));
#endif
