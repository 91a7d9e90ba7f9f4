// Multiboot v1 information left by QEMU (pointed to by EBX at entry).
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "klib.h"
#include "boot.h"

#define MB_BOOTED_MAGIC 0x2BADB002
#define MBI_MEM 0x1
#define MBI_CMDLINE 0x4
#define MBI_MODS 0x8
#define CMDLINE_MAX 512

struct mb_info {
  uint flags;
  uint mem_lower; // KiB below 1 MiB
  uint mem_upper; // KiB above 1 MiB
  uint boot_device;
  uint cmdline; // physical address of a NUL-terminated string
  uint mods_count;
  uint mods_addr; // physical address of mods_count struct mb_module
};

struct mb_module {
  uint start, end; // physical range [start, end)
  uint string;
  uint reserved;
};

extern uint boot_mbi_pa, boot_magic; // saved by entry.S

static char cmdline[CMDLINE_MAX];
static char words_buf[CMDLINE_MAX];
static uint phys_top = PHYSTOP;
#ifdef MEMV6SYS
static uint ram_top; // all of RAM, as the loader reported it
#endif
static uint module_pa, module_len; // the first module (-initrd), if any

static void read_module(const struct mb_info *mbi) {
  if (!(mbi->flags & MBI_MODS) || mbi->mods_count == 0 || mbi->mods_addr >= PHYSTOP)
    return;
  const struct mb_module *m = P2V(mbi->mods_addr);
  if (m->end > m->start && m->end <= PHYSTOP) {
    module_pa = m->start;
    module_len = m->end - m->start;
  }
}

void boot_read_info(void) {
  if (boot_magic != MB_BOOTED_MAGIC || boot_mbi_pa >= PHYSTOP)
    return;
  const struct mb_info *mbi = P2V(boot_mbi_pa);
#ifdef MEMV6SYS
  if (mbi->flags & MBI_MEM)
    ram_top = EXTMEM + mbi->mem_upper * 1024;
#endif
  if ((mbi->flags & MBI_MEM) && EXTMEM + mbi->mem_upper * 1024 < phys_top)
    phys_top = EXTMEM + mbi->mem_upper * 1024;
  read_module(mbi);
  if (!(mbi->flags & MBI_CMDLINE) || mbi->cmdline >= PHYSTOP)
    return;
  // QEMU passes "<kernel file> <-append text>": drop the first word.
  const char *s = P2V(mbi->cmdline);
  while (*s && *s != ' ')
    s++;
  if (*s == ' ')
    s++;
  strlcpy0(cmdline, s, sizeof(cmdline));
}

const char *boot_cmdline(void) {
  return cmdline;
}

int boot_module(uint *pa, uint *len) {
  if (!module_len)
    return -1;
  *pa = module_pa;
  *len = module_len;
  return 0;
}

uint boot_phys_base(void) {
  extern char end[]; // kernel.ld
  uint base = V2P(PGROUNDUP((uint)end));
  // QEMU puts the module right after the kernel; the allocator starts above.
  if (module_len && PGROUNDUP(module_pa + module_len) > base)
    base = PGROUNDUP(module_pa + module_len);
  return base;
}

uint boot_phys_top(void) {
  return phys_top;
}

#ifdef MEMV6SYS
uint boot_ram_top(void) {
  return ram_top;
}
#endif

int boot_words(char **words, int max) {
  strlcpy0(words_buf, cmdline, sizeof(words_buf));
  int n = 0;
  char *p = words_buf;
  while (n < max) {
    while (*p == ' ' || *p == '\t')
      *p++ = 0;
    if (*p == 0)
      break;
    words[n++] = p;
    while (*p && *p != ' ' && *p != '\t')
      p++;
  }
  return n;
}
