// The rewriting engine. It reads statements, looks every instruction up in
// the architecture's table and emits the mirroring code its strategy asks
// for. Inserted code changes no flags, no register and no live stack slot:
// it uses mov, lea, push/pop of the flags and scratch registers saved in the
// dead stack below the stack pointer (below the red zone, where the
// architecture has one).
#include "rewrite.h"

#include "att.h"
#include "mirrorpairs.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
  const struct mirror_opts *o;
  const struct arch *a;
  struct mirror_stats *st;
  char label_prefix[64];
  long nlabel;
  int errors;
  long line;          // input line being read (1-based)
  char src_file[256]; // from the last preprocessor line marker, "" if none
  long src_line;
  // A prefix written as its own statement ("rep;"), waiting for its instruction.
  struct insn pending;
  char pending_text[64];
  const char *sp; // "esp", "rsp"
  long offset;    // the mirror offset as a number
  // The mirrored write sequence of the statement being rewritten, recorded
  // as its instructions are emitted (emit, seq_insn): cut[i] is what
  // machine-check recovery does when instruction i is interrupted
  // (docs/memv6.md, "A machine check inside a mirrored write"): the kind
  // (0: no entry, the instruction is simply resumed), what to add to the
  // stack pointer to get it as it was at the sequence's start, and the
  // scratch byte. The stack offset is derived from the emitted code.
  struct cut {
    int kind, delta, scratch;
  } cut[32];
  int ncut;
  int insn_at;       // index of the rewritten instruction, -1 until placed
  int sp_moved;      // where the stack pointer is now, from the start's (bytes)
  int kind, scratch; // what a cut before the next instruction means
  long nseqs;        // sequences so far: their labels are <prefix>q<k>_<i>
  struct buf table;  // the .mirror_pairs entries, written after the last line
  // The sequence of the table's last entry (its L0 is where the next gap
  // counts from), and whether a section change since forces a new block.
  long prev_seq;
  int new_block;
  // When set, written instead of the instruction (its operand moved).
  char replacement[4 * ATT_TEXT];
  // x86-64: the written operand is an absolute address whose mirror lies
  // above 2 GiB (no 32-bit displacement reaches it); 0 otherwise.
  unsigned long far_mirror;
};

void buf_free(struct buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

static void buf_put(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + n + 1 > cap)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      perror("mirror-translate");
      exit(2);
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void internal(const char *what) {
  fprintf(stderr, "mirror-translate: internal error: %s\n", what);
  exit(2);
}

// What the instruction line does to the stack pointer, in bytes: pushes,
// pops and calls by their size suffix, lea N(%sp), %sp by N; 0 for
// everything else (the instructions a sequence is made of).
static int stack_effect(struct ctx *c, const char *s) {
  char w[16];
  for (;;) { // skip prefixes
    while (isspace((unsigned char)*s))
      s++;
    size_t n = strcspn(s, " \t");
    if (n >= sizeof w)
      return 0;
    memcpy(w, s, n);
    w[n] = 0;
    s += n;
    if (c->a->prefix(w) == PFX_NONE)
      break;
  }
  int sign = 0, count = 1;
  const char *sfx = "";
  if (!strncmp(w, "push", 4))
    sign = -1, sfx = w + 4;
  else if (!strncmp(w, "pop", 3))
    sign = 1, sfx = w + 3;
  else if (!strncmp(w, "call", 4))
    sign = -1, sfx = w + 4;
  else if (!strncmp(w, "lea", 3)) {
    char *end, want[32];
    long v = strtol(s, &end, 0);
    snprintf(want, sizeof want, "(%%%s), %%%s", c->sp, c->sp);
    return end != s && !strcmp(end, want) ? (int)v : 0;
  } else
    return 0;
  if (sign && (*sfx == 'a' || *sfx == 'f') && w[0] == 'p')
    count = *sfx++ == 'a' ? 8 : 1;
  int size = !*sfx               ? c->a->word
             : !strcmp(sfx, "w") ? 2
             : !strcmp(sfx, "l") ? 4
             : !strcmp(sfx, "q") ? 8
                                 : 0;
  return sign * count * size;
}

// Records the cut before the next instruction of the sequence, then what
// the instruction (its text) does to the stack pointer.
static void seq_step(struct ctx *c, const char *insn) {
  if (c->ncut == (int)(sizeof c->cut / sizeof c->cut[0]))
    internal("sequence too long");
  c->cut[c->ncut++] = (struct cut){c->kind, -c->sp_moved, c->scratch};
  c->sp_moved += stack_effect(c, insn);
}

// The rewritten instruction itself goes here in its sequence.
static void seq_insn(struct ctx *c, const char *text, size_t len) {
  char line[ATT_TEXT + 64];
  snprintf(line, sizeof line, "%.*s", (int)len, text);
  c->insn_at = c->ncut;
  seq_step(c, line);
}

// What a cut before the following instructions means.
static void seq_kind(struct ctx *c, int kind, int scratch) {
  c->kind = kind;
  c->scratch = scratch;
}

// Appends one instruction of the sequence: a tab, the formatted text, a
// newline; and records its cut.
static void emit(struct ctx *c, struct buf *b, const char *fmt, ...) {
  char line[3 * ATT_TEXT];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line + 1, sizeof line - 2, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 2)
    internal("line too long");
  seq_step(c, line + 1);
  line[0] = '\t';
  line[n + 1] = '\n';
  buf_put(b, line, (size_t)n + 2);
}

static int error(struct ctx *c, const char *text, size_t len, const char *fmt, ...) {
  c->errors++;
  if (c->o->max_errors && c->errors > c->o->max_errors)
    return -1;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  FILE *f = c->o->errors ? c->o->errors : stderr;
  fprintf(f, "%s:%ld: error: %s: '%.*s'", c->o->filename, c->line, msg, (int)len, text);
  if (c->src_file[0])
    fprintf(f, " (from %s:%ld)", c->src_file, c->src_line);
  fputc('\n', f);
  if (c->o->max_errors && c->errors == c->o->max_errors)
    fprintf(f, "%s: too many errors, the rest are not shown\n", c->o->filename);
  return -1;
}

static const struct reg_info *gpr(struct ctx *c, int g) {
  return c->a->reg(c->a->gpr_name(g, c->a->word));
}

static const char *rname(struct ctx *c, int g, int size) {
  return c->a->gpr_name(g, size);
}

static unsigned addr_regs(const struct operand *m) {
  unsigned mask = 0;
  if (m->base)
    mask |= 1u << m->base->gpr;
  if (m->index)
    mask |= 1u << m->index->gpr;
  return mask;
}

