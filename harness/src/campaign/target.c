#include "target.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "frameinfo.h"
#include "mh_config.h"
#include "rsp.h"
#include MH_XV6_PARAM_H // USTACKPAGES: the stack exec gives a process

#define PG 4096u
#define PGUP(x) (((x) + PG - 1) & ~(PG - 1))
#define PTE_U 0x4u
#define ISA_HOLE_LO 0xa0u // frame numbers: [640 KiB, 1 MiB)
#define ISA_HOLE_HI 0x100u

const char *mh_frame_kind_name(int kind) {
  static const char *const names[] = {"free", "kernel", "native", "mirror", "pgtable", "poisoned"};
  if (kind == MH_FRAME_KMIRROR)
    return "kmirror";
  return kind >= 0 && kind <= FRAME_POISONED ? names[kind] : "unknown";
}

uint32_t mh_target_kva(const struct introspect *in, const struct mh_target *t) {
  if (t->kind == MH_FRAME_KMIRROR)
    return in->kernbase + in->mirror_offset + (t->pa - in->kmirror_pa);
  return in->kernbase + t->pa;
}

const char *mh_region_name(int region) {
  static const char *const names[] = {"any", "text", "data", "heap", "stack"};
  return region >= 0 && region <= MH_FR_STACK ? names[region] : "unknown";
}

static void grow(uint32_t *lo, uint32_t *hi, uint32_t a, uint32_t b) {
  if (*hi == 0 || a < *lo)
    *lo = a;
  if (b > *hi)
    *hi = b;
}

int mh_user_layout(const char *elf_path, struct mh_user_layout *l, struct mh_err *e) {
  memset(l, 0, sizeof *l);
  if (elf_version(EV_CURRENT) == EV_NONE)
    return mh_fail(e, "libelf: %s", elf_errmsg(-1));
  int fd = open(elf_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mh_fail_errno(e, "%s: cannot open the workload ELF (is the userland built?)", elf_path);
  Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
  size_t n = 0;
  int rc = 0;
  if (!elf || elf_getphdrnum(elf, &n) != 0)
    rc = mh_fail(e, "%s: not an ELF executable (%s)", elf_path, elf_errmsg(-1));
  for (size_t i = 0; rc == 0 && i < n; i++) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || ph.p_memsz == 0)
      continue;
    uint32_t a = (uint32_t)ph.p_vaddr & ~(PG - 1), b = PGUP((uint32_t)(ph.p_vaddr + ph.p_memsz));
    if (ph.p_flags & PF_X)
      grow(&l->text_lo, &l->text_hi, a, b);
    if (ph.p_flags & PF_W)
      grow(&l->data_lo, &l->data_hi, a, b);
    if (b > l->end)
      l->end = b;
  }
  if (rc == 0 && l->end == 0)
    rc = mh_fail(e, "%s: no loadable segment", elf_path);
  if (elf)
    elf_end(elf);
  close(fd);
  return rc;
}

int mh_guest_workload(struct mh_guest *g, struct mh_proc_info *p, struct mh_err *e) {
  for (unsigned i = 0; i < g->in.nproc; i++) {
    if (mh_introspect_proc(mh_rsp_physread, g->rsp, &g->in, i, p, e) < 0)
      return -1;
    if (p->state != PSTATE_UNUSED && p->state != PSTATE_ZOMBIE && p->pgdir_va &&
        strncmp(p->name, g->program, 16) == 0)
      return 0;
  }
  mh_fail(e, "no live process named %s in the process table (it exited or was killed)", g->program);
  return MH_TARGET_GONE;
}

// The page range of a region in a process of size sz.
static void region_range(const struct mh_user_layout *l, int region, uint32_t sz, uint32_t *lo,
                         uint32_t *hi) {
  uint32_t stack = l->end + PG; // above the guard page
  uint32_t heap = stack + USTACKPAGES * PG;
  switch (region) {
  case MH_FR_TEXT:
    *lo = l->text_lo, *hi = l->text_hi;
    break;
  case MH_FR_DATA:
    *lo = l->data_lo, *hi = l->data_hi;
    break;
  case MH_FR_STACK:
    *lo = stack, *hi = heap;
    break;
  case MH_FR_HEAP:
    *lo = heap, *hi = PGUP(sz);
    break;
  default:
    *lo = 0, *hi = PGUP(sz);
  }
  if (*hi > PGUP(sz))
    *hi = PGUP(sz);
  if (*lo > *hi)
    *lo = *hi;
}

