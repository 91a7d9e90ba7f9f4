// Page tables and user memory.
//
// Every kernel write into user memory goes through copyout() or
// copy_to_dst(): MemV6 mirrors those writes, so a write that bypasses them
// (a plain store through a user pointer) would leave the mirror stale.
// Reading user memory through a validated pointer is fine; copy_from_src()
// does the validation.
#ifndef VM_H
#define VM_H
#include "types.h"

struct proc;

int copyout(pde_t *pgdir, uint va, const void *src, uint n);

// Copy n bytes to dst, which is a user virtual address of the current
// process when to_user is set and a kernel address otherwise.
int copy_to_dst(int to_user, uint dst, const void *src, uint n);

// Copy n bytes from src, a user virtual address of the current process
// when from_user is set and a kernel address otherwise. 0 or -1.
int copy_from_src(void *dst, int from_user, uint src, uint n);

// The kernel's own mapping of [0, PHYSTOP) at KERNBASE, shared by every
// address space.
void kvm_init(void);
void kvm_switch(void); // kernel-only address space (the scheduler's)
#ifdef MEMV6SYS
// The kernel's page directory, and its move to the copy pgdir (machine-check
// recovery retires the old frame: kmirror_retire). uvm_create copies from it
// with interrupts off, so no safe point sees a copy half done.
pde_t *kvm_pgdir(void);
void kvm_move_pgdir(pde_t *pgdir);
#endif

// User address spaces. Sizes are bytes from 0; owner is the pid recorded
// in the frame table for the frames allocated.
pde_t *uvm_create(int owner);
void uvm_switch(struct proc *p); // its page directory and kernel stack
uint uvm_grow(pde_t *pgdir, uint oldsz, uint newsz, int owner); // newsz, or 0
uint uvm_shrink(pde_t *pgdir, uint oldsz, uint newsz);          // newsz
// fork: shares [0, sz) of from into the fresh address space to, which the
// caller has already published in the child's proc (machine-check recovery
// must find its mappings); 0, or -1 (the caller frees to).
int uvm_copy(pde_t *from, pde_t *to, uint sz, int owner);
void uvm_free(pde_t *pgdir, uint sz);
void uvm_make_guard(pde_t *pgdir, uint va); // no user access to that page
// Maps mem, a FRAME_NATIVE frame the caller allocated and filled (still its
// alone), at the unmapped user page va with perm, plus a mirror copied from
// it. 0, or -1 when out of memory (then mem is released, nothing mapped).
int uvm_map_filled(pde_t *pgdir, uint va, void *mem, int perm, int owner);

// The PTE of va in pgdir, making its page table (owned by owner) when
// create is set; 0 when there is none (or no memory for it).
pte_t *uvm_pte(pde_t *pgdir, uint va, int create, int owner);
void page_copy(void *dst, const void *src); // one whole 4 KiB frame
// memcpy for ranges that do not overlap (user page <-> kernel buffer).
void mem_copy(void *dst, const void *src, uint n);
#endif