// The memory operand as text, optionally at the mirror, moved by add bytes.
static const char *mem(struct ctx *c, const struct operand *m, int mirror, long add, char *out) {
  if (att_format_mem(m, mirror ? c->o->offset : NULL, add, out, 2 * ATT_TEXT) < 0) {
    fprintf(stderr, "mirror-translate: internal error: operand too long\n");
    exit(2);
  }
  return out;
}

// A memory operand base(%reg) with no displacement.
static struct operand reg_mem(struct ctx *c, int g) {
  struct operand m;
  memset(&m, 0, sizeof m);
  m.kind = OP_MEM;
  m.base = gpr(c, g);
  m.scale = 1;
  return m;
}

// Width of the write: from the suffix, else from a register operand.
static int width_of(const struct insn_desc *d, const struct insn *in) {
  if (d->width)
    return d->width;
  int first = (d->flags & IF_COUNT) && in->nops >= 2 ? 1 : 0;
  for (int i = first; i < in->nops; i++)
    if (in->ops[i].kind == OP_REG && in->ops[i].reg->size && !in->ops[i].star)
      return in->ops[i].reg->size;
  return 0;
}

static int class_index(struct ctx *c, const char *klass) {
  for (int i = 0; i < c->a->nclasses && i < MIRROR_MAX_CLASSES; i++)
    if (strcmp(c->a->classes[i], klass) == 0)
      return i;
  return -1;
}

// Operands joined as written, with operand `w` replaced by `repl`.
static void join_ops(const struct insn *in, int w, const char *repl, char *out, size_t cap) {
  size_t k = 0;
  out[0] = 0;
  for (int i = 0; i < in->nops; i++) {
    int n = snprintf(out + k, cap - k, "%s%s%s", i ? ", " : "", in->ops[i].star ? "*" : "",
                     i == w ? repl : in->ops[i].text);
    if (n < 0 || (size_t)n >= cap - k)
      return;
    k += (size_t)n;
  }
}

// The string instruction's operands, if written, must be the implicit ones.
static int string_operands_ok(struct ctx *c, const struct insn *in, int movs) {
  for (int i = 0; i < in->nops; i++) {
    const struct operand *o = &in->ops[i];
    if (o->kind == OP_REG)
      continue; // the accumulator (stos), checked by the assembler
    if (o->kind != OP_MEM || o->index || !o->base || o->disp[0])
      return 0;
    int last = i == in->nops - 1;
    int want = last ? c->a->di : c->a->si;
    if (o->base->gpr != want || (!movs && !last))
      return 0;
    if (last ? (o->seg[0] && strcmp(o->seg, "es") != 0) : (o->seg[0] && strcmp(o->seg, "ds") != 0))
      return 0;
  }
  return 1;
}

// Counts one mirrored write of the class; returns 1 (the rewrite() result).
static int count_write(struct ctx *c, const char *klass) {
  int k = class_index(c, klass);
  if (k >= 0)
    c->st->per_class[k]++;
  c->st->writes++;
  return 1;
}

static const char *stack_sfx(int width) {
  return width == 2 ? "w" : width == 8 ? "q" : "l";
}

// Code that pushes scratch words first moves the stack pointer below the
// red zone, where a leaf function may keep live data (x86-64: 128 bytes);
// lea changes no flags. Nothing is emitted where there is no red zone.
static void red_zone_skip(struct ctx *c, struct buf *b, int sign) {
  if (c->a->red_zone)
    emit(c, b, "lea%s\t%d(%%%s), %%%s", stack_sfx(c->a->word), sign * c->a->red_zone, c->sp, c->sp);
}

// Saves general register g in both copies of the next save slot (a store
// at the mirror slot, then a push), so a cut sequence can restore it from
// either copy; returns the slot's number (mirrorpairs.h, "Save slot").
static int push_both(struct ctx *c, struct buf *b, int g) {
  const char *r = rname(c, g, c->a->word), *sp = c->sp;
  emit(c, b, "%s\t%%%s, %s-%d(%%%s)", c->a->mov(c->a->word), r, c->o->offset, c->a->word, sp);
  emit(c, b, "push%s\t%%%s", stack_sfx(c->a->word), r);
  return (-c->sp_moved - c->a->red_zone) / c->a->word;
}

// The scratch byte of a table entry: register g saved in save slot slot.
static int scratch_byte(int slot, int g) {
  return slot << 4 | g;
}

// Entries that cover the cuts after a sequence's last write: on x86-64
// (MPT_LONG64) they say so (MPT_FWD: only the stack pointer, and the scratch
// register while it is saved, are left to undo); i386 keeps its kinds.
static void seq_forward(struct ctx *c, int keep_kind, int scratch) {
  if (c->a->long64)
    seq_kind(c, MPT_FWD, scratch);
  else
    seq_kind(c, keep_kind, 0);
}

// The first scratch register of the architecture's order that is not in
// busy (a mask of gprs) and has a byte register if width is 1; -1 if none.
static int pick_scratch(struct ctx *c, unsigned busy, int width) {
  const struct arch *a = c->a;
  for (int i = 0; i < a->nscratch; i++) {
    int g = a->scratch_order[i];
    if (!(busy & (1u << g)) && (width > 1 || (a->byte_gprs >> g & 1)))
      return g;
  }
  return -1;
}

// The general registers an instruction's register operands name, as a mask.
static unsigned operand_regs(const struct insn *in) {
  unsigned busy = 0;
  for (int i = 0; i < in->nops; i++)
    if (in->ops[i].kind == OP_REG && in->ops[i].reg->gpr >= 0)
      busy |= 1u << in->ops[i].reg->gpr;
  return busy;
}

// The repeat of an x86-64 store to an absolute address whose mirror is
// above 2 GiB: through a scratch register holding the mirror address
// (movl zero-extends it), saved in both copies of save slot 1 below the red
// zone before the instruction runs (it addresses no register, so the moved
// stack pointer does not concern it). Cuts: before the instruction, run
// again; before the mirror half, `kind` (REDO for a store, RMW for a
// read-modify-write); then forward; the scratch register is restored from
// its slot wherever it holds the mirror address.
static int repeat_far(struct ctx *c, const struct insn *in, int wop, int kind, struct buf *pre,
                      struct buf *post, const char *text, size_t len) {
  const struct arch *a = c->a;
  unsigned busy = operand_regs(in);
  int s = pick_scratch(c, busy, a->word);
  if (busy & (1u << a->sp) || s < 0)
    return error(c, text, len,
                 "the mirror of this absolute address is above 2 GiB and "
                 "'%s' names %%rsp: store through a pointer",
                 in->mnemonic);
  char at[64], ops[3 * ATT_TEXT];
  const char *r = rname(c, s, a->word);
  snprintf(at, sizeof at, "(%%%s)", r);
  join_ops(in, wop, at, ops, sizeof ops);
  red_zone_skip(c, pre, -1);
  int scratch = scratch_byte(push_both(c, pre, s), s);
  seq_kind(c, MPT_REDO, scratch);
  emit(c, pre, "movl\t$0x%lx, %%%s", c->far_mirror, rname(c, s, 4));
  seq_insn(c, text, len);
  seq_kind(c, kind, scratch);
  emit(c, post, "%s\t%s", in->mnemonic, ops);
  seq_forward(c, kind, scratch);
  emit(c, post, "pop%s\t%%%s", stack_sfx(a->word), r);
  seq_forward(c, kind, 0);
  emit(c, post, "lea%s\t%d(%%%s), %%%s", stack_sfx(a->word), -c->sp_moved, c->sp, c->sp);
  return 0;
}

