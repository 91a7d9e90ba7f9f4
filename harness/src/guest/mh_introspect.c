#include "mh_introspect.h"

#include <stdio.h>
#include <string.h>

#include "elfsym.h"
#include "rsp.h"

int mh_introspect_decode(const void *raw, size_t len, struct introspect *out, struct mh_err *e) {
  // Fields are read up to what we know; a newer kernel may append (size grows).
  if (len < 12)
    return mh_fail(e, "introspection block: only %zu bytes", len);
  memset(out, 0, sizeof *out);
  memcpy(out, raw, len < sizeof *out ? len : sizeof *out);
  if (out->magic != INTROSPECT_MAGIC)
    return mh_fail(e,
                   "introspection block: magic 0x%08x, expected 0x%08x (wrong symbol, or "
                   "the kernel has not set it up)",
                   out->magic, INTROSPECT_MAGIC);
  if (out->version != INTROSPECT_VERSION)
    return mh_fail(e,
                   "introspection block: layout version %u, this harness knows %d; rebuild "
                   "memharness against the kernel's introspect.h",
                   out->version, INTROSPECT_VERSION);
  if (out->size != sizeof *out || len < sizeof *out)
    return mh_fail(e, "introspection block: size %u, expected %zu for version %u", out->size,
                   sizeof *out, out->version);
  if (out->variant != VARIANT_NATIVE && out->variant != VARIANT_MEMV6 &&
      out->variant != VARIANT_MEMV6SYS)
    return mh_fail(e, "introspection block: unknown variant %u", out->variant);
  return 0;
}

#define PTE_P 0x1u
#define PTE_PS 0x80u

int mh_walk(mh_physread_fn read, void *ctx, uint32_t pgdir_pa, uint32_t va, uint32_t *pa,
            uint32_t *pte_out, struct mh_err *e) {
  uint32_t pde, pte;
  if (read(ctx, (pgdir_pa & ~0xfffu) + (va >> 22) * 4, &pde, 4))
    return mh_fail(e, "cannot read the page directory entry for va 0x%08x", va);
  if (!(pde & PTE_P))
    return mh_fail(e, "va 0x%08x: page directory entry not present (0x%08x)", va, pde);
  if (pde & PTE_PS) {
    // The kernel's own 4 MiB mappings; user memory always uses 4 KiB pages.
    *pa = (pde & 0xffc00000u) | (va & 0x3fffffu);
    if (pte_out)
      *pte_out = pde;
    return 0;
  }
  if (read(ctx, (pde & ~0xfffu) + ((va >> 12) & 0x3ff) * 4, &pte, 4))
    return mh_fail(e, "cannot read the page table entry for va 0x%08x", va);
  if (!(pte & PTE_P))
    return mh_fail(e, "va 0x%08x: page table entry not present (0x%08x)", va, pte);
  *pa = (pte & ~0xfffu) | (va & 0xfffu);
  if (pte_out)
    *pte_out = pte;
  return 0;
}

static int read_kva(mh_physread_fn read, void *ctx, const struct introspect *in, uint32_t kva,
                    void *buf, size_t len) {
  if (kva < in->kernbase)
    return -1;
  return read(ctx, kva - in->kernbase, buf, len);
}

int mh_introspect_proc(mh_physread_fn read, void *ctx, const struct introspect *in, unsigned i,
                       struct mh_proc_info *out, struct mh_err *e) {
  if (i >= in->nproc)
    return mh_fail(e, "process slot %u out of range (nproc %u)", i, in->nproc);
  uint32_t base = in->procs + i * in->proc_size;
  memset(out, 0, sizeof *out);
  if (read_kva(read, ctx, in, base + in->proc_pid_off, &out->pid, 4) ||
      read_kva(read, ctx, in, base + in->proc_state_off, &out->state, 4) ||
      read_kva(read, ctx, in, base + in->proc_pgdir_off, &out->pgdir_va, 4) ||
      read_kva(read, ctx, in, base + in->proc_sz_off, &out->sz, 4) ||
      read_kva(read, ctx, in, base + in->proc_kstack_off, &out->kstack_va, 4) ||
      read_kva(read, ctx, in, base + in->proc_name_off, out->name, 16))
    return mh_fail(e, "cannot read process slot %u at 0x%08x", i, base);
  out->name[16] = 0;
  return 0;
}

int mh_introspect_frame(mh_physread_fn read, void *ctx, const struct introspect *in, uint32_t pfn,
                        int *kind, int *refs, uint32_t *partner, int *owner, struct mh_err *e) {
  if (pfn >= in->nframes)
    return mh_fail(e, "frame %u out of range (nframes %u)", pfn, in->nframes);
  uint32_t base = in->frames + pfn * in->frame_size;
  unsigned char k = 0;
  unsigned short rf = 0;
  uint32_t pt = 0;
  int ow = 0;
  if (read_kva(read, ctx, in, base + in->frame_kind_off, &k, 1) ||
      read_kva(read, ctx, in, base + in->frame_refs_off, &rf, 2) ||
      read_kva(read, ctx, in, base + in->frame_partner_off, &pt, 4) ||
      read_kva(read, ctx, in, base + in->frame_owner_off, &ow, 4))
    return mh_fail(e, "cannot read frame-table entry %u at 0x%08x", pfn, base);
  *kind = k;
  *refs = rf;
  *partner = pt;
  *owner = ow;
  return 0;
}

int mh_rsp_physread(void *rsp, uint32_t pa, void *buf, size_t len) {
  return mh_rsp_read_memory(rsp, pa, buf, len) < 0 ? -1 : 0;
}

int mh_introspect_load(struct mh_rsp *r, const char *kernel_elf, struct introspect *out,
                       uint64_t *addr, struct mh_err *e) {
  uint64_t a, size;
  if (mh_elf_symbol(kernel_elf, INTROSPECT_SYMBOL, &a, &size, e) < 0)
    return -1;
  unsigned char raw[sizeof *out];
  if (mh_rsp_read_memory(r, a, raw, sizeof raw) < 0)
    return mh_fail(e, "reading %s at 0x%llx: %s", INTROSPECT_SYMBOL, (unsigned long long)a,
                   mh_rsp_error(r));
  if (addr)
    *addr = a;
  return mh_introspect_decode(raw, sizeof raw, out, e);
}
