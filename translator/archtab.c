// The table builder shared by the architectures (archtab.h), and the x87
// entries both of them have.
#include "archtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct insn_desc x87_stores[] = {
    // x87 stores: s/l/t = 4/8/10-byte reals; s/l/ll,q = 2/4/8-byte integers.
    // The popping forms cannot be repeated (the value is gone): copy after.
    {"fst", ST_REPEAT, 0, 1, 1, 0, "x87"}, // register form only (%st(i))
    {"fsts", ST_REPEAT, 4, 1, 1, 0, "x87"},   {"fstl", ST_REPEAT, 8, 1, 1, 0, "x87"},
    {"fstp", ST_COPY, 0, 1, 1, 0, "x87"}, // register form only
    {"fstps", ST_COPY, 4, 1, 1, 0, "x87"},    {"fstpl", ST_COPY, 8, 1, 1, 0, "x87"},
    {"fstpt", ST_COPY, 10, 1, 1, 0, "x87"},   {"fists", ST_REPEAT, 2, 1, 1, 0, "x87"},
    {"fistl", ST_REPEAT, 4, 1, 1, 0, "x87"},  {"fistps", ST_COPY, 2, 1, 1, 0, "x87"},
    {"fistpl", ST_COPY, 4, 1, 1, 0, "x87"},   {"fistpll", ST_COPY, 8, 1, 1, 0, "x87"},
    {"fistpq", ST_COPY, 8, 1, 1, 0, "x87"},   {"fisttps", ST_COPY, 2, 1, 1, 0, "x87"},
    {"fisttpl", ST_COPY, 4, 1, 1, 0, "x87"},  {"fisttpll", ST_COPY, 8, 1, 1, 0, "x87"},
    {"fisttpq", ST_COPY, 8, 1, 1, 0, "x87"},  {"fbstp", ST_COPY, 10, 1, 1, 0, "x87"},
    {"fnstcw", ST_REPEAT, 2, 1, 1, 0, "x87"}, {"fstcw", ST_REPEAT, 2, 1, 1, 0, "x87"},
    {"fnstsw", ST_REPEAT, 2, 0, 1, 0, "x87"}, // %ax or m16
    {"fstsw", ST_REPEAT, 2, 0, 1, 0, "x87"},
};

static const char *const x87_readers[] = {
    // x87 loads, arithmetic, compares and control.
    "fld",     "flds",     "fldl",    "fldt",    "fild",    "filds",   "fildl",   "fildll",
    "fildq",   "fadd",     "fadds",   "faddl",   "faddp",   "fiadds",  "fiaddl",  "fsub",
    "fsubs",   "fsubl",    "fsubp",   "fisubs",  "fisubl",  "fsubr",   "fsubrs",  "fsubrl",
    "fsubrp",  "fisubrs",  "fisubrl", "fmul",    "fmuls",   "fmull",   "fmulp",   "fimuls",
    "fimull",  "fdiv",     "fdivs",   "fdivl",   "fdivp",   "fidivs",  "fidivl",  "fdivr",
    "fdivrs",  "fdivrl",   "fdivrp",  "fidivrs", "fidivrl", "fcom",    "fcoms",   "fcoml",
    "fcomp",   "fcomps",   "fcompl",  "fcompp",  "ficoms",  "ficoml",  "ficomps", "ficompl",
    "fucom",   "fucomp",   "fucompp", "fcomi",   "fcomip",  "fucomi",  "fucomip", "ftst",
    "fxam",    "fchs",     "fabs",    "fxch",    "fldz",    "fld1",    "fldpi",   "fldl2e",
    "fldl2t",  "fldlg2",   "fldln2",  "fsqrt",   "fsin",    "fcos",    "fsincos", "frndint",
    "fscale",  "fprem",    "fprem1",  "fptan",   "fpatan",  "fyl2x",   "fyl2xp1", "f2xm1",
    "fxtract", "fnclex",   "fclex",   "fninit",  "finit",   "ffree",   "ffreep",  "fdecstp",
    "fincstp", "fnop",     "fldcw",   "fcmovb",  "fcmove",  "fcmovbe", "fcmovu",  "fcmovnb",
    "fcmovne", "fcmovnbe", "fcmovnu",
};

// Condition codes, for the '%' of a family base (setcc, cmovcc, jcc).
static const char *const conds[] = {"a",  "ae",  "b",  "be",  "c",  "e",  "g",  "ge",  "l",  "le",
                                    "na", "nae", "nb", "nbe", "nc", "ne", "ng", "nge", "nl", "nle",
                                    "no", "np",  "ns", "nz",  "o",  "p",  "pe", "po",  "s",  "z"};

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    perror("mirror-translate");
    exit(2);
  }
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

static void add(struct archtab *t, const struct insn_desc *d) {
  if (t->ntable == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 1024;
    struct insn_desc *p = realloc(t->table, t->cap * sizeof *p);
    if (!p) {
      perror("mirror-translate");
      exit(2);
    }
    t->table = p;
  }
  t->table[t->ntable++] = *d;
}

