// kmain: entry.S calls it on the boot stack with the early page directory.
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "klib.h"
#include "console.h"
#include "boot.h"

extern char end[]; // first address after the kernel image (kernel.ld)

#ifdef MEMV6
#define VARIANT_NAME "memv6"
#else
#define VARIANT_NAME "native"
#endif

void kmain(void) {
  boot_read_info();
  uart_init();
  uint managed = boot_phys_top() - V2P(PGROUNDUP((uint)end));
  kprintf("@boot variant=%s mem=%u cmdline=\"%s\"\n", VARIANT_NAME, managed / 1024, boot_cmdline());
  for (;;)
    hlt();
}
