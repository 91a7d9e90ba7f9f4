// The x86-64 .mirror_pairs entries against the running code. Every
// translated form (forms64.txt, as translator_run64 links it) runs in a
// child that this program single-steps (ptrace). At each instruction of a
// sequence after its first, the table (decoded here from the format of
// mirrorpairs.h, and by the recovery's own decoder, mptable.c's mpt_find)
// must have exactly one entry covering it, whose delta is the stack pointer
// at the sequence's start minus the stack pointer now, and whose save slots
// (the scratch register's, the flags of rmwf, the register of rmwr, the
// registers of redo_a/cd/cds) hold, in both copies, the values they had at
// the start. The one cut with no entry is the one after `fld %st(0)` (x87
// popping stores: resumed, never run twice). Leaving the sequence must land
// at L0 + end (or, for a call, push L0 + end as the return address); every
// sequence and every entry must be reached.
//   cuts64 [NAME...]   (default: every form); prints one line per failure
#define _GNU_SOURCE
#include "mirrorpairs.h"
#include "mptable.h"
#include "run64.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define RED_ZONE 128
#define WORD 8
#define FLAGS_MASK 0xcd5u // CF PF AF ZF SF DF OF
#define MAXENT 4096

// The table, kept between two symbols by linux/common/mirrorpairs.ld (the
// mirrored Linux programs' linker script addition).
extern const uint8_t __mirror_pairs_start[], __mirror_pairs_end[];

struct ent {
  uint64_t l0;
  int from, to, end, kind, delta, scratch;
  int seen; // an instruction started at l0 + from
};
static struct ent ents[MAXENT];
static int nent, fails;

// Prints one failure (the first 40); returns -1.
static int fail(const char *fmt, ...) {
  if (fails++ < 40) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
  }
  return -1;
}

static unsigned uleb(const uint8_t *t, size_t n, size_t *pos) {
  unsigned v = 0;
  for (int shift = 0; *pos < n && shift < 32; shift += 7) {
    uint8_t b = t[(*pos)++];
    v |= (unsigned)(b & 0x7f) << shift;
    if (!(b & 0x80))
      break;
  }
  return v;
}

// Decodes the table (mirrorpairs.h): blocks of entries; x86-64 writes short
// entries and MPT_LONG64 ones only.
static int decode(const uint8_t *t, size_t n) {
  uint64_t prev = 0;
  int in_block = 0;
  for (size_t pos = 0; pos < n;) {
    uint8_t d = t[pos++];
    if (d == MPT_BLOCK) {
      if (pos + 4 > n)
        return fail("table: block at byte %zu cut short", pos - 1);
      prev = (uint64_t)t[pos] | (uint64_t)t[pos + 1] << 8 | (uint64_t)t[pos + 2] << 16 |
             (uint64_t)t[pos + 3] << 24;
      pos += 4;
      in_block = 1;
      continue;
    }
    if (!in_block || nent == MAXENT)
      return fail("table: entry at byte %zu outside a block or too many", pos - 1);
    struct ent *e = &ents[nent++];
    e->l0 = prev += uleb(t, n, &pos);
    if (d == MPT_LONG64 && pos + 6 <= n) {
      e->from = t[pos];
      e->to = t[pos + 1];
      e->end = t[pos + 2];
      e->kind = t[pos + 3];
      e->delta = (signed char)t[pos + 4] * WORD;
      e->scratch = t[pos + 5];
      pos += 6;
    } else if (d & 15) {
      e->from = d & 15;
      e->to = e->end = e->from + (d >> 4);
      e->kind = MPT_REDO;
    } else
      return fail("table: descriptor 0x%02x at byte %zu is not x86-64's", d, pos - 1);
    if (e->from < 1 || e->from >= e->to || e->to > e->end)
      return fail("table: entry at 0x%lx covers [%d, %d) of %d", (unsigned long)e->l0, e->from,
                  e->to, e->end),
             -1;
  }
  return 0;
}

