#include "serial.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_spaces(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\r')
    p++;
  return p;
}

// Copies a token that ends at one of `stops` (or NUL) into out; returns the end.
static const char *copy_until(const char *p, const char *stops, char *out, size_t cap,
                              bool *overflow) {
  size_t n = 0;
  while (*p && !strchr(stops, *p)) {
    if (n + 1 < cap)
      out[n++] = *p;
    else
      *overflow = true;
    p++;
  }
  out[n] = 0;
  return p;
}

static int parse_pair(const char **pp, struct mh_kv *kv, struct mh_err *e) {
  bool over = false;
  const char *p = copy_until(*pp, "= \t\r", kv->key, sizeof kv->key, &over);
  if (*p != '=' || !kv->key[0])
    return mh_fail(e, "expected key=value, got \"%.40s\"", *pp);
  p++;
  if (*p == '"') {
    p = copy_until(p + 1, "\"", kv->val, sizeof kv->val, &over);
    if (*p != '"')
      return mh_fail(e, "unterminated quoted value for key %s", kv->key);
    p++;
  } else {
    p = copy_until(p, " \t\r", kv->val, sizeof kv->val, &over);
  }
  if (over)
    return mh_fail(e, "key or value too long near \"%.40s\"", *pp);
  *pp = p;
  return 0;
}

int mh_event_parse(const char *line, struct mh_event *ev, struct mh_err *e) {
  memset(ev, 0, sizeof *ev);
  if (line[0] != '@')
    return 0;
  bool over = false;
  const char *p = copy_until(line + 1, " \t\r", ev->name, sizeof ev->name, &over);
  if (!ev->name[0] || over)
    return mh_fail(e, "bad event name in \"%.60s\"", line);
  for (p = skip_spaces(p); *p; p = skip_spaces(p)) {
    if (ev->nkv == MH_EV_MAXKV)
      return mh_fail(e, "more than %d keys in \"%.60s\"", MH_EV_MAXKV, line);
    if (parse_pair(&p, &ev->kv[ev->nkv], e) < 0)
      return -1;
    ev->nkv++;
  }
  return 1;
}

const char *mh_event_get(const struct mh_event *ev, const char *key) {
  for (int i = 0; i < ev->nkv; i++)
    if (strcmp(ev->kv[i].key, key) == 0)
      return ev->kv[i].val;
  return NULL;
}

// ---- lines as meant (mh_serial_lines) ----

// The kernel's machine events (docs/serial-protocol.md); programs print
// others (@test, @usertests, @dedup).
static const char *const kernel_events[] = {"boot",   "exit", "panic", "oracle",
                                            "frames", "mce",  NULL};

// The length of a kernel event name right after '@' at p (0: none).
static size_t kernel_event_at(const char *p) {
  if (*p != '@')
    return 0;
  for (const char *const *k = kernel_events; *k; k++) {
    size_t n = strlen(*k);
    if (strncmp(p + 1, *k, n) == 0 && (p[1 + n] == ' ' || p[1 + n] == 0))
      return n;
  }
  return 0;
}

// Where a kernel machine line starts after a program's text on the same
// line (an older kernel's interruption), or NULL.
static const char *event_inside(const char *line) {
  for (const char *p = strchr(line + 1, '@'); *line && p; p = strchr(p + 1, '@'))
    if (kernel_event_at(p))
      return p;
  return NULL;
}

static bool is_event(const char *line) {
  struct mh_event ev;
  struct mh_err e;
  return mh_event_parse(line, &ev, &e) == 1;
}

static bool has_split_mark(const char *line) {
  struct mh_event ev;
  struct mh_err e;
  const char *v;
  return mh_event_parse(line, &ev, &e) == 1 && (v = mh_event_get(&ev, "split")) &&
         strcmp(v, "1") == 0;
}

struct lines {
  char *out, *held; // finished text; the program's line not yet known complete
  size_t n, nheld;
  bool have_held, open; // open: a machine line broke it, its rest comes next
};

static void put(char *dst, size_t *n, const char *s, size_t len) {
  memcpy(dst + *n, s, len);
  *n += len;
}

