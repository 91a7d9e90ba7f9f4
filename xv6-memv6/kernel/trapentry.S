// Trap entry points. Each vector pushes a zero error code when the CPU
// does not push one, then its number, and joins trap_common, which
// completes a struct trapframe (trap.h) and calls trap_dispatch().
#include "mmu.h"

// Vectors for which the CPU pushes an error code itself.
#define HAS_ERR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || (n) == 21)

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
  pushl %esp          // the trapframe is the argument
  call trap_dispatch
  addl $4, %esp

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

.data
.balign 4
.globl trap_vectors
trap_vectors:
.set vec, 0
.rept 256
  vector_addr %vec
  .set vec, vec + 1
.endr
