// Grammar and vocabulary of the kernel's machine lines.
#include "serialcheck.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum value_form {
  V_WORD,
  V_INT,
  V_UINT,
  V_QUOTED,
  V_OKFAIL,
  V_VARIANT,
  V_HEX,
  V_MCE_KIND,
  V_MCE_ACTION
};

struct key_rule {
  const char *key;
  enum value_form form;
};

struct event_rule {
  const char *name;
  struct key_rule keys[SERIAL_MAX_KEYS];
};

// One row per documented form of an event, keys in their documented order;
// an event with two forms (@oracle) has two rows and a line may match either.
static const struct event_rule rules[] = {
    {"boot", {{"variant", V_VARIANT}, {"mem", V_UINT}, {"cmdline", V_QUOTED}}},
    {"test", {{"name", V_WORD}, {"status", V_OKFAIL}, {"cycles", V_UINT}}},
    {"usertests", {{"passed", V_UINT}, {"failed", V_UINT}}},
    {"exit", {{"status", V_INT}}},
    {"panic", {{"msg", V_QUOTED}}},
    {"oracle", {{"pid", V_UINT}, {"pages", V_UINT}, {"mismatches", V_UINT}}},
    {"oracle", {{"pid", V_UINT}, {"va", V_HEX}, {"native", V_WORD}, {"mirror", V_WORD}}},
    {"koracle", {{"frames", V_UINT}, {"mismatches", V_UINT}}},
    {"koracle", {{"pa", V_HEX}, {"kind", V_WORD}, {"native", V_HEX}, {"mirror", V_HEX}}},
    {"frames", {{"native", V_UINT}, {"mirror", V_UINT}, {"pgtables", V_UINT}, {"retired", V_UINT}}},
    {"mce",
     {{"pa", V_HEX},
      {"kind", V_MCE_KIND},
      {"pid", V_UINT},
      {"va", V_HEX},
      {"action", V_MCE_ACTION},
      {"newpa", V_HEX},
      {"cycles", V_UINT}}},
    // The dedup workloads (docs/dedup.md): a snapshot of the free frames, the
    // same right after a dedup() call with what it returned (-1: it failed),
    // and dedup_repeat's account of one run of a workload.
    {"dedup", {{"prog", V_WORD}, {"phase", V_WORD}, {"free", V_UINT}, {"mirror_free", V_UINT}}},
    {"dedup",
     {{"prog", V_WORD},
      {"phase", V_WORD},
      {"freed", V_INT},
      {"free", V_UINT},
      {"mirror_free", V_UINT}}},
    {"dedup",
     {{"prog", V_WORD},
      {"run", V_UINT},
      {"status", V_INT},
      {"free_before", V_UINT},
      {"free_after", V_UINT},
      {"mirror_before", V_UINT},
      {"mirror_after", V_UINT}}},
};

static int one_of(const char *v, const char *const *words) {
  for (; *words; words++)
    if (strcmp(v, *words) == 0)
      return 1;
  return 0;
}

static const char *const mce_kinds[] = {"native",   "mirror", "kernel",   "pgtable",   "kmirror",
                                        "mce_self", "free",   "poisoned", "unmanaged", NULL};
static const char *const mce_actions[] = {"recovered", "repaired_mirror", "killed",
                                          "panic",     "ignored",         NULL};