static void flush_held(struct lines *l) {
  if (!l->have_held)
    return;
  put(l->out, &l->n, l->held, l->nheld);
  put(l->out, &l->n, "\n", 1);
  l->nheld = 0;
  l->have_held = l->open = false;
}

// A piece of a program's line: the rest of an open line, or a new line.
static void program_text(struct lines *l, const char *s, size_t len) {
  if (!l->open)
    flush_held(l);
  put(l->held, &l->nheld, s, len);
  l->have_held = true;
  l->open = false;
}

// The split mark has done its work once the line is rejoined: dropping it
// makes mh_serial_lines of its own output give the same text.
static void machine_line(struct lines *l, const char *s, size_t len, bool broke) {
  static const char mark[] = " split=1";
  size_t m = sizeof mark - 1;
  if (len > m && strncmp(s + len - m, mark, m) == 0)
    len -= m;
  if (!broke && !l->open)
    flush_held(l); // a line of its own after a finished line: keep the order
  put(l->out, &l->n, s, len);
  put(l->out, &l->n, "\n", 1);
  l->open |= broke && l->have_held;
}

char *mh_serial_lines(const char *raw) {
  // A line split into a machine line and a program's text gains a newline.
  size_t cap = 2 * strlen(raw) + 2;
  struct lines l = {.out = malloc(cap), .held = malloc(cap)};
  char *line = malloc(cap);
  if (!l.out || !l.held || !line) {
    free(l.out);
    free(l.held);
    free(line);
    return NULL;
  }
  for (const char *p = raw; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    memcpy(line, p, len);
    while (len && line[len - 1] == '\r')
      len--;
    line[len] = 0;
    p = nl ? nl + 1 : p + strlen(p);
    const char *ev = event_inside(line);
    if (ev) { // an older kernel: the program's text, then the machine line
      program_text(&l, line, (size_t)(ev - line));
      machine_line(&l, ev, strlen(ev), true);
    } else if (kernel_event_at(line) || (line[0] == '@' && has_split_mark(line)) ||
               (l.open && is_event(line))) {
      // While a broken line waits for its rest, an @ line is the kernel's:
      // the program's rest would not start with '@'.
      machine_line(&l, line, len, has_split_mark(line));
    } else {
      program_text(&l, line, len);
    }
  }
  flush_held(&l);
  l.out[l.n] = 0;
  free(l.held);
  free(line);
  return l.out;
}

int mh_serial_init(struct mh_serial *s, const char *const *expect, size_t nexpect) {
  memset(s, 0, sizeof *s);
  s->expect = expect;
  s->nexpect = nexpect;
  if (nexpect) {
    s->expect_seen = calloc(nexpect, sizeof *s->expect_seen);
    if (!s->expect_seen)
      return -1;
  }
  return 0;
}

void mh_serial_free(struct mh_serial *s) {
  free(s->tests);
  free(s->expect_seen);
  s->tests = NULL;
  s->expect_seen = NULL;
}

static bool parse_long(const char *v, long *out) {
  if (!v || !*v)
    return false;
  char *end;
  long x = strtol(v, &end, 10);
  if (*end)
    return false;
  *out = x;
  return true;
}

static bool parse_u64(const char *v, uint64_t *out) {
  if (!v || !isdigit((unsigned char)*v))
    return false;
  char *end;
  unsigned long long x = strtoull(v, &end, 10);
  if (*end)
    return false;
  *out = x;
  return true;
}

static void malformed(struct mh_serial *s, const char *line, const char *why) {
  if (s->malformed++ == 0)
    snprintf(s->first_malformed, sizeof s->first_malformed, "%.160s (%.80s)", line, why);
}

static void on_test(struct mh_serial *s, const struct mh_event *ev, const char *line, double now) {
  const char *name = mh_event_get(ev, "name"), *st = mh_event_get(ev, "status");
  struct mh_test_obs t = {0};
  if (!name || !*name || !st || (strcmp(st, "ok") && strcmp(st, "fail")) ||
      !parse_u64(mh_event_get(ev, "cycles"), &t.cycles) || strlen(name) >= sizeof t.name) {
    malformed(s, line, "@test needs name, status=ok|fail and decimal cycles");
    return;
  }
  if (s->ntests == s->cap_tests) {
    size_t cap = s->cap_tests ? 2 * s->cap_tests : 32;
    struct mh_test_obs *n = realloc(s->tests, cap * sizeof *n);
    if (!n) {
      malformed(s, line, "out of memory");
      return;
    }
    s->tests = n;
    s->cap_tests = cap;
  }
  snprintf(t.name, sizeof t.name, "%s", name);
  t.ok = strcmp(st, "ok") == 0;
  t.host_s = now;
  s->tests[s->ntests++] = t;
}

