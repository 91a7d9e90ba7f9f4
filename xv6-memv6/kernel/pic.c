// The 8259A pair in the PC's cascade: master on IRQ 0-7, slave on 8-15
// wired to master input 2.
#include "types.h"
#include "x86.h"
#include "trap.h"
#include "pic.h"

#define MASTER_CMD 0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD 0xa0
#define SLAVE_DATA 0xa1
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086 0x01
#define CMD_EOI 0x20
#define CASCADE_IRQ 2

static ushort mask = 0xffff & ~(1 << CASCADE_IRQ);

static void write_mask(void) {
  outb(MASTER_DATA, mask & 0xff);
  outb(SLAVE_DATA, mask >> 8);
}

void pic_init(void) {
  outb(MASTER_DATA, 0xff);
  outb(SLAVE_DATA, 0xff);
  outb(MASTER_CMD, ICW1_INIT_ICW4);
  outb(MASTER_DATA, T_IRQ0);
  outb(MASTER_DATA, 1 << CASCADE_IRQ); // which input has the slave
  outb(MASTER_DATA, ICW4_8086);
  outb(SLAVE_CMD, ICW1_INIT_ICW4);
  outb(SLAVE_DATA, T_IRQ0 + 8);
  outb(SLAVE_DATA, CASCADE_IRQ); // the slave's identity on the cascade
  outb(SLAVE_DATA, ICW4_8086);
  write_mask();
}

void pic_unmask(int irq) {
  mask &= ~(1 << irq);
  write_mask();
}

void pic_eoi(int irq) {
  if (irq >= 8)
    outb(SLAVE_CMD, CMD_EOI);
  outb(MASTER_CMD, CMD_EOI);
}