static unsigned table_len(void) {
  return (unsigned)((uintptr_t)__mirror_pairs_end - (uintptr_t)__mirror_pairs_start);
}

static int table_byte(void *arg, unsigned i) {
  (void)arg;
  return i < table_len() ? __mirror_pairs_start[i] : -1;
}

// The child's registers in ModRM order (run64.h), rip and flags.
static void get_regs(pid_t pid, uint64_t r[NREGS], uint64_t *rip, uint64_t *flags) {
  struct user_regs_struct u;
  if (ptrace(PTRACE_GETREGS, pid, NULL, &u) < 0) {
    perror("cuts64: PTRACE_GETREGS");
    exit(2);
  }
  const uint64_t v[NREGS] = {u.rax, u.rcx, u.rdx, u.rbx, u.rsp, u.rbp, u.rsi, u.rdi,
                             u.r8,  u.r9,  u.r10, u.r11, u.r12, u.r13, u.r14, u.r15};
  memcpy(r, v, sizeof v);
  *rip = u.rip;
  *flags = u.eflags;
}

static uint64_t peek(pid_t pid, uint64_t a) {
  errno = 0;
  long v = ptrace(PTRACE_PEEKDATA, pid, (void *)a, NULL);
  if (errno)
    fail("cannot read the child's word at 0x%lx", (unsigned long)a);
  return (uint64_t)v;
}

// Save slot k of the sequence started with stack pointer sp0, both copies,
// must hold want (masked).
static void check_slot(pid_t pid, const struct ent *e, uint64_t rip, uint64_t sp0, int k,
                       uint64_t want, uint64_t mask, const char *what) {
  uint64_t a = sp0 - RED_ZONE - WORD * (uint64_t)k;
  uint64_t n = peek(pid, a), m = peek(pid, a + (uint64_t)MIRROR_OFFSET);
  if ((n & mask) != (want & mask) || (m & mask) != (want & mask))
    fail("sequence 0x%lx, cut +%lu (kind %d): save slot %d (%s): native 0x%lx, mirror 0x%lx, "
         "expected 0x%lx",
         (unsigned long)e->l0, (unsigned long)(rip - e->l0), e->kind, k, what,
         (unsigned long)(n & mask), (unsigned long)(m & mask), (unsigned long)(want & mask));
}

// The saves an entry's kind and scratch byte promise, at this cut.
static void check_saves(pid_t pid, const struct ent *e, uint64_t rip, const uint64_t r0[NREGS],
                        uint64_t flags0) {
  uint64_t sp0 = r0[4];
  if (e->scratch)
    check_slot(pid, e, rip, sp0, e->scratch >> 4, r0[e->scratch & 15], ~0ULL, "scratch");
  if (e->kind == MPT_RMWF)
    check_slot(pid, e, rip, sp0, 1, flags0, FLAGS_MASK, "flags");
  if (e->kind >= MPT_RMWR)
    check_slot(pid, e, rip, sp0, 1, r0[e->kind - MPT_RMWR], ~0ULL, "register");
  if (e->kind == MPT_REDO_A)
    check_slot(pid, e, rip, sp0, 1, r0[0], ~0ULL, "%rax");
  if (e->kind == MPT_REDO_CD || e->kind == MPT_REDO_CDS) {
    check_slot(pid, e, rip, sp0, 1, r0[1], ~0ULL, "%rcx");
    check_slot(pid, e, rip, sp0, 2, r0[7], ~0ULL, "%rdi");
  }
  if (e->kind == MPT_REDO_CDS)
    check_slot(pid, e, rip, sp0, 3, r0[6], ~0ULL, "%rsi");
}

