// memv6sys: the kernel mirror window, syncing writes the translator does
// not see, and the kernel mirror oracle (kmirror.h, docs/memv6.md).
// Built into the memv6sys kernel only (kernel/CMakeLists.txt).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "mmu.h"
#include "introspect.h"
#include "klib.h"
#include "spinlock.h"
#include "kalloc.h"
#include "proc.h"
#include "trap.h"
#include "kmirror.h"

_Static_assert(KMIRROR_PHYS >= PHYSTOP, "the kernel mirror lies outside the allocator's memory");
_Static_assert(KMIRROR_VA + PHYSTOP <= 0xFE000000u, "the window stays below the devices");

void kmirror_map_window(pde_t *pgdir) {
  // 4 MiB pages, as in entry.S's boot directory: no page tables of their
  // own to mirror, and few TLB entries for the kernel's second stores.
  for (uint pa = 0; pa < PHYSTOP; pa += 1u << PDXSHIFT) {
    uint to = pa < MIRROR_ZONE_BASE ? KMIRROR_PHYS + pa : KMIRROR_SINK;
    pgdir[PDX(KMIRROR_VA + pa)] = to | PTE_P | PTE_W | PTE_PS | PTE_A | PTE_D;
  }
}

void kmirror_sync(const void *va, uint n) {
  // Storing each word back where it was: the translated store repeats it
  // at the mirror. The words must not change meanwhile (callers own them).
  volatile uint *end = (volatile uint *)(((uint)va + n + 3) & ~3u);
  for (volatile uint *w = (volatile uint *)((uint)va & ~3u); w < end; w++) {
    uint v = *w;
    *w = v;
  }
}

int kmirror_user_frames(const void *va, uint n) {
  uint lo = (uint)va - KERNBASE, hi = lo + n;
  if ((uint)va < KERNBASE || hi < lo || hi > PHYSTOP)
    return 0;
  for (uint f = lo >> PGSHIFT; f <= (hi - 1) >> PGSHIFT; f++) {
    if (frames[f].kind != FRAME_NATIVE && frames[f].kind != FRAME_MIRROR)
      return 0;
  }
  return 1;
}

void kmirror_zero(void *dst, uint n) {
  if (kmirror_user_bulk(dst, n))
    kmirror_set_native(dst, 0, n);
  else
    memset(dst, 0, n);
}

// Per frame: 0, or how much of its kernel mirror is zero (kmirror.h).
#define KZERO_LOW 1 // the user half of a page directory
#define KZERO_ALL 2
static uchar kzero[NFRAMES];

void kmirror_free_zeroed(void *va, int whole) {
  kfree_zeroed(va, whole ? KZERO_ALL : KZERO_LOW);
}

void kmirror_mark_zero(uint pa, int zero) {
  kzero[pa >> PGSHIFT] = (uchar)zero;
}

void kmirror_forget_zero(const void *va) {
  uint fn = V2P(va) >> PGSHIFT;
  if (kzero[fn])
    kzero[fn] = 0;
}

// The frame kmirror_zero_frame is zeroing, and how much of its mirror: a
// machine check on that mirror meanwhile zeroes it (kmirror_zero_inflight)
// instead of copying a half-zeroed native copy there. One CPU.
static struct {
  char *va;
  uint mirror_len;
} zeroing;

void kmirror_zero_frame(void *va, int kind, uint mirror_len) {
  uint fn = V2P(va) >> PGSHIFT;
  uint z = kzero[fn];
  if (z)
    kzero[fn] = 0;
  if (kind != FRAME_PGTABLE && kind != FRAME_KERNEL) {
    kmirror_zero(va, PGSIZE); // a user frame: one copy
    return;
  }
  uint known = z == KZERO_ALL ? PGSIZE : z == KZERO_LOW ? PDX(KERNBASE) * sizeof(pde_t) : 0;
  // Each copy once, the mirror first: a check on the native copy meanwhile
  // is repaired from a mirror that holds zeros already, or will be zeroed
  // over afterwards.
  zeroing.mirror_len = mirror_len;
  zeroing.va = va;
  if (mirror_len > known)
    kmirror_set_native((char *)va + MIRROR_OFFSET + known, 0, mirror_len - known);
  kmirror_set_native(va, 0, PGSIZE);
  zeroing.va = 0;
}

int kmirror_zero_inflight(uint pa) {
  if (!zeroing.va || V2P(zeroing.va) != pa)
    return 0;
  kmirror_set_native(zeroing.va + MIRROR_OFFSET, 0, zeroing.mirror_len);
  return 1;
}

// The oracle's part: a marked free frame's mirror is zero where the mark
// says (a retired one keeps its mark and is never handed out).
static uint check_zeroed(uint fn) {
  const uint *m = (const uint *)((uint)P2V(fn << PGSHIFT) + MIRROR_OFFSET);
  uint n = kzero[fn] == KZERO_ALL ? PGSIZE / 4 : PDX(KERNBASE), bad = 0;
  for (uint i = 0; i < n; i++) {
    if (m[i] && bad++ == 0)
      kmachine("@koracle pa=%p kind=zeroed native=0x0 mirror=0x%x", (fn << PGSHIFT) + 4 * i, m[i]);
  }
  return bad;
}

