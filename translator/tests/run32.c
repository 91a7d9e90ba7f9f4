// Behaviour test of translated instruction forms, in a 32-bit host process.
//
// The arena [ARENA, ARENA+ARENA_SIZE) holds the forms' data and stack; its
// mirror is mapped at ARENA + MIRROR_OFFSET (the kernel's real offset: in a
// non-PIE 32-bit process both 0x10000000 and 0x50000000 are free; MAP_FIXED_
// NOREPLACE makes a collision an error instead of a silent overwrite).
// Every form is run twice per entry flags value (entry_flags), from the same registers,
// flags and arena contents: untranslated (native_NAME) and translated
// (mirror_NAME). Then:
//   - registers and arithmetic flags (CF PF AF ZF SF OF DF) are equal,
//   - the arena is equal, except the dead stack below the final %esp,
//   - in the translated run, every live byte of the arena equals its mirror,
//   - the untranslated run left the mirror alone.
// Code addresses (return addresses) differ between the two versions by
// construction; a word that points into the form's own code in both runs
// counts as equal.
//   run32 [NAME...]     (default: every form); prints "ok NAME changed=N"
#define _GNU_SOURCE
#include "run32.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct regs {
  uint32_t r[8]; // eax ecx edx ebx ebp esi edi esp
  uint32_t eflags;
};
static const char *const rnames[8] = {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi", "esp"};

struct entry {
  const char *name;
  const uint8_t *start, *end;
};

extern const struct entry __start_forms_native[], __stop_forms_native[];
extern const struct entry __start_forms_mirror[], __stop_forms_mirror[];
void harness_enter(const struct regs *in, struct regs *out, const void *entry);

#define FLAGS_MASK 0xcd5u // CF PF AF ZF SF DF OF

// Flags on entry (bit 1 is always set): none, all arithmetic flags, and two
// complementary mixes, so that a flag an instruction leaves alone is seen to
// keep either value whatever the others are.
static const uint32_t entry_flags[] = {
    0x002,
    0x002 | 0x8d5, // CF PF AF ZF SF OF
    0x002 | 0x091, // CF AF SF
    0x002 | 0x844, // PF ZF OF
};

static uint8_t *native, *mirror;
static uint8_t pattern[ARENA_SIZE], after_native[ARENA_SIZE];

static void *map_at(uintptr_t addr) {
  void *p = mmap((void *)addr, ARENA_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED || p != (void *)addr) {
    fprintf(stderr, "run32: cannot map 0x%lx (taken in this process?)\n", (unsigned long)addr);
    exit(2);
  }
  return p;
}

static void reset(void) {
  memcpy(native, pattern, ARENA_SIZE);
  memcpy(mirror, pattern, ARENA_SIZE);
}

static int in_code(uint32_t v, const struct entry *e) {
  return v >= (uintptr_t)e->start && v <= (uintptr_t)e->end;
}

static int live(size_t off, uint32_t esp) {
  return off < STACK_LOW || ARENA + off >= esp;
}

// Runs one form; returns the number of failures, adds bytes changed to *changed.
static int run_form(const struct entry *n, const struct entry *m, uint32_t flags, long *changed) {
  struct regs in = {{ARENA + 0x1000, 3, ARENA + 0x2000, ARENA + 0x3000, ARENA + 0x6000,
                     ARENA + 0x4000, ARENA + 0x5000, ARENA + STACK_TOP},
                    flags};
  struct regs out_n, out_m;
  int fails = 0;
#define FAIL(...)                                                                                  \
  do {                                                                                             \
    if (fails++ < 8) {                                                                             \
      printf("FAIL %s flags=0x%x: ", n->name, flags);                                              \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

  reset();
  harness_enter(&in, &out_n, n->start);
  memcpy(after_native, native, ARENA_SIZE);
  for (size_t i = 0; i < ARENA_SIZE; i++)
    if (mirror[i] != pattern[i]) {
      FAIL("untranslated run wrote the mirror at arena+0x%zx", i);
      break;
    }
  reset();
  harness_enter(&in, &out_m, m->start);

  for (int r = 0; r < 8; r++) {
    uint32_t a = out_n.r[r], b = out_m.r[r];
    if (a != b && !(in_code(a, n) && in_code(b, m)))
      FAIL("%%%s: untranslated 0x%08x, translated 0x%08x", rnames[r], a, b);
  }
  if ((out_n.eflags ^ out_m.eflags) & FLAGS_MASK)
    FAIL("eflags: untranslated 0x%08x, translated 0x%08x", out_n.eflags & FLAGS_MASK,
         out_m.eflags & FLAGS_MASK);
  uint32_t esp = out_n.r[7];
  for (size_t i = 0; i < ARENA_SIZE; i++) {
    if (!live(i, esp))
      continue;
    if (mirror[i] != native[i])
      FAIL("arena+0x%zx: native 0x%02x, mirror 0x%02x", i, native[i], mirror[i]);
    *changed += after_native[i] != pattern[i];
    if (after_native[i] != native[i]) {
      size_t w = i & ~(size_t)3;
      uint32_t a, b;
      memcpy(&a, after_native + w, 4);
      memcpy(&b, native + w, 4);
      if (!(in_code(a, n) && in_code(b, m)))
        FAIL("arena+0x%zx: untranslated run 0x%02x, translated run 0x%02x", i, after_native[i],
             native[i]);
    }
  }
  return fails;
}

int main(int argc, char **argv) {
  native = map_at(ARENA);
  mirror = map_at((uintptr_t)ARENA + (uintptr_t)MIRROR_OFFSET);
  for (size_t i = 0; i < ARENA_SIZE; i++)
    pattern[i] = (uint8_t)((i * 131 + 17) ^ (i >> 7));
  // Linker-made bounds of the two tables (sections forms_native, forms_mirror).
  size_t count =
      ((uintptr_t)__stop_forms_native - (uintptr_t)__start_forms_native) / sizeof(struct entry);
  if (count * sizeof(struct entry) !=
      (uintptr_t)__stop_forms_mirror - (uintptr_t)__start_forms_mirror) {
    fprintf(stderr, "run32: native and mirror form tables differ\n");
    return 2;
  }
  int failed = 0, matched = 0;
  for (size_t k = 0; k < count; k++) {
    const struct entry *n = &__start_forms_native[k], *m = &__start_forms_mirror[k];
    int want = argc < 2;
    for (int a = 1; a < argc; a++)
      want |= strcmp(argv[a], n->name) == 0;
    if (!want)
      continue;
    matched++;
    long changed = 0;
    int f = 0;
    for (size_t i = 0; i < sizeof entry_flags / sizeof entry_flags[0]; i++)
      f += run_form(n, m, entry_flags[i], &changed);
    if (f)
      failed++;
    else
      printf("ok %s changed=%ld\n", n->name, changed);
  }
  if (argc >= 2 && matched != argc - 1) {
    fprintf(stderr, "run32: some named forms do not exist\n");
    return 2;
  }
  return failed ? 1 : 0;
}