// What the recovery's decoder finds at rip must be the same entry.
static void check_reader(const struct ent *e, uint64_t rip) {
  struct mpt_entry m;
  unsigned n = table_len();
  int r = mpt_find(table_byte, NULL, n, rip, &m);
  int scratch = m.scratch_reg < 0 ? 0 : m.scratch_slot << 4 | m.scratch_reg;
  if (!e) {
    if (r != 0)
      fail("cut 0x%lx has no entry but mpt_find says %d", (unsigned long)rip, r);
    return;
  }
  if (r != 1 || m.l0 != e->l0 || m.from != e->from || m.to != e->to || m.end != e->end ||
      m.kind != e->kind || m.delta != e->delta || scratch != e->scratch)
    fail("cut 0x%lx: mpt_find %d (l0 0x%lx %d-%d end %d kind %d delta %d scratch 0x%x), the "
         "table (l0 0x%lx %d-%d end %d kind %d delta %d scratch 0x%x)",
         (unsigned long)rip, r, m.l0, m.from, m.to, m.end, m.kind, m.delta, scratch,
         (unsigned long)e->l0, e->from, e->to, e->end, e->kind, e->delta, e->scratch);
}

// The sequence (its first entry) whose code [l0, l0 + end) holds a; NULL.
static const struct ent *seq_at(uint64_t a) {
  for (int i = 0; i < nent; i++)
    if (a >= ents[i].l0 && a < ents[i].l0 + (uint64_t)ents[i].end)
      return &ents[i];
  return NULL;
}

// One instruction boundary inside the current sequence (l0 != rip).
static void check_cut(pid_t pid, const struct ent *seq, uint64_t rip, uint64_t prev_rip,
                      const uint64_t r[NREGS], const uint64_t r0[NREGS], uint64_t flags0) {
  struct ent *hit = NULL;
  int count = 0;
  for (int i = 0; i < nent; i++) {
    struct ent *e = &ents[i];
    if (e->l0 != seq->l0 || rip < e->l0 + (uint64_t)e->from || rip >= e->l0 + (uint64_t)e->to)
      continue;
    count++;
    hit = e;
    e->seen |= rip == e->l0 + (uint64_t)e->from;
  }
  const uint8_t *p = (const uint8_t *)prev_rip;
  int after_fld = p[0] == 0xd9 && p[1] == 0xc0; // fld %st(0)
  if (count != !after_fld) {
    fail("sequence 0x%lx, cut +%lu: %d entries cover it, expected %d", (unsigned long)seq->l0,
         (unsigned long)(rip - seq->l0), count, !after_fld);
    return;
  }
  check_reader(hit, rip);
  if (!hit)
    return;
  int64_t delta = (int64_t)(r0[4] - r[4]);
  if (delta != hit->delta)
    fail("sequence 0x%lx, cut +%lu: delta %d, the stack pointer is %ld below the start's",
         (unsigned long)seq->l0, (unsigned long)(rip - seq->l0), hit->delta, (long)delta);
  check_saves(pid, hit, rip, r0, flags0);
}

// Steps the child from its SIGTRAP before a form to harness_exit.
static void step_form(pid_t pid) {
  uint64_t r[NREGS], r0[NREGS], rip, flags, flags0 = 0, prev_rip = 0, prev_sp = 0;
  const struct ent *seq = NULL;
  for (;;) {
    get_regs(pid, r, &rip, &flags);
    if (rip == (uintptr_t)harness_exit) {
      // The harness's own popfq/pushfq can leave the trap flag in the
      // child's flags, where PTRACE_CONT would not clear it.
      struct user_regs_struct u;
      if (ptrace(PTRACE_GETREGS, pid, NULL, &u) == 0) {
        u.eflags &= ~0x100ULL;
        ptrace(PTRACE_SETREGS, pid, NULL, &u);
      }
      return;
    }
    const struct ent *at = seq_at(rip);
    if (seq && at != seq) {
      uint64_t end = seq->l0 + (uint64_t)seq->end;
      int call = r[4] == prev_sp - WORD && peek(pid, r[4]) == end;
      if (rip != end && !call)
        fail("sequence 0x%lx: left at 0x%lx, its end says 0x%lx", (unsigned long)seq->l0,
             (unsigned long)rip, (unsigned long)end);
      seq = NULL;
    }
    if (at && rip == at->l0) {
      seq = at;
      memcpy(r0, r, sizeof r0);
      flags0 = flags;
    } else if (at && at != seq)
      fail("sequence 0x%lx entered at 0x%lx", (unsigned long)at->l0, (unsigned long)rip);
    else if (seq)
      check_cut(pid, seq, rip, prev_rip, r, r0, flags0);
    prev_rip = rip;
    prev_sp = r[4];
    int status = 0;
    if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) < 0 || waitpid(pid, &status, 0) != pid ||
        !WIFSTOPPED(status)) {
      fail("the child stopped stepping at 0x%lx (status 0x%x, %s)", (unsigned long)rip, status,
           strerror(errno));
      exit(1);
    }
  }
}

