// The i386 tables: every mnemonic the translator accepts, whether and how it
// writes memory, and the registers. An instruction that is not listed here is
// an error in the translated file: adding one is adding a line below (and a
// behaviour test in tests/forms.txt).
#include "archtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK IF_LOCK
#define REP IF_REP
#define DUAL IF_DUAL

static const struct family families[] = {
    // Plain stores: repeat at the mirror (mov changes no flags, no registers).
    {"mov", "bwl.", ST_REPEAT, 2, 2, 0, "store"},
    // Read-modify-write with a memory destination. DUAL: run again on the
    // mirror (the result and flags depend on the operands only); with lock, or
    // when the incoming carry is an input (adc sbb rcl rcr): copy the result.
    {"add", "bwl.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"sub", "bwl.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"and", "bwl.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"or", "bwl.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"xor", "bwl.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"adc", "bwl.", ST_COPY, 2, 2, LOCK, "rmw"},
    {"sbb", "bwl.", ST_COPY, 2, 2, LOCK, "rmw"},
    {"inc", "bwl.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"dec", "bwl.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"neg", "bwl.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"not", "bwl.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"shl", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"sal", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"shr", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"sar", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"rol", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"ror", "bwl.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"rcl", "bwl.", ST_COPY, 1, 2, IF_COUNT, "rmw"},
    {"rcr", "bwl.", ST_COPY, 1, 2, IF_COUNT, "rmw"},
    {"shld", "wl.", ST_COPY, 2, 3, IF_COUNT | DUAL, "rmw"},
    {"shrd", "wl.", ST_COPY, 2, 3, IF_COUNT | DUAL, "rmw"},
    {"bts", "wl.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    {"btr", "wl.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    {"btc", "wl.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    // Exchanges and atomics (they change registers: never run twice).
    {"xchg", "bwl.", ST_XCHG, 2, 2, LOCK | IF_XCHG, "xchg"},
    {"xadd", "bwl.", ST_COPY, 2, 2, LOCK | IF_WRITES_SRC, "xadd"},
    {"cmpxchg", "bwl.", ST_COPY, 2, 2, LOCK | IF_WRITES_EAX, "cmpxchg"},
    // Stack.
    {"push", "wl.", ST_PUSH, 1, 1, 0, "push"},
    {"pop", "wl.", ST_COPY, 1, 1, 0, "pop"},
    {"call", "l.", ST_CALL, 1, 1, 0, "call"},
    // String stores (rep: see rewrite.c).
    {"stos", "bwl", ST_STOS, 0, 2, REP, "string"},
    {"movs", "bwl", ST_MOVS, 0, 2, REP, "string"},

    // Never write memory.
    {"cmp", "bwl.", ST_NONE, 2, 2, 0, NULL},
    {"test", "bwl.", ST_NONE, 2, 2, 0, NULL},
    {"lea", "wl.", ST_NONE, 2, 2, 0, NULL},
    {"imul", "bwl.", ST_NONE, 1, 3, 0, NULL},
    {"mul", "bwl.", ST_NONE, 1, 1, 0, NULL},
    {"div", "bwl.", ST_NONE, 1, 1, 0, NULL},
    {"idiv", "bwl.", ST_NONE, 1, 1, 0, NULL},
    {"bt", "wl.", ST_NONE, 2, 2, 0, NULL},
    {"bsf", "wl.", ST_NONE, 2, 2, 0, NULL},
    {"bsr", "wl.", ST_NONE, 2, 2, 0, NULL},
    {"bswap", "l.", ST_NONE, 1, 1, 0, NULL},
    {"popf", "wl.", ST_NONE, 0, 0, 0, NULL},
    {"popa", "wl.", ST_NONE, 0, 0, 0, NULL},
    {"leave", "l.", ST_NONE, 0, 0, 0, NULL},
    {"ret", "l.", ST_NONE, 0, 1, REP, NULL},
    {"jmp", "l.", ST_NONE, 1, 1, 0, NULL},
    {"nop", "wl.", ST_NONE, 0, 1, REP, NULL},
    {"lods", "bwl", ST_NONE, 0, 2, REP, NULL},
    {"scas", "bwl", ST_NONE, 0, 2, REP | IF_REPNE, NULL},
    {"cmps", "bwl", ST_NONE, 0, 2, REP | IF_REPNE, NULL},
    {"in", "bwl.", ST_NONE, 1, 2, 0, NULL},
    {"out", "bwl.", ST_NONE, 1, 2, 0, NULL},
    // Output from memory to a port reads memory only (`ins` writes it and is
    // refused: the kernel that uses it mirrors the block itself).
    {"outs", "bwl", ST_NONE, 0, 2, REP, NULL},
};

// Mnemonics listed one by one: explicit widths, no suffix expansion.
static const struct insn_desc singles[] = {
    {"cmpxchg8b", ST_COPY, 8, 1, 1, LOCK | IF_WRITES_EDXEAX, "cmpxchg"},
    {"pushf", ST_PUSH, 4, 0, 0, 0, "pushf"},
    {"pushfl", ST_PUSH, 4, 0, 0, 0, "pushf"},
    {"pushfw", ST_PUSH, 2, 0, 0, 0, "pushf"},
    {"pusha", ST_PUSHA, 4, 0, 0, 0, "pusha"},
    {"pushal", ST_PUSHA, 4, 0, 0, 0, "pusha"},
    {"pushaw", ST_PUSHA, 2, 0, 0, 0, "pusha"},
    {"enter", ST_ENTER, 4, 2, 2, 0, "enter"},
    {"enterl", ST_ENTER, 4, 2, 2, 0, "enter"},
    // Stores of the flags into a byte: repeat (setcc reads flags, changes none).
    {"seta", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setae", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setb", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setbe", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setc", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"sete", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setg", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setge", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setl", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setle", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setna", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnae", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnb", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnbe", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnc", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setne", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setng", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnge", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnl", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnle", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setno", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnp", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setns", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setnz", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"seto", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setp", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setpe", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setpo", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"sets", ST_REPEAT, 1, 1, 1, 0, "setcc"},
    {"setz", ST_REPEAT, 1, 1, 1, 0, "setcc"},
};

// Never write memory, listed by name (operand counts are not checked: 0..3).
static const char *const readers[] = {
    // Widening loads and conversions.
    "movzbw",
    "movzbl",
    "movzwl",
    "movsbw",
    "movsbl",
    "movswl",
    "movzx",
    "movsx",
    "cbtw",
    "cwtl",
    "cwtd",
    "cltd",
    "cbw",
    "cwde",
    "cwd",
    "cdq",
    // Conditional moves and branches.
    "cmova",
    "cmovae",
    "cmovb",
    "cmovbe",
    "cmovc",
    "cmove",
    "cmovg",
    "cmovge",
    "cmovl",
    "cmovle",
    "cmovna",
    "cmovnae",
    "cmovnb",
    "cmovnbe",
    "cmovnc",
    "cmovne",
    "cmovng",
    "cmovnge",
    "cmovnl",
    "cmovnle",
    "cmovno",
    "cmovnp",
    "cmovns",
    "cmovnz",
    "cmovo",
    "cmovp",
    "cmovpe",
    "cmovpo",
    "cmovs",
    "cmovz",
    "ja",
    "jae",
    "jb",
    "jbe",
    "jc",
    "je",
    "jg",
    "jge",
    "jl",
    "jle",
    "jna",
    "jnae",
    "jnb",
    "jnbe",
    "jnc",
    "jne",
    "jng",
    "jnge",
    "jnl",
    "jnle",
    "jno",
    "jnp",
    "jns",
    "jnz",
    "jo",
    "jp",
    "jpe",
    "jpo",
    "js",
    "jz",
    "jcxz",
    "jecxz",
    "loop",
    "loope",
    "loopne",
    "loopz",
    "loopnz",
    // Flags and machine control (no memory operand).
    "lahf",
    "sahf",
    "cld",
    "std",
    "clc",
    "stc",
    "cmc",
    "cli",
    "sti",
    "int",
    "int3",
    "into",
    "hlt",
    "ud2",
    "rdtsc",
    "cpuid",
    "pause",
    "lfence",
    "mfence",
    "sfence",
    "endbr32",
    "xlat",
    "xlatb",
    "iret",
    "iretl",
    // Privileged machine control, for a translated kernel: these load
    // descriptor tables, task and control registers, MSRs or TLB entries and
    // store nothing to memory.
    "lgdt",
    "lgdtl",
    "lidt",
    "lidtl",
    "lldt",
    "ltr",
    "ljmp",
    "ljmpl",
    "invlpg",
    "rdmsr",
    "wrmsr",
    "clts",
    "wbinvd",
    "wait",
    "fwait",
};

static const char *const classes[] = {"store",   "setcc", "rmw",    "bitop",     "xchg",  "xadd",
                                      "cmpxchg", "push",  "pop",    "call",      "pushf", "pusha",
                                      "enter",   "x87",   "string", "rep-string"};

static struct archtab tab = {
    .families = {LIST(families)},
    .singles = {LIST(singles)},
    .readers = {LIST(readers)},
    .x87 = 1,
    .classes = classes,
    .nclasses = sizeof classes / sizeof classes[0],
};

static const struct insn_desc *lookup(const char *mnemonic) {
  return archtab_lookup(&tab, mnemonic);
}

static int check(char *msg, size_t msglen) {
  return archtab_check(&tab, msg, msglen);
}

// Registers: the eight general-purpose ones in encoding order, their 16- and
// 8-bit parts, the segment registers, the x87 stack and the control
// registers (moved only to and from general-purpose registers).
static const struct reg_info regs[] = {
    {"eax", 0, 4, 0}, {"ecx", 1, 4, 0},  {"edx", 2, 4, 0},  {"ebx", 3, 4, 0},  {"esp", 4, 4, 0},
    {"ebp", 5, 4, 0}, {"esi", 6, 4, 0},  {"edi", 7, 4, 0},  {"ax", 0, 2, 0},   {"cx", 1, 2, 0},
    {"dx", 2, 2, 0},  {"bx", 3, 2, 0},   {"sp", 4, 2, 0},   {"bp", 5, 2, 0},   {"si", 6, 2, 0},
    {"di", 7, 2, 0},  {"al", 0, 1, 0},   {"cl", 1, 1, 0},   {"dl", 2, 1, 0},   {"bl", 3, 1, 0},
    {"ah", 0, 1, 0},  {"ch", 1, 1, 0},   {"dh", 2, 1, 0},   {"bh", 3, 1, 0},   {"es", -1, 2, 1},
    {"cs", -1, 2, 1}, {"ss", -1, 2, 1},  {"ds", -1, 2, 1},  {"fs", -1, 2, 1},  {"gs", -1, 2, 1},
    {"st", -1, 0, 0}, {"cr0", -1, 4, 0}, {"cr2", -1, 4, 0}, {"cr3", -1, 4, 0}, {"cr4", -1, 4, 0},
};

static const struct reg_info st_i = {"st(i)", -1, 0, 0};

static const struct reg_info *reg(const char *name) {
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
    if (strcmp(regs[i].name, name) == 0)
      return &regs[i];
  if (strncmp(name, "st(", 3) == 0 && name[3] >= '0' && name[3] <= '7' && name[4] == ')' &&
      !name[5])
    return &st_i;
  return NULL;
}

static const char *gpr_name(int gpr, int size) {
  static const char *const r32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
  static const char *const r16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
  static const char *const r8[] = {"al", "cl", "dl", "bl"};
  if (gpr < 0 || gpr > 7)
    return NULL;
  if (size == 4)
    return r32[gpr];
  if (size == 2)
    return r16[gpr];
  if (size == 1 && gpr < 4)
    return r8[gpr];
  return NULL;
}

static const char *mov(int size) {
  return size == 1 ? "movb" : size == 2 ? "movw" : size == 4 ? "movl" : NULL;
}

static enum prefix prefix(const char *w) {
  if (strcmp(w, "lock") == 0)
    return PFX_LOCK;
  if (strcmp(w, "rep") == 0 || strcmp(w, "repe") == 0 || strcmp(w, "repz") == 0)
    return PFX_REP;
  if (strcmp(w, "repne") == 0 || strcmp(w, "repnz") == 0)
    return PFX_REPNE;
  return PFX_NONE;
}

// Scratch registers: the byte-addressable ones first (any copy may be a byte
// copy), then the others.
static const int scratch_order[] = {0, 1, 2, 3, 6, 7, 5};

const struct arch arch_i386 = {
    .name = "i386",
    .word = 4,
    .red_zone = 0,
    .long64 = 0,
    .sp = 4,
    .bp = 5,
    .ax = 0,
    .cx = 1,
    .dx = 2,
    .bx = 3,
    .si = 6,
    .di = 7,
    .scratch_order = scratch_order,
    .nscratch = sizeof scratch_order / sizeof scratch_order[0],
    .byte_gprs = 0x0f,
    .lookup = lookup,
    .reg = reg,
    .gpr_name = gpr_name,
    .mov = mov,
    .prefix = prefix,
    .classes = classes,
    .nclasses = sizeof classes / sizeof classes[0],
    .check = check,
};
