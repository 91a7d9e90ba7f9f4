// exec: load a static i386 ELF into a fresh address space.
//
// Layout: PT_LOAD segments at page-aligned addresses from 0, then one
// guard page (no user access) and USTACKPAGES pages of stack. At entry esp points
// at a fake return address, then argc, then argv (a pointer to the
// NULL-terminated pointer array), with the strings above — xv6's ABI.
// Segment pages are filled in their fresh frames before they are mapped
// (the mirror copied from the finished native page); everything written
// into the image after that goes through copyout, so a mirrored kernel
// sees each write.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "introspect.h"
#include "klib.h"
#include "kalloc.h"
#include "proc.h"
#include "trap.h"
#include "vm.h"
#include "fsys.h"
#include "log.h"
#include "elf.h"
#include "sysarg.h"
#include "syscalls.h"
#include "exec.h"
#include "imgcache.h"
#include "kmirror.h"

#define FAKE_RETURN 0xffffffff

// The user page va gets n bytes of the file from off (n <= PGSIZE) and
// zeros after them. The frame is fresh and mapped nowhere yet, so the file
// is read straight into it and only the tail is cleared; the mirror is
// then one copy of the finished page.
static int load_page(pde_t *pgdir, struct inode *ip, uint va, uint off, uint n, int perm,
                     int owner) {
  char *mem = kalloc_zone_raw(ZONE_NORMAL, FRAME_NATIVE, owner);
  if (!mem)
    return -1;
  if (n && readi(ip, 0, (uint)mem, off, n) != (int)n) {
    kfree(mem);
    return -1;
  }
  if (n < PGSIZE)
    kmirror_zero(mem + n, PGSIZE - n);
  return uvm_map_filled(pgdir, va, mem, perm, owner);
}

// Maps segment ph above the image's current size sz: a gap before it as
// zero pages, then its pages, filled from the file as far as it has bytes
// for them and zero beyond. A segment without PF_W (text, rodata) is
// mapped copy-on-write, like pages after fork (a write gets a private
// copy, so the frames keep what the file holds), and shared through the
// image cache: mapped from it when the cache has it, added to it when not.
// The segments must come in address order and not share a page, so a
// shared page holds nothing of a writable segment. The new size, or 0 (the
// caller frees whatever was mapped).
static uint load_segment(pde_t *pgdir, struct inode *ip, const struct elf_phdr *ph, uint sz,
                         int owner) {
  uint top = ph->vaddr + ph->memsz;
  if (ph->memsz < ph->filesz || top < ph->vaddr || top > USERTOP || ph->vaddr % PGSIZE ||
      ph->vaddr < PGROUNDUP(sz) || ph->off + ph->filesz < ph->off)
    return 0;
  if (ph->vaddr > PGROUNDUP(sz) && !uvm_grow(pgdir, sz, ph->vaddr, owner))
    return 0;
  int text = !(ph->flags & ELF_PF_W);
  if (text) {
    int r = imgcache_map(pgdir, ip, ph, owner);
    if (r)
      return r > 0 ? top : 0;
  }
  uint va = ph->vaddr;
  for (uint done = 0; done < ph->filesz; done += PGSIZE, va += PGSIZE) {
    uint n = min_u(PGSIZE, ph->filesz - done);
    if (load_page(pgdir, ip, va, ph->off + done, n, text ? PTE_COW | PTE_U : PTE_W | PTE_U, owner) <
        0)
      return 0;
  }
  if (text) {
    // Its bss, if it has any: zeros, shared the same way.
    for (; va < top; va += PGSIZE) {
      if (load_page(pgdir, ip, va, 0, 0, PTE_COW | PTE_U, owner) < 0)
        return 0;
    }
    imgcache_add(pgdir, ip, ph);
  }
  return top > va && !uvm_grow(pgdir, va, top, owner) ? 0 : top;
}

