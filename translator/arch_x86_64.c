// The x86-64 tables: every mnemonic the translator accepts in 64-bit code,
// whether and how it writes memory, and the registers. As for i386, an
// instruction not listed is an error in the translated file (with its
// file:line); adding one is adding a line below and a form in
// tests/forms64.txt. docs/translator.md, "x86-64".
#include "archtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK IF_LOCK
#define REP IF_REP
#define DUAL IF_DUAL

static const struct family families[] = {
    // Plain stores, repeated at the mirror.
    {"mov", "bwlq.", ST_REPEAT, 2, 2, 0, "store"},
    {"movabs", "bwlq.", ST_REPEAT, 2, 2, 0, "store"},
    {"movnti", "lq.", ST_REPEAT, 2, 2, 0, "store"},
    {"set%", "1", ST_REPEAT, 1, 1, 0, "setcc"},
    // Read-modify-write: as on i386 (arch_i386.c), with 8-byte forms.
    {"add", "bwlq.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"sub", "bwlq.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"and", "bwlq.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"or", "bwlq.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"xor", "bwlq.", ST_COPY, 2, 2, LOCK | DUAL, "rmw"},
    {"adc", "bwlq.", ST_COPY, 2, 2, LOCK, "rmw"},
    {"sbb", "bwlq.", ST_COPY, 2, 2, LOCK, "rmw"},
    {"inc", "bwlq.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"dec", "bwlq.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"neg", "bwlq.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"not", "bwlq.", ST_COPY, 1, 1, LOCK | DUAL, "rmw"},
    {"shl", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"sal", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"shr", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"sar", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"rol", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"ror", "bwlq.", ST_COPY, 1, 2, IF_COUNT | DUAL, "rmw"},
    {"rcl", "bwlq.", ST_COPY, 1, 2, IF_COUNT, "rmw"},
    {"rcr", "bwlq.", ST_COPY, 1, 2, IF_COUNT, "rmw"},
    {"shld", "wlq.", ST_COPY, 2, 3, IF_COUNT | DUAL, "rmw"},
    {"shrd", "wlq.", ST_COPY, 2, 3, IF_COUNT | DUAL, "rmw"},
    {"bts", "wlq.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    {"btr", "wlq.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    {"btc", "wlq.", ST_BITOP, 2, 2, LOCK | IF_COUNT | DUAL, "bitop"},
    // Exchanges and atomics: they change registers, never run twice.
    {"xchg", "bwlq.", ST_XCHG, 2, 2, LOCK | IF_XCHG, "xchg"},
    {"xadd", "bwlq.", ST_COPY, 2, 2, LOCK | IF_WRITES_SRC, "xadd"},
    {"cmpxchg", "bwlq.", ST_COPY, 2, 2, LOCK | IF_WRITES_EAX, "cmpxchg"},
    // Stack: 8-byte slots (pushw/popw exist, pushl does not).
    {"push", "wq.", ST_PUSH, 1, 1, 0, "push"},
    {"pop", "wq.", ST_COPY, 1, 1, 0, "pop"},
    {"call", "q.", ST_CALL, 1, 1, 0, "call"},
    // String stores.
    {"stos", "bwlq", ST_STOS, 0, 2, REP, "string"},
    {"movs", "bwlq", ST_MOVS, 0, 2, REP, "string"},
    // SSE/AVX stores whose width is the vector register's: repeated at the
    // mirror (a store changes no flags and no register; a masked store
    // writes the same elements both times).
    {"movaps", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movups", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movapd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movupd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movdqa", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movdqu", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movntps", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movntpd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"movntdq", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovaps", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovups", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovapd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovupd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqa", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqu", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqa32", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqa64", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqu8", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqu16", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqu32", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovdqu64", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovntps", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovntpd", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmovntdq", ".", ST_REPEAT, 2, 2, 0, "sse"},
    {"vmaskmovps", ".", ST_REPEAT, 3, 3, 0, "sse"},
    {"vmaskmovpd", ".", ST_REPEAT, 3, 3, 0, "sse"},
    {"vpmaskmovd", ".", ST_REPEAT, 3, 3, 0, "sse"},
    {"vpmaskmovq", ".", ST_REPEAT, 3, 3, 0, "sse"},
    {"vcvtps2ph", ".", ST_REPEAT, 3, 3, 0, "sse"},

    // Never write memory.
    {"cmp", "bwlq.", ST_NONE, 2, 2, 0, NULL},
    {"test", "bwlq.", ST_NONE, 2, 2, 0, NULL},
    {"lea", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"imul", "bwlq.", ST_NONE, 1, 3, 0, NULL},
    {"mul", "bwlq.", ST_NONE, 1, 1, 0, NULL},
    {"div", "bwlq.", ST_NONE, 1, 1, 0, NULL},
    {"idiv", "bwlq.", ST_NONE, 1, 1, 0, NULL},
    {"bt", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"bsf", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"bsr", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"popcnt", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"lzcnt", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"tzcnt", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"bswap", "lq.", ST_NONE, 1, 1, 0, NULL},
    {"crc32", "bwlq", ST_NONE, 2, 2, 0, NULL},
    {"cmov%", "wlq.", ST_NONE, 2, 2, 0, NULL},
    {"j%", ".", ST_NONE, 1, 1, 0, NULL},
    {"popf", "wq.", ST_NONE, 0, 0, 0, NULL},
    {"leave", "q.", ST_NONE, 0, 0, 0, NULL},
    {"ret", "q.", ST_NONE, 0, 1, REP, NULL},
    {"jmp", "q.", ST_NONE, 1, 1, 0, NULL},
    {"nop", "wlq.", ST_NONE, 0, 1, REP, NULL},
    {"lods", "bwlq", ST_NONE, 0, 2, REP, NULL},
    {"scas", "bwlq", ST_NONE, 0, 2, REP | IF_REPNE, NULL},
    {"cmps", "bwlq", ST_NONE, 0, 2, REP | IF_REPNE, NULL},
    // Port I/O and cli/sti fault in a Linux process but write no memory
    // (`ins` does, and is refused).
    {"in", "bwl.", ST_NONE, 1, 2, 0, NULL},
    {"out", "bwl.", ST_NONE, 1, 2, 0, NULL},
    {"outs", "bwl", ST_NONE, 0, 2, REP, NULL},
};

static const struct insn_desc singles[] = {
    {"cmpxchg8b", ST_COPY, 8, 1, 1, LOCK | IF_WRITES_EDXEAX, "cmpxchg"},
    {"cmpxchg16b", ST_COPY, 16, 1, 1, LOCK | IF_WRITES_EDXEAX, "cmpxchg"},
    {"pushf", ST_PUSH, 8, 0, 0, 0, "pushf"},
    {"pushfq", ST_PUSH, 8, 0, 0, 0, "pushf"},
    {"pushfw", ST_PUSH, 2, 0, 0, 0, "pushf"},
    // SSE/AVX stores of a fixed width (their register forms write no memory).
    {"movd", ST_REPEAT, 4, 2, 2, 0, "sse"},
    {"vmovd", ST_REPEAT, 4, 2, 2, 0, "sse"},
    {"vmovq", ST_REPEAT, 8, 2, 2, 0, "sse"},
    {"movss", ST_REPEAT, 4, 2, 2, 0, "sse"},
    {"movsd", ST_REPEAT, 8, 2, 2, 0, "sse"}, // with operands: not the string movsl
    {"vmovss", ST_REPEAT, 4, 2, 3, 0, "sse"},
    {"vmovsd", ST_REPEAT, 8, 2, 3, 0, "sse"},
    {"movlps", ST_REPEAT, 8, 2, 2, 0, "sse"},
    {"movhps", ST_REPEAT, 8, 2, 2, 0, "sse"},
    {"movlpd", ST_REPEAT, 8, 2, 2, 0, "sse"},
    {"movhpd", ST_REPEAT, 8, 2, 2, 0, "sse"},
    {"vmovlps", ST_REPEAT, 8, 2, 3, 0, "sse"},
    {"vmovhps", ST_REPEAT, 8, 2, 3, 0, "sse"},
    {"vmovlpd", ST_REPEAT, 8, 2, 3, 0, "sse"},
    {"vmovhpd", ST_REPEAT, 8, 2, 3, 0, "sse"},
    {"pextrb", ST_REPEAT, 1, 3, 3, 0, "sse"},
    {"pextrw", ST_REPEAT, 2, 3, 3, 0, "sse"},
    {"pextrd", ST_REPEAT, 4, 3, 3, 0, "sse"},
    {"pextrq", ST_REPEAT, 8, 3, 3, 0, "sse"},
    {"vpextrb", ST_REPEAT, 1, 3, 3, 0, "sse"},
    {"vpextrw", ST_REPEAT, 2, 3, 3, 0, "sse"},
    {"vpextrd", ST_REPEAT, 4, 3, 3, 0, "sse"},
    {"vpextrq", ST_REPEAT, 8, 3, 3, 0, "sse"},
    {"extractps", ST_REPEAT, 4, 3, 3, 0, "sse"},
    {"vextractps", ST_REPEAT, 4, 3, 3, 0, "sse"},
    {"vextractf128", ST_REPEAT, 16, 3, 3, 0, "sse"},
    {"vextracti128", ST_REPEAT, 16, 3, 3, 0, "sse"},
    {"stmxcsr", ST_REPEAT, 4, 1, 1, 0, "sse"},
    {"vstmxcsr", ST_REPEAT, 4, 1, 1, 0, "sse"},
};

// Never write memory (brace alternatives: archtab.h).
static const char *const readers[] = {
    // Widening loads and conversions.
    "mov{z,s}{bw,bl,bq,wl,wq}",
    "movslq",
    "mov{zx,sx,sxd}",
    "{cbtw,cwtl,cltq,cwtd,cltd,cqto,cbw,cwde,cdqe,cwd,cdq,cqo}",
    // Bit manipulation (BMI1/BMI2) into registers.
    "{andn,bextr,blsi,blsmsk,blsr,bzhi,pdep,pext,sarx,shlx,shrx,rorx,mulx}{,l,q}",
    // Branches, loops, flags, machine control.
    "{jrcxz,jecxz,loop,loope,loopne,loopz,loopnz}",
    "{lahf,sahf,cld,std,clc,stc,cmc,int,int3,hlt,ud2,rdtsc,rdtscp,cpuid,pause,cli,sti}",
    "{lfence,mfence,sfence,endbr64,syscall,xgetbv,emms,vzeroupper,vzeroall}",
    "{prefetcht0,prefetcht1,prefetcht2,prefetchnta,prefetchw,clflush,clflushopt}",
    // SSE/AVX arithmetic, logic, shuffles, compares, conversions: a
    // register (or flags) destination only.
    "{,v}{add,sub,mul,div,min,max,sqrt}{ps,pd,ss,sd}",
    "{,v}cmp{,eq,lt,le,unord,neq,nlt,nle,ord}{ps,pd,ss,sd}",
    "{,v}{rcp,rsqrt}{ps,ss}",
    "{,v}{and,andn,or,xor,unpckl,unpckh,shuf,blend,blendv,movmsk,addsub,hadd,hsub,dp}{ps,pd}",
    "{,v}round{ps,pd,ss,sd}",
    "{,v}{movhlps,movlhps,movsldup,movshdup,movddup,insertps,lddqu,movntdqa,ldmxcsr}",
    "{,v}{ucomi,comi}{ss,sd}",
    "{,v}cvt{dq2ps,dq2pd,ps2dq,pd2dq,tps2dq,tpd2dq,ps2pd,pd2ps,ss2sd,sd2ss}",
    "{,v}cvt{pi2ps,pi2pd,ps2pi,pd2pi,tps2pi,tpd2pi}",
    "{,v}cvt{,t}pd2{ps,dq}{x,y}", // AT&T's size-marked forms of a memory source
    "{,v}cvt{,t}{ss,sd}2si{,l,q}",
    "{,v}cvtsi2{ss,sd}{,l,q}",
    "vcvtph2ps",
    "{,v}p{add,sub}{b,w,d,q}",
    "{,v}p{add,sub}{s,us}{b,w}",
    "{,v}p{mullw,mulhw,mulhuw,mulld,muludq,muldq,maddwd,maddubsw,mulhrsw}",
    "{,v}p{and,andn,or,xor,test}",
    "{,v}ps{ll,rl,ra}{w,d,q}",
    "{,v}ps{ll,rl}dq",
    "{,v}pcmp{eq,gt}{b,w,d,q}",
    "{,v}pcmp{e,i}str{i,m}",
    "{,v}p{min,max}{s,u}{b,w,d}",
    "{,v}p{avgb,avgw,sadbw,shufd,shufhw,shuflw,shufb,movmskb,alignr,hminposuw}",
    "{,v}punpck{l,h}{bw,wd,dq,qdq}",
    "{,v}pack{ss,us}{wb,dw}",
    "{,v}pmov{s,z}x{bw,bd,bq,wd,wq,dq}",
    "{,v}p{abs,sign}{b,w,d}",
    "{,v}ph{add,sub}{w,d,sw}",
    "{,v}pinsr{b,w,d,q}",
    "{,v}p{blendw,blendvb,clmulqdq}",
    "{,v}mpsadbw",
    "{,v}aes{enc,enclast,dec,declast,imc,keygenassist}",
    "vbroadcast{ss,sd,f128,i128}",
    "vpbroadcast{b,w,d,q}",
    "vinsert{f,i}128",
    "vperm{2f128,2i128,ilps,ilpd,d,q,ps,pd}",
    "vps{ll,rl}v{d,q}",
    "vpsravd",
    "vtest{ps,pd}",
    "vpblendd",
    "vf{,n}m{add,sub}{132,213,231}{ps,pd,ss,sd}",
    "vfm{addsub,subadd}{132,213,231}{ps,pd}",
};

static const char *const classes[] = {"store", "setcc",   "rmw",  "bitop",  "xchg",
                                      "xadd",  "cmpxchg", "push", "pop",    "call",
                                      "pushf", "x87",     "sse",  "string", "rep-string"};

static struct archtab tab = {
    .families = {LIST(families)},
    .singles = {LIST(singles)},
    .readers = {LIST(readers)},
    .x87 = 1,
    .reader_max_ops = 4,
    .classes = classes,
    .nclasses = sizeof classes / sizeof classes[0],
};

static const struct insn_desc *lookup(const char *mnemonic) {
  return archtab_lookup(&tab, mnemonic);
}

static int check(char *msg, size_t msglen) {
  return archtab_check(&tab, msg, msglen);
}

// The sixteen general registers in encoding order, by size.
static const char *const r64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                  "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[] = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                                  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const r16[] = {"ax",  "cx",  "dx",   "bx",   "sp",   "bp",   "si",   "di",
                                  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
static const char *const r8[] = {"al",  "cl",  "dl",   "bl",   "spl",  "bpl",  "sil",  "dil",
                                 "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

// Every general register by name (filled on first use), the legacy high
// bytes, %rip (a base only: gpr 16, never a scratch), the segment
// registers, and the x87 and vector registers (matched by pattern).
static struct reg_info gprs[4 * 16];
static const struct reg_info others[] = {
    {"ah", 0, 1, 0},   {"ch", 1, 1, 0},  {"dh", 2, 1, 0},  {"bh", 3, 1, 0},
    {"rip", 16, 8, 0}, {"es", -1, 2, 1}, {"cs", -1, 2, 1}, {"ss", -1, 2, 1},
    {"ds", -1, 2, 1},  {"fs", -1, 2, 1}, {"gs", -1, 2, 1},
};
static const struct reg_info st_i = {"st(i)", -1, 0, 0}, st = {"st", -1, 0, 0};
static const struct reg_info vec[] = {
    {"mm", -1, 8, 0}, {"xmm", -1, 16, 0}, {"ymm", -1, 32, 0}, {"zmm", -1, 64, 0}};

// name is "<prefix><number>" with number < limit.
static int numbered(const char *name, const char *prefix, int limit) {
  size_t n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0 || !name[n])
    return 0;
  char *end;
  long v = strtol(name + n, &end, 10);
  return !*end && name[n] >= '0' && name[n] <= '9' && v < limit;
}

static const struct reg_info *reg(const char *name) {
  if (!gprs[0].name) {
    static const char *const *const bysize[4] = {r64, r32, r16, r8};
    static const int sizes[4] = {8, 4, 2, 1};
    for (int s = 0; s < 4; s++)
      for (int g = 0; g < 16; g++)
        gprs[s * 16 + g] = (struct reg_info){bysize[s][g], g, sizes[s], 0};
  }
  for (size_t i = 0; i < sizeof gprs / sizeof gprs[0]; i++)
    if (strcmp(gprs[i].name, name) == 0)
      return &gprs[i];
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    if (strcmp(others[i].name, name) == 0)
      return &others[i];
  if (strcmp(name, "st") == 0)
    return &st;
  if (strncmp(name, "st(", 3) == 0 && name[3] >= '0' && name[3] <= '7' && name[4] == ')' &&
      !name[5])
    return &st_i;
  for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++)
    if (numbered(name, vec[i].name, i == 0 ? 8 : 32))
      return &vec[i];
  return NULL;
}

static const char *gpr_name(int gpr, int size) {
  if (gpr < 0 || gpr > 15)
    return NULL;
  return size == 8   ? r64[gpr]
         : size == 4 ? r32[gpr]
         : size == 2 ? r16[gpr]
         : size == 1 ? r8[gpr]
                     : NULL;
}

static const char *mov(int size) {
  return size == 1 ? "movb" : size == 2 ? "movw" : size == 4 ? "movl" : size == 8 ? "movq" : NULL;
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

// Scratch registers: the caller-saved ones first (any one will do: each is
// saved and restored around its use), then the others.
static const int scratch_order[] = {11, 10, 9, 8, 0, 1, 2, 6, 7, 3, 12, 13, 14, 15, 5};

const struct arch arch_x86_64 = {
    .name = "x86_64",
    .word = 8,
    .red_zone = 128,
    .long64 = 1,
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
    .byte_gprs = 0xffff,
    .lookup = lookup,
    .reg = reg,
    .gpr_name = gpr_name,
    .mov = mov,
    .prefix = prefix,
    .classes = classes,
    .nclasses = sizeof classes / sizeof classes[0],
    .check = check,
};
