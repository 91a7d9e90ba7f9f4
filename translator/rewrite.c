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
  long nrmw;    // .mirror_rmw entries so far (architectures without .mirror_pairs)
  int rmw_half; // the repeat being emitted is a read-modify-write's mirror half
  int errors;
  long line;          // input line being read (1-based)
  char src_file[256]; // from the last preprocessor line marker, "" if none
  long src_line;
  // A prefix written as its own statement ("rep;"), waiting for its instruction.
  struct insn pending;
  char pending_text[64];
  const char *sp; // "esp", "rsp"
  long offset;    // the mirror offset as a number
  // The mirrored write sequence of the statement being rewritten: its
  // entries for the table (docs/memv6.md, "A machine check inside a mirrored
  // write"), in instruction indexes of the sequence.
  struct seq_entry {
    int from, to, kind, delta;
  } seq[12];
  int nseq;
  long nseqs;       // sequences so far: their labels are <prefix>q<k>_<i>
  struct buf table; // the .mirror_pairs (or .mirror_rmw) entries, written after the last line
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

// Appends one instruction line: a tab, the formatted text, a newline.
static void emit(struct buf *b, const char *fmt, ...) {
  char line[3 * ATT_TEXT];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line + 1, sizeof line - 2, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 2) {
    fprintf(stderr, "mirror-translate: internal error: line too long\n");
    exit(2);
  }
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

// After the instruction, the same instruction with its written operand (wop)
// moved to the mirror. For plain stores and setcc this stores the same value
// again. For the IF_DUAL read-modify-write forms it applies the same operation
// to the mirror's own copy, which equals the native value before the
// instruction; the flags it sets are the ones the native instruction set, the
// ones it leaves alone stay as the native one left them, and no register
// changes (see docs/translator.md, "Read-modify-write").
static const char *stack_sfx(int width) {
  return width == 2 ? "w" : width == 8 ? "q" : "l";
}

// Code that pushes scratch words first moves the stack pointer below the
// red zone, where a leaf function may keep live data (x86-64: 128 bytes);
// lea changes no flags. Nothing is emitted where there is no red zone.
static void red_zone_skip(struct ctx *c, struct buf *b, int sign) {
  if (c->a->red_zone)
    emit(b, "lea%s\t%d(%%%s), %%%s", stack_sfx(c->a->word), sign * c->a->red_zone, c->sp, c->sp);
}