static int frame(struct mh_guest *g, uint32_t pa, int *kind, uint32_t *partner, int *owner,
                 struct mh_err *e) {
  int refs;
  return mh_introspect_frame(mh_rsp_physread, g->rsp, &g->in, pa >> 12, kind, &refs, partner, owner,
                             e);
}

// choose_in found no user-accessible page in its range (distinct from 0,
// -1 and MH_TARGET_GONE).
#define NO_PAGE 2

// A user page of the workload: the pick chooses a page of the region; pages
// that are not user-accessible (the guard page) are skipped in order, so the
// choice stays deterministic. The frame is confirmed by the page walk and
// the frame table (kind, owner).
static int choose_in(struct mh_guest *g, const struct mh_proc_info *pp, bool mirror, uint32_t lo,
                     uint32_t hi, uint64_t pick, struct mh_target *t, struct mh_err *e);

static int choose_user(struct mh_guest *g, bool mirror, int region, uint64_t pick,
                       struct mh_target *t, struct mh_err *e) {
  struct mh_proc_info p;
  int found = mh_guest_workload(g, &p, e);
  if (found != 0)
    return found;
  uint32_t lo, hi;
  region_range(&g->lay, region, p.sz, &lo, &hi);
  if (hi == lo)
    return mh_fail(e, "%s (pid %d, size 0x%x) has no pages in region %s", p.name, p.pid, p.sz,
                   mh_region_name(region));
  int rc = choose_in(g, &p, mirror, lo, hi, pick, t, e);
  if (rc != NO_PAGE)
    return rc;
  return mh_fail(e, "%s (pid %d): no user-accessible page in region %s [0x%x, 0x%x)", p.name, p.pid,
                 mh_region_name(region), lo, hi);
}

int mh_target_page(struct mh_guest *g, bool mirror, uint32_t va, struct mh_target *t,
                   struct mh_err *e) {
  struct mh_proc_info p;
  int found = mh_guest_workload(g, &p, e);
  if (found != 0)
    return found;
  uint32_t lo = va & ~(PG - 1);
  if (lo >= PGUP(p.sz))
    return mh_fail(e, "page 0x%x lies above %s's memory (pid %d, size 0x%x)", lo, p.name, p.pid,
                   p.sz);
  int rc = choose_in(g, &p, mirror, lo, lo + PG, 0, t, e);
  if (rc != NO_PAGE)
    return rc;
  return mh_fail(e, "%s (pid %d): page 0x%x is not a user-accessible page", p.name, p.pid, lo);
}

// The pick chooses a page of [lo, hi): 0 found, NO_PAGE no page of the
// range is user-accessible, MH_TARGET_GONE, -1 error.
static int choose_in(struct mh_guest *g, const struct mh_proc_info *pp, bool mirror, uint32_t lo,
                     uint32_t hi, uint64_t pick, struct mh_target *t, struct mh_err *e) {
  const struct mh_proc_info p = *pp;
  uint32_t pgdir = p.pgdir_va - g->in.kernbase, npages = (hi - lo) / PG;
  for (uint32_t k = 0; k < npages; k++) {
    uint32_t va = lo + (uint32_t)((pick + k) % npages) * PG, pa, pte;
    if (mh_walk(mh_rsp_physread, g->rsp, pgdir, va, &pa, &pte, e) < 0 || !(pte & PTE_U))
      continue;
    uint32_t partner, mpa = 0, mpte;
    int kind, owner;
    if (frame(g, pa, &kind, &partner, &owner, e) < 0)
      return -1;
    // Only a process the kernel has killed for an earlier fault still maps
    // a frame it retired (until it exits): nothing left to inject into.
    if (kind == FRAME_POISONED) {
      mh_fail(e,
              "pid %d va 0x%x maps the retired frame 0x%x: the kernel killed it for an "
              "earlier fault and it has not exited yet",
              p.pid, va, pa);
      return MH_TARGET_GONE;
    }
    if (kind != FRAME_NATIVE)
      return mh_fail(e, "pid %d va 0x%x -> pa 0x%x: the frame table says %s, expected native",
                     p.pid, va, pa, mh_frame_kind_name(kind));
    if (mirror) {
      if (!g->in.mirror_offset)
        return mh_fail(e, "mirror frames exist on memv6 only (this kernel has no mirror offset)");
      // The kernel makes mirror PTEs on first use (a forked child has none
      // until it writes): without one, the frame table's partner link names
      // the mirror frame.
      if (mh_walk(mh_rsp_physread, g->rsp, pgdir, va + g->in.mirror_offset, &mpa, &mpte, e) < 0) {
        if (!partner)
          return mh_err_prefix(e, "pid %d va 0x%x has no mirror mapping: ", p.pid, va);
        mpa = partner << 12;
      } else if (partner && partner != mpa >> 12)
        return mh_fail(e, "pid %d va 0x%x: frame table partner 0x%x, page table says pa 0x%x",
                       p.pid, va, partner << 12, mpa);
      pa = mpa;
      if (frame(g, pa, &kind, &partner, &owner, e) < 0)
        return -1;
      if (kind != FRAME_MIRROR)
        return mh_fail(e, "pid %d mirror of va 0x%x at pa 0x%x: frame table says %s", p.pid, va, pa,
                       mh_frame_kind_name(kind));
    }
    *t = (struct mh_target){.pa = pa & ~(PG - 1),
                            .kind = kind,
                            .pid = p.pid,
                            .va = va,
                            .uva = mirror ? va + g->in.mirror_offset : va,
                            .region = mh_region_of(&g->lay, va),
                            .owner = owner,
                            .nsel = npages};
    return 0;
  }
  return NO_PAGE;
}

