// Freestanding string and memory routines, and the kernel's console output.
#ifndef KLIB_H
#define KLIB_H
#include "types.h"

void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, uint n);
void *memcpy(void *dst, const void *src, uint n);
int memcmp(const void *a, const void *b, uint n);
int strncmp(const char *a, const char *b, uint n);
char *strncpy(char *dst, const char *src, int n);
char *strlcpy0(char *dst, const char *src, int n); // always NUL-terminates
int strlen(const char *s);

// Formatted output to the console (serial). Understands %d %u %x %p %s %c %%.
void kprintf(const char *fmt, ...);
// The same for a machine line (one starting with @): fmt without the
// newline; it starts on a line of its own (docs/serial-protocol.md).
void kmachine(const char *fmt, ...);
void panic(const char *msg) __attribute__((noreturn));

// Functions the harness sets breakpoints on (docs/serial-protocol.md): a
// page of their own, since TCG runs every instruction of a page that holds
// a breakpoint one at a time; hot code must not share it (kernel.ld).
#define HARNESS_HOOK __attribute__((noinline, section(".harness.text")))

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static inline uint min_u(uint a, uint b) {
  return a < b ? a : b;
}

// String instructions for memset, memmove and mem_copy: the words, then
// the odd bytes (under icount a `rep` step is one instruction where a C
// loop spends three or four per word). memv6sys: the translator repeats
// each string store at the mirror and saves and restores the registers it
// needs around it, a dozen instructions even for an empty one, so an empty
// part is skipped there.
static inline void str_set(void *dst, uint word, uint n) {
  uint words = n / 4, bytes = n % 4;
#ifdef MEMV6SYS
  if (words)
    __asm__ volatile("cld; rep stosl" : "+D"(dst), "+c"(words) : "a"(word) : "memory", "cc");
  if (bytes)
    __asm__ volatile("cld; rep stosb" : "+D"(dst), "+c"(bytes) : "a"(word) : "memory", "cc");
#else
  __asm__ volatile("cld; rep stosl; movl %3, %%ecx; rep stosb"
                   : "+D"(dst), "+c"(words)
                   : "a"(word), "r"(bytes)
                   : "memory", "cc");
#endif
}

static inline void str_copy(void *dst, const void *src, uint n) {
  uint words = n / 4, bytes = n % 4;
#ifdef MEMV6SYS
  if (words)
    __asm__ volatile("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(words) : : "memory", "cc");
  if (bytes)
    __asm__ volatile("cld; rep movsb" : "+D"(dst), "+S"(src), "+c"(bytes) : : "memory", "cc");
#else
  __asm__ volatile("cld; rep movsl; movl %3, %%ecx; rep movsb"
                   : "+D"(dst), "+S"(src), "+c"(words)
                   : "r"(bytes)
                   : "memory", "cc");
#endif
}
#endif