static void add_family(struct archtab *t, const struct family *f, const char *base) {
  for (const char *s = f->suffixes; *s; s++) {
    size_t n = strlen(base);
    char *m = xmalloc(n + 2);
    memcpy(m, base, n);
    m[n] = *s == '.' || *s == '1' ? 0 : *s;
    m[n + 1] = 0;
    int width = *s == 'b' || *s == '1' ? 1 : *s == 'w' ? 2 : *s == 'l' ? 4 : *s == 'q' ? 8 : 0;
    struct insn_desc d = {m, f->strategy, width, f->min_ops, f->max_ops, f->flags, f->klass};
    add(t, &d);
  }
}

// A family whose base has a '%': one family per condition code.
static void add_families(struct archtab *t, const struct family *f) {
  const char *pct = strchr(f->base, '%');
  if (!pct) {
    add_family(t, f, f->base);
    return;
  }
  for (size_t c = 0; c < sizeof conds / sizeof conds[0]; c++) {
    char base[32];
    snprintf(base, sizeof base, "%.*s%s%s", (int)(pct - f->base), f->base, conds[c], pct + 1);
    add_family(t, f, base);
  }
}

// Adds every name a brace pattern stands for ("{,v}mov{a,u}ps").
static void add_readers(struct archtab *t, const char *pattern) {
  const char *open = strchr(pattern, '{');
  if (!open) {
    int max = t->reader_max_ops ? t->reader_max_ops : 3;
    struct insn_desc d = {xstrdup(pattern), ST_NONE, 0, 0, max, 0, NULL};
    add(t, &d);
    return;
  }
  const char *close = strchr(open, '}');
  if (!close) {
    snprintf(t->conflict, sizeof t->conflict, "unbalanced braces in '%s'", pattern);
    return;
  }
  for (const char *alt = open + 1; alt <= close;) {
    size_t n = strcspn(alt, ",}");
    char name[128];
    snprintf(name, sizeof name, "%.*s%.*s%s", (int)(open - pattern), pattern, (int)n, alt,
             close + 1);
    add_readers(t, name);
    alt += n + 1;
  }
}

static int by_mnemonic(const void *a, const void *b) {
  return strcmp(((const struct insn_desc *)a)->mnemonic, ((const struct insn_desc *)b)->mnemonic);
}

static void build(struct archtab *t) {
  for (int l = 0; l < ARCHTAB_LISTS; l++) {
    const struct family *f = t->families[l].items;
    for (size_t i = 0; i < t->families[l].n; i++)
      add_families(t, &f[i]);
    const struct insn_desc *s = t->singles[l].items;
    for (size_t i = 0; i < t->singles[l].n; i++)
      add(t, &s[i]);
    const char *const *r = t->readers[l].items;
    for (size_t i = 0; i < t->readers[l].n; i++)
      add_readers(t, r[i]);
  }
  if (t->x87) {
    for (size_t i = 0; i < sizeof x87_stores / sizeof x87_stores[0]; i++)
      add(t, &x87_stores[i]);
    for (size_t i = 0; i < sizeof x87_readers / sizeof x87_readers[0]; i++)
      add_readers(t, x87_readers[i]);
  }
  qsort(t->table, t->ntable, sizeof *t->table, by_mnemonic);
  // Two entries for one mnemonic: keep the first, remember the conflict for check().
  size_t out = 0;
  for (size_t i = 0; i < t->ntable; i++) {
    if (out > 0 && strcmp(t->table[out - 1].mnemonic, t->table[i].mnemonic) == 0) {
      if (!t->conflict[0])
        snprintf(t->conflict, sizeof t->conflict, "mnemonic '%s' is listed twice",
                 t->table[i].mnemonic);
      continue;
    }
    t->table[out++] = t->table[i];
  }
  t->ntable = out;
}

const struct insn_desc *archtab_lookup(struct archtab *t, const char *mnemonic) {
  if (!t->table)
    build(t);
  struct insn_desc key = {.mnemonic = mnemonic};
  return bsearch(&key, t->table, t->ntable, sizeof *t->table, by_mnemonic);
}

int archtab_check(struct archtab *t, char *msg, size_t msglen) {
  if (!t->table)
    build(t);
  if (t->conflict[0]) {
    snprintf(msg, msglen, "%s", t->conflict);
    return -1;
  }
  for (size_t i = 0; i < t->ntable; i++) {
    const struct insn_desc *d = &t->table[i];
    int known = 0;
    for (size_t c = 0; d->klass && c < t->nclasses; c++)
      known |= strcmp(t->classes[c], d->klass) == 0;
    if ((d->strategy == ST_NONE) != (d->klass == NULL) || (d->klass && !known)) {
      snprintf(msg, msglen, "mnemonic '%s': strategy and class disagree", d->mnemonic);
      return -1;
    }
  }
  return 0;
}

const struct arch *arch_find(const char *name) {
  if (strcmp(name, "i386") == 0)
    return &arch_i386;
  if (strcmp(name, "x86_64") == 0)
    return &arch_x86_64;
  return NULL;
}
