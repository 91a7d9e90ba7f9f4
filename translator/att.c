// AT&T syntax: splitting lines into statements and parsing instructions.
#include "att.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_sym_char(int c) {
  return isalnum(c) || c == '_' || c == '.' || c == '$';
}

static void trim(const char **p, size_t *n) {
  while (*n && isspace((unsigned char)**p))
    (*p)++, (*n)--;
  while (*n && isspace((unsigned char)(*p)[*n - 1]))
    (*n)--;
}

// Length of a label at the start of s ("name:" or "1:"), 0 if there is none.
static size_t label_len(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '"') { // quoted symbol name
    for (i = 1; i < n && s[i] != '"'; i++)
      ;
    if (i >= n)
      return 0;
    i++;
  } else {
    while (i < n && is_sym_char((unsigned char)s[i]))
      i++;
    if (i == 0)
      return 0;
  }
  size_t j = i;
  while (j < n && (s[j] == ' ' || s[j] == '\t'))
    j++;
  return j < n && s[j] == ':' ? j + 1 : 0;
}

// Symbol assignment "name = expr" (GAS): passed through like a directive.
static int is_assignment(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && is_sym_char((unsigned char)s[i]))
    i++;
  if (i == 0)
    return 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return i < n && s[i] == '=' && (i + 1 >= n || s[i + 1] != '=');
}

static int add_stmt(struct stmt *out, int *k, int max, const char *p, size_t n) {
  trim(&p, &n);
  while (n) {
    if (*k >= max)
      return -1;
    size_t l = label_len(p, n);
    struct stmt *s = &out[(*k)++];
    s->text = p;
    if (l) {
      s->kind = SK_LABEL;
      s->len = l;
      p += l, n -= l;
      trim(&p, &n);
      continue;
    }
    s->len = n;
    s->kind = (p[0] == '.' || is_assignment(p, n)) ? SK_DIRECTIVE : SK_INSN;
    break;
  }
  return 0;
}

