// What the x86-64 form programs share (run64.c: behaviour; cuts64.c: the
// .mirror_pairs entries against the running code): the forms' registers,
// their code blocks and the arena they run in (run32.h's layout).
#ifndef MIRROR_RUN64_H
#define MIRROR_RUN64_H
#include "run32.h"

#include <stddef.h>
#include <stdint.h>

#define NREGS 16
#define FAR 0x60000000UL // one more page, its mirror beyond a 32-bit displacement
#define FAR_SIZE 4096

struct regs64 {
  uint64_t r[NREGS]; // encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15
  uint64_t rflags;
};

// A form's code block (forms-gen): from start up to end.
struct entry {
  const char *name;
  const uint8_t *start, *end;
};

extern const struct entry __start_forms_native[], __stop_forms_native[];
extern const struct entry __start_forms_mirror[], __stop_forms_mirror[];
// Enters a form with in's registers and flags; it comes back through
// harness_exit with out filled (harness64.S).
void harness_enter(const struct regs64 *in, struct regs64 *out, const void *entry);
void harness_exit(void);
// The number of forms in forms_mirror (and forms_native).
size_t forms_count(void);

// Maps size bytes at addr exactly (MAP_FIXED_NOREPLACE), or exits 2.
void *map_at(uintptr_t addr, size_t size);
// The forms' registers on entry (forms64.txt's header) with the given flags.
void entry_regs(struct regs64 *in, uint64_t flags);

#endif
