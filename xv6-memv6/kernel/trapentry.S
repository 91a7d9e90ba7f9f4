// Trap entry points. Each vector pushes a zero error code when the CPU
// does not push one, then its number, and joins trap_common, which
// completes a struct trapframe (trap.h) and calls trap_dispatch().
#include "mmu.h"

// Vectors for which the CPU pushes an error code itself.
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21)

#ifdef MEMV6SYS
#include "memlayout.h"
// memv6sys: this file is not translated, so the frame it and the CPU
// build reaches the kernel mirror by hand (docs/memv6.md, "The kernel
// mirror"). From ring 0 the frame lands on the interrupted stack below its
// %esp, where native and mirror agree except for one thing: translated code
// stores a push's word at the mirror slot first and pushes it natively
// right after, so the mirror slot just below %esp may hold a word whose
// native half is yet to come. So the mirror of the KPENDING bytes below the
// interrupted %esp is saved on entry (in both copies, below the frame), and
// on the way back both copies of those bytes get the saved words: the
// interrupted code finds its pending mirror word, and native and mirror
// agree again below its %esp. That return cannot be an iret, which reads
// eip, cs and eflags from those very bytes (kmirror_resume_ring0).
#define TF_KESP 12        // struct trapframe (trap.h)
#define TF_GS 32
#define TF_FS 36
#define TF_ES 40
#define TF_DS 44
#define TF_EIP 56
#define TF_CS 60
#define TF_EFLAGS 64
#define TF_WORDS_KERNEL 17 // from ring 0: up to eflags
#define TF_WORDS_USER 19   // from ring 3: with esp and ss
#define KPENDING 32        // the translator's writes below %esp: 8 words at most (pushal)
#define TF_PENDING (TF_WORDS_KERNEL * 4 - KPENDING)

.macro KMIRROR_ENTER
  subl $KPENDING, %esp
  cld
  // From ring 3 the interrupted code's stack is another: no pending slots,
  // and the frame holds esp and ss too.
  movl $TF_WORDS_USER, %ecx
  testl $3, KPENDING+TF_CS(%esp)
  jnz 2f
  leal MIRROR_OFFSET+KPENDING+TF_PENDING(%esp), %esi
  movl %esp, %edi
  movl $(KPENDING / 4), %ecx
  rep movsl
  movl %esp, %esi
  leal MIRROR_OFFSET(%esp), %edi
  movl $(KPENDING / 4), %ecx
  rep movsl
  // The frame to its mirror: from ring 0 not a word more, since the
  // interrupted code's own words above it may be mid-way through a
  // mirrored write.
  movl $TF_WORDS_KERNEL, %ecx
2:
  leal KPENDING(%esp), %esi
  leal MIRROR_OFFSET+KPENDING(%esp), %edi
  rep movsl
.endm

.macro KMIRROR_LEAVE
  testl $3, KPENDING+TF_CS(%esp)
  jz kmirror_resume_ring0
  addl $KPENDING, %esp
.endm
#endif

.altmacro
.macro vector_stub n
  .globl trap_vec\n
trap_vec\n:
  .if HAS_ERR(\n) == 0
    pushl $0
  .endif
  pushl $\n
  jmp trap_common
.endm

.macro vector_addr n
  .long trap_vec\n
.endm

.text
.set vec, 0
.rept 256
  vector_stub %vec
  .set vec, vec + 1
.endr

trap_common:
  pushl %ds
  pushl %es
  pushl %fs
  pushl %gs
  pushal
  movw $(SEG_KDATA << 3), %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %fs
  movw %ax, %gs
#ifdef MEMV6SYS
  KMIRROR_ENTER
.globl trap_entry_mirrored  // the frame is in both copies from here (kmirror_mce.c)
trap_entry_mirrored:
  leal KPENDING(%esp), %eax
  movl %eax, MIRROR_OFFSET-4(%esp)
  pushl %eax          // the trapframe is the argument
  movl $1f, MIRROR_OFFSET-4(%esp)
  call trap_dispatch
1:
  addl $4, %esp
  KMIRROR_LEAVE
#else
  pushl %esp          // the trapframe is the argument
  call trap_dispatch
  addl $4, %esp
#endif

// New processes start here too: their first context returns into it.
.globl trap_return
trap_return:
  popal
  popl %gs
  popl %fs
  popl %es
  popl %ds
  addl $8, %esp       // trap number and error code
  iret

#ifdef MEMV6SYS
// Return to ring-0 code (KMIRROR_LEAVE), interrupts off from here on. The
// resume block holds what the return needs outside the stack (eip, eflags
// without IF, esp, which path), in both copies; the last instructions run
// with %esp on the block, so they write nothing below the interrupted %esp.
// One CPU: one block.
kmirror_resume_ring0:
  cli
  movl KPENDING+TF_EIP(%esp), %eax
  movl %eax, kresume_eip
  movl %eax, MIRROR_OFFSET+kresume_eip
  movl KPENDING+TF_EFLAGS(%esp), %edx
  movl %edx, %eax
  andl $~EFLAGS_IF, %eax
  movl %eax, kresume_flags
  movl %eax, MIRROR_OFFSET+kresume_flags
  // The interrupted %esp: pushal saved %esp as it was at TF_GS, and a
  // machine-check recovery that rolled a mirrored write back or forward
  // may have moved it (kmirror_mce.c).
  movl KPENDING+TF_KESP(%esp), %eax
  addl $(TF_WORDS_KERNEL * 4 - TF_GS), %eax
  movl %eax, kresume_esp
  movl %eax, MIRROR_OFFSET+kresume_esp
  movl $kresume_if_off, %eax
  testl $EFLAGS_IF, %edx
  jz 4f
  movl $kresume_if_on, %eax
4:
  movl %eax, kresume_path
  movl %eax, MIRROR_OFFSET+kresume_path
  movw KPENDING+TF_GS(%esp), %gs
  movw KPENDING+TF_FS(%esp), %fs
  movw KPENDING+TF_ES(%esp), %es
  movw KPENDING+TF_DS(%esp), %ds
  // The saved words over the frame's tail, in both copies.
  cld
  movl %esp, %esi
  leal KPENDING+TF_PENDING(%esp), %edi
  movl $(KPENDING / 4), %ecx
  rep movsl
  movl %esp, %esi
  leal MIRROR_OFFSET+KPENDING+TF_PENDING(%esp), %edi
  movl $(KPENDING / 4), %ecx
  rep movsl
  // popal reads the frame's first 8 words, below the ones just written.
  addl $KPENDING, %esp
  popal
  movl $kresume_flags, %esp
  popfl
  movl kresume_esp, %esp
  jmp *kresume_path
kresume_if_on:
  sti                 // interrupts come after the next instruction
  jmp *kresume_eip
kresume_if_off:
  jmp *kresume_eip

.bss
.balign 16
// A machine check in the last instructions above pushes its frame below the
// block: room for its handler, which only queues (mce.c).
  .space 2048
.globl kresume_flags  // the #MC handler's own data (mce.c)
kresume_flags: .long 0
kresume_esp: .long 0
kresume_path: .long 0
kresume_eip: .long 0
#endif

.data
.balign 4
.globl trap_vectors
trap_vectors:
.set vec, 0
.rept 256
  vector_addr %vec
  .set vec, vec + 1
.endr