// After the instruction, the same instruction with its written operand (wop)
// moved to the mirror. For plain stores and setcc this stores the same value
// again. For the IF_DUAL read-modify-write forms it applies the same operation
// to the mirror's own copy, which equals the native value before the
// instruction; the flags it sets are the ones the native instruction set, the
// ones it leaves alone stay as the native one left them, and no register
// changes (see docs/translator.md, "Read-modify-write"). kind: the cut
// before the mirror half (MPT_REDO, or MPT_RMW after a read-modify-write).
static int repeat_on_mirror(struct ctx *c, const struct insn *in, int wop, int width, int kind,
                            struct buf *pre, struct buf *post, const char *text, size_t len) {
  if (!width) // the assembler would refuse the repeated instruction too
    return error(c, text, len, "operand size unknown: write the size suffix");
  if (c->far_mirror)
    return repeat_far(c, in, wop, kind, pre, post, text, len);
  char at[2 * ATT_TEXT], ops[3 * ATT_TEXT];
  join_ops(in, wop, mem(c, &in->ops[wop], 1, 0, at), ops, sizeof ops);
  seq_insn(c, text, len);
  seq_kind(c, kind, 0);
  emit(c, post, "%s\t%s", in->mnemonic, ops);
  return 0;
}

static int seg_ok(const struct operand *m) {
  return !m->seg[0] || !strcmp(m->seg, "ds") || !strcmp(m->seg, "ss") || !strcmp(m->seg, "es");
}

static int esp_based(struct ctx *c, const struct operand *m) {
  return m->base && m->base->gpr == c->a->sp;
}

// The instruction as written but with its memory operand wop moved by add
// bytes (pushes before it moved %esp under an %esp-based operand).
static void moved_insn(struct ctx *c, const struct insn *in, int wop, long add) {
  char at[2 * ATT_TEXT], ops[3 * ATT_TEXT], pfx[64] = "";
  for (int i = 0; i < in->nprefix; i++) {
    size_t n = strlen(pfx);
    snprintf(pfx + n, sizeof pfx - n, "%s ", in->prefix_text[i]);
  }
  join_ops(in, wop, mem(c, &in->ops[wop], 0, add, at), ops, sizeof ops);
  int n = snprintf(c->replacement, sizeof c->replacement, "%s%s\t%s", pfx, in->mnemonic, ops);
  if (n < 0 || (size_t)n >= sizeof c->replacement)
    internal("operand too long");
}

// x87 stores that pop, and their non-popping forms.
static const char *const x87_twins[][2] = {
    {"fstps", "fsts"}, {"fstpl", "fstl"}, {"fistps", "fists"}, {"fistpl", "fistl"}};

// An x87 store that pops: the same value goes to the mirror first, by the
// non-popping form where there is one, else by the same instruction on a
// copy of st(0) (fld %st(0): needs one free x87 register, as the popping
// store itself leaves one). Run again from the start, nothing differs;
// except right after the fld, which must not run twice: a cut there has no
// entry (recovery resumes the store to the mirror).
static void rewrite_x87_pop(struct ctx *c, const struct insn *in, const struct operand *m,
                            struct buf *pre, const char *text, size_t len) {
  char at[2 * ATT_TEXT];
  for (size_t i = 0; i < sizeof x87_twins / sizeof x87_twins[0]; i++) {
    if (strcmp(in->mnemonic, x87_twins[i][0]) == 0) {
      emit(c, pre, "%s\t%s", x87_twins[i][1], mem(c, m, 1, 0, at));
      seq_insn(c, text, len);
      return;
    }
  }
  emit(c, pre, "fld\t%%st(0)");
  seq_kind(c, 0, 0);
  emit(c, pre, "%s\t%s", in->mnemonic, mem(c, m, 1, 0, at));
  seq_kind(c, MPT_REDO, 0);
  seq_insn(c, text, len);
}

// The general registers an atomic changes (xadd, cmpxchg, xchg), as a mask.
static unsigned written_regs(struct ctx *c, const struct insn_desc *d, const struct insn *in) {
  unsigned writes = 0;
  if ((d->flags & IF_WRITES_SRC) && in->ops[0].kind == OP_REG && in->ops[0].reg->gpr >= 0)
    writes |= 1u << in->ops[0].reg->gpr;
  if (d->flags & IF_XCHG) // the register operand, on either side
    for (int i = 0; i < in->nops; i++)
      if (in->ops[i].kind == OP_REG && in->ops[i].reg->gpr >= 0)
        writes |= 1u << in->ops[i].reg->gpr;
  if (d->flags & IF_WRITES_EAX)
    writes |= 1u << c->a->ax;
  if (d->flags & IF_WRITES_EDXEAX)
    writes |= 1u << c->a->ax | 1u << c->a->dx;
  return writes;
}

// What a read-modify-write that cannot run twice needs to be run again from
// its start: the register it changes (xadd, cmpxchg) or the flags it reads
// (adc sbb rcl rcr), saved in both copies of save slot 1 (below the red
// zone, where there is one). Returns the kind of the cuts after the
// instruction (MPT_RMWR + register, MPT_RMWF), or -1.
static int save_for_rollback(struct ctx *c, const struct insn_desc *d, const struct insn *in,
                             const struct operand *m, struct buf *pre, const char *text,
                             size_t len) {
  const struct arch *a = c->a;
  unsigned writes = written_regs(c, d, in);
  if (writes & addr_regs(m))
    return error(c, text, len, "'%s' changes a register of its own address: not supported",
                 in->mnemonic);
  const char *w = rname(c, a->sp, a->word);
  red_zone_skip(c, pre, -1);
  if (writes) {
    int r = 0;
    while (!(writes & (1u << r)))
      r++;
    push_both(c, pre, r);
    return MPT_RMWR + r;
  }
  emit(c, pre, "pushf%s", stack_sfx(a->word));
  emit(c, pre, "push%s\t(%%%s)", stack_sfx(a->word), w);
  emit(c, pre, "pop%s\t%s(%%%s)", stack_sfx(a->word), c->o->offset, w);
  return MPT_RMWF;
}