static int wanted(const char *name, int argc, char **argv) {
  int want = argc < 2;
  for (int a = 1; a < argc; a++)
    want |= strcmp(argv[a], name) == 0;
  return want && !(strncmp(name, "avx_", 4) == 0 && !__builtin_cpu_supports("avx"));
}

// The child: each wanted form, translated, from a fresh arena, after a
// SIGTRAP that hands it to the stepping parent.
static void child(int argc, char **argv) {
  static uint8_t pattern[ARENA_SIZE];
  uint8_t *native = map_at(ARENA, ARENA_SIZE);
  uint8_t *mirror = map_at((uintptr_t)ARENA + (uintptr_t)MIRROR_OFFSET, ARENA_SIZE);
  map_at(FAR, FAR_SIZE);
  map_at(FAR + (uintptr_t)MIRROR_OFFSET, FAR_SIZE);
  for (size_t i = 0; i < ARENA_SIZE; i++)
    pattern[i] = (uint8_t)((i * 131 + 17) ^ (i >> 7));
  if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
    _exit(3);
  kill(getpid(), SIGSTOP);
  for (const struct entry *m = __start_forms_mirror; m < __start_forms_mirror + forms_count();
       m++) {
    if (!wanted(m->name, argc, argv))
      continue;
    struct regs64 in, out;
    memcpy(native, pattern, ARENA_SIZE);
    memcpy(mirror, pattern, ARENA_SIZE);
    entry_regs(&in, 0x002 | 0x8d5);
    kill(getpid(), SIGTRAP);
    harness_enter(&in, &out, m->start);
  }
  _exit(0);
}

int main(int argc, char **argv) {
  __builtin_cpu_init();
  size_t n = table_len();
  if (n == 0 || decode(__mirror_pairs_start, n) < 0) {
    printf("FAIL no x86-64 .mirror_pairs table decoded (%zu bytes)\n", n);
    return 1;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("cuts64: fork");
    return 2;
  }
  if (pid == 0)
    child(argc, argv);
  int status, forms = 0;
  while (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status)) {
    int sig = WSTOPSIG(status);
    if (sig == SIGTRAP) {
      forms++;
      step_form(pid);
    }
    if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
      break;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("the child did not exit 0 (status 0x%x)", status);
  // Every entry of a form that ran must have been reached at its start.
  for (const struct entry *m = __start_forms_mirror; m < __start_forms_mirror + forms_count(); m++)
    for (int i = 0; wanted(m->name, argc, argv) && i < nent; i++)
      if (ents[i].l0 >= (uintptr_t)m->start && ents[i].l0 < (uintptr_t)m->end && !ents[i].seen)
        fail("form %s: entry at 0x%lx [%d, %d) kind %d never reached at its start", m->name,
             (unsigned long)ents[i].l0, ents[i].from, ents[i].to, ents[i].kind);
  printf("%s: %d forms stepped, %d table entries, %d failures\n", fails ? "FAIL" : "ok", forms,
         nent, fails);
  return fails ? 1 : 0;
}
