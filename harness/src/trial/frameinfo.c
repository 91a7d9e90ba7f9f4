#include "frameinfo.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"
#include "mh_config.h"
#include "rsp.h"
#include MH_XV6_PARAM_H // USTACKPAGES: the stack exec gives a process

#define PG 4096u
#define PTE_P 0x1u
#define PTE_U 0x4u
#define KERNEL_LOAD_PA 0x100000u // the kernel image starts at 1 MiB (kernel.ld)

int mh_region_of(const struct mh_user_layout *l, uint32_t va) {
  if (va >= l->text_lo && va < l->text_hi)
    return MH_FR_TEXT;
  if (va >= l->data_lo && va < l->data_hi)
    return MH_FR_DATA;
  uint32_t heap = l->end + (1 + USTACKPAGES) * PG; // guard page, then the stack
  if (va >= l->end + PG && va < heap)
    return MH_FR_STACK;
  return va >= heap ? MH_FR_HEAP : MH_FR_ANY;
}

// The live process with pid; 0 found, 1 none, -1 error.
static int proc_of(struct mh_guest *g, int pid, struct mh_proc_info *p, struct mh_err *e) {
  for (unsigned i = 0; pid > 0 && i < g->in.nproc; i++) {
    if (mh_introspect_proc(mh_rsp_physread, g->rsp, &g->in, i, p, e) < 0)
      return -1;
    if (p->pid == pid && p->state != PSTATE_UNUSED && p->pgdir_va)
      return 0;
  }
  return 1;
}

// The user va (mirror window included) at which the process maps pa:
// one read of the page directory and one of each present page table.
// 0 found, 1 not mapped, -1 error.
static int va_of(struct mh_guest *g, const struct mh_proc_info *p, uint32_t pa, uint32_t *va,
                 struct mh_err *e) {
  uint32_t *pd = malloc(PG), *pt = malloc(PG);
  int rc = pd && pt ? 1 : mh_fail(e, "out of memory");
  if (rc == 1 && mh_rsp_physread(g->rsp, p->pgdir_va - g->in.kernbase, pd, PG) < 0)
    rc = mh_fail(e, "cannot read pid %d's page directory: %s", p->pid, mh_rsp_error(g->rsp));
  for (uint32_t i = 0; rc == 1 && i < g->in.kernbase >> 22; i++) {
    if (!(pd[i] & PTE_P))
      continue;
    if (mh_rsp_physread(g->rsp, pd[i] & ~(PG - 1), pt, PG) < 0) {
      rc = mh_fail(e, "cannot read a page table of pid %d: %s", p->pid, mh_rsp_error(g->rsp));
      break;
    }
    for (uint32_t k = 0; k < 1024; k++)
      if ((pt[k] & (PTE_P | PTE_U)) == (PTE_P | PTE_U) && (pt[k] & ~(PG - 1)) == pa) {
        *va = i << 22 | k << 12;
        rc = 0;
        break;
      }
  }
  free(pd);
  free(pt);
  return rc;
}

// The ELF of a process: the workload's, or the program of that name beside it.
static void elf_of(const char *workload_elf, const char *name, char *out, size_t cap) {
  char *copy = strdup(workload_elf);
  snprintf(out, cap, "%.900s/%.16s", copy ? dirname(copy) : ".", name);
  free(copy);
}

static void user_holds(struct mh_guest *g, const char *workload_elf, const char *name, uint32_t va,
                       char *out, size_t cap) {
  if (g->in.mirror_offset && va >= g->in.usertop)
    va -= g->in.mirror_offset; // a mirror frame: the page it mirrors
  char elf[1024], sym[128] = "";
  elf_of(workload_elf, name, elf, sizeof elf);
  struct mh_user_layout lay;
  struct mh_err ignore;
  if (mh_user_layout(elf, &lay, &ignore) < 0) {
    snprintf(out, cap, "%s:va 0x%x", name, va); // a program not built here
    return;
  }
  int region = mh_region_of(&lay, va);
  if ((region == MH_FR_TEXT || region == MH_FR_DATA) &&
      mh_elf_where(elf, va, sym, sizeof sym, &ignore) < 0)
    sym[0] = 0;
  snprintf(out, cap, "%s:%s%s%s", name, region == MH_FR_ANY ? "guard" : mh_region_name(region),
           sym[0] ? ":" : "", sym);
}