// x86-64 (any width): after the flags or the register are saved, a scratch
// register (one the instruction neither names, nor uses implicitly, nor
// addresses with) is saved in both copies of save slot 2; the instruction
// runs; the written bytes are copied native -> mirror through the scratch
// register (one load, one store: at most 8 bytes); the scratch register is
// popped and the stack pointer moved back. Cuts: before the instruction,
// run again; at the copy, roll back or forward (kind, scratch in slot 2);
// at the pop and the final lea, forward.
static int copy_after(struct ctx *c, const struct insn_desc *d, const struct insn *in, int wop,
                      int width, int kind, struct buf *pre, struct buf *post, const char *text,
                      size_t len) {
  const struct arch *a = c->a;
  const struct operand *m = &in->ops[wop];
  unsigned busy = addr_regs(m) | written_regs(c, d, in) | operand_regs(in);
  int s = pick_scratch(c, busy, width);
  if (s < 0)
    return error(c, text, len, "no free scratch register to copy the result of '%s'", in->mnemonic);
  int scratch = scratch_byte(push_both(c, pre, s), s);
  long adj = esp_based(c, m) ? -c->sp_moved : 0;
  if (adj)
    moved_insn(c, in, wop, adj);
  seq_insn(c, text, len);
  seq_kind(c, kind, scratch);
  char at[2 * ATT_TEXT];
  const char *r = rname(c, s, width);
  emit(c, post, "%s\t%s, %%%s", a->mov(width), mem(c, m, 0, adj, at), r);
  emit(c, post, "%s\t%%%s, %s", a->mov(width), r, mem(c, m, 1, adj, at));
  seq_kind(c, MPT_FWD, scratch);
  emit(c, post, "pop%s\t%%%s", stack_sfx(a->word), rname(c, s, a->word));
  seq_kind(c, MPT_FWD, 0);
  emit(c, post, "lea%s\t%d(%%%s), %%%s", stack_sfx(a->word), -c->sp_moved, c->sp, c->sp);
  return 0;
}

// ST_COPY: writes whose instruction cannot simply be repeated at the mirror.
static int rewrite_copy(struct ctx *c, const struct insn_desc *d, const struct insn *in, int wop,
                        int width, struct buf *pre, struct buf *post, const char *text,
                        size_t len) {
  const struct operand *m = &in->ops[wop];
  char at[2 * ATT_TEXT];
  if (strcmp(d->klass, "x87") == 0) {
    rewrite_x87_pop(c, in, m, pre, text, len);
    return 0;
  }
  if (d->flags & IF_WRITES_EDXEAX)
    return error(c, text, len,
                 "'%s' is not supported: a rollback would need both result registers back",
                 in->mnemonic);
  const char *sfx = stack_sfx(width);
  if (strcmp(d->klass, "pop") == 0) {
    if (width != c->a->word)
      return error(c, text, len,
                   "'%s' on %d bytes is not supported (its result cannot be copied to the "
                   "mirror by a push and a pop): use a word operand",
                   in->mnemonic, width);
    // pop X; push X; pop into X's mirror: X's address is computed with the
    // same %esp all three times. Cut after the pop: the word is still at
    // %esp - width (a live, mirrored slot until the pop), so pop it again.
    seq_insn(c, text, len);
    emit(c, post, "push%s\t%s", sfx, mem(c, m, 0, 0, at));
    emit(c, post, "pop%s\t%s", sfx, mem(c, m, 1, 0, at));
    return 0;
  }
  if (!c->a->long64 && width != c->a->word)
    return error(c, text, len,
                 "'%s' on %d bytes is not supported (its result cannot be copied to the mirror "
                 "by a push and a pop): use a word operand",
                 in->mnemonic, width);
  int kind = save_for_rollback(c, d, in, m, pre, text, len);
  if (kind < 0)
    return -1;
  if (c->a->long64)
    return copy_after(c, d, in, wop, width, kind, pre, post, text, len);
  // i386: the result copied to the mirror with a push and a pop (no
  // register, no flags), then the saved word dropped. A cut at that lea
  // has no entry: the copy is complete, resuming there is right.
  long adj = esp_based(c, m) ? -c->sp_moved : 0;
  if (adj)
    moved_insn(c, in, wop, adj);
  seq_insn(c, text, len);
  seq_kind(c, kind, 0);
  emit(c, post, "push%s\t%s", sfx, mem(c, m, 0, adj, at));
  emit(c, post, "pop%s\t%s", sfx, mem(c, m, 1, adj, at));
  seq_kind(c, 0, 0);
  emit(c, post, "lea%s\t%d(%%%s), %%%s", stack_sfx(c->a->word), c->a->word, c->sp, c->sp);
  return 0;
}