// Where there is no .mirror_pairs table, the mirror half of a
// read-modify-write run twice gets an entry in .mirror_rmw: its first byte
// and the byte after it (.long each: code below 4 GiB). A consumed memory
// error there on the mirror page comes after the native half has applied
// the operation, so the runtime, having refilled that page from native,
// resumes after the mirror half instead of running it again (docs/translator.md).
static void rmw_mark(struct ctx *c, struct buf *b, int end) {
  if (!c->rmw_half || c->a->pairs_table)
    return;
  char label[128];
  int n = snprintf(label, sizeof label, "%sr%ld%s:\n", c->label_prefix, c->nrmw, end ? "_e" : "");
  buf_put(b, label, (size_t)n);
  if (!end)
    return;
  n = snprintf(label, sizeof label, "\t.long\t%sr%ld, %sr%ld_e\n", c->label_prefix, c->nrmw,
               c->label_prefix, c->nrmw);
  buf_put(&c->table, label, (size_t)n);
  c->nrmw++;
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
// (movl zero-extends it), saved below the red zone.
static int repeat_far(struct ctx *c, const struct insn *in, int wop, struct buf *post,
                      const char *text, size_t len) {
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
  red_zone_skip(c, post, -1);
  emit(post, "push%s\t%%%s", stack_sfx(a->word), r);
  emit(post, "movl\t$0x%lx, %%%s", c->far_mirror, rname(c, s, 4));
  rmw_mark(c, post, 0);
  emit(post, "%s\t%s", in->mnemonic, ops);
  rmw_mark(c, post, 1);
  emit(post, "pop%s\t%%%s", stack_sfx(a->word), r);
  red_zone_skip(c, post, 1);
  return 0;
}

static int repeat_on_mirror(struct ctx *c, const struct insn *in, int wop, int width,
                            struct buf *post, const char *text, size_t len) {
  if (!width) // the assembler would refuse the repeated instruction too
    return error(c, text, len, "operand size unknown: write the size suffix");
  if (c->far_mirror)
    return repeat_far(c, in, wop, post, text, len);
  char at[2 * ATT_TEXT], ops[3 * ATT_TEXT];
  join_ops(in, wop, mem(c, &in->ops[wop], 1, 0, at), ops, sizeof ops);
  rmw_mark(c, post, 0);
  emit(post, "%s\t%s", in->mnemonic, ops);
  rmw_mark(c, post, 1);
  return 0;
}

static int seg_ok(const struct operand *m) {
  return !m->seg[0] || !strcmp(m->seg, "ds") || !strcmp(m->seg, "ss") || !strcmp(m->seg, "es");
}

// One entry of the current sequence's table: interrupted EIPs from its
// instruction `from` up to (not including) instruction `to`; delta is what
// to add to the stack pointer there to get it as it was at the start.
static void seq_add(struct ctx *c, int from, int to, int kind, int delta) {
  int table = c->a->pairs_table;
  if (c->nseq == (int)(sizeof c->seq / sizeof c->seq[0]) ||
      (table && (delta % 4 || delta < -32 || delta > 28))) {
    fprintf(stderr, "mirror-translate: internal error: table entry out of range\n");
    exit(2);
  }
  c->seq[c->nseq++] = (struct seq_entry){from, to, kind, delta};
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
  if (n < 0 || (size_t)n >= sizeof c->replacement) {
    fprintf(stderr, "mirror-translate: internal error: operand too long\n");
    exit(2);
  }
}

// x87 stores that pop, and their non-popping forms.
static const char *const x87_twins[][2] = {
    {"fstps", "fsts"}, {"fstpl", "fstl"}, {"fistps", "fists"}, {"fistpl", "fistl"}};

// An x87 store that pops: the same value goes to the mirror first, by the
// non-popping form where there is one, else by the same instruction on a
// copy of st(0) (fld %st(0): needs one free x87 register, as the popping
// store itself leaves one). Run again from the start, nothing differs.
static void rewrite_x87_pop(struct ctx *c, const struct insn *in, const struct operand *m,
                            struct buf *pre) {
  char at[2 * ATT_TEXT];
  for (size_t i = 0; i < sizeof x87_twins / sizeof x87_twins[0]; i++) {
    if (strcmp(in->mnemonic, x87_twins[i][0]) == 0) {
      emit(pre, "%s\t%s", x87_twins[i][1], mem(c, m, 1, 0, at));
      seq_add(c, 1, 2, MPT_REDO, 0);
      return;
    }
  }
  emit(pre, "fld\t%%st(0)");
  emit(pre, "%s\t%s", in->mnemonic, mem(c, m, 1, 0, at));
  seq_add(c, 2, 3, MPT_REDO, 0);
}

// What a read-modify-write that cannot run twice needs to be run again from
// its start: the register it changes (xadd, cmpxchg) or the flags it reads
// (adc sbb rcl rcr), saved in both copies of the word below %esp. Then the
// instruction, then its result copied to the mirror with a push and a pop
// (no register, no flags), then the saved word dropped. Returns the kind of
// the entries after the instruction, or -1.
// The general registers an atomic changes (xadd, cmpxchg), as a mask.
static unsigned written_regs(struct ctx *c, const struct insn_desc *d, const struct insn *in) {
  unsigned writes = 0;
  if ((d->flags & IF_WRITES_SRC) && in->ops[0].kind == OP_REG && in->ops[0].reg->gpr >= 0)
    writes |= 1u << in->ops[0].reg->gpr;
  if (d->flags & IF_WRITES_EAX)
    writes |= 1u << c->a->ax;
  if (d->flags & IF_WRITES_EDXEAX)
    writes |= 1u << c->a->ax | 1u << c->a->dx;
  return writes;
}

static int save_for_rollback(struct ctx *c, const struct insn_desc *d, const struct insn *in,
                             const struct operand *m, struct buf *pre, const char *text,
                             size_t len) {
  const struct arch *a = c->a;
  unsigned writes = written_regs(c, d, in);
  if (writes & addr_regs(m))
    return error(c, text, len, "'%s' changes a register of its own address: not supported",
                 in->mnemonic);
  const char *w = rname(c, a->sp, a->word);
  if (writes) {
    int r = 0;
    while (!(writes & (1u << r)))
      r++;
    const char *rn = rname(c, r, a->word);
    emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(a->word), rn, c->o->offset, a->word, w);
    emit(pre, "push%s\t%%%s", stack_sfx(a->word), rn);
    seq_add(c, 1, 2, MPT_REDO, 0);
    seq_add(c, 2, 3, MPT_REDO, a->word);
    return MPT_RMWR + r;
  }
  emit(pre, "pushf%s", stack_sfx(a->word));
  emit(pre, "push%s\t(%%%s)", stack_sfx(a->word), w);
  emit(pre, "pop%s\t%s(%%%s)", stack_sfx(a->word), c->o->offset, w);
  seq_add(c, 1, 2, MPT_REDO, a->word);
  seq_add(c, 2, 3, MPT_REDO, 2 * a->word);
  seq_add(c, 3, 4, MPT_REDO, a->word);
  return MPT_RMWF;
}