// Whether pa lies in the module QEMU loaded after the kernel (-initrd: the
// file-system image the kernel uses as its RAM disk), from the kernel's
// own record of it (boot.c's module_pa and module_len).
static int in_module(struct mh_guest *g, const char *kernel_elf, uint32_t pa, struct mh_err *e) {
  uint64_t a, b;
  uint32_t mpa = 0, mlen = 0;
  if (mh_elf_symbol(kernel_elf, "module_pa", &a, NULL, e) < 0 ||
      mh_elf_symbol(kernel_elf, "module_len", &b, NULL, e) < 0)
    return 0; // a kernel without a module
  if (mh_rsp_physread(g->rsp, (uint32_t)a - g->in.kernbase, &mpa, 4) < 0 ||
      mh_rsp_physread(g->rsp, (uint32_t)b - g->in.kernbase, &mlen, 4) < 0)
    return mh_fail(e, "cannot read the kernel's module bounds: %s", mh_rsp_error(g->rsp));
  return pa >= mpa && pa - mpa < mlen;
}

static int kernel_holds(struct mh_guest *g, const char *kernel_elf, const struct mh_target *t,
                        uint32_t word, char *out, size_t cap, struct mh_err *e) {
  uint64_t end = 0, kva = (uint64_t)g->in.kernbase + t->pa + word * 8;
  char sym[128];
  struct mh_proc_info p;
  if (mh_elf_symbol(kernel_elf, "end", &end, NULL, e) < 0)
    return -1;
  if (kva < end && mh_elf_where(kernel_elf, kva, sym, sizeof sym, e) == 0) {
    snprintf(out, cap, "kernel:%s", sym);
    return 0;
  }
  // Below the kernel image: what the BIOS and the boot left there.
  if (t->pa < KERNEL_LOAD_PA) {
    snprintf(out, cap, "kernel:low-memory");
    return 0;
  }
  int rc = in_module(g, kernel_elf, t->pa, e);
  if (rc < 0)
    return -1;
  if (rc) {
    snprintf(out, cap, "kernel:fs-image");
    return 0;
  }
  // Only a kernel stack is allocated with its process as owner (proc.c).
  rc = proc_of(g, t->owner, &p, e);
  if (rc < 0)
    return -1;
  if (rc == 0)
    snprintf(out, cap, "kernel:kstack:%s", p.name);
  else
    snprintf(out, cap, "kernel:kalloc");
  return 0;
}

// A kernel mirror frame holds what its kernel or page-table frame holds:
// "kmirror:" and that frame's description.
static int kmirror_holds(struct mh_guest *g, const char *kernel_elf, const char *workload_elf,
                         const struct mh_target *t, uint32_t word, char *out, size_t cap,
                         struct mh_err *e) {
  struct mh_target n = {.pa = t->pa - g->in.kmirror_pa};
  uint32_t partner;
  int refs;
  char what[112];
  if (mh_introspect_frame(mh_rsp_physread, g->rsp, &g->in, n.pa >> 12, &n.kind, &refs, &partner,
                          &n.owner, e) < 0 ||
      mh_frame_holds(g, kernel_elf, workload_elf, &n, word, what, sizeof what, e) < 0)
    return -1;
  snprintf(out, cap, "kmirror:%s", what);
  return 0;
}

int mh_frame_holds(struct mh_guest *g, const char *kernel_elf, const char *workload_elf,
                   struct mh_target *t, uint32_t word, char *out, size_t cap, struct mh_err *e) {
  struct mh_proc_info p;
  uint32_t va = t->va;
  int rc;
  switch (t->kind) {
  case FRAME_KERNEL:
    return kernel_holds(g, kernel_elf, t, word, out, cap, e);
  case FRAME_PGTABLE:
    if ((rc = proc_of(g, t->owner, &p, e)) < 0)
      return -1;
    snprintf(out, cap, "%s:pgtable", rc == 0 ? p.name : "kernel");
    return 0;
  case FRAME_NATIVE:
  case FRAME_MIRROR:
    if ((rc = proc_of(g, t->pid ? t->pid : t->owner, &p, e)) < 0)
      return -1;
    if (rc == 0 && !t->pid && (rc = va_of(g, &p, t->pa, &va, e)) < 0)
      return -1;
    if (rc == 0 && !t->pid)
      t->uva = va;
    if (rc == 0)
      user_holds(g, workload_elf, p.name, va, out, cap);
    else // shared or between owners (fork, exit): no mapping names it
      snprintf(out, cap, "user:pid %d, unmapped", t->owner);
    return 0;
  case FRAME_FREE:
    snprintf(out, cap, "free");
    return 0;
  case MH_FRAME_KMIRROR:
    return kmirror_holds(g, kernel_elf, workload_elf, t, word, out, cap, e);
  default:
    snprintf(out, cap, "%s", mh_frame_kind_name(t->kind));
    return 0;
  }
}
