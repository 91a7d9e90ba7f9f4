// mapout: a mirrored process refuses a mapping its mirror would not cover.
// The program maps a page at 0x60000000 (outside the arena and the image)
// with a raw mmap, as code not built against the guest's library could.
// The untranslated build gets the page; the mirrored build gets -ENOMEM and
// a message on stderr naming the call, the address and the arena. Prints
// "mapout: mmap=ok|-ERRNO" and writes the page only if it got it.
#include "types.h"
#include "user.h"
#include "lx_arch.h"

#define WHERE 0x60000000ul

static long raw_mmap(unsigned long addr, unsigned long n) {
  long r;
#ifdef __x86_64__
  register long r10 __asm__("r10") = 0x22 | 0x100000; // private, anonymous, fixed-noreplace
  register long r8 __asm__("r8") = -1;
  register long r9 __asm__("r9") = 0;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "0"(9L), "D"(addr), "S"(n), "d"(3L), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
#else
  unsigned long args[6] = {addr, n, 3, 0x22 | 0x100000, (unsigned long)-1, 0};
  r = lx_sys3(90, (long)args, 0, 0); // old_mmap
#endif
  return r;
}

int main(void) {
  long r = raw_mmap(WHERE, 4096);
  if (r == (long)WHERE) {
    char *page = (char *)r;
    __asm__("" : "+r"(page)); // a pointer, not a constant: 0x60000000 + the offset is no disp32
    *page = 1;
    printf(1, "mapout: mmap=ok\n");
  } else {
    printf(1, "mapout: mmap=%d\n", (int)r);
  }
  return 0;
}