// Without a .mirror_pairs table nothing restarts a cut sequence, so the
// written bytes are simply copied after the instruction through a scratch
// register: one the instruction neither names, nor uses implicitly, nor
// addresses with, pushed (below the red zone) and popped around it. Any
// width: 16 bytes (cmpxchg16b) go as two words.
static int copy_through_scratch(struct ctx *c, const struct insn_desc *d, const struct insn *in,
                                int wop, int width, struct buf *pre, struct buf *post,
                                const char *text, size_t len) {
  const struct arch *a = c->a;
  const struct operand *m = &in->ops[wop];
  unsigned writes = written_regs(c, d, in), busy = addr_regs(m) | writes | operand_regs(in);
  if (writes & addr_regs(m))
    return error(c, text, len, "'%s' changes a register of its own address: not supported",
                 in->mnemonic);
  if (d->flags & IF_WRITES_EDXEAX)
    busy |= 1u << a->cx | 1u << a->bx;
  int s = pick_scratch(c, busy, width);
  if (s < 0)
    return error(c, text, len, "no free scratch register to copy the result of '%s'", in->mnemonic);
  const char *sfx = stack_sfx(a->word);
  red_zone_skip(c, pre, -1);
  emit(pre, "push%s\t%%%s", sfx, rname(c, s, a->word));
  long adj = esp_based(c, m) ? a->red_zone + a->word : 0;
  if (adj)
    moved_insn(c, in, wop, adj);
  char at[2 * ATT_TEXT];
  int chunk = width > a->word ? a->word : width;
  for (int off = 0; off < width; off += chunk) {
    const char *r = rname(c, s, chunk);
    emit(post, "%s\t%s, %%%s", a->mov(chunk), mem(c, m, 0, adj + off, at), r);
    emit(post, "%s\t%%%s, %s", a->mov(chunk), r, mem(c, m, 1, adj + off, at));
  }
  emit(post, "pop%s\t%%%s", sfx, rname(c, s, a->word));
  red_zone_skip(c, post, 1);
  return 0;
}

// ST_COPY: writes whose instruction cannot simply be repeated at the mirror.
static int rewrite_copy(struct ctx *c, const struct insn_desc *d, const struct insn *in, int wop,
                        int width, struct buf *pre, struct buf *post, const char *text,
                        size_t len) {
  const struct operand *m = &in->ops[wop];
  char at[2 * ATT_TEXT];
  if (strcmp(d->klass, "x87") == 0) {
    rewrite_x87_pop(c, in, m, pre);
    return 0;
  }
  if (!c->a->pairs_table && strcmp(d->klass, "pop") != 0)
    return copy_through_scratch(c, d, in, wop, width, pre, post, text, len);
  if (d->flags & IF_WRITES_EDXEAX)
    return error(c, text, len,
                 "'%s' is not supported: a rollback would need both result registers back",
                 in->mnemonic);
  if (width != c->a->word)
    return error(c, text, len,
                 "'%s' on %d bytes is not supported (its result cannot be copied to the mirror "
                 "by a push and a pop): use a word operand",
                 in->mnemonic, width);
  const char *sfx = stack_sfx(width);
  if (strcmp(d->klass, "pop") == 0) {
    // pop X; push X; pop into X's mirror: X's address is computed with the
    // same %esp all three times. Cut after the pop: the word is still at
    // %esp - width (a live, mirrored slot until the pop), so pop it again.
    emit(post, "push%s\t%s", sfx, mem(c, m, 0, 0, at));
    emit(post, "pop%s\t%s", sfx, mem(c, m, 1, 0, at));
    seq_add(c, 1, 2, MPT_REDO, -width);
    seq_add(c, 2, 3, MPT_REDO, 0);
    return 0;
  }
  int kind = save_for_rollback(c, d, in, m, pre, text, len);
  if (kind < 0)
    return -1;
  // The instruction's index in the sequence: the last entry is the cut before it.
  int n = c->seq[c->nseq - 1].from;
  long adj = esp_based(c, m) ? c->a->word : 0;
  if (adj)
    moved_insn(c, in, wop, adj);
  emit(post, "push%s\t%s", sfx, mem(c, m, 0, adj, at));
  emit(post, "pop%s\t%s", sfx, mem(c, m, 1, adj, at));
  emit(post, "lea%s\t%d(%%%s), %%%s", stack_sfx(c->a->word), c->a->word, c->sp, c->sp);
  seq_add(c, n + 1, n + 2, kind, c->a->word);
  seq_add(c, n + 2, n + 3, kind, c->a->word + width);
  return 0;
}

