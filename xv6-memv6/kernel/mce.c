// Machine checks (#MC, vector 18). Boot turns MCA reporting on, because
// QEMU drops uncorrected errors for banks whose MCi_CTL is clear. The
// handler only reports for now; recovery (MemV6) replaces mce_trap.
#include "types.h"
#include "mmu.h"
#include "x86.h"
#include "klib.h"
#include "trap.h"

#define CPUID_MCE (1u << 7)
#define CPUID_MCA (1u << 14)
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL 0x17b
#define MSR_MC_CTL(i) (0x400 + 4 * (i))
#define MSR_MC_STATUS(i) (0x401 + 4 * (i))
#define MSR_MC_ADDR(i) (0x402 + 4 * (i))
#define MCG_CTL_PRESENT (1u << 8)
#define MC_STATUS_VALID (1ull << 63)
#define MC_STATUS_ADDRV (1ull << 58)

static uint mca_banks;

void mce_init(void) {
  uint a, b, c, d;
  cpuid(1, &a, &b, &c, &d);
  if (!(d & CPUID_MCE))
    return;
  if (d & CPUID_MCA) {
    uint cap = (uint)rdmsr(MSR_MCG_CAP);
    mca_banks = cap & 0xff;
    if (cap & MCG_CTL_PRESENT)
      wrmsr(MSR_MCG_CTL, ~0ull);
    for (uint i = 0; i < mca_banks; i++) {
      wrmsr(MSR_MC_CTL(i), ~0ull);
      wrmsr(MSR_MC_STATUS(i), 0);
    }
  }
  write_cr4(read_cr4() | CR4_MCE);
}

void mce_trap(struct trapframe *tf) {
  uint64 mcg = rdmsr(MSR_MCG_STATUS);
  kprintf("machine check: eip %p mcg_status %x\n", tf->eip, (uint)mcg);
  for (uint i = 0; i < mca_banks; i++) {
    uint64 st = rdmsr(MSR_MC_STATUS(i));
    if (!(st & MC_STATUS_VALID))
      continue;
    uint64 addr = (st & MC_STATUS_ADDRV) ? rdmsr(MSR_MC_ADDR(i)) : 0;
    kprintf("machine check: bank %u status %x:%x addr %x\n", i, (uint)(st >> 32), (uint)st,
            (uint)addr);
  }
  panic("machine check");
}