// Kinds of choose_frame beside FRAME_*: every frame with RAM that is not
// retired; of those, the ones in use (not free).
#define ANY (-1)
#define USED (-2)
// Only the kernel mirror frames (memv6sys) of kernel and page-table frames.
#define KMIRROR (-3)
// A match that stands for the kernel mirror of frame number f (memv6sys).
#define KMIRROR_OF (1u << 31)

// memv6sys: the kernel mirror frame of every kernel and page-table frame
// from 1 MiB up is in use as well (the kernel reads it to repair the frame),
// so "used" chooses among them too. Appends them to match; how many.
static uint32_t kmirror_matches(const struct introspect *in, const unsigned char *tab,
                                uint32_t limit, uint32_t *match) {
  uint32_t n = 0;
  if (!in->kmirror_pa)
    return 0;
  uint32_t hi = in->normal_pa_hi >> 12 < limit ? in->normal_pa_hi >> 12 : limit;
  for (uint32_t f = ISA_HOLE_HI; f < hi; f++) {
    int k = tab[(size_t)f * in->frame_size + in->frame_kind_off];
    if (k == FRAME_KERNEL || k == FRAME_PGTABLE)
      match[n++] = f | KMIRROR_OF;
  }
  return n;
}

// The frame number above the last frame with RAM behind it: the table
// covers [0, PHYSTOP) whatever RAM QEMU has, and frames above the managed
// zones have no RAM (a write there does not stick).
static uint32_t ram_top_pfn(const struct introspect *in) {
  uint32_t top = in->normal_pa_hi > in->mirror_pa_hi ? in->normal_pa_hi : in->mirror_pa_hi;
  return top && top >> 12 < in->nframes ? top >> 12 : in->nframes;
}

int mh_target_row(struct mh_guest *g, const struct mh_target *anchor, int rows, int row_kib,
                  int row, struct mh_target *t, struct mh_err *e) {
  uint32_t pfn = anchor->pa >> 12, stride = (uint32_t)row_kib / 4;
  bool low = pfn < ISA_HOLE_LO; // conventional memory, below the ISA hole
  uint32_t lo = low ? 0 : ISA_HOLE_HI, hi = low ? ISA_HOLE_LO : ram_top_pfn(&g->in);
  if (pfn < lo || pfn >= hi || (uint32_t)(rows - 1) * stride >= hi - lo)
    return mh_fail(e, "model rows: %d rows %d KiB apart do not fit in the RAM around frame 0x%x",
                   rows, row_kib, anchor->pa);
  uint32_t pa = (mh_rows_first(pfn, rows, stride, lo, hi) + (uint32_t)row * stride) << 12;
  if (pa == anchor->pa) {
    *t = *anchor;
    return 0;
  }
  uint32_t partner;
  int kind, owner;
  if (frame(g, pa, &kind, &partner, &owner, e) < 0)
    return -1;
  *t = (struct mh_target){.pa = pa, .kind = kind, .owner = owner, .nsel = 1};
  return 0;
}