int att_split(const char *line, size_t len, struct stmt *out, int max, const char **comment) {
  int k = 0;
  size_t start = 0;
  *comment = NULL;
  for (size_t i = 0; i <= len; i++) {
    char c = i < len ? line[i] : 0;
    if (c == '"') {
      for (i++; i < len && line[i] != '"'; i++)
        if (line[i] == '\\')
          i++;
      continue;
    }
    if (c == '\'' && i + 1 < len) { // character constant 'c
      i += line[i + 1] == '\\' ? 2 : 1;
      continue;
    }
    if (c == ';' || c == '#' || i == len) {
      if (add_stmt(out, &k, max, line + start, i - start) < 0)
        return -1;
      start = i + 1;
      if (c == '#') {
        *comment = line + i;
        break;
      }
    }
  }
  return k;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int copy_text(char *dst, size_t cap, const char *p, size_t n) {
  if (n >= cap)
    return -1;
  memcpy(dst, p, n);
  dst[n] = 0;
  return 0;
}

// "%name" -> register; name is lower-cased and spaces inside "st( 1 )" removed.
static const struct reg_info *parse_reg(const struct arch *a, const char *p, size_t n) {
  char name[16];
  size_t k = 0;
  if (n < 2 || p[0] != '%')
    return NULL;
  for (size_t i = 1; i < n; i++) {
    if (isspace((unsigned char)p[i]))
      continue;
    if (k + 1 >= sizeof name)
      return NULL;
    name[k++] = (char)tolower((unsigned char)p[i]);
  }
  name[k] = 0;
  // a->reg returns an entry of its static table, never name itself.
  // cppcheck-suppress returnDanglingLifetime
  return a->reg(name);
}

static int parse_mem(const struct arch *a, const char *p, size_t n, struct operand *o, char *err,
                     size_t errlen) {
  o->kind = OP_MEM;
  o->scale = 1;
  // Segment override "%es:".
  if (n > 3 && p[0] == '%' && p[3] == ':') {
    const struct reg_info *s = parse_reg(a, p, 3);
    if (!s || !s->is_segment)
      return fail(err, errlen, "bad segment override in '%.*s'", (int)n, p);
    memcpy(o->seg, s->name, 3);
    p += 4, n -= 4;
    trim(&p, &n);
  }
  // The register part is the last parenthesised group, if it names registers.
  size_t disp_len = n;
  if (n && p[n - 1] == ')') {
    int depth = 0;
    size_t i = n;
    while (i-- > 0) {
      if (p[i] == ')')
        depth++;
      else if (p[i] == '(' && --depth == 0)
        break;
    }
    if (depth != 0)
      return fail(err, errlen, "unbalanced parentheses in '%.*s'", (int)n, p);
    const char *r = p + i + 1;
    size_t rn = n - i - 2;
    const char *q = r;
    size_t qn = rn;
    trim(&q, &qn);
    if (qn && (q[0] == '%' || q[0] == ',')) {
      disp_len = i;
      // base[,index[,scale]]
      const char *part[3] = {0};
      size_t plen[3] = {0};
      int np = 0;
      size_t s0 = 0;
      for (size_t j = 0; j <= rn; j++) {
        if (j == rn || r[j] == ',') {
          if (np == 3)
            return fail(err, errlen, "bad memory operand '%.*s'", (int)n, p);
          part[np] = r + s0;
          plen[np] = j - s0;
          trim(&part[np], &plen[np]);
          np++;
          s0 = j + 1;
        }
      }
      if (plen[0]) {
        o->base = parse_reg(a, part[0], plen[0]);
        if (!o->base || o->base->gpr < 0 || o->base->size != a->word)
          return fail(err, errlen, "unsupported base register in '%.*s'", (int)n, p);
      }
      if (np > 1 && plen[1]) {
        o->index = parse_reg(a, part[1], plen[1]);
        if (!o->index || o->index->gpr < 0 || o->index->size != a->word || o->index->gpr == a->sp)
          return fail(err, errlen, "unsupported index register in '%.*s'", (int)n, p);
      }
      if (np > 2 && plen[2]) {
        if (plen[2] != 1 || !strchr("1248", part[2][0]))
          return fail(err, errlen, "bad scale in '%.*s'", (int)n, p);
        o->scale = part[2][0] - '0';
      }
    }
  }
  const char *d = p;
  trim(&d, &disp_len);
  if (copy_text(o->disp, sizeof o->disp, d, disp_len) < 0)
    return fail(err, errlen, "operand too long");
  if (!o->base && !o->index && !disp_len)
    return fail(err, errlen, "empty memory operand");
  // A register left in the displacement ("(%rdi){%k1}", AVX-512 masking)
  // would be moved as if it were an address expression.
  if (strchr(o->disp, '%'))
    return fail(err, errlen, "unsupported memory operand '%.*s'", (int)n, p);
  return 0;
}

static int parse_operand(const struct arch *a, const char *p, size_t n, struct operand *o,
                         char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  trim(&p, &n);
  if (n && p[0] == '*') {
    o->star = 1;
    p++, n--;
    trim(&p, &n);
  }
  if (!n)
    return fail(err, errlen, "empty operand");
  if (copy_text(o->text, sizeof o->text, p, n) < 0)
    return fail(err, errlen, "operand too long");
  if (p[0] == '$') {
    o->kind = OP_IMM;
    return 0;
  }
  if (p[0] == '%' && !(n > 3 && p[3] == ':')) {
    o->kind = OP_REG;
    o->reg = parse_reg(a, p, n);
    if (!o->reg)
      return fail(err, errlen, "unknown register '%.*s'", (int)n, p);
    return 0;
  }
  return parse_mem(a, p, n, o, err, errlen);
}

int att_parse(const struct arch *a, const char *text, size_t len, struct insn *in, char *err,
              size_t errlen) {
  memset(in, 0, sizeof *in);
  const char *p = text;
  size_t n = len;
  trim(&p, &n);
  for (;;) {
    size_t w = 0;
    while (w < n && !isspace((unsigned char)p[w]))
      w++;
    if (w == 0)
      return fail(err, errlen, "empty instruction");
    if (w >= sizeof in->mnemonic)
      return fail(err, errlen, "mnemonic too long");
    char word[sizeof in->mnemonic];
    for (size_t i = 0; i < w; i++)
      word[i] = (char)tolower((unsigned char)p[i]);
    word[w] = 0;
    p += w, n -= w;
    trim(&p, &n);
    enum prefix pf = a->prefix(word);
    if (pf != PFX_NONE) {
      if (in->nprefix == ATT_MAXPFX)
        return fail(err, errlen, "too many prefixes");
      in->prefixes[in->nprefix] = pf;
      memcpy(in->prefix_text[in->nprefix], word, w + 1 < 8 ? w + 1 : 8);
      in->prefix_text[in->nprefix][7] = 0;
      in->nprefix++;
      if (!n)
        return 0; // a prefix alone ("rep;"): the caller joins it to the next instruction
      continue;
    }
    memcpy(in->mnemonic, word, w + 1);
    break;
  }
  // Operands: split at commas outside parentheses and quotes.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= n && n; i++) {
    char c = i < n ? p[i] : ',';
    if (c == '(')
      depth++;
    else if (c == ')')
      depth--;
    else if (c == '"') {
      for (i++; i < n && p[i] != '"'; i++)
        ;
    } else if (c == ',' && depth == 0) {
      if (in->nops == ATT_MAXOPS)
        return fail(err, errlen, "too many operands");
      if (parse_operand(a, p + start, i - start, &in->ops[in->nops], err, errlen) < 0)
        return -1;
      in->nops++;
      start = i + 1;
    }
  }
  return 0;
}

