// kmain: entry.S calls it on the boot stack with the early page directory.
// Order matters: the command line is copied before the frame allocator may
// reuse its memory, and the console is up before anything can fail.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "klib.h"
#include "console.h"
#include "boot.h"
#include "kalloc.h"
#include "vm.h"
#include "seg.h"
#include "trap.h"
#include "pic.h"
#include "proc.h"
#include "buf.h"
#include "file.h"
#include "fsys.h"
#include "exec.h"
#include "kmirror.h"

void introspect_init(void);

#if defined(MEMV6SYS)
#define VARIANT_NAME "memv6sys"
#elif defined(MEMV6)
#define VARIANT_NAME "memv6"
#else
#define VARIANT_NAME "native"
#endif

// The first process, in kernel mode: the file system needs a process
// context (it sleeps on the disk), then /init replaces this kernel body.
static void first_process(void) {
  fs_init(ROOTDEV);
  myproc()->cwd = namei("/");
  char *argv[MAXARG + 1];
  argv[0] = "init";
  int n = boot_words(argv + 1, MAXARG - 1);
  argv[n + 1] = 0;
  if (exec_image("/init", argv) < 0)
    panic("cannot exec /init");
}

void kmain(void) {
  boot_read_info();
  uart_init();
  uint managed = boot_phys_top() - boot_phys_base();
  kmachine("@boot variant=%s mem=%u cmdline=\"%s\"", VARIANT_NAME, managed / 1024, boot_cmdline());
#ifdef MEMV6SYS
  kmirror_check_ram(boot_ram_top());
#endif
  kalloc_init();
  introspect_init();
  kvm_init();
  seg_init();
  trap_init();
  pic_init();
  mce_init();
  timer_init();
  console_init();
  bio_init();
  file_init();
  ide_init();
  proc_init();
  proc_start_first(first_process);
  scheduler();
}