static void on_event(struct mh_serial *s, const struct mh_event *ev, const char *line, double now) {
  if (strcmp(ev->name, "boot") == 0) {
    const char *v = mh_event_get(ev, "variant");
    s->booted = true;
    snprintf(s->boot_variant, sizeof s->boot_variant, "%s", v ? v : "");
  } else if (strcmp(ev->name, "test") == 0) {
    on_test(s, ev, line, now);
  } else if (strcmp(ev->name, "usertests") == 0) {
    if (parse_long(mh_event_get(ev, "passed"), &s->passed) &&
        parse_long(mh_event_get(ev, "failed"), &s->failed))
      s->have_summary = true;
    else
      malformed(s, line, "@usertests needs decimal passed and failed");
  } else if (strcmp(ev->name, "exit") == 0) {
    if (parse_long(mh_event_get(ev, "status"), &s->exit_status))
      s->have_exit = true;
    else
      malformed(s, line, "@exit needs a decimal status");
  }
  // Other events (@mce, @oracle, …) belong to later issues; they pass through.
}

static void on_line(struct mh_serial *s, double now) {
  s->line[s->line_len] = 0;
  char *line = s->line;
  size_t n = s->line_len;
  while (n && line[n - 1] == '\r')
    line[--n] = 0;
  for (size_t i = 0; i < s->nexpect; i++)
    if (!s->expect_seen[i] && strstr(line, s->expect[i]))
      s->expect_seen[i] = true;
  struct mh_event ev;
  struct mh_err e;
  int rc = mh_event_parse(line, &ev, &e);
  if (rc < 0)
    malformed(s, line, e.msg);
  else if (rc == 1 && !s->line_overflow)
    on_event(s, &ev, line, now);
  s->line_len = 0;
  s->line_overflow = false;
}

static void keep_tail(struct mh_serial *s, const char *buf, size_t n) {
  if (n >= MH_TAIL_CAP) {
    memcpy(s->tail, buf + n - MH_TAIL_CAP, MH_TAIL_CAP);
    s->tail_len = MH_TAIL_CAP;
    return;
  }
  if (s->tail_len + n > MH_TAIL_CAP) {
    size_t drop = s->tail_len + n - MH_TAIL_CAP;
    memmove(s->tail, s->tail + drop, s->tail_len - drop);
    s->tail_len -= drop;
  }
  memcpy(s->tail + s->tail_len, buf, n);
  s->tail_len += n;
}

void mh_serial_feed(struct mh_serial *s, const char *buf, size_t n, double now_s) {
  keep_tail(s, buf, n);
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      on_line(s, now_s);
    } else if (s->line_len + 1 < sizeof s->line) {
      s->line[s->line_len++] = buf[i];
    } else {
      s->line_overflow = true; // long lines for people are fine; @ lines that long are not
    }
  }
}

void mh_serial_finish(struct mh_serial *s, double now_s) {
  if (s->line_len)
    on_line(s, now_s);
}

bool mh_serial_all_expected(const struct mh_serial *s) {
  for (size_t i = 0; i < s->nexpect; i++)
    if (!s->expect_seen[i])
      return false;
  return true;
}

void mh_serial_tail(const struct mh_serial *s, char *out, size_t cap) {
  if (cap == 0)
    return;
  size_t start = 0;
  if (s->tail_len == MH_TAIL_CAP) {
    const char *nl = memchr(s->tail, '\n', s->tail_len);
    if (nl)
      start = (size_t)(nl - s->tail) + 1;
  }
  size_t n = s->tail_len - start;
  if (n >= cap)
    start += n - (cap - 1), n = cap - 1;
  memcpy(out, s->tail + start, n);
  out[n] = 0;
}