// String stores. Without rep: stos stores the accumulator at the mirror
// first; movsl pushes the source and pops it into the destination's mirror
// first; movsb/movsw go through %al/%ax, %eax saved in both copies below
// %esp. With rep: the registers the instruction changes are saved in
// both copies, it runs, and the same operation runs again on the mirror from
// the saved registers (stos stores the accumulator again; movs copies the
// finished destination block to its mirror); a cut anywhere runs it all
// again from the saved registers (stos: the same bytes again; movs: the
// same copy again, which needs the blocks not to overlap, as for memcpy).
static int rewrite_string(struct ctx *c, int movs, int rep, int width, struct buf *pre,
                          struct buf *post, const char *text, size_t len) {
  const struct arch *a = c->a;
  const char *sp = c->sp;
  struct operand di = reg_mem(c, a->di), si = reg_mem(c, a->si);
  char a1[2 * ATT_TEXT], a2[2 * ATT_TEXT];
  const char *wmov = a->mov(a->word);
  const char *rdi = rname(c, a->di, a->word), *rsi = rname(c, a->si, a->word),
             *rcx = rname(c, a->cx, a->word);
  int w = a->word;
  if (!rep && !movs) {
    emit(c, pre, "%s\t%%%s, %s", a->mov(width), rname(c, a->ax, width), mem(c, &di, 1, 0, a1));
    seq_insn(c, text, len);
  } else if (!rep && width == w) {
    red_zone_skip(c, pre, -1);
    emit(c, pre, "push%s\t%s", stack_sfx(width), mem(c, &si, 0, 0, a1));
    emit(c, pre, "pop%s\t%s", stack_sfx(width), mem(c, &di, 1, 0, a2));
    red_zone_skip(c, pre, 1);
    seq_insn(c, text, len);
  } else if (!rep) {
    const char *mv = a->mov(width), *ax = rname(c, a->ax, width);
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->ax);
    seq_kind(c, MPT_REDO_A, 0);
    emit(c, pre, "%s\t%s, %%%s", mv, mem(c, &si, 0, 0, a1), ax);
    emit(c, pre, "%s\t%%%s, %s", mv, ax, mem(c, &di, 1, 0, a2));
    emit(c, pre, "pop%s\t%%%s", stack_sfx(w), rname(c, a->ax, w));
    seq_kind(c, MPT_REDO, 0);
    red_zone_skip(c, pre, 1);
    seq_insn(c, text, len);
  } else if (!movs) {
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->cx);
    push_both(c, pre, a->di);
    seq_kind(c, MPT_REDO_CD, 0);
    seq_insn(c, text, len);
    push_both(c, post, a->di);
    emit(c, post, "%s\t%d(%%%s), %%%s", wmov, 2 * w, sp, rcx);
    emit(c, post, "%s\t%d(%%%s), %%%s", wmov, w, sp, rdi);
    emit(c, post, "lea%s\t%s, %%%s", stack_sfx(w), mem(c, &di, 1, 0, a1), rdi);
    emit(c, post, "%.*s", (int)len, text);
    emit(c, post, "pop%s\t%%%s", stack_sfx(w), rdi);
    seq_forward(c, MPT_REDO_CD, 0);
    emit(c, post, "lea%s\t%d(%%%s), %%%s", stack_sfx(w), 2 * w, sp, sp);
    red_zone_skip(c, post, 1);
  } else {
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->cx);
    push_both(c, pre, a->di);
    push_both(c, pre, a->si);
    seq_kind(c, MPT_REDO_CDS, 0);
    seq_insn(c, text, len);
    push_both(c, post, a->di);
    push_both(c, post, a->si);
    emit(c, post, "%s\t%d(%%%s), %%%s", wmov, 4 * w, sp, rcx);
    emit(c, post, "%s\t%d(%%%s), %%%s", wmov, 3 * w, sp, rsi);
    emit(c, post, "lea%s\t%s, %%%s", stack_sfx(w), mem(c, &si, 1, 0, a1), rdi);
    emit(c, post, "%.*s", (int)len, text);
    emit(c, post, "pop%s\t%%%s", stack_sfx(w), rsi);
    emit(c, post, "pop%s\t%%%s", stack_sfx(w), rdi);
    seq_forward(c, MPT_REDO_CDS, 0);
    emit(c, post, "lea%s\t%d(%%%s), %%%s", stack_sfx(w), 3 * w, sp, sp);
    red_zone_skip(c, post, 1);
  }
  return 0;
}

// --no-stack-mirror: is this write to the stack? Pushes and calls, and
// stores addressed through %esp or %ebp (a frame pointer, checked by
// frame_pointer_only).
static int stack_write(struct ctx *c, const struct insn_desc *d, const struct operand *m) {
  if (d->strategy == ST_PUSH || d->strategy == ST_PUSHA || d->strategy == ST_ENTER ||
      d->strategy == ST_CALL)
    return 1;
  return m && m->base && (m->base->gpr == c->a->sp || m->base->gpr == c->a->bp);
}

// --no-stack-mirror leaves %ebp-based stores alone, which is sound only when
// %ebp always points into the stack: the instruction may set %ebp only as a
// frame pointer does (movl %esp, %ebp; popl %ebp; leave).
static int frame_pointer_only(struct ctx *c, const struct insn *in, const char *text, size_t len) {
  const char *mn = in->mnemonic;
  if (!strncmp(mn, "push", 4) || !strncmp(mn, "pop", 3) || !strncmp(mn, "cmp", 3) ||
      !strncmp(mn, "test", 4))
    return 0;
  for (int i = 0; i < in->nops; i++) {
    const struct operand *o = &in->ops[i];
    int last = i == in->nops - 1;
    if (o->kind != OP_REG || o->star || o->reg->gpr != c->a->bp ||
        !(last || !strncmp(mn, "xchg", 4)))
      continue;
    if (!strcmp(mn, c->a->mov(c->a->word)) && in->nops == 2 && in->ops[0].kind == OP_REG &&
        in->ops[0].reg->gpr == c->a->sp && in->ops[0].reg->size == c->a->word)
      return 0;
    return error(c, text, len,
                 "--no-stack-mirror needs %%ebp as the frame pointer only (compile with "
                 "-fno-omit-frame-pointer)");
  }
  return 0;
}

