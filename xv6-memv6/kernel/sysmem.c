// System calls for MemV6: the mirror oracle, and debugging aids for machine
// checks. They exist in both builds so that user programs run on either.
#include "types.h"
#include "memlayout.h"
#include "mmu.h"
#include "x86.h"
#include "klib.h"
#include "kalloc.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "mirror.h"
#include "mce.h"
#include "sysarg.h"
#include "syscalls.h"
#include "oracle.h"
#include "dedup.h"
#include "imgcache.h"
#include "trap.h"
#include "kmirror.h"

int sys_mirrorcheck(void) {
  int pid;
  if (arg_int(0, &pid) < 0 || pid < 0)
    return -1;
  return oracle_check(pid);
}

// The frame behind the caller's user page at va: the native one, or its
// mirror partner (whether or not a mirror PTE maps it yet); 0 if none.
static uint user_frame(uint va, int mirror) {
  struct proc *p = myproc();
  if (va >= p->sz)
    return 0;
  pte_t *pte = uvm_pte(p->pgdir, va, 0, 0);
  if (!pte || !(*pte & PTE_P))
    return 0;
  return mirror ? mirror_of(PTE_ADDR(*pte)) : PTE_ADDR(*pte);
}

// MCETEST_FORK: armed for the caller's next fork (mce.h).
static struct {
  int pid; // 0: not armed
  uint va;
  int bit;
} fork_test;

uint mce_fork_test_at(uint va, uint pages) {
  if (!fork_test.pid)
    return 0;
  struct proc *p = myproc();
  if (!p || p->pid != fork_test.pid || fork_test.va < va || fork_test.va - va >= pages * PGSIZE)
    return 0;
  return (fork_test.va - va) / PGSIZE + 1;
}

void mce_fork_test_fire(pte_t pte) {
  uint pa = PTE_ADDR(pte);
  ((uchar *)P2V(pa))[fork_test.va & (PGSIZE - 1)] ^= 1 << fork_test.bit;
  fork_test.pid = 0;
  if (mce_queue(pa) < 0)
    panic("mcetest: machine-check queue full");
}

#if KMIRRORED
// The kernel byte mcetest's kernel modes flip (MCETEST_K*): one whose
// change the caller would see if recovery left it (a wrong size, a return
// to a wrong address, a wrong page table or page), 0 for none.
static uchar *kernel_target(int what) {
  struct proc *p = myproc();
  pte_t *pte;
  switch (what) {
  case MCETEST_KDATA:
    return (uchar *)&p->sz + 2;
  case MCETEST_KSTACK:
    return (uchar *)&p->tf->eip + 2;
  case MCETEST_KPGDIR:
    return (uchar *)&p->pgdir[0] + 2; // address bits 16-23 of its page table
  case MCETEST_KPGTAB:
    pte = uvm_pte(p->pgdir, PGROUNDDOWN(p->tf->esp), 0, 0);
    return pte ? (uchar *)pte + 2 : 0;
  case MCETEST_KTEXT:
    return (uchar *)(uint)sys_getpid;
  case MCETEST_KKPGDIR:
    return (uchar *)&kvm_pgdir()[PDX(KERNBASE)] + 2; // its first kernel page table
  case MCETEST_KKTABLE:
    // Not one recovery itself goes through before the repair (its own
    // stack, say): writing CR0 for the repair flushes the TLB.
    pte = uvm_pte(p->pgdir, 0, 0, 0);
    if (!pte || !(*pte & PTE_P))
      return 0;
    pte = uvm_pte(kvm_pgdir(), (uint)P2V(PTE_ADDR(*pte)), 0, 0);
    return pte ? (uchar *)pte + 2 : 0;
  default:
    return 0;
  }
}

// Flips the bit in the native copy (MCETEST_KERNEL, MCETEST_KRETURN) or the
// kernel mirror (MCETEST_KMIRROR) of the target and raises the check as the
// handler would: recovered where interrupts come back on, which is right
// away, or for MCETEST_KRETURN at the return to user mode (interrupts stay
// off to the end of the call: trap.c runs the check there). MCETEST_KFRAME
// only returns the target's frame.
static int kernel_test(int what, int bit, int mode) {
  uchar *b = kernel_target(what);
  if (!b)
    return -1;
  uint pa = PGROUNDDOWN(V2P(b));
  if (mode == MCETEST_KFRAME)
    return (int)pa;
  uint off = mode == MCETEST_KMIRROR ? MIRROR_OFFSET : 0;
  if (mode == MCETEST_KRETURN) {
    cli();
    kmirror_flip(b, 1u << bit);
    return mce_queue(pa);
  }
  intr_off_push();
  kmirror_flip(b + off, 1u << bit);
  int r = mce_queue(mode == MCETEST_KMIRROR ? KMIRROR_PHYS + pa : pa);
  intr_on_pop();
  return r;
}
#endif

int sys_mcetest(void) {
  int va, bit, mode;
  if (arg_int(0, &va) < 0 || arg_int(1, &bit) < 0 || arg_int(2, &mode) < 0)
    return -1;
#if KMIRRORED
  if (bit < 0 || bit > 7 || mode < MCETEST_NATIVE || mode > MCETEST_KFRAME)
    return -1;
  if (mode >= MCETEST_KERNEL)
    return kernel_test(va, bit, mode);
#else
  // Only memv6sys has a kernel mirror (the kernel modes).
  if (bit < 0 || bit > 7 || mode < MCETEST_NATIVE || mode > MCETEST_KMIRROR)
    return -1;
  if (mode == MCETEST_KERNEL || mode == MCETEST_KMIRROR)
    return -1;
#endif
  uint pa = user_frame(va, mode == MCETEST_MIRROR);
  if (!pa)
    return -1;
  if (mode == MCETEST_FORK) {
    fork_test.va = va;
    fork_test.bit = bit;
    fork_test.pid = myproc()->pid;
    return 0;
  }
  ((uchar *)P2V(pa))[va & (PGSIZE - 1)] ^= 1 << bit;
  if (mode == MCETEST_FLIP)
    return 0;
  // The same path as a real #MC on this frame: queued as the handler
  // queues it, recovered where interrupts come back on (in intr_on_pop
  // here, as after a #MC in an interrupts-off section).
  intr_off_push();
  int r = mce_queue(pa);
  intr_on_pop();
  return r;
}

int sys_vtop(void) {
  int va;
  if (arg_int(0, &va) < 0)
    return -1;
  uint pa = user_frame(va, 0);
  return pa ? (int)(pa | (va & (PGSIZE - 1))) : -1;
}

// Copy-on-write and dedup (docs/kernel.md): how many mappings share the
// native frame behind va (its mirror frame is not counted). Tests use it to
// see sharing start and end.
int sys_framerefs(void) {
  int va;
  if (arg_int(0, &va) < 0)
    return -1;
  uint pa = user_frame(va, 0);
  return pa ? frame_of(pa)->refs : -1;
}

int sys_freemirror(void) {
  if (!MIRRORED)
    return 0;
  return zone_free_frames(ZONE_MIRROR) + imgcache_idle_frames(ZONE_MIRROR); // see imgcache.h
}

int sys_retired(void) {
  int zone;
  if (arg_int(0, &zone) < 0 || zone < ZONE_NORMAL || zone > ZONE_MIRROR)
    return -1;
  return zone_retired_frames(zone);
}

int sys_dedup(void) {
  return dedup_all();
}
