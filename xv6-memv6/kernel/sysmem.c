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

int sys_mcetest(void) {
  int va, bit, mode;
  if (arg_int(0, &va) < 0 || arg_int(1, &bit) < 0 || arg_int(2, &mode) < 0)
    return -1;
  if (bit < 0 || bit > 7 || mode < MCETEST_NATIVE || mode > MCETEST_FLIP)
    return -1;
  uint pa = user_frame(va, mode == MCETEST_MIRROR);
  if (!pa)
    return -1;
  ((uchar *)P2V(pa))[va & (PGSIZE - 1)] ^= 1 << bit;
  if (mode == MCETEST_FLIP)
    return 0;
  // The same path as a real #MC on this frame, timed the same way, and like
  // the handler with interrupts off: no other process may run (or fault,
  // fork, exit) while page tables and partners are half rewritten.
  intr_off_push();
  uint64 t0 = rdtsc();
  struct mce_event ev;
  mce_recover(pa, 1, &ev);
  uint cycles = (uint)(rdtsc() - t0);
  intr_on_pop();
  mce_report(&ev, cycles, 1);
  if (ev.action[0] == 'p')
    panic("mcetest: unrecoverable");
  return 0;
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

int sys_dedup(void) {
  return dedup_all();
}