void kmirror_check_ram(uint ram_top) {
  if (ram_top < KMIRROR_SINK + KMIRROR_SINK_SIZE) {
    kprintf("memv6sys: %u MiB of RAM; the kernel mirror needs %u (qemu -m %u)\n", ram_top >> 20,
            (KMIRROR_SINK + KMIRROR_SINK_SIZE) >> 20, KMIRROR_RAM_MB);
    panic("memv6sys: not enough RAM for the kernel mirror");
  }
}

_Static_assert(KSTACKSIZE == PGSIZE, "kmirror_stack_out finds a stack's top by alignment");

// Kernel stacks (docs/memv6.md "Kernel stacks"): the translator does not
// mirror stack writes (--no-stack-mirror), so a stack's mirror is in step
// only where the kernel puts it in step: above the saved stack pointer of a
// stack switched out (ctx_switch copies that part, kmirror_stack_out), and,
// on the running process's stack, the user trap frame at its top (trap
// entry copies it; later writes to it go through pointers, mirrored). The
// rest is unmirrored: dead below a saved pointer, and on the running stack
// live frames that only a copy made when it is switched out would save.
// The running stack is the one the CPU is on (%esp), not myproc()'s: the
// #MC handler repairs kernel frames at any instruction, also in the
// scheduler after it chose a process and inside ctx_switch.
static uint running_stack(uint *hi) {
  extern char boot_stack[], boot_stack_end[]; // entry.S: the scheduler's stack
  uint esp;
  __asm__ volatile("movl %%esp, %0" : "=r"(esp));
  if (esp >= (uint)boot_stack && esp < (uint)boot_stack_end) {
    *hi = (uint)boot_stack_end;
    return (uint)boot_stack;
  }
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p->kstack && esp >= (uint)p->kstack && esp < (uint)p->kstack + KSTACKSIZE) {
      *hi = (uint)p->kstack + KSTACKSIZE;
      return (uint)p->kstack;
    }
  }
  // Elsewhere (trapentry.S's resume block, where a check may come on the
  // way back to ring 0): the stack it returns to is the current process's.
  struct proc *me = myproc();
  *hi = me ? (uint)me->kstack + KSTACKSIZE : (uint)boot_stack_end;
  return me ? (uint)me->kstack : (uint)boot_stack;
}

uint kmirror_unmirrored(struct kmirror_gap *d) {
  extern char boot_stack[], boot_stack_end[];
  uint hi, run = running_stack(&hi);
  uint n = 0;
  uint sched_sp = run == (uint)boot_stack ? (uint)boot_stack_end : (uint)mycpu()->scheduler;
  d[n++] = (struct kmirror_gap){(uint)boot_stack, sched_sp};
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (!p->kstack)
      continue;
    uint lo = (uint)p->kstack;
    uint sp = lo == run ? lo + KSTACKSIZE - sizeof(struct trapframe) : (uint)p->context;
    if (sp >= lo && sp <= lo + KSTACKSIZE)
      d[n++] = (struct kmirror_gap){lo, sp};
  }
  return n;
}

int kmirror_in_gap(const struct kmirror_gap *d, uint n, uint va) {
  for (uint i = 0; i < n; i++)
    if (va >= d[i].lo && va < d[i].hi)
      return 1;
  return 0;
}

int kmirror_running_stack(uint pa) {
  uint hi, lo = running_stack(&hi);
  return pa + PGSIZE > V2P(lo) && pa < V2P(hi);
}

struct kcheck {
  uint frames, mismatches;
};

static void check_frame(struct kcheck *k, uint pa, int kind, const struct kmirror_gap *d, uint nd) {
  const uint *n = P2V(pa);
  const uint *m = (const uint *)((uint)n + MIRROR_OFFSET);
  // The MMU sets accessed and dirty bits in page tables itself.
  uint mask = kind == FRAME_PGTABLE ? ~(uint)(PTE_A | PTE_D) : ~0u;
  k->frames++;
  for (uint i = 0; i < PGSIZE / 4; i++) {
    if (!((n[i] ^ m[i]) & mask) || kmirror_in_gap(d, nd, (uint)&n[i]))
      continue;
    if (k->mismatches++ < 16)
      kmachine("@koracle pa=%p kind=%s native=0x%x mirror=0x%x", pa + 4 * i,
               kind == FRAME_PGTABLE ? "pgtable" : "kernel", n[i], m[i]);
  }
}

uint kmirror_check(void) {
  struct kmirror_gap d[KMIRROR_NGAP];
  struct kcheck k = {0, 0};
  intr_off_push();
  uint nd = kmirror_unmirrored(d);
  // Conventional memory below EXTMEM holds firmware data and the VGA
  // window, not the kernel's: from the kernel image up.
  for (uint pa = EXTMEM; pa < MIRROR_ZONE_BASE; pa += PGSIZE) {
    int kind = frames[pa >> PGSHIFT].kind;
    if (kind == FRAME_KERNEL || kind == FRAME_PGTABLE)
      check_frame(&k, pa, kind, d, nd);
    else if (kind == FRAME_FREE && kzero[pa >> PGSHIFT])
      k.mismatches += check_zeroed(pa >> PGSHIFT);
  }
  intr_on_pop();
  kmachine("@koracle frames=%u mismatches=%u", k.frames, k.mismatches);
  return k.mismatches;
}