// Rewrites one instruction: fills pre (before it) and post (after it), and
// the cuts of its sequence for the table (emit, seq_insn). Returns 1 if it
// writes memory, 0 if not, -1 on error.
static int rewrite(struct ctx *c, struct insn *in, const char *text, size_t len, struct buf *pre,
                   struct buf *post) {
  const struct arch *a = c->a;
  const struct insn_desc *d = a->lookup(in->mnemonic);
  if (!d)
    return error(c, text, len, "unknown instruction '%s' (not in the %s table)", in->mnemonic,
                 a->name);
  if (in->nops < d->min_ops || in->nops > d->max_ops)
    return error(c, text, len, "'%s' with %d operands is not supported", in->mnemonic, in->nops);
  int rep = 0;
  for (int i = 0; i < in->nprefix; i++) {
    enum prefix p = in->prefixes[i];
    unsigned need = p == PFX_LOCK ? IF_LOCK : p == PFX_REP ? IF_REP : IF_REPNE;
    if (!(d->flags & need))
      return error(c, text, len, "prefix '%s' is not supported with '%s'", in->prefix_text[i],
                   in->mnemonic);
    rep |= p == PFX_REP;
  }
  if (c->o->no_stack && frame_pointer_only(c, in, text, len) < 0)
    return -1;
  if (d->strategy == ST_NONE)
    return 0;

  // The written memory operand, where there is one.
  const struct operand *m = NULL;
  int wop = -1;
  if (d->strategy == ST_REPEAT || d->strategy == ST_COPY || d->strategy == ST_BITOP) {
    wop = in->nops - 1;
    if (wop >= 0 && in->ops[wop].kind == OP_MEM && !in->ops[wop].star)
      m = &in->ops[wop];
    else if (d->strategy == ST_COPY && wop >= 0 && in->ops[wop].star)
      return error(c, text, len, "unexpected '*' operand");
    if (!m)
      return 0; // register destination
  } else if (d->strategy == ST_XCHG) {
    for (int i = 0; i < in->nops; i++)
      if (in->ops[i].kind == OP_MEM)
        m = &in->ops[i], wop = i;
    if (!m)
      return 0;
  }
  if (m && !seg_ok(m))
    return error(c, text, len, "write through segment %%%s is not supported", m->seg);
  if (c->o->no_stack && stack_write(c, d, m))
    return 0;
  long disp;
  c->far_mirror = 0;
  if (m && a->word == 8 && att_disp_number(m, &disp) &&
      (disp + c->offset > 0x7fffffffL || disp + c->offset < -0x80000000L)) {
    // An absolute address below 4 GiB whose mirror is above 2 GiB: stores
    // and read-modify-writes run again through a register (repeat_far).
    int repeat = d->strategy == ST_REPEAT || (d->flags & IF_DUAL);
    if (m->base || m->index || disp + c->offset < 0 || disp + c->offset > 0xffffffffL || !repeat)
      return error(c, text, len,
                   "displacement %ld plus the mirror offset does not fit 32 bits: use a "
                   "smaller --offset, or store through a pointer",
                   disp);
    c->far_mirror = (unsigned long)(disp + c->offset);
  }

  int width = width_of(d, in);
  if (d->flags & IF_DUAL) {
    // With or without lock: the mirror's copy is private to the process
    // and written by nobody else, so an unlocked second run is the same.
    if (repeat_on_mirror(c, in, wop, width, MPT_RMW, pre, post, text, len) < 0)
      return -1;
    return count_write(c, d->klass);
  }
  const char *klass = d->klass;
  const char *sp = c->sp;

  switch (d->strategy) {
  case ST_NONE:
  case ST_BITOP: // every bit operation is IF_DUAL
    return 0;

  case ST_REPEAT:
    if (repeat_on_mirror(c, in, wop, width, MPT_REDO, pre, post, text, len) < 0)
      return -1;
    break;

  case ST_COPY:
    if (!width)
      return error(c, text, len, "operand size unknown: write the size suffix");
    if (rewrite_copy(c, d, in, wop, width, pre, post, text, len) < 0)
      return -1;
    break;

  case ST_XCHG: {
    // As xadd: the register saved in both copies, the exchange, its result
    // copied to the mirror. Storing the register at the mirror first would
    // be shorter, but a native page replaced between that store and the
    // exchange holds the new value only: the old one, which the register
    // must receive, would be lost.
    const struct operand *r = &in->ops[1 - wop];
    if (r->kind != OP_REG || r->reg->gpr < 0)
      return error(c, text, len, "exchange with memory needs a general register");
    if (rewrite_copy(c, d, in, wop, width, pre, post, text, len) < 0)
      return -1;
    break;
  }

  case ST_PUSH: {
    if (!width)
      width = a->word;
    if (in->nops == 0 || in->ops[0].kind == OP_MEM ||
        (in->ops[0].kind == OP_REG && in->ops[0].reg->is_segment)) {
      // The flags, memory or a segment register: push it, pop that word into
      // its mirror slot, push it again (%esp is back, the source unchanged).
      const struct operand *s = in->nops ? &in->ops[0] : NULL;
      if (s && s->star)
        return error(c, text, len, "unexpected '*' operand");
      if (width != a->word)
        return error(c, text, len,
                     "a %d-byte push of memory, a segment register or the flags is not "
                     "supported: push a word",
                     width);
      emit(c, pre, "%.*s", (int)len, text);
      emit(c, pre, "pop%s\t%s-%d(%%%s)", stack_sfx(width), c->o->offset, width, sp);
      seq_insn(c, text, len);
      break;
    }
    const struct operand *s = &in->ops[0];
    if (s->star)
      return error(c, text, len, "unexpected '*' operand");
    if (s->kind == OP_REG && s->reg->gpr >= 0) {
      if (s->reg->size != width)
        return error(c, text, len, "push width does not match the register");
      emit(c, pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), s->reg->name, c->o->offset, width, sp);
    } else if (s->kind == OP_IMM) {
      emit(c, pre, "%s\t%s, %s-%d(%%%s)", a->mov(width), s->text, c->o->offset, width, sp);
    } else
      return error(c, text, len, "cannot push this register");
    seq_insn(c, text, len);
    break;
  }

  case ST_PUSHA: {
    // Order of the slots: ax, cx, dx, bx, the original sp, bp, si, di.
    const int order[8] = {a->ax, a->cx, a->dx, a->bx, a->sp, a->bp, a->si, a->di};
    for (int i = 0; i < 8; i++)
      emit(c, pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, order[i], width), c->o->offset,
           (i + 1) * width, sp);
    seq_insn(c, text, len);
    break;
  }

  case ST_ENTER: {
    const struct operand *lv = &in->ops[1];
    char *end;
    long level = lv->kind == OP_IMM ? strtol(lv->text + 1, &end, 0) : -1;
    if (lv->kind != OP_IMM || *end || in->ops[0].kind != OP_IMM)
      return error(c, text, len, "enter needs two numeric immediates");
    if (level & 31)
      return error(c, text, len,
                   "enter with a nesting level is not supported (its frame pointer copies "
                   "cannot be mirrored restartably): use level 0");
    emit(c, pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, a->bp, width), c->o->offset,
         width, sp);
    seq_insn(c, text, len);
    break;
  }

  case ST_CALL: {
    // The return label at the mirror slot first: the call then writes the
    // native slot, and a sequence cut between the two is run again.
    char label[96];
    snprintf(label, sizeof label, "%s%ld", c->label_prefix, c->nlabel++);
    emit(c, pre, "%s\t$%s, %s-%d(%%%s)", a->mov(a->word), label, c->o->offset, a->word, sp);
    seq_insn(c, text, len);
    buf_put(post, label, strlen(label));
    buf_put(post, ":\n", 2);
    break;
  }

  case ST_STOS:
  case ST_MOVS:
    if (!width)
      return error(c, text, len, "operand size unknown: write the size suffix");
    if (!string_operands_ok(c, in, d->strategy == ST_MOVS))
      return error(c, text, len, "string operands must be %s%%es:(%%edi)",
                   d->strategy == ST_MOVS ? "(%esi), " : "");
    if (rep)
      klass = "rep-string";
    if (rewrite_string(c, d->strategy == ST_MOVS, rep, width, pre, post, text, len) < 0)
      return -1;
    break;
  }

  return count_write(c, klass);
}

// A label of the current sequence: <prefix>q<k>_<i>, i an instruction index.
static void put_label(struct ctx *c, struct buf *b, long k, int i) {
  char label[96];
  int n = snprintf(label, sizeof label, "%sq%ld_%d:\n", c->label_prefix, k, i);
  buf_put(b, label, (size_t)n);
}

// The lines of code (one instruction each, or a label) with a label of the
// sequence before each instruction; *i counts the instructions.
static void put_lines(struct ctx *c, struct buf *b, const struct buf *code, long k, int *i) {
  const char *p = code->p, *end = code->p + code->len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
    if (!(n >= 2 && p[n - 2] == ':'))
      put_label(c, b, k, (*i)++);
    buf_put(b, p, n);
    p += n;
  }
}

