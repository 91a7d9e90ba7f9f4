// The kernel's self-description for debuggers and the harness.
//
// The kernel exports one `struct introspect` at the ELF symbol
// INTROSPECT_SYMBOL. memharness finds it with libelf, reads it over the GDB
// remote protocol and uses the offsets below instead of compiling against
// kernel headers, so the kernel may reorder its structures freely. Any change
// to this struct's layout bumps INTROSPECT_VERSION. All addresses are kernel
// virtual addresses unless the name says pa (physical).
#ifndef INTROSPECT_H
#define INTROSPECT_H

#define INTROSPECT_SYMBOL "memv6_introspect"
#define INTROSPECT_MAGIC 0x4936564d // "MV6I" in memory order
#define INTROSPECT_VERSION 3

#define VARIANT_NATIVE 0
#define VARIANT_MEMV6 1
#define VARIANT_MEMV6SYS 2 // memv6 with the kernel's own memory mirrored

// Frame kinds as stored in the frame table's kind byte.
#define FRAME_FREE 0
#define FRAME_KERNEL 1   // kernel text, data, stacks, buffers
#define FRAME_NATIVE 2   // a user page's own frame
#define FRAME_MIRROR 3   // a user page's mirror frame (memv6)
#define FRAME_PGTABLE 4  // a page directory or page table
#define FRAME_POISONED 5 // retired after a machine check; never reused

// Process states as stored in a proc's state word.
#define PSTATE_UNUSED 0
#define PSTATE_EMBRYO 1
#define PSTATE_SLEEPING 2
#define PSTATE_RUNNABLE 3
#define PSTATE_RUNNING 4
#define PSTATE_ZOMBIE 5

struct introspect {
  unsigned int magic;   // INTROSPECT_MAGIC
  unsigned int version; // INTROSPECT_VERSION
  unsigned int size;    // sizeof(struct introspect)
  unsigned int variant; // VARIANT_*

  unsigned int kernbase;                   // KERNBASE: kernel va = pa + kernbase
  unsigned int usertop;                    // USERTOP
  unsigned int mirror_offset;              // MIRROR_OFFSET (0 on native)
  unsigned int phystop;                    // PHYSTOP
  unsigned int normal_pa_lo, normal_pa_hi; // normal zone [lo, hi)
  unsigned int mirror_pa_lo, mirror_pa_hi; // mirror zone (empty on native)

  // Frame table: one entry per 4 KiB frame of [0, phystop), indexed by pa>>12.
  unsigned int frames;            // address of entry 0
  unsigned int frame_size;        // bytes per entry
  unsigned int nframes;           // entries
  unsigned int frame_kind_off;    // uchar: FRAME_*
  unsigned int frame_refs_off;    // ushort: references (page-table mappings)
  unsigned int frame_partner_off; // uint: partner frame number (memv6), or 0
  unsigned int frame_owner_off;   // int: pid of the owner, 0 if none/shared

  // Process table: nproc entries of proc_size bytes.
  unsigned int procs;
  unsigned int proc_size;
  unsigned int nproc;
  unsigned int proc_pid_off;   // int
  unsigned int proc_state_off; // int: PSTATE_*
  unsigned int proc_pgdir_off; // pde_t *: kernel va of the page directory
  unsigned int proc_sz_off;    // uint: user memory size in bytes
  unsigned int proc_name_off;  // char[16]

  // memv6sys (version 2): the kernel mirror of normal-zone frame pa is the
  // frame at kmirror_pa + pa (docs/memv6.md, "The kernel mirror"); 0 on
  // the other variants.
  unsigned int kmirror_pa;

  // version 3: a process's kernel stack (char *, KSTACKSIZE bytes), the
  // page campaigns name as target.page "kstack".
  unsigned int proc_kstack_off;
  unsigned int kstack_size;
};

#endif
