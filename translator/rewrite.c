// The rewriting engine. It reads statements, looks every instruction up in
// the architecture's table and emits the mirroring code its strategy asks
// for. Inserted code changes no flags, no register and no live stack slot:
// it uses mov, lea, push/pop of the flags and scratch registers saved in the
// dead stack below the stack pointer.
#include "rewrite.h"

#include "att.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct callee {
  char *name;
  int args; // argument words the thunk mirrors above the return address
};

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
  const char *sp; // "esp"
  char spec_err[256];
  // Direct call targets, in the order first called: each gets one thunk at
  // the end of the output (see call_via_thunk).
  struct callee *callees;
  int ncallees, callees_cap;
  // Argument pushes held back (see hold_line): their lines as written and as
  // translated, and how many there are. call_args is how many of them the
  // call on the current line may take over (0 when it may not).
  struct buf held_bare, held_mirrored;
  int nheld, held_words, call_args;
  // The statement just rewritten is such an argument write: a push (-1), or
  // a word store to n-1 words above %esp (n), or neither (0).
  int arg_write;
  // When set, written instead of the instruction (a call routed to its thunk).
  char replacement[ATT_TEXT + 64];
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

// Registers an instruction names explicitly, in any operand.
static unsigned named_regs(const struct insn *in) {
  unsigned mask = 0;
  for (int i = 0; i < in->nops; i++) {
    const struct operand *o = &in->ops[i];
    if (o->kind == OP_REG && o->reg->gpr >= 0)
      mask |= 1u << o->reg->gpr;
    if (o->kind == OP_MEM)
      mask |= addr_regs(o);
  }
  return mask;
}

