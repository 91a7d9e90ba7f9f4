// The kernel's introspection block (xv6-memv6/include/introspect.h): found
// by symbol, read over RSP, checked, and used to walk page tables through
// physical reads.
#ifndef MH_INTROSPECT_H
#define MH_INTROSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mh_config.h"
#include MH_XV6_INTROSPECT_H

// Reads physical memory; 0 on success. Over RSP, or a fake in tests.
typedef int (*mh_physread_fn)(void *ctx, uint32_t pa, void *buf, size_t len);

// Decodes and checks raw bytes of the block (magic, version, size, sanity).
int mh_introspect_decode(const void *raw, size_t len, struct introspect *out, struct mh_err *e);

// i386 two-level paging, 4 KiB pages: va -> pa through the page directory at
// pgdir_pa. Fails with the level that was not present.
int mh_walk(mh_physread_fn read, void *ctx, uint32_t pgdir_pa, uint32_t va, uint32_t *pa,
            uint32_t *pte, struct mh_err *e);

struct mh_proc_info {
  int pid;
  int state;
  uint32_t pgdir_va;
  uint32_t sz;
  uint32_t kstack_va; // bottom of its kernel stack (kstack_size bytes), 0 if none
  char name[17];
};

// Reads process slot i of the process table (addresses via kernbase).
int mh_introspect_proc(mh_physread_fn read, void *ctx, const struct introspect *in, unsigned i,
                       struct mh_proc_info *out, struct mh_err *e);
// Frame-table entry of physical frame number pfn.
int mh_introspect_frame(mh_physread_fn read, void *ctx, const struct introspect *in, uint32_t pfn,
                        int *kind, int *refs, uint32_t *partner, int *owner, struct mh_err *e);

struct mh_rsp;
// Convenience: a mh_physread_fn over an RSP connection that is in physical mode.
int mh_rsp_physread(void *rsp, uint32_t pa, void *buf, size_t len);
// Finds the block by symbol in the kernel ELF and reads it over RSP (which
// must be stopped). Uses a virtual read: the block lives in the kernel image.
int mh_introspect_load(struct mh_rsp *r, const char *kernel_elf, struct introspect *out,
                       uint64_t *addr, struct mh_err *e);

#endif