// One table entry of sequence k (xv6-memv6/include/mirrorpairs.h): cuts
// before instructions from up to (not including) to, all alike (*s). The
// common one, "run again" at the stack pointer as it was, covering exactly
// the second instruction up to the end, is two bytes: both instructions are
// at most 15 bytes long, so their lengths fit a byte's nibbles. Others are
// MPT_LONG (i386) or MPT_LONG64 (x86-64: 8-byte deltas, kinds up to
// MPT_RMWR + 15, a scratch register). Gaps count from the previous entry's
// L0 in the same block; a block starts with L0 itself.
static void put_entry(struct ctx *c, long k, int from, int to, const struct cut *s, int nins) {
  const char *P = c->label_prefix;
  char line[512];
  int n;
  if (c->a->long64 ? s->delta % 8 || s->delta < -1024 || s->delta > 1016
                   : s->delta % 4 || s->delta < -32 || s->delta > 28 || s->scratch || s->kind > 15)
    internal("table entry out of range");
  if (c->new_block) {
    n = snprintf(line, sizeof line, "\t.byte\t%d\n\t.long\t%sq%ld_0\n", MPT_BLOCK, P, k);
    buf_put(&c->table, line, (size_t)n);
    c->prev_seq = k;
    c->new_block = 0;
  }
  int two =
      s->kind == MPT_REDO && s->delta == 0 && !s->scratch && from == 1 && to == 2 && nins == 2;
  if (two)
    n = snprintf(line, sizeof line, "\t.byte\t(%sq%ld_1-%sq%ld_0)|((%sq%ld_2-%sq%ld_1)<<4)\n", P, k,
                 P, k, P, k, P, k);
  else
    n = snprintf(line, sizeof line, "\t.byte\t%d\n", c->a->long64 ? MPT_LONG64 : MPT_LONG);
  buf_put(&c->table, line, (size_t)n);
  n = snprintf(line, sizeof line, "\t.uleb128\t%sq%ld_0-%sq%ld_0\n", P, k, P, c->prev_seq);
  buf_put(&c->table, line, (size_t)n);
  c->prev_seq = k;
  if (two)
    return;
  n = snprintf(line, sizeof line,
               "\t.byte\t%sq%ld_%d-%sq%ld_0, %sq%ld_%d-%sq%ld_0, %sq%ld_%d-%sq%ld_0", P, k, from, P,
               k, P, k, to, P, k, P, k, nins, P, k);
  buf_put(&c->table, line, (size_t)n);
  if (c->a->long64)
    n = snprintf(line, sizeof line, ", %d, %d, %d\n", s->kind, s->delta / 8, s->scratch);
  else
    n = snprintf(line, sizeof line, ", %d\n", MPT_BYTE(s->kind, s->delta));
  buf_put(&c->table, line, (size_t)n);
}

// Writes the sequence (pre, the instruction, post) with its labels into lb
// and its entries into the table: one per run of instructions whose cuts
// are alike (the cut before the first instruction is the sequence's start,
// and needs nothing).
static void put_sequence(struct ctx *c, struct buf *lb, const struct buf *pre, const char *text,
                         size_t tlen, const struct buf *post) {
  long k = c->nseqs++;
  int i = 0;
  put_lines(c, lb, pre, k, &i);
  if (i != c->insn_at)
    internal("sequence recorded out of order");
  put_label(c, lb, k, i++);
  buf_put(lb, "\t", 1);
  buf_put(lb, text, tlen);
  buf_put(lb, "\n", 1);
  put_lines(c, lb, post, k, &i);
  put_label(c, lb, k, i);
  if (i != c->ncut)
    internal("sequence recorded out of order");
  for (int from = 1, to; from < i; from = to) {
    const struct cut *s = &c->cut[from];
    for (to = from + 1; to < i && !memcmp(&c->cut[to], s, sizeof *s); to++)
      ;
    if (s->kind)
      put_entry(c, k, from, to, s, i);
  }
}

// Whether the directive may change the section code goes to: the table's
// gaps are differences within one section, so the next entry starts a block.
static int section_directive(const char *text, size_t len) {
  static const char *const dirs[] = {".section",  ".text",        ".data",       ".bss",
                                     ".previous", ".pushsection", ".popsection", ".subsection"};
  for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
    size_t dl = strlen(dirs[d]);
    if (len >= dl && memcmp(text, dirs[d], dl) == 0 &&
        (len == dl || !isalnum((unsigned char)text[dl])))
      return 1;
  }
  return 0;
}

// A statement of position-independent code: the marker it contains, or NULL.
// String data (".string \"@PLT\"") is text, not a relocation.
static const char *pic_marker(const char *text, size_t len) {
  static const char *const strings[] = {".string", ".ascii", ".asciz"};
  for (size_t d = 0; d < sizeof strings / sizeof strings[0]; d++) {
    size_t dl = strlen(strings[d]);
    if (len > dl && memcmp(text, strings[d], dl) == 0 && (text[dl] == ' ' || text[dl] == '\t'))
      return NULL;
  }
  static const char *const markers[] = {"_GLOBAL_OFFSET_TABLE_", "@GOTOFF", "@GOT", "@PLT",
                                        "__x86.get_pc_thunk"};
  for (size_t m = 0; m < sizeof markers / sizeof markers[0]; m++) {
    size_t ml = strlen(markers[m]);
    for (size_t i = 0; i + ml <= len; i++)
      if (memcmp(text + i, markers[m], ml) == 0)
        return markers[m];
  }
  return NULL;
}

