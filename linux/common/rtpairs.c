// Recovery inside a mirrored write for a Linux process (rtint.h,
// docs/linux.md "Memory errors"): the rule of the guest kernel
// (docs/memv6.md, "A machine check inside a mirrored write") with the same
// code, xv6-memv6/kernel/mptable.c, which finds the entry of the program's
// .mirror_pairs table that covers the interrupted instruction and moves the
// cut to one of the sequence's ends. Here the memory is the process's own
// and the registers are the signal frame's. Untranslated.
#include "rtint.h"
#include "mptable.h"

// From the linker: the start of the image, the end of text and read-only
// data, and the table (linux/common/mirrorpairs.ld keeps it between these).
extern const char __executable_start[], etext[];
extern const unsigned char __mirror_pairs_start[], __mirror_pairs_end[];

// What one recovery replaced: its page, and whether the native side.
struct replaced {
  ulong page;
  int native;
};

// Whether the byte at va may be read without faulting: code and read-only
// data of the image, or a mirrored page (and so its mirror too).
static int readable(ulong va) {
  return (va >= (ulong)__executable_start && va < (ulong)etext) || rt_mirrored(va & ~(LX_PAGE - 1));
}

static unsigned read_bytes(void *arg, unsigned long va, void *dst, unsigned n) {
  (void)arg;
  for (unsigned i = 0; i < n; i++) {
    if (!readable(va + i))
      return i;
    ((char *)dst)[i] = *(const volatile char *)(va + i);
  }
  return n;
}

static int sync_bytes(void *arg, unsigned long va, unsigned n, int to_mirror) {
  (void)arg;
  for (unsigned i = 0; i < n; i++) {
    ulong a = va + i;
    if (!rt_mirrored(a & ~(LX_PAGE - 1)))
      return -1;
    volatile char *nat = (volatile char *)a, *mir = (volatile char *)(a + MIRROR_OFFSET);
    if (to_mirror)
      *mir = *nat;
    else
      *nat = *mir;
  }
  return 0;
}

static int native_replaced(void *arg, unsigned long a, int w) {
  const struct replaced *r = arg;
  ulong first = a & ~(LX_PAGE - 1), last = (a + (ulong)w - 1) & ~(LX_PAGE - 1);
  return r->native && (r->page == first || r->page == last);
}

static int table_byte(void *arg, unsigned i) {
  return ((const unsigned char *)arg)[i];
}

static ulong *gregs(void *context) {
  return (ulong *)((char *)context + LX_UC_GREGS);
}

// The signal frame's slots of the general registers, in mptable.h's order
// (8 on i386, 16 on x86-64).
static const int reg_slot[] = LX_UC_MODRM_REGS;
#define NSLOTS ((int)(sizeof reg_slot / sizeof reg_slot[0]))
_Static_assert(NSLOTS <= MPT_NREGS, "more registers than a cut holds");

void rt_inflight(void *context, ulong page, int native) {
  ulong *g = gregs(context);
  struct mpt_entry e;
  unsigned n = (unsigned)((ulong)__mirror_pairs_end - (ulong)__mirror_pairs_start); // one section
  if (mpt_find(table_byte, (void *)__mirror_pairs_start, n, g[LX_UC_REG_IP], &e) != 1)
    return;
  struct replaced r = {page, native};
  struct mpt_cut c = {.eip = g[LX_UC_REG_IP],
                      .eflags = g[LX_UC_REG_FLAGS],
                      .arch = LX_MPT_ARCH,
                      .arg = &r,
                      .read = read_bytes,
                      .sync = sync_bytes,
                      .native_replaced = native_replaced};
  for (int k = 0; k < NSLOTS; k++)
    c.r[k] = g[reg_slot[k]];
  if (!mpt_roll(&c, &e, MIRROR_OFFSET))
    return;
  for (int k = 0; k < NSLOTS; k++)
    g[reg_slot[k]] = c.r[k];
  g[LX_UC_REG_IP] = c.eip;
  g[LX_UC_REG_FLAGS] = c.eflags;
}
