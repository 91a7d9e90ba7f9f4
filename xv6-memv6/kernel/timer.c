// The 8254 PIT drives preemption and the tick count behind sleep/uptime.
#include "types.h"
#include "param.h"
#include "x86.h"
#include "spinlock.h"
#include "proc.h"
#include "pic.h"

#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define PIT_CH0_RATE_GEN 0x34 // channel 0, low then high byte, mode 2
#define PIT_HZ 1193182

static struct spinlock tick_lock;
static uint ticks;

void timer_init(void) {
  spin_init(&tick_lock, "ticks");
  uint divisor = PIT_HZ / TICK_HZ;
  outb(PIT_MODE, PIT_CH0_RATE_GEN);
  outb(PIT_CH0, divisor & 0xff);
  outb(PIT_CH0, divisor >> 8);
  pic_unmask(0);
}

void timer_tick(void) {
  spin_lock(&tick_lock);
  ticks++;
  wakeup(&ticks);
  spin_unlock(&tick_lock);
}

uint timer_ticks(void) {
  spin_lock(&tick_lock);
  uint now = ticks;
  spin_unlock(&tick_lock);
  return now;
}

int timer_sleep(uint n) {
  spin_lock(&tick_lock);
  uint start = ticks;
  while (ticks - start < n) {
    if (proc_killed(myproc())) {
      spin_unlock(&tick_lock);
      return -1;
    }
    sleep(&ticks, &tick_lock);
  }
  spin_unlock(&tick_lock);
  return 0;
}
