// The GDT (flat kernel and user segments) and the one TSS.
#include "types.h"
#include "mmu.h"
#include "x86.h"
#include "param.h"
#include "proc.h"
#include "seg.h"
#include "kmirror.h"

// The hardware TSS layout; we only use esp0/ss0 and the I/O map base.
struct taskstate {
  uint link;
  uint esp0;
  ushort ss0, ss0_pad;
  uint unused[22]; // esp1..ldt: no hardware task switching here
  ushort debug_trap;
  ushort iomap_base;
};
_Static_assert(sizeof(struct taskstate) == 104, "TSS layout");

// memv6sys marks code and data descriptors accessed from the start: the CPU
// would set the bit itself on the first load, a store the kernel mirror
// never sees.
#define TYPE_ACCESSED (KMIRRORED ? 0x1 : 0)
#define TYPE_CODE_XR (0xa | TYPE_ACCESSED)
#define TYPE_DATA_RW (0x2 | TYPE_ACCESSED)
#define TYPE_TSS32 0x9
#define FLAG_4K_32BIT 0xc // granularity 4 KiB, 32-bit operands

static uint64 gdt[NSEGS];
static struct taskstate tss;

// One descriptor: system is 1 for the TSS (S bit clear).
static uint64 descriptor(uint base, uint limit, uint type, uint dpl, uint flags, int system) {
  uint lo = (limit & 0xffff) | (base << 16);
  uint hi = ((base >> 16) & 0xff) | (type << 8) | ((system ? 0 : 1) << 12) | (dpl << 13) |
            (1u << 15) | (limit & 0xf0000) | (flags << 20) | (base & 0xff000000);
  return ((uint64)hi << 32) | lo;
}

static void reload_segments(void) {
  __asm__ volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss;"
                   "movw %w0, %%fs; movw %w0, %%gs;"
                   "ljmp %1, $1f; 1:"
                   :
                   : "r"(SEG_KDATA << 3), "i"(SEG_KCODE << 3)
                   : "memory");
}

void seg_init(void) {
  gdt[SEG_KCODE] = descriptor(0, 0xfffff, TYPE_CODE_XR, 0, FLAG_4K_32BIT, 0);
  gdt[SEG_KDATA] = descriptor(0, 0xfffff, TYPE_DATA_RW, 0, FLAG_4K_32BIT, 0);
  gdt[SEG_UCODE] = descriptor(0, 0xfffff, TYPE_CODE_XR, DPL_USER, FLAG_4K_32BIT, 0);
  gdt[SEG_UDATA] = descriptor(0, 0xfffff, TYPE_DATA_RW, DPL_USER, FLAG_4K_32BIT, 0);
  tss.ss0 = SEG_KDATA << 3;
  // An I/O map base past the TSS limit means no I/O bitmap: with IOPL 0,
  // every user in/out faults.
  tss.iomap_base = sizeof(tss);
  gdt[SEG_TSS] = descriptor((uint)&tss, sizeof(tss) - 1, TYPE_TSS32, 0, 0, 1);
  load_gdt(gdt, sizeof(gdt));
  reload_segments();
  load_tr(SEG_TSS << 3);
#ifdef MEMV6SYS
  // ltr marked the TSS descriptor busy.
  kmirror_sync(&gdt[SEG_TSS], sizeof(gdt[SEG_TSS]));
#endif
  mycpu()->ts = &tss;
}

void tss_set_kstack(uint esp0) {
  tss.esp0 = esp0;
}
