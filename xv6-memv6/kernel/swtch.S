// void ctx_switch(struct context **save, struct context *next)
//
// Saves the callee-saved registers on the current stack, records that
// stack in *save, and resumes the one saved in next. The layout pushed here
// is struct context in proc.c; the return address is its last field.
.text
.globl ctx_switch
ctx_switch:
  movl 4(%esp), %eax
  movl 8(%esp), %ecx
  pushl %ebp
  pushl %ebx
  pushl %esi
  pushl %edi
  movl %esp, (%eax)
#ifdef MEMV6SYS
  // The stack being left: its live part to its mirror, which the kernel's
  // stack writes do not reach (kmirror.h, kmirror_stack_out).
  movl %ecx, %edx
  movl %esp, %eax
  call kmirror_stack_out
  movl %edx, %ecx
#endif
  movl %ecx, %esp
  popl %edi
  popl %esi
  popl %ebx
  popl %ebp
  ret