static int fail(char *err, size_t errlen, const char *what, const char *detail) {
  snprintf(err, errlen, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  return -1;
}

static int is_word_char(int c) {
  return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

// Copies characters accepted by ok() from *p into out; returns the length.
static size_t take(const char **p, char *out, size_t cap, int (*ok)(int)) {
  size_t n = 0;
  while (**p && ok((unsigned char)**p)) {
    if (n + 1 < cap)
      out[n] = **p;
    n++;
    (*p)++;
  }
  out[n < cap ? n : cap - 1] = 0;
  return n;
}

static int is_key_char(int c) {
  return isalnum(c) || c == '_';
}

static int parse_value(const char **p, char *out, size_t cap, char *err, size_t errlen) {
  if (**p != '"') {
    if (take(p, out, cap, is_word_char) == 0)
      return fail(err, errlen, "empty or malformed value", *p);
    return 0;
  }
  const char *end = strchr(*p + 1, '"');
  if (!end)
    return fail(err, errlen, "unterminated quoted value", *p);
  size_t n = (size_t)(end - (*p + 1));
  if (n >= cap)
    return fail(err, errlen, "quoted value too long", NULL);
  memcpy(out, *p + 1, n);
  out[n] = 0;
  *p = end + 1;
  return 0;
}

int serial_parse(const char *line, struct serial_event *ev, char *err, size_t errlen) {
  const char *p = line;
  memset(ev, 0, sizeof(*ev));
  if (*p++ != '@')
    return fail(err, errlen, "machine line must start with '@'", line);
  if (take(&p, ev->name, sizeof ev->name, is_key_char) == 0)
    return fail(err, errlen, "missing event name", line);
  while (*p == ' ') {
    while (*p == ' ')
      p++;
    if (*p == 0 || *p == '\r' || *p == '\n')
      break;
    if (ev->nkeys == SERIAL_MAX_KEYS)
      return fail(err, errlen, "too many keys", line);
    int k = ev->nkeys++;
    if (take(&p, ev->key[k], sizeof ev->key[k], is_key_char) == 0 || *p++ != '=')
      return fail(err, errlen, "expected key=value", line);
    if (parse_value(&p, ev->value[k], sizeof ev->value[k], err, errlen) < 0)
      return -1;
  }
  if (*p && *p != '\r' && *p != '\n')
    return fail(err, errlen, "unexpected text", p);
  return 0;
}

static int is_int(const char *s, int allow_sign) {
  if (allow_sign && *s == '-')
    s++;
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s))
      return 0;
  return 1;
}

static int value_ok(enum value_form form, const char *v) {
  switch (form) {
  case V_INT:
    return is_int(v, 1);
  case V_UINT:
    return is_int(v, 0);
  case V_OKFAIL:
    return strcmp(v, "ok") == 0 || strcmp(v, "fail") == 0;
  case V_VARIANT:
    return strcmp(v, "native") == 0 || strcmp(v, "memv6") == 0 || strcmp(v, "memv6sys") == 0;
  case V_WORD:
    return *v != 0;
  case V_QUOTED:
    return 1;
  case V_MCE_KIND:
    return one_of(v, mce_kinds);
  case V_MCE_ACTION:
    return one_of(v, mce_actions);
  case V_HEX:
    return v[0] == '0' && v[1] == 'x' && v[2] && strspn(v + 2, "0123456789abcdef") == strlen(v + 2);
  }
  return 0;
}

// Checks ev against one row: 0, or -1 with the reason.
static int match_rule(const struct event_rule *r, const struct serial_event *ev, char *err,
                      size_t errlen) {
  int i = 0;
  for (; i < SERIAL_MAX_KEYS && r->keys[i].key; i++) {
    if (i >= ev->nkeys || strcmp(ev->key[i], r->keys[i].key) != 0)
      return fail(err, errlen, "missing or misplaced key", r->keys[i].key);
    if (!value_ok(r->keys[i].form, ev->value[i]))
      return fail(err, errlen, "bad value for key", r->keys[i].key);
  }
  // Any machine line may end with split=1: the kernel printed it in the
  // middle of a program's line (docs/serial-protocol.md).
  if (ev->nkeys == i + 1 && strcmp(ev->key[i], "split") == 0 && strcmp(ev->value[i], "1") == 0)
    return 0;
  if (ev->nkeys != i)
    return fail(err, errlen, "undocumented key", ev->key[i]);
  return 0;
}

int serial_check(const char *line, char *err, size_t errlen) {
  struct serial_event ev;
  if (serial_parse(line, &ev, err, errlen) < 0)
    return -1;
  int rows = 0;
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    if (strcmp(rules[i].name, ev.name) != 0)
      continue;
    // The first row's complaint is the one reported when no row matches.
    char why[256] = "";
    char *reason = rows ? why : err;
    if (match_rule(&rules[i], &ev, reason, rows ? sizeof why : errlen) == 0)
      return 0;
    rows++;
  }
  return rows ? -1 : fail(err, errlen, "undocumented event", ev.name);
}

const char *serial_get(const struct serial_event *ev, const char *key) {
  for (int i = 0; i < ev->nkeys; i++)
    if (strcmp(ev->key[i], key) == 0)
      return ev->value[i];
  return NULL;
}