// Frames of a kind across all of physical memory: the frame table is read
// in one go (one RSP transfer) and the pick chooses among the matches.
static int choose_frame(struct mh_guest *g, int want, uint64_t pick, struct mh_target *t,
                        struct mh_err *e) {
  const struct introspect *in = &g->in;
  size_t len = (size_t)in->nframes * in->frame_size;
  unsigned char *tab = malloc(len);
  uint32_t *match = malloc(2 * (size_t)in->nframes * sizeof *match);
  if (!tab || !match || mh_rsp_read_memory(g->rsp, in->frames - in->kernbase, tab, len) < 0) {
    free(tab);
    free(match);
    return mh_fail(e, "cannot read the frame table (%zu bytes): %s", len, mh_rsp_error(g->rsp));
  }
  uint32_t limit = ram_top_pfn(in);
  uint32_t n = 0;
  for (uint32_t f = 0; want != KMIRROR && f < limit; f++) {
    // Nor is there RAM in the ISA hole (VGA memory, ROMs) below 1 MiB.
    if (f >= ISA_HOLE_LO && f < ISA_HOLE_HI)
      continue;
    int k = tab[(size_t)f * in->frame_size + in->frame_kind_off];
    if (want == ANY    ? k != FRAME_POISONED
        : want == USED ? k != FRAME_POISONED && k != FRAME_FREE
                       : k == want)
      match[n++] = f;
  }
  if (want == USED || want == KMIRROR)
    n += kmirror_matches(in, tab, limit, match + n);
  uint32_t pfn = n ? match[pick % n] : 0;
  free(tab);
  free(match);
  if (!n)
    return mh_fail(e, "no frame of kind %s in the frame table",
                   want == USED      ? "used"
                   : want == KMIRROR ? "kmirror"
                                     : mh_frame_kind_name(want));
  uint32_t partner;
  int kind, owner;
  if (frame(g, (pfn & ~KMIRROR_OF) << 12, &kind, &partner, &owner, e) < 0)
    return -1;
  *t = (struct mh_target){.pa = pfn << 12, .kind = kind, .owner = owner, .nsel = n};
  if (pfn & KMIRROR_OF)
    t->pa = in->kmirror_pa + ((pfn & ~KMIRROR_OF) << 12), t->kind = MH_FRAME_KMIRROR;
  return 0;
}

int mh_target_choose(struct mh_guest *g, enum mh_fault_kind kind, enum mh_fault_region region,
                     uint64_t pick, struct mh_target *t, struct mh_err *e) {
  switch (kind) {
  case MH_FK_NATIVE:
    return choose_user(g, false, region, pick, t, e);
  case MH_FK_MIRROR:
    return choose_user(g, true, region, pick, t, e);
  case MH_FK_USER:
    // Half the picks go to the mirror where there is one.
    return choose_user(g, g->in.mirror_offset && (pick >> 63), region, pick, t, e);
  case MH_FK_KERNEL:
    return choose_frame(g, FRAME_KERNEL, pick, t, e);
  case MH_FK_PGTABLE:
    return choose_frame(g, FRAME_PGTABLE, pick, t, e);
  case MH_FK_FREE:
    return choose_frame(g, FRAME_FREE, pick, t, e);
  case MH_FK_USED:
    return choose_frame(g, USED, pick, t, e);
  case MH_FK_KMIRROR:
    return choose_frame(g, KMIRROR, pick, t, e);
  default:
    return choose_frame(g, ANY, pick, t, e);
  }
}

int mh_target_kpage(struct mh_guest *g, enum mh_fault_kind kind, uint32_t pa, struct mh_target *t,
                    struct mh_err *e) {
  uint32_t partner;
  int fkind, owner;
  pa &= ~(PG - 1);
  if (pa >> 12 >= g->in.nframes)
    return mh_fail(e, "page pa 0x%x lies above the frame table (PHYSTOP 0x%x)", pa, g->in.phystop);
  if (frame(g, pa, &fkind, &partner, &owner, e) < 0)
    return -1;
  int want = kind == MH_FK_PGTABLE ? FRAME_PGTABLE : FRAME_KERNEL;
  // A kernel mirror frame mirrors a kernel or a page-table frame.
  bool ok = kind == MH_FK_KMIRROR ? fkind == FRAME_KERNEL || fkind == FRAME_PGTABLE : fkind == want;
  if (!ok)
    return mh_fail(e, "frame 0x%x is a %s frame, not %s", pa, mh_frame_kind_name(fkind),
                   kind == MH_FK_KMIRROR ? "a kernel or page-table frame (kmirror)"
                                         : mh_frame_kind_name(want));
  *t = (struct mh_target){.pa = pa, .kind = fkind, .owner = owner, .nsel = 1};
  if (kind != MH_FK_KMIRROR)
    return 0;
  if (!g->in.kmirror_pa)
    return mh_fail(e, "kind kmirror: this kernel has no kernel mirror (memv6sys only)");
  t->pa = g->in.kmirror_pa + pa, t->kind = MH_FRAME_KMIRROR;
  return 0;
}