// Maps and fills every PT_LOAD segment, in ascending address order; the
// image's size, or 0. On failure the caller frees pgdir up to USERTOP.
static uint load_segments(pde_t *pgdir, struct inode *ip, const struct elf_header *eh, int pid) {
  uint sz = 0;
  for (uint i = 0; i < eh->phnum; i++) {
    struct elf_phdr ph = {0};
    uint at = eh->phoff + i * sizeof(ph);
    if (readi(ip, 0, (uint)&ph, at, sizeof(ph)) != sizeof(ph))
      return 0;
    if (ph.type != ELF_PT_LOAD || ph.memsz == 0)
      continue; // the linker leaves empty ones (a program without data)
    if (!(sz = load_segment(pgdir, ip, &ph, sz, pid)))
      return 0;
  }
  return sz;
}

// Builds the argument block below sp; returns the new esp or 0.
static uint push_args(pde_t *pgdir, uint sp, char *const argv[]) {
  uint words[3 + MAXARG + 1];
  int argc = 0;
  for (; argv[argc]; argc++) {
    if (argc >= MAXARG)
      return 0;
    uint len = strlen(argv[argc]) + 1;
    sp = (sp - len) & ~3u;
    if (copyout(pgdir, sp, argv[argc], len) < 0)
      return 0;
    words[3 + argc] = sp;
  }
  words[3 + argc] = 0;
  uint nwords = 3 + argc + 1;
  words[0] = FAKE_RETURN;
  words[1] = argc;
  words[2] = sp - (argc + 1) * sizeof(uint); // where argv[0] lands below
  sp -= nwords * sizeof(uint);
  if (copyout(pgdir, sp, words, nwords * sizeof(uint)) < 0)
    return 0;
  return sp;
}

static void set_name(struct proc *p, const char *path) {
  const char *last = path;
  for (const char *s = path; *s; s++) {
    if (*s == '/')
      last = s + 1;
  }
  strlcpy0(p->name, last, sizeof(p->name));
}

int exec_image(const char *path, char *const argv[]) {
  struct proc *p = myproc();
  pde_t *pgdir = 0;
  struct elf_header eh = {0};

  begin_op();
  struct inode *ip = namei(path);
  if (!ip) {
    end_op();
    return -1;
  }
  ilock(ip);
  uint sz = 0;
  if (readi(ip, 0, (uint)&eh, 0, sizeof(eh)) == sizeof(eh) && eh.magic == ELF_MAGIC &&
      eh.ident[0] == ELF_CLASS32 && eh.machine == ELF_EM_386 && (pgdir = uvm_create(p->pid)) != 0) {
    p->exec_pgdir = pgdir; // machine-check recovery maps the new image too
    sz = load_segments(pgdir, ip, &eh, p->pid);
  }
  iunlockput(ip);
  end_op();
  if (!sz)
    goto fail;

  // Guard page, then the stack pages.
  sz = PGROUNDUP(sz);
  uint guard = sz;
  if (!(sz = uvm_grow(pgdir, sz, sz + (1 + USTACKPAGES) * PGSIZE, p->pid)))
    goto fail;
  uvm_make_guard(pgdir, guard);
  uint sp = push_args(pgdir, sz, argv);
  if (!sp)
    goto fail;

  set_name(p, path);
  pde_t *old = p->pgdir;
  uint oldsz = p->sz;
  p->pgdir = pgdir;
  p->exec_pgdir = 0;
  p->sz = sz;
  p->tf->eip = eh.entry;
  p->tf->esp = sp;
  uvm_switch(p);
  uvm_free(old, oldsz);
  return 0;

fail:
  p->exec_pgdir = 0;
  if (pgdir)
    uvm_free(pgdir, sz ? sz : USERTOP);
  return -1;
}

int sys_exec(void) {
  char *path;
  int uargv;
  char *argv[MAXARG + 1];
  if (arg_str(0, &path) < 0 || arg_int(1, &uargv) < 0)
    return -1;
  for (int i = 0;; i++) {
    if (i > MAXARG)
      return -1;
    int ptr;
    if (fetch_int(uargv + 4 * i, &ptr) < 0)
      return -1;
    if (!ptr) {
      argv[i] = 0;
      break;
    }
    if (fetch_str(ptr, &argv[i]) < 0)
      return -1;
  }
  return exec_image(path, argv);
}