// A displacement GCC writes: a number, a symbol, or a symbol plus or minus a
// number. Anything else is kept as an expression.
static int simple_disp(const char *d, char *sym, size_t symcap, long *num) {
  char *end;
  *num = 0;
  sym[0] = 0;
  if (!*d)
    return 1;
  if (isdigit((unsigned char)d[0]) || d[0] == '-' || d[0] == '+') {
    errno = 0;
    long v = strtol(d, &end, 0);
    if (!*end && !errno) {
      *num = v;
      return 1;
    }
    return 0;
  }
  size_t i = 0;
  while (d[i] && is_sym_char((unsigned char)d[i]))
    i++;
  if (i == 0 || i >= symcap || isdigit((unsigned char)d[0]))
    return 0;
  if (d[i] && d[i] != '+' && d[i] != '-')
    return 0;
  if (d[i]) {
    errno = 0;
    long v = strtol(d + i, &end, 0);
    if (*end || errno || !isdigit((unsigned char)d[i + 1]))
      return 0;
    *num = v;
  }
  memcpy(sym, d, i);
  sym[i] = 0;
  return 1;
}

int att_format_mem(const struct operand *m, const char *offset, long add, char *out,
                   size_t outlen) {
  char sym[ATT_TEXT];
  long num;
  char disp[2 * ATT_TEXT];
  size_t k = 0;
  disp[0] = 0;
#define PUT(...)                                                                                   \
  (k += (size_t)snprintf(disp + k, k < sizeof disp ? sizeof disp - k : 0, __VA_ARGS__))
  if (offset)
    PUT("%s", offset);
  if (simple_disp(m->disp, sym, sizeof sym, &num)) {
    if (sym[0])
      PUT("%s%s", k ? "+" : "", sym);
    num += add;
    if (num < 0)
      PUT("%ld", num);
    else if (num > 0 || k == 0)
      PUT("%s%ld", k ? "+" : "", num);
  } else {
    PUT("%s%s", k && m->disp[0] != '-' ? "+" : "", m->disp);
    if (add)
      PUT("%+ld", add);
  }
#undef PUT
  if (k >= sizeof disp)
    return -1;
  // Drop a lone "0" when registers follow: "0(%eax)" is written "(%eax)".
  if ((m->base || m->index) && strcmp(disp, "0") == 0)
    disp[0] = 0;
  int r;
  const char *sep = m->seg[0] ? ":" : "";
  const char *pct = m->seg[0] ? "%" : "";
  if (!m->base && !m->index)
    r = snprintf(out, outlen, "%s%s%s%s", pct, m->seg, sep, disp);
  else if (!m->index)
    r = snprintf(out, outlen, "%s%s%s%s(%%%s)", pct, m->seg, sep, disp, m->base->name);
  else if (m->scale == 1)
    r = snprintf(out, outlen, "%s%s%s%s(%s%s,%%%s)", pct, m->seg, sep, disp, m->base ? "%" : "",
                 m->base ? m->base->name : "", m->index->name);
  else
    r = snprintf(out, outlen, "%s%s%s%s(%s%s,%%%s,%d)", pct, m->seg, sep, disp, m->base ? "%" : "",
                 m->base ? m->base->name : "", m->index->name, m->scale);
  return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

int att_disp_number(const struct operand *m, long *v) {
  char sym[ATT_TEXT];
  return simple_disp(m->disp, sym, sizeof sym, v) && !sym[0];
}
