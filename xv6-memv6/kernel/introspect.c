// The introspection block memharness reads over the GDB stub (see
// include/introspect.h). Constant fields are filled at link time so the
// block is valid from the first instruction; zone bounds come at boot.
#include <stddef.h>
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "introspect.h"
#include "kalloc.h"
#include "proc.h"

#if defined(MEMV6SYS)
#define VARIANT VARIANT_MEMV6SYS
#define VARIANT_MIRROR_OFFSET MIRROR_OFFSET
#define VARIANT_KMIRROR_PA KMIRROR_PHYS
#elif defined(MEMV6)
#define VARIANT VARIANT_MEMV6
#define VARIANT_MIRROR_OFFSET MIRROR_OFFSET
#else
#define VARIANT VARIANT_NATIVE
#define VARIANT_MIRROR_OFFSET 0
#endif
#ifndef VARIANT_KMIRROR_PA
#define VARIANT_KMIRROR_PA 0
#endif

__attribute__((used)) struct introspect memv6_introspect = {
    .magic = INTROSPECT_MAGIC,
    .version = INTROSPECT_VERSION,
    .size = sizeof(struct introspect),
    .variant = VARIANT,
    .kernbase = KERNBASE,
    .usertop = USERTOP,
    .mirror_offset = VARIANT_MIRROR_OFFSET,
    .phystop = PHYSTOP,
    .frames = (unsigned int)frames,
    .frame_size = sizeof(struct frame),
    .nframes = NFRAMES,
    .frame_kind_off = offsetof(struct frame, kind),
    .frame_refs_off = offsetof(struct frame, refs),
    .frame_partner_off = offsetof(struct frame, partner),
    .frame_owner_off = offsetof(struct frame, owner),
    .procs = (unsigned int)procs,
    .proc_size = sizeof(struct proc),
    .nproc = NPROC,
    .proc_pid_off = offsetof(struct proc, pid),
    .proc_state_off = offsetof(struct proc, state),
    .proc_pgdir_off = offsetof(struct proc, pgdir),
    .proc_sz_off = offsetof(struct proc, sz),
    .proc_name_off = offsetof(struct proc, name),
    .kmirror_pa = VARIANT_KMIRROR_PA,
    .proc_kstack_off = offsetof(struct proc, kstack),
    .kstack_size = KSTACKSIZE,
};

void introspect_init(void) {
  zone_bounds(ZONE_NORMAL, &memv6_introspect.normal_pa_lo, &memv6_introspect.normal_pa_hi);
  zone_bounds(ZONE_MIRROR, &memv6_introspect.mirror_pa_lo, &memv6_introspect.mirror_pa_hi);
}
