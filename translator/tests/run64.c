// Behaviour test of translated x86-64 instruction forms, natively in a
// 64-bit process: the counterpart of run32.c (read that first).
//
// The arena [ARENA, ARENA+ARENA_SIZE) and its mirror at ARENA + MIRROR_OFFSET
// lie below 2 GiB (MAP_FIXED_NOREPLACE), as the x86-64 runtime's do, so
// absolute and %rip-relative operands reach both. Every form runs
// untranslated and translated from the same registers, flags and arena,
// once per entry flags value; then registers and arithmetic flags must be
// equal, the live arena equal, every live byte of the translated run equal
// to its mirror, and the untranslated run must have left the mirror alone.
// Live here includes the red zone, the 128 bytes below the final %rsp that
// a leaf function may use: inserted code that used them as scratch would
// show as a difference. Forms named avx_* are skipped on a CPU without AVX.
// One more page, at FAR (1.5 GiB, mirror at 2.5 GiB: beyond a 32-bit
// displacement), is checked the same way for absolute stores there.
//   run64 [NAME...]     (default: every form); prints "ok NAME changed=N"
#define _GNU_SOURCE
#include "run64.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RED_ZONE 128

static const char *const rnames[NREGS] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

#define FLAGS_MASK 0xcd5u // CF PF AF ZF SF DF OF

// As in run32.c: none, all arithmetic flags, and two complementary mixes.
static const uint64_t entry_flags[] = {0x002, 0x002 | 0x8d5, 0x002 | 0x091, 0x002 | 0x844};

static uint8_t *native, *mirror;
static uint8_t pattern[ARENA_SIZE], after_native[ARENA_SIZE];
static uint8_t *far_native, *far_mirror, far_after_native[FAR_SIZE];

static void reset(void) {
  memcpy(native, pattern, ARENA_SIZE);
  memcpy(mirror, pattern, ARENA_SIZE);
  memcpy(far_native, pattern, FAR_SIZE);
  memcpy(far_mirror, pattern, FAR_SIZE);
}

static int in_code(uint64_t v, const struct entry *e) {
  return v >= (uintptr_t)e->start && v <= (uintptr_t)e->end;
}

static int live(size_t off, uint64_t rsp) {
  return off < STACK_LOW || ARENA + off >= rsp - RED_ZONE;
}

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    if ((*fails)++ < 8) {                                                                          \
      printf("FAIL %s flags=0x%llx: ", n->name, (unsigned long long)flags);                        \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

static void compare_regs(const struct entry *n, const struct entry *m, uint64_t flags,
                         const struct regs64 *a, const struct regs64 *b, int *fails) {
  for (int r = 0; r < NREGS; r++)
    if (a->r[r] != b->r[r] && !(in_code(a->r[r], n) && in_code(b->r[r], m)))
      FAIL("%%%s: untranslated 0x%016llx, translated 0x%016llx", rnames[r],
           (unsigned long long)a->r[r], (unsigned long long)b->r[r]);
  if ((a->rflags ^ b->rflags) & FLAGS_MASK)
    FAIL("rflags: untranslated 0x%llx, translated 0x%llx",
         (unsigned long long)(a->rflags & FLAGS_MASK),
         (unsigned long long)(b->rflags & FLAGS_MASK));
}

static void compare_arena(const struct entry *n, const struct entry *m, uint64_t flags,
                          uint64_t rsp, long *changed, int *fails) {
  for (size_t i = 0; i < ARENA_SIZE; i++) {
    if (!live(i, rsp))
      continue;
    if (mirror[i] != native[i])
      FAIL("arena+0x%zx: native 0x%02x, mirror 0x%02x", i, native[i], mirror[i]);
    *changed += after_native[i] != pattern[i];
    if (after_native[i] != native[i]) {
      size_t w = i & ~(size_t)7;
      uint64_t a, b;
      memcpy(&a, after_native + w, 8);
      memcpy(&b, native + w, 8);
      if (!(in_code(a, n) && in_code(b, m)))
        FAIL("arena+0x%zx: untranslated run 0x%02x, translated run 0x%02x", i, after_native[i],
             native[i]);
    }
  }
}

// The far page: all of it is live.
static void compare_far(const struct entry *n, uint64_t flags, long *changed, int *fails) {
  for (size_t i = 0; i < FAR_SIZE; i++) {
    if (far_mirror[i] != far_native[i])
      FAIL("far+0x%zx: native 0x%02x, mirror 0x%02x", i, far_native[i], far_mirror[i]);
    if (far_after_native[i] != far_native[i])
      FAIL("far+0x%zx: untranslated run 0x%02x, translated run 0x%02x", i, far_after_native[i],
           far_native[i]);
    *changed += far_after_native[i] != pattern[i];
  }
}

// Runs one form; returns the number of failures, adds bytes changed to *changed.
static int run_form(const struct entry *n, const struct entry *m, uint64_t flags, long *changed) {
  struct regs64 in, out_n, out_m;
  int f = 0, *fails = &f;
  entry_regs(&in, flags);
  reset();
  harness_enter(&in, &out_n, n->start);
  memcpy(after_native, native, ARENA_SIZE);
  memcpy(far_after_native, far_native, FAR_SIZE);
  for (size_t i = 0; i < ARENA_SIZE; i++)
    if (mirror[i] != pattern[i] || (i < FAR_SIZE && far_mirror[i] != pattern[i])) {
      FAIL("untranslated run wrote the mirror at +0x%zx", i);
      break;
    }
  reset();
  harness_enter(&in, &out_m, m->start);
  compare_regs(n, m, flags, &out_n, &out_m, fails);
  compare_arena(n, m, flags, out_n.r[4], changed, fails);
  compare_far(n, flags, changed, fails);
  return f;
}

int main(int argc, char **argv) {
  native = map_at(ARENA, ARENA_SIZE);
  mirror = map_at((uintptr_t)ARENA + (uintptr_t)MIRROR_OFFSET, ARENA_SIZE);
  far_native = map_at(FAR, FAR_SIZE);
  far_mirror = map_at(FAR + (uintptr_t)MIRROR_OFFSET, FAR_SIZE);
  for (size_t i = 0; i < ARENA_SIZE; i++)
    pattern[i] = (uint8_t)((i * 131 + 17) ^ (i >> 7));
  size_t count =
      ((uintptr_t)__stop_forms_native - (uintptr_t)__start_forms_native) / sizeof(struct entry);
  if (count * sizeof(struct entry) !=
      (uintptr_t)__stop_forms_mirror - (uintptr_t)__start_forms_mirror) {
    fprintf(stderr, "run64: native and mirror form tables differ\n");
    return 2;
  }
  __builtin_cpu_init();
  int failed = 0, matched = 0;
  for (size_t k = 0; k < count; k++) {
    const struct entry *n = &__start_forms_native[k], *m = &__start_forms_mirror[k];
    int want = argc < 2;
    for (int a = 1; a < argc; a++)
      want |= strcmp(argv[a], n->name) == 0;
    if (!want)
      continue;
    matched++;
    if (strncmp(n->name, "avx_", 4) == 0 && !__builtin_cpu_supports("avx")) {
      printf("skip %s (this CPU has no AVX)\n", n->name);
      continue;
    }
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
    fprintf(stderr, "run64: some named forms do not exist\n");
    return 2;
  }
  return failed ? 1 : 0;
}