// "# 12 \"file.S\"" (preprocessor line marker): the next line is line 12 of file.S.
static int line_marker(struct ctx *c, const char *p, size_t n) {
  size_t i = 1;
  while (i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  if (i == 1 || i >= n || !isdigit((unsigned char)p[i]))
    return 0;
  long num = 0;
  while (i < n && isdigit((unsigned char)p[i]))
    num = num * 10 + (p[i++] - '0');
  while (i < n && p[i] == ' ')
    i++;
  if (i >= n || p[i] != '"')
    return 0;
  size_t j = ++i;
  while (j < n && p[j] != '"')
    j++;
  size_t fl = j - i < sizeof c->src_file - 1 ? j - i : sizeof c->src_file - 1;
  memcpy(c->src_file, p + i, fl);
  c->src_file[fl] = 0;
  c->src_line = num - 1;
  return 1;
}

static void choose_label_prefix(struct ctx *c, const char *in, size_t inlen) {
  strcpy(c->label_prefix, ".Lmirror");
  // Grow the prefix until no symbol in the input starts with it.
  for (;;) {
    size_t pl = strlen(c->label_prefix);
    int found = 0;
    for (const char *p = in; p + pl <= in + inlen; p++) {
      p = memchr(p, '.', (size_t)(in + inlen - p));
      if (!p || p + pl > in + inlen)
        break;
      if (memcmp(p, c->label_prefix, pl) == 0) {
        found = 1;
        break;
      }
    }
    if (!found || pl + 2 >= sizeof c->label_prefix)
      return;
    strcat(c->label_prefix, "_");
  }
}

int mirror_translate(const struct mirror_opts *o, const char *in, size_t inlen, struct buf *out,
                     struct mirror_stats *st) {
  struct ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  c.a = o->arch;
  c.st = st;
  c.sp = c.a->gpr_name(c.a->sp, c.a->word);
  c.offset = strtol(o->offset, NULL, 0);
  c.new_block = 1;
  choose_label_prefix(&c, in, inlen);
  st->bytes_in += inlen;
  size_t out_start = out->len;
  struct buf lb = {0}, pre = {0}, post = {0};
  enum { MAXSTMT = 16 };
  struct stmt stmts[MAXSTMT];
  struct insn insn;
  char err[256];

  const char *p = in, *end = in + inlen;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    const char *line = p;
    p = nl ? nl + 1 : end;
    c.line++;
    c.src_line++;
    st->lines_in++;
    if (n && line[n - 1] == '\r')
      n--;
    if (n && line[0] == '#' && line_marker(&c, line, n)) {
      buf_put(out, line, n);
      buf_put(out, "\n", 1);
      continue;
    }
    const char *comment;
    int ns = att_split(line, n, stmts, MAXSTMT, &comment);
    if (ns < 0) {
      error(&c, line, n, "too many statements on one line");
      continue;
    }
    // Translate each statement into lb; the line is kept verbatim unless
    // something was inserted or a prefix had to be joined.
    int changed = c.pending.nprefix > 0, errors_before = c.errors;
    lb.len = 0;
    if (comment && ns > 0) {
      buf_put(&lb, "\t", 1);
      buf_put(&lb, comment, (size_t)(line + n - comment));
      buf_put(&lb, "\n", 1);
    }
    for (int i = 0; i < ns; i++) {
      struct stmt *s = &stmts[i];
      const char *pic = pic_marker(s->text, s->len);
      if (pic) {
        error(&c, s->text, s->len,
              "position-independent code ('%s') is not supported: compile with -fno-pic "
              "-fno-pie",
              pic);
        continue;
      }
      if (s->kind != SK_INSN) {
        if (c.pending.nprefix) {
          error(&c, s->text, s->len, "prefix '%s' is not followed by an instruction",
                c.pending_text);
          c.pending.nprefix = 0;
        }
        if (s->kind == SK_DIRECTIVE) {
          c.new_block |= section_directive(s->text, s->len);
          buf_put(&lb, "\t", 1);
        }
        buf_put(&lb, s->text, s->len);
        buf_put(&lb, "\n", 1);
        continue;
      }
      st->insns++;
      if (att_parse(c.a, s->text, s->len, &insn, err, sizeof err) < 0) {
        // An unknown mnemonic says more than its operands' trouble.
        if (insn.mnemonic[0] && !c.a->lookup(insn.mnemonic))
          error(&c, s->text, s->len, "unknown instruction '%s' (not in the %s table)",
                insn.mnemonic, c.a->name);
        else
          error(&c, s->text, s->len, "%s", err);
        continue;
      }
      const char *text = s->text;
      size_t tlen = s->len;
      char joined[ATT_TEXT + 64];
      if (!insn.mnemonic[0]) { // prefix alone: hold it for the next instruction
        if (c.pending.nprefix + insn.nprefix > ATT_MAXPFX) {
          error(&c, s->text, s->len, "too many prefixes");
          continue;
        }
        for (int k = 0; k < insn.nprefix; k++) {
          c.pending.prefixes[c.pending.nprefix] = insn.prefixes[k];
          memcpy(c.pending.prefix_text[c.pending.nprefix], insn.prefix_text[k], 8);
          c.pending.nprefix++;
          size_t pl = strlen(c.pending_text);
          snprintf(c.pending_text + pl, sizeof c.pending_text - pl, "%s%s", pl ? " " : "",
                   insn.prefix_text[k]);
        }
        st->insns--;
        changed = 1;
        continue;
      }
      if (c.pending.nprefix) {
        if (c.pending.nprefix + insn.nprefix > ATT_MAXPFX) {
          error(&c, s->text, s->len, "too many prefixes");
          c.pending.nprefix = 0;
          c.pending_text[0] = 0;
          continue;
        }
        memmove(insn.prefixes + c.pending.nprefix, insn.prefixes,
                (size_t)insn.nprefix * sizeof insn.prefixes[0]);
        memmove(insn.prefix_text + c.pending.nprefix, insn.prefix_text,
                (size_t)insn.nprefix * sizeof insn.prefix_text[0]);
        memcpy(insn.prefixes, c.pending.prefixes,
               (size_t)c.pending.nprefix * sizeof insn.prefixes[0]);
        memcpy(insn.prefix_text, c.pending.prefix_text,
               (size_t)c.pending.nprefix * sizeof insn.prefix_text[0]);
        insn.nprefix += c.pending.nprefix;
        snprintf(joined, sizeof joined, "%s %.*s", c.pending_text, (int)tlen, text);
        text = joined;
        tlen = strlen(joined);
        c.pending.nprefix = 0;
        c.pending_text[0] = 0;
      }
      pre.len = post.len = 0;
      c.replacement[0] = 0;
      c.ncut = c.sp_moved = c.scratch = 0;
      c.insn_at = -1;
      c.kind = MPT_REDO;
      if (rewrite(&c, &insn, text, tlen, &pre, &post) < 0)
        continue;
      if (c.replacement[0]) {
        text = c.replacement;
        tlen = strlen(text);
      }
      if (pre.len || post.len || c.replacement[0])
        changed = 1;
      if (c.insn_at >= 0) {
        put_sequence(&c, &lb, &pre, text, tlen, &post);
        continue;
      }
      if (pre.len || post.len || c.replacement[0])
        internal("inserted code outside a sequence");
      buf_put(&lb, "\t", 1);
      buf_put(&lb, text, tlen);
      buf_put(&lb, "\n", 1);
    }
    if (!changed) {
      lb.len = 0;
      buf_put(&lb, line, n);
      buf_put(&lb, "\n", 1);
    }
    if (c.errors == errors_before)
      buf_put(out, lb.p, lb.len);
  }
  if (c.pending.nprefix)
    error(&c, c.pending_text, strlen(c.pending_text),
          "prefix at the end of the file is not followed by an instruction");
  if (!c.errors && c.table.len) {
    static const char section[] = "\t.section\t.mirror_pairs,\"a\",@progbits\n";
    buf_put(out, section, sizeof section - 1);
    buf_put(out, c.table.p, c.table.len);
  }
  buf_free(&c.table);
  buf_free(&lb);
  buf_free(&pre);
  buf_free(&post);
  st->bytes_out += out->len - out_start;
  for (size_t i = out_start; i < out->len; i++)
    st->lines_out += out->p[i] == '\n';
  return c.errors;
}
