// The two 8259 interrupt controllers and the 8254 timer.
#ifndef PIC_H
#define PIC_H
#include "types.h"

void pic_init(void); // IRQs 0-15 to vectors T_IRQ0.., all masked
void pic_unmask(int irq);
void pic_eoi(int irq);

void timer_init(void);   // PIT channel 0 at TICK_HZ, IRQ 0 unmasked
void timer_tick(void);   // from the IRQ 0 handler
uint timer_ticks(void);  // ticks since boot
int timer_sleep(uint n); // sleep n ticks; -1 if the process was killed
#endif