// Saves general register g in both copies of the word below %esp (a store
// at the mirror slot, then a push), so a cut sequence can restore it.
static void push_both(struct ctx *c, struct buf *b, int g) {
  const char *r = rname(c, g, c->a->word), *sp = c->sp;
  emit(b, "%s\t%%%s, %s-%d(%%%s)", c->a->mov(c->a->word), r, c->o->offset, c->a->word, sp);
  emit(b, "push%s\t%%%s", stack_sfx(c->a->word), r);
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
    emit(pre, "%s\t%%%s, %s", a->mov(width), rname(c, a->ax, width), mem(c, &di, 1, 0, a1));
    seq_add(c, 1, 2, MPT_REDO, 0);
  } else if (!rep && width == w) {
    red_zone_skip(c, pre, -1);
    emit(pre, "push%s\t%s", stack_sfx(width), mem(c, &si, 0, 0, a1));
    emit(pre, "pop%s\t%s", stack_sfx(width), mem(c, &di, 1, 0, a2));
    red_zone_skip(c, pre, 1);
    seq_add(c, 1, 2, MPT_REDO, width);
    seq_add(c, 2, 3, MPT_REDO, 0);
  } else if (!rep) {
    const char *mv = a->mov(width), *ax = rname(c, a->ax, width);
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->ax);
    emit(pre, "%s\t%s, %%%s", mv, mem(c, &si, 0, 0, a1), ax);
    emit(pre, "%s\t%%%s, %s", mv, ax, mem(c, &di, 1, 0, a2));
    emit(pre, "pop%s\t%%%s", stack_sfx(w), rname(c, a->ax, w));
    red_zone_skip(c, pre, 1);
    seq_add(c, 1, 2, MPT_REDO, 0);
    seq_add(c, 2, 5, MPT_REDO_A, w);
    seq_add(c, 5, 6, MPT_REDO, 0);
  } else if (!movs) {
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->cx);
    push_both(c, pre, a->di); // instructions 0-3, then rep stos (4)
    push_both(c, post, a->di);
    emit(post, "%s\t%d(%%%s), %%%s", wmov, 2 * w, sp, rcx);
    emit(post, "%s\t%d(%%%s), %%%s", wmov, w, sp, rdi);
    emit(post, "lea%s\t%s, %%%s", stack_sfx(w), mem(c, &di, 1, 0, a1), rdi);
    emit(post, "%.*s", (int)len, text);
    emit(post, "pop%s\t%%%s", stack_sfx(w), rdi);
    emit(post, "lea%s\t%d(%%%s), %%%s", stack_sfx(w), 2 * w, sp, sp);
    red_zone_skip(c, post, 1);
    seq_add(c, 1, 2, MPT_REDO, 0);
    seq_add(c, 2, 4, MPT_REDO, w);
    seq_add(c, 4, 7, MPT_REDO_CD, 2 * w);
    seq_add(c, 7, 12, MPT_REDO_CD, 3 * w);
    seq_add(c, 12, 13, MPT_REDO_CD, 2 * w);
  } else {
    red_zone_skip(c, pre, -1);
    push_both(c, pre, a->cx);
    push_both(c, pre, a->di);
    push_both(c, pre, a->si); // instructions 0-5, then rep movs (6)
    push_both(c, post, a->di);
    push_both(c, post, a->si);
    emit(post, "%s\t%d(%%%s), %%%s", wmov, 4 * w, sp, rcx);
    emit(post, "%s\t%d(%%%s), %%%s", wmov, 3 * w, sp, rsi);
    emit(post, "lea%s\t%s, %%%s", stack_sfx(w), mem(c, &si, 1, 0, a1), rdi);
    emit(post, "%.*s", (int)len, text);
    emit(post, "pop%s\t%%%s", stack_sfx(w), rsi);
    emit(post, "pop%s\t%%%s", stack_sfx(w), rdi);
    emit(post, "lea%s\t%d(%%%s), %%%s", stack_sfx(w), 3 * w, sp, sp);
    red_zone_skip(c, post, 1);
    seq_add(c, 1, 2, MPT_REDO, 0);
    seq_add(c, 2, 4, MPT_REDO, w);
    seq_add(c, 4, 6, MPT_REDO, 2 * w);
    seq_add(c, 6, 9, MPT_REDO_CDS, 3 * w);
    seq_add(c, 9, 11, MPT_REDO_CDS, 4 * w);
    seq_add(c, 11, 16, MPT_REDO_CDS, 5 * w);
    seq_add(c, 16, 17, MPT_REDO_CDS, 4 * w);
    seq_add(c, 17, 18, MPT_REDO_CDS, 3 * w);
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
// the entries of its sequence for the table (seq_add). Returns 1 if it
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
    c->rmw_half = 1;
    int r = repeat_on_mirror(c, in, wop, width, post, text, len);
    c->rmw_half = 0;
    if (r < 0)
      return -1;
    seq_add(c, 1, 2, MPT_RMW, 0);
    return count_write(c, d->klass);
  }
  const char *klass = d->klass;
  const char *sp = c->sp;
  char a1[2 * ATT_TEXT];

  switch (d->strategy) {
  case ST_NONE:
  case ST_BITOP: // every bit operation is IF_DUAL
    return 0;

  case ST_REPEAT:
    if (repeat_on_mirror(c, in, wop, width, post, text, len) < 0)
      return -1;
    seq_add(c, 1, 2, MPT_REDO, 0);
    break;

  case ST_COPY:
    if (!width)
      return error(c, text, len, "operand size unknown: write the size suffix");
    if (rewrite_copy(c, d, in, wop, width, pre, post, text, len) < 0)
      return -1;
    break;

  case ST_XCHG: {
    const struct operand *r = &in->ops[1 - wop];
    if (r->kind != OP_REG || r->reg->gpr < 0)
      return error(c, text, len, "exchange with memory needs a general register");
    emit(pre, "%s\t%%%s, %s", a->mov(r->reg->size), r->reg->name, mem(c, m, 1, 0, a1));
    seq_add(c, 1, 2, MPT_REDO, 0);
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
      emit(pre, "%.*s", (int)len, text);
      emit(pre, "pop%s\t%s-%d(%%%s)", stack_sfx(width), c->o->offset, width, sp);
      seq_add(c, 1, 2, MPT_REDO, width);
      seq_add(c, 2, 3, MPT_REDO, 0);
      break;
    }
    const struct operand *s = &in->ops[0];
    if (s->star)
      return error(c, text, len, "unexpected '*' operand");
    if (s->kind == OP_REG && s->reg->gpr >= 0) {
      if (s->reg->size != width)
        return error(c, text, len, "push width does not match the register");
      emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), s->reg->name, c->o->offset, width, sp);
    } else if (s->kind == OP_IMM) {
      emit(pre, "%s\t%s, %s-%d(%%%s)", a->mov(width), s->text, c->o->offset, width, sp);
    } else
      return error(c, text, len, "cannot push this register");
    seq_add(c, 1, 2, MPT_REDO, 0);
    break;
  }

  case ST_PUSHA: {
    // Order of the slots: ax, cx, dx, bx, the original sp, bp, si, di.
    const int order[8] = {a->ax, a->cx, a->dx, a->bx, a->sp, a->bp, a->si, a->di};
    for (int i = 0; i < 8; i++)
      emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, order[i], width), c->o->offset,
           (i + 1) * width, sp);
    seq_add(c, 1, 9, MPT_REDO, 0);
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
    emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, a->bp, width), c->o->offset, width,
         sp);
    seq_add(c, 1, 2, MPT_REDO, 0);
    break;
  }

  case ST_CALL: {
    // The return label at the mirror slot first: the call then writes the
    // native slot, and a sequence cut between the two is run again.
    char label[96];
    snprintf(label, sizeof label, "%s%ld", c->label_prefix, c->nlabel++);
    emit(pre, "%s\t$%s, %s-%d(%%%s)", a->mov(a->word), label, c->o->offset, a->word, sp);
    buf_put(post, label, strlen(label));
    buf_put(post, ":\n", 2);
    seq_add(c, 1, 2, MPT_REDO, 0);
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

// One table entry of sequence k (xv6-memv6/include/mirrorpairs.h). The
// common one, "run again" at %esp as it was, covering exactly the second
// instruction up to the end, is two bytes: both instructions are at most 15
// bytes long, so their lengths fit a byte's nibbles. Gaps count from the
// previous entry's L0 in the same block; a block starts with L0 itself.
static void put_entry(struct ctx *c, long k, const struct seq_entry *s, int nins) {
  const char *P = c->label_prefix;
  char line[512];
  int n;
  if (c->new_block) {
    n = snprintf(line, sizeof line, "\t.byte\t%d\n\t.long\t%sq%ld_0\n", MPT_BLOCK, P, k);
    buf_put(&c->table, line, (size_t)n);
    c->prev_seq = k;
    c->new_block = 0;
  }
  int two = s->kind == MPT_REDO && s->delta == 0 && s->from == 1 && s->to == 2 && nins == 2;
  if (two)
    n = snprintf(line, sizeof line, "\t.byte\t(%sq%ld_1-%sq%ld_0)|((%sq%ld_2-%sq%ld_1)<<4)\n", P, k,
                 P, k, P, k, P, k);
  else
    n = snprintf(line, sizeof line, "\t.byte\t%d\n", MPT_LONG);
  buf_put(&c->table, line, (size_t)n);
  n = snprintf(line, sizeof line, "\t.uleb128\t%sq%ld_0-%sq%ld_0\n", P, k, P, c->prev_seq);
  buf_put(&c->table, line, (size_t)n);
  c->prev_seq = k;
  if (!two) {
    n = snprintf(line, sizeof line,
                 "\t.byte\t%sq%ld_%d-%sq%ld_0, %sq%ld_%d-%sq%ld_0, %sq%ld_%d-%sq%ld_0, %d\n", P, k,
                 s->from, P, k, P, k, s->to, P, k, P, k, nins, P, k, MPT_BYTE(s->kind, s->delta));
    buf_put(&c->table, line, (size_t)n);
  }
}

// Writes the sequence (pre, the instruction, post) with its labels into lb
// and its entries into the table.
static void put_sequence(struct ctx *c, struct buf *lb, const struct buf *pre, const char *text,
                         size_t tlen, const struct buf *post) {
  long k = c->nseqs++;
  int i = 0;
  put_lines(c, lb, pre, k, &i);
  put_label(c, lb, k, i++);
  buf_put(lb, "\t", 1);
  buf_put(lb, text, tlen);
  buf_put(lb, "\n", 1);
  put_lines(c, lb, post, k, &i);
  put_label(c, lb, k, i);
  for (int e = 0; e < c->nseq; e++)
    put_entry(c, k, &c->seq[e], i);
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
      c.nseq = 0;
      if (rewrite(&c, &insn, text, tlen, &pre, &post) < 0)
        continue;
      if (c.replacement[0]) {
        text = c.replacement;
        tlen = strlen(text);
      }
      if (pre.len || post.len || c.replacement[0])
        changed = 1;
      if (c.nseq && c.a->pairs_table) {
        put_sequence(&c, &lb, &pre, text, tlen, &post);
        continue;
      }
      if (pre.len)
        buf_put(&lb, pre.p, pre.len);
      buf_put(&lb, "\t", 1);
      buf_put(&lb, text, tlen);
      buf_put(&lb, "\n", 1);
      if (post.len)
        buf_put(&lb, post.p, post.len);
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
    emit(out, ".section\t%s,\"a\",@progbits", c.a->pairs_table ? ".mirror_pairs" : ".mirror_rmw");
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