static int pick(struct ctx *c, unsigned exclude, int need_byte) {
  exclude |= 1u << c->a->sp;
  for (int i = 0; i < c->a->nscratch; i++) {
    int g = c->a->scratch_order[i];
    if (exclude & (1u << g))
      continue;
    if (need_byte && !(c->a->byte_gprs & (1u << g)))
      continue;
    return g;
  }
  return -1;
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

// Where scratch registers are saved: below the stack pointer, and below the
// written bytes if the program itself writes under it (it should not).
static long slot_base(struct ctx *c, const struct operand *m) {
  long d;
  if (m && m->base && m->base->gpr == c->a->sp && att_disp_number(m, &d) && d < 0)
    return -((-d + c->a->word - 1) / c->a->word) * c->a->word;
  return 0;
}

static void save(struct ctx *c, struct buf *b, int g, long slot) {
  emit(b, "%s\t%%%s, %ld(%%%s)", c->a->mov(c->a->word), rname(c, g, c->a->word), slot, c->sp);
}

static void restore(struct ctx *c, struct buf *b, int g, long slot) {
  emit(b, "%s\t%ld(%%%s), %%%s", c->a->mov(c->a->word), slot, c->sp, rname(c, g, c->a->word));
}

// Copies width bytes at m (native) to the mirror of m through register s.
static void copy_bytes(struct ctx *c, struct buf *b, const struct operand *m, int width, int s) {
  char src[2 * ATT_TEXT], dst[2 * ATT_TEXT];
  for (int off = 0; off < width;) {
    int n = width - off >= c->a->word ? c->a->word : width - off >= 2 ? 2 : 1;
    const char *mv = c->a->mov(n), *r = rname(c, s, n);
    emit(b, "%s\t%s, %%%s", mv, mem(c, m, 0, off, src), r);
    emit(b, "%s\t%%%s, %s", mv, r, mem(c, m, 1, off, dst));
    off += n;
  }
}

// After the instruction: copy width bytes at m to the mirror, with a scratch
// register that is not in the address (and not in `exclude`).
static int copy_after(struct ctx *c, struct buf *post, const struct operand *m, int width,
                      unsigned exclude, const char *text, size_t len) {
  int s = pick(c, exclude | addr_regs(m), width & 1);
  if (s < 0)
    return error(c, text, len, "no scratch register left");
  long slot = slot_base(c, m) - c->a->word;
  save(c, post, s, slot);
  copy_bytes(c, post, m, width, s);
  restore(c, post, s, slot);
  return 0;
}

// The instruction changes a register its address is made of (xadd, cmpxchg):
// take the address with lea before it, copy through that after it.
static int copy_via_lea(struct ctx *c, struct buf *pre, struct buf *post, const struct operand *m,
                        int width, unsigned used, const char *text, size_t len) {
  int s1 = pick(c, used, 0);
  if (s1 < 0)
    return error(c, text, len, "no scratch register left");
  int s2 = pick(c, 1u << s1, width & 1);
  long slot = slot_base(c, m) - c->a->word;
  struct operand plain = *m;
  plain.seg[0] = 0;
  char addr[2 * ATT_TEXT];
  save(c, pre, s1, slot);
  emit(pre, "lea%s\t%s, %%%s", c->a->word == 4 ? "l" : "q", mem(c, &plain, 0, 0, addr),
       rname(c, s1, c->a->word));
  struct operand at = reg_mem(c, s1);
  save(c, post, s2, slot - c->a->word);
  copy_bytes(c, post, &at, width, s2);
  restore(c, post, s2, slot - c->a->word);
  restore(c, post, s1, slot);
  return 0;
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
static int repeat_on_mirror(struct ctx *c, const struct insn *in, int wop, int width,
                            struct buf *post, const char *text, size_t len) {
  if (!width) // the assembler would refuse the repeated instruction too
    return error(c, text, len, "operand size unknown: write the size suffix");
  char at[2 * ATT_TEXT], ops[3 * ATT_TEXT];
  join_ops(in, wop, mem(c, &in->ops[wop], 1, 0, at), ops, sizeof ops);
  emit(post, "%s\t%s", in->mnemonic, ops);
  return 0;
}

// A call to a named symbol, `call f`: its target is known, so the call can go
// through a thunk shared by every call to f in the file, emitted once at the
// end (emit_thunks): it copies the return address the call pushed to its
// mirror and jumps to f. The call site stays the size it was (the store of
// the return label in front of a call is 11 bytes; the thunk is 15 once per
// target), which makes translated programs markedly smaller, and so cheaper
// to exec and fork, for two more instructions per call. Numeric labels (1f)
// are relative to where they are written; they and indirect calls keep the
// store in front of the call.
static int direct_symbol(const struct operand *t) {
  const char *d = t->disp;
  if (t->star || t->kind != OP_MEM || t->base || t->index || t->seg[0] || !d[0])
    return 0;
  if (!isalpha((unsigned char)d[0]) && d[0] != '_' && d[0] != '.')
    return 0;
  for (; *d; d++)
    if (!isalnum((unsigned char)*d) && *d != '_' && *d != '.')
      return 0;
  return 1;
}

static int callee_index(struct ctx *c, const char *name, int args) {
  for (int k = 0; k < c->ncallees; k++)
    if (c->callees[k].args == args && strcmp(c->callees[k].name, name) == 0)
      return k;
  if (c->ncallees == c->callees_cap) {
    int cap = c->callees_cap ? 2 * c->callees_cap : 64;
    struct callee *p = realloc(c->callees, (size_t)cap * sizeof *p);
    if (!p) {
      perror("mirror-translate");
      exit(2);
    }
    c->callees = p;
    c->callees_cap = cap;
  }
  c->callees[c->ncallees].name = strdup(name);
  c->callees[c->ncallees].args = args;
  if (!c->callees[c->ncallees].name) {
    perror("mirror-translate");
    exit(2);
  }
  return c->ncallees++;
}

static int call_via_thunk(struct ctx *c, const struct insn *in) {
  if (!direct_symbol(&in->ops[0]))
    return 0;
  int k = callee_index(c, in->ops[0].disp, c->call_args);
  c->call_args = -c->call_args; // taken over (see hold_line)
  snprintf(c->replacement, sizeof c->replacement, "%s\t%scall%d", in->mnemonic, c->label_prefix, k);
  return 1;
}

// The thunks, in .text. The return address is at (%esp): pushing it and
// popping it into the mirror of (%esp) copies it without a register (pop
// computes its address after %esp is back) and leaves the flags alone; the
// push writes the dead slot below %esp, as the scratch saves do.
static void emit_thunks(struct ctx *c, struct buf *out) {
  const char *sfx = c->a->word == 4 ? "l" : "q";
  if (c->ncallees)
    emit(out, ".text");
  for (int k = 0; k < c->ncallees; k++) {
    char label[96];
    int n = snprintf(label, sizeof label, "%scall%d:\n", c->label_prefix, k);
    buf_put(out, label, (size_t)n);
    for (int w = 0; w <= c->callees[k].args; w++) {
      char at[32] = "";
      if (w)
        snprintf(at, sizeof at, "%d", w * c->a->word);
      emit(out, "push%s\t%s(%%%s)", sfx, at, c->sp);
      emit(out, "pop%s\t%s%s%s(%%%s)", sfx, c->o->offset, w ? "+" : "", at, c->sp);
    }
    // The pushes left a native copy one word below %esp. Dead stack, but a
    // callee may reserve that slot and never write it, and the oracle then
    // sees native and mirror differ: copy it too, so the two stay equal.
    emit(out, "push%s\t-%d(%%%s)", sfx, c->a->word, c->sp);
    emit(out, "pop%s\t%s-%d(%%%s)", sfx, c->o->offset, c->a->word, c->sp);
    emit(out, "jmp\t%s", c->callees[k].name);
  }
}

static void free_callees(struct ctx *c) {
  for (int k = 0; k < c->ncallees; k++)
    free(c->callees[k].name);
  free(c->callees);
}

// A word store to an outgoing argument slot, d(%esp) with 0 <= d < 64 and d
// a multiple of the word (GCC's argument setup when it does not push):
// returns the number of words from %esp up to and including the slot, else 0.
static int outgoing_arg_slot(struct ctx *c, const struct insn_desc *d, const struct operand *m,
                             int width) {
  long disp;
  if (strncmp(d->mnemonic, "mov", 3) != 0 || width != c->a->word || !m->base ||
      m->base->gpr != c->a->sp || m->index || m->seg[0] || !att_disp_number(m, &disp))
    return 0;
  if (disp < 0 || disp >= 16 * c->a->word || disp % c->a->word)
    return 0;
  return (int)(disp / c->a->word) + 1;
}

// Argument pushes right before a call to a named symbol need no mirror code
// of their own: the call's thunk copies them with the return address. Such a
// push line is held back in both forms until the next line shows whether a
// call takes it over (then it goes out as written) or not (then as
// translated). Only lines made of one push and nothing else are held; blank
// lines and .cfi directives between them keep the run going; a label, a
// comment or any other statement ends it.
static void flush_held(struct ctx *c, struct buf *out, int taken) {
  struct buf *b = taken ? &c->held_bare : &c->held_mirrored;
  if (b->len)
    buf_put(out, b->p, b->len);
  c->held_bare.len = c->held_mirrored.len = 0;
  c->nheld = c->held_words = 0;
}

// Lines that emit no instruction. A label is one too: a jump to it reaches
// the call without leaving the run, and the thunk mirrors every held slot
// whatever wrote it (copying a live slot that is mirrored already is a no-op).
static int neutral_line(const struct stmt *s, int ns, const char *comment) {
  if (comment)
    return 0;
  if (ns == 0 || (ns == 1 && s->kind == SK_LABEL))
    return 1;
  return ns == 1 && s->kind == SK_DIRECTIVE && s->len > 5 &&
         (strncmp(s->text, ".cfi_", 5) == 0 || strncmp(s->text, ".loc ", 5) == 0 ||
          strncmp(s->text, ".loc\t", 5) == 0);
}

// Writes one input line (its text as written, and as translated) to out, or
// holds it. `alone` says the line is one statement, no comment; `ok` that it
// translated without error.
static void hold_line(struct ctx *c, struct buf *out, const char *line, size_t n,
                      const struct buf *mirrored, const struct stmt *s, int ns, const char *comment,
                      int ok) {
  int alone = ns == 1 && !comment;
  if (ok && alone && s->kind == SK_INSN && c->arg_write) {
    // A push moves the words held so far one slot up.
    c->held_words = c->arg_write < 0               ? c->held_words + 1
                    : c->arg_write > c->held_words ? c->arg_write
                                                   : c->held_words;
    buf_put(&c->held_bare, line, n);
    buf_put(&c->held_bare, "\n", 1);
    buf_put(&c->held_mirrored, mirrored->p, mirrored->len);
    c->nheld++;
    return;
  }
  if (c->nheld && neutral_line(s, ns, comment)) {
    buf_put(&c->held_bare, mirrored->p, mirrored->len);
    buf_put(&c->held_mirrored, mirrored->p, mirrored->len);
    return;
  }
  flush_held(c, out, c->call_args < 0);
  buf_put(out, mirrored->p, mirrored->len);
}

static int seg_ok(const struct operand *m) {
  return !m->seg[0] || !strcmp(m->seg, "ds") || !strcmp(m->seg, "ss") || !strcmp(m->seg, "es");
}

// Rewrites one instruction: fills pre (before it) and post (after it).
// Returns 1 if it writes memory, 0 if not, -1 on error.
static int rewrite(struct ctx *c, struct insn *in, const char *text, size_t len, struct buf *pre,
                   struct buf *post) {
  const struct arch *a = c->a;
  const struct insn_desc *d = a->lookup(in->mnemonic);
  if (!d)
    return error(c, text, len, "unknown instruction '%s' (not in the %s table)", in->mnemonic,
                 a->name);
  if (in->nops < d->min_ops || in->nops > d->max_ops)
    return error(c, text, len, "'%s' with %d operands is not supported", in->mnemonic, in->nops);
  int rep = 0, lock = 0;
  for (int i = 0; i < in->nprefix; i++) {
    enum prefix p = in->prefixes[i];
    unsigned need = p == PFX_LOCK ? IF_LOCK : p == PFX_REP ? IF_REP : IF_REPNE;
    if (!(d->flags & need))
      return error(c, text, len, "prefix '%s' is not supported with '%s'", in->prefix_text[i],
                   in->mnemonic);
    rep |= p == PFX_REP;
    lock |= p == PFX_LOCK;
  }
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

  int width = width_of(d, in);
  if ((d->flags & IF_DUAL) && !lock && m)
    return repeat_on_mirror(c, in, wop, width, post, text, len) < 0 ? -1 : count_write(c, d->klass);
  const char *klass = d->klass;
  const char *sp = c->sp;
  char a1[2 * ATT_TEXT], a2[2 * ATT_TEXT];

  switch (d->strategy) {
  case ST_NONE:
    return 0;

  case ST_REPEAT:
    if (repeat_on_mirror(c, in, wop, width, post, text, len) < 0)
      return -1;
    c->arg_write = in->nprefix ? 0 : outgoing_arg_slot(c, d, m, width);
    break;

  case ST_COPY: {
    if (!width)
      return error(c, text, len, "operand size unknown: write the size suffix");
    unsigned writes = 0;
    if ((d->flags & IF_WRITES_SRC) && in->ops[0].kind == OP_REG && in->ops[0].reg->gpr >= 0)
      writes |= 1u << in->ops[0].reg->gpr;
    if (d->flags & IF_WRITES_EAX)
      writes |= 1u << a->ax;
    if (d->flags & IF_WRITES_EDXEAX)
      writes |= 1u << a->ax | 1u << a->dx;
    if (writes & addr_regs(m)) {
      unsigned used = named_regs(in) | writes;
      if (d->flags & IF_WRITES_EDXEAX)
        used |= 1u << a->bx | 1u << a->cx;
      if (copy_via_lea(c, pre, post, m, width, used, text, len) < 0)
        return -1;
    } else if (copy_after(c, post, m, width, 0, text, len) < 0)
      return -1;
    break;
  }

  case ST_XCHG: {
    const struct operand *r = &in->ops[1 - wop];
    if (r->kind != OP_REG || r->reg->gpr < 0)
      return error(c, text, len, "exchange with memory needs a general register");
    emit(pre, "%s\t%%%s, %s", a->mov(r->reg->size), r->reg->name, mem(c, m, 1, 0, a1));
    break;
  }

  case ST_PUSH: {
    if (!width)
      width = a->word;
    struct operand top = reg_mem(c, a->sp);
    if (in->nops == 0) { // pushf: flags are only readable by pushing them
      if (copy_after(c, post, &top, width, 0, text, len) < 0)
        return -1;
      break;
    }
    const struct operand *s = &in->ops[0];
    if (s->star)
      return error(c, text, len, "unexpected '*' operand");
    // A word pushed from a register, an immediate or memory may be mirrored
    // later by the thunk of the call it is an argument of (hold_line).
    if (width == a->word && in->nprefix == 0 &&
        (s->kind != OP_REG || (s->reg->gpr >= 0 && s->reg->size == width)))
      c->arg_write = -1;
    if (s->kind == OP_REG && s->reg->gpr >= 0) {
      if (s->reg->size != width)
        return error(c, text, len, "push width does not match the register");
      emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), s->reg->name, c->o->offset, width, sp);
    } else if (s->kind == OP_IMM) {
      emit(pre, "%s\t%s, %s-%d(%%%s)", a->mov(width), s->text, c->o->offset, width, sp);
    } else if (s->kind == OP_MEM || s->reg->is_segment) {
      // The source may be %esp-relative and is read before the push: copy the
      // pushed slot afterwards.
      if (copy_after(c, post, &top, width, 0, text, len) < 0)
        return -1;
    } else
      return error(c, text, len, "cannot push this register");
    break;
  }

  case ST_PUSHA: {
    // Order of the slots: ax, cx, dx, bx, the original sp, bp, si, di.
    const int order[8] = {a->ax, a->cx, a->dx, a->bx, a->sp, a->bp, a->si, a->di};
    for (int i = 0; i < 8; i++)
      emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, order[i], width), c->o->offset,
           (i + 1) * width, sp);
    break;
  }

  case ST_ENTER: {
    const struct operand *lv = &in->ops[1];
    char *end;
    long level = lv->kind == OP_IMM ? strtol(lv->text + 1, &end, 0) : -1;
    if (lv->kind != OP_IMM || *end || in->ops[0].kind != OP_IMM)
      return error(c, text, len, "enter needs two numeric immediates");
    level &= 31;
    if (level == 0) {
      emit(pre, "%s\t%%%s, %s-%d(%%%s)", a->mov(width), rname(c, a->bp, width), c->o->offset, width,
           sp);
    } else {
      // Level L writes L+1 frame pointers from -4L(%ebp) (new %ebp) up.
      struct operand f = reg_mem(c, a->bp);
      snprintf(f.disp, sizeof f.disp, "%ld", -level * width);
      if (copy_after(c, post, &f, (int)(level + 1) * width, 0, text, len) < 0)
        return -1;
    }
    break;
  }

  case ST_CALL: {
    if (call_via_thunk(c, in))
      break;
    char label[96];
    snprintf(label, sizeof label, "%s%ld", c->label_prefix, c->nlabel++);
    emit(pre, "%s\t$%s, %s-%d(%%%s)", a->mov(a->word), label, c->o->offset, a->word, sp);
    buf_put(post, label, strlen(label));
    buf_put(post, ":\n", 2);
    break;
  }

  case ST_STOS:
  case ST_MOVS: {
    int movs = d->strategy == ST_MOVS;
    if (!width)
      return error(c, text, len, "operand size unknown: write the size suffix");
    if (!string_operands_ok(c, in, movs))
      return error(c, text, len, "string operands must be %s%%es:(%%edi)", movs ? "(%esi), " : "");
    struct operand di = reg_mem(c, a->di), si = reg_mem(c, a->si);
    const char *wmov = a->mov(a->word);
    const char *rdi = rname(c, a->di, a->word), *rsi = rname(c, a->si, a->word),
               *rcx = rname(c, a->cx, a->word);
    if (!rep && !movs) {
      emit(pre, "%s\t%%%s, %s", a->mov(width), rname(c, a->ax, width), mem(c, &di, 1, 0, a1));
    } else if (!rep) {
      int s = pick(c, 1u << a->si | 1u << a->di, width & 1);
      save(c, pre, s, -a->word);
      emit(pre, "%s\t%s, %%%s", a->mov(width), mem(c, &si, 0, 0, a1), rname(c, s, width));
      emit(pre, "%s\t%%%s, %s", a->mov(width), rname(c, s, width), mem(c, &di, 1, 0, a2));
      restore(c, pre, s, -a->word);
    } else {
      // rep: remember count and destination, run it, then run the same string
      // operation again on the mirror: stos stores the accumulator again; movs
      // copies the destination block (now final) to its mirror. %ecx ends at 0
      // either way; %esi/%edi get their values after the original back.
      int w = a->word;
      klass = "rep-string";
      emit(pre, "%s\t%%%s, %d(%%%s)", wmov, rcx, -w, sp);
      emit(pre, "%s\t%%%s, %d(%%%s)", wmov, rdi, -2 * w, sp);
      emit(post, "%s\t%%%s, %d(%%%s)", wmov, rdi, -3 * w, sp);
      if (movs)
        emit(post, "%s\t%%%s, %d(%%%s)", wmov, rsi, -4 * w, sp);
      emit(post, "%s\t%d(%%%s), %%%s", wmov, -w, sp, rcx);
      if (movs) {
        emit(post, "%s\t%d(%%%s), %%%s", wmov, -2 * w, sp, rsi);
        emit(post, "lea%s\t%s, %%%s", w == 4 ? "l" : "q", mem(c, &si, 1, 0, a1), rdi);
      } else {
        emit(post, "%s\t%d(%%%s), %%%s", wmov, -2 * w, sp, rdi);
        emit(post, "lea%s\t%s, %%%s", w == 4 ? "l" : "q", mem(c, &di, 1, 0, a1), rdi);
      }
      emit(post, "%.*s", (int)len, text);
      if (movs)
        emit(post, "%s\t%d(%%%s), %%%s", wmov, -4 * w, sp, rsi);
      emit(post, "%s\t%d(%%%s), %%%s", wmov, -3 * w, sp, rdi);
    }
    break;
  }

  case ST_BITOP: {
    if (!width || width < 2)
      return error(c, text, len, "operand size unknown: write the size suffix");
    const struct operand *bit = &in->ops[0];
    if (bit->kind == OP_IMM) { // the bit is inside the operand
      if (copy_after(c, post, m, width, 0, text, len) < 0)
        return -1;
      break;
    }
    if (bit->kind != OP_REG || bit->reg->gpr < 0 || bit->reg->gpr == a->sp)
      return error(c, text, len, "bit offset must be an immediate or a general register");
    // A register bit offset selects the word at address + (offset >> log2(bits))
    // * width, with offset signed. Computing it needs a shift: flags are saved
    // with pushf around it (which moves %esp by one word).
    unsigned ex = addr_regs(m) | 1u << bit->reg->gpr;
    int s1 = pick(c, ex, 0), s2 = pick(c, ex | 1u << s1, 0);
    if (s1 < 0 || s2 < 0)
      return error(c, text, len, "no scratch register left");
    int w = a->word;
    long slot = slot_base(c, m);
    long adj = m->base && m->base->gpr == a->sp ? w : 0;
    emit(post, "pushf%s", w == 4 ? "l" : "q");
    save(c, post, s1, slot - w);
    save(c, post, s2, slot - 2 * w);
    if (width == w)
      emit(post, "%s\t%%%s, %%%s", a->mov(w), bit->reg->name, rname(c, s1, w));
    else
      emit(post, "movswl\t%%%s, %%%s", bit->reg->name, rname(c, s1, w));
    emit(post, "sarl\t$%d, %%%s", width == 4 ? 5 : 4, rname(c, s1, w));
    struct operand plain = *m;
    plain.seg[0] = 0;
    emit(post, "leal\t%s, %%%s", mem(c, &plain, 0, adj, a1), rname(c, s2, w));
    emit(post, "leal\t(%%%s,%%%s,%d), %%%s", rname(c, s2, w), rname(c, s1, w), width,
         rname(c, s1, w));
    struct operand at = reg_mem(c, s1);
    copy_bytes(c, post, &at, width, s2);
    restore(c, post, s2, slot - 2 * w);
    restore(c, post, s1, slot - w);
    emit(post, "popf%s", w == 4 ? "l" : "q");
    break;
  }
  }

  return count_write(c, klass);
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
      flush_held(&c, out, 0);
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
    c.call_args = ns == 1 && !comment ? c.held_words : 0;
    c.arg_write = 0;
    lb.len = 0;
    if (comment && ns > 0) {
      buf_put(&lb, "\t", 1);
      buf_put(&lb, comment, (size_t)(line + n - comment));
      buf_put(&lb, "\n", 1);
    }
    for (int i = 0; i < ns; i++) {
      struct stmt *s = &stmts[i];
      if (s->kind != SK_INSN) {
        if (c.pending.nprefix) {
          error(&c, s->text, s->len, "prefix '%s' is not followed by an instruction",
                c.pending_text);
          c.pending.nprefix = 0;
        }
        if (s->kind == SK_DIRECTIVE)
          buf_put(&lb, "\t", 1);
        buf_put(&lb, s->text, s->len);
        buf_put(&lb, "\n", 1);
        continue;
      }
      st->insns++;
      if (att_parse(c.a, s->text, s->len, &insn, err, sizeof err) < 0) {
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
      if (rewrite(&c, &insn, text, tlen, &pre, &post) < 0)
        continue;
      if (c.replacement[0]) {
        text = c.replacement;
        tlen = strlen(text);
      }
      if (pre.len || post.len || c.replacement[0])
        changed = 1;
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
    hold_line(&c, out, line, n, &lb, stmts, ns, comment, c.errors == errors_before);
  }
  flush_held(&c, out, 0);
  if (c.pending.nprefix)
    error(&c, c.pending_text, strlen(c.pending_text),
          "prefix at the end of the file is not followed by an instruction");
  if (!c.errors)
    emit_thunks(&c, out);
  free_callees(&c);
  buf_free(&c.held_bare);
  buf_free(&c.held_mirrored);
  buf_free(&lb);
  buf_free(&pre);
  buf_free(&post);
  st->bytes_out += out->len - out_start;
  for (size_t i = out_start; i < out->len; i++)
    st->lines_out += out->p[i] == '\n';
  return c.errors;
}
