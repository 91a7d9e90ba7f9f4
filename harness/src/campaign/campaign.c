#include "campaign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultstats.h"
#include "propstats.h"

// Validation context: collects every error instead of stopping at the first,
// so a user fixes a campaign in one round.
struct vctx {
  struct mh_err *e;
  int nerr;
};

#define MAX_REPORTED 30

static void verr(struct vctx *v, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verr(struct vctx *v, const char *path, const char *fmt, ...) {
  if (v->nerr++ >= MAX_REPORTED)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  mh_err_append(v->e, "%s: %s", path, msg);
}

static const char *type_name(json_object *o) {
  switch (json_object_get_type(o)) {
  case json_type_null:
    return "null";
  case json_type_boolean:
    return "a boolean";
  case json_type_double:
    return "a number with a fraction";
  case json_type_int:
    return "an integer";
  case json_type_object:
    return "an object";
  case json_type_array:
    return "an array";
  case json_type_string:
    return "a string";
  }
  return "?";
}

// Appends "sep item" to a fixed buffer, silently stopping when it is full.
static void list_append(char *list, size_t cap, const char *sep, const char *item) {
  size_t n = strlen(list);
  for (const char *p = n ? sep : ""; *p && n + 1 < cap; p++)
    list[n++] = *p;
  for (const char *p = item; *p && n + 1 < cap; p++)
    list[n++] = *p;
  list[n] = 0;
}

static void check_keys(struct vctx *v, const char *path, json_object *obj,
                       const char *const *allowed) {
  json_object_object_foreach(obj, key, val) {
    int ok = 0;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = strcmp(*a, key) == 0;
    if (!ok) {
      char p[256];
      snprintf(p, sizeof p, "%s.%s", path, key);
      char list[256] = "";
      for (const char *const *a = allowed; *a; a++)
        list_append(list, sizeof list, ", ", *a);
      verr(v, p, "unknown key (allowed here: %s)", list);
    } else if (!val) {
      // json-c hands null out as NULL, which would read as "key absent" and
      // quietly pick the default (a null $.faults ran an overhead campaign).
      char p[256];
      snprintf(p, sizeof p, "%s.%s", path, key);
      verr(v, p, "null is not a value here: give one, or leave the key out for its default");
    }
  }
}

// Whether obj has key at all (a null value counts; check_keys refuses it).
static bool has_key(json_object *obj, const char *key) {
  return json_object_object_get_ex(obj, key, NULL);
}

static json_object *member(json_object *obj, const char *key) {
  json_object *out = NULL;
  return json_object_object_get_ex(obj, key, &out) ? out : NULL;
}

static void join(char *out, size_t cap, const char *path, const char *key) {
  snprintf(out, cap, "%.200s.%.40s", path, key);
}

static const char *want_string(struct vctx *v, const char *path, json_object *o, bool nonempty) {
  if (!json_object_is_type(o, json_type_string)) {
    verr(v, path, "expected a string, got %s", type_name(o));
    return NULL;
  }
  const char *s = json_object_get_string(o);
  if (nonempty && !*s) {
    verr(v, path, "expected a non-empty string");
    return NULL;
  }
  return s;
}

// A word for the kernel command line: the kernel splits on spaces and the
// serial protocol quotes with '"', so neither may appear.
static const char *want_word(struct vctx *v, const char *path, json_object *o) {
  const char *s = want_string(v, path, o, true);
  if (s && strpbrk(s, " \t\n\"")) {
    verr(v, path, "expected a word without spaces or quotes, got \"%s\"", s);
    return NULL;
  }
  return s;
}

// $.name becomes results/<name>.json: a single file name in results/, so no
// path separators, no "..", no hidden file.
static const char *want_file_word(struct vctx *v, const char *path, json_object *o) {
  const char *s = want_word(v, path, o);
  if (s && (strpbrk(s, "/\\") || strstr(s, "..") || s[0] == '.')) {
    verr(v, path,
         "expected a name usable as a file name in results/ (no '/', '\\', '..' or leading "
         "'.'), got \"%s\"",
         s);
    return NULL;
  }
  return s;
}

static bool want_int(struct vctx *v, const char *path, json_object *o, int64_t lo, int64_t hi,
                     int64_t *out) {
  if (!json_object_is_type(o, json_type_int)) {
    verr(v, path, "expected an integer in [%lld, %lld], got %s", (long long)lo, (long long)hi,
         type_name(o));
    return false;
  }
  errno = 0;
  int64_t x = json_object_get_int64(o);
  // json-c saturates: 2^63 and above read as INT64_MAX, the unsigned value tells.
  if (x == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX) {
    verr(v, path, "expected an integer in [%lld, %lld], got %s (2^63 or more)", (long long)lo,
         (long long)hi, json_object_get_string(o));
    return false;
  }
  if (errno || x < lo || x > hi) {
    verr(v, path, "expected an integer in [%lld, %lld], got %s", (long long)lo, (long long)hi,
         json_object_get_string(o));
    return false;
  }
  *out = x;
  return true;
}

static void opt_int(struct vctx *v, const char *path, json_object *obj, const char *key, int64_t lo,
                    int64_t hi, int *out) {
  json_object *o = member(obj, key);
  char p[256];
  int64_t x;
  join(p, sizeof p, path, key);
  if (o && want_int(v, p, o, lo, hi, &x))
    *out = (int)x;
}

static void opt_number(struct vctx *v, const char *path, json_object *obj, const char *key,
                       double lo, double hi, double *out) {
  json_object *o = member(obj, key);
  if (!o)
    return;
  char p[256];
  join(p, sizeof p, path, key);
  if (!json_object_is_type(o, json_type_int) && !json_object_is_type(o, json_type_double)) {
    verr(v, p, "expected a number in [%g, %g], got %s", lo, hi, type_name(o));
    return;
  }
  double x = json_object_get_double(o);
  if (!(x >= lo && x <= hi)) {
    verr(v, p, "expected a number in [%g, %g], got %s", lo, hi, json_object_get_string(o));
    return;
  }
  *out = x;
}

// Returns the index of the string in choices, or -1 (and reports).
static int want_enum(struct vctx *v, const char *path, json_object *o, const char *const *choices) {
  char list[256] = "";
  for (const char *const *c = choices; *c; c++) {
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%.60s\"", *c);
    list_append(list, sizeof list, " | ", quoted);
  }
  if (!json_object_is_type(o, json_type_string)) {
    verr(v, path, "expected one of %s, got %s", list, type_name(o));
    return -1;
  }
  const char *s = json_object_get_string(o);
  for (int i = 0; choices[i]; i++)
    if (strcmp(s, choices[i]) == 0)
      return i;
  verr(v, path, "expected one of %s, got \"%s\"", list, s);
  return -1;
}

static void opt_enum(struct vctx *v, const char *path, json_object *obj, const char *key,
                     const char *const *choices, int *out) {
  json_object *o = member(obj, key);
  char p[256];
  join(p, sizeof p, path, key);
  int i = o ? want_enum(v, p, o, choices) : -1;
  if (i >= 0)
    *out = i;
}

static bool want_object(struct vctx *v, const char *path, json_object *o) {
  if (json_object_is_type(o, json_type_object))
    return true;
  verr(v, path, "expected an object, got %s", type_name(o));
  return false;
}

static bool want_array(struct vctx *v, const char *path, json_object *o, size_t min) {
  if (!json_object_is_type(o, json_type_array)) {
    verr(v, path, "expected an array, got %s", type_name(o));
    return false;
  }
  if (json_object_array_length(o) < min) {
    verr(v, path, "expected an array of at least %zu element%s", min, min == 1 ? "" : "s");
    return false;
  }
  return true;
}

static const char *const variant_names[] = {"native",
                                            "memv6",
                                            "memv6sys",
                                            "linux-i386-native",
                                            "linux-i386-memv6",
                                            "linux-x86_64-native",
                                            "linux-x86_64-memv6",
                                            NULL};
static const char *const timing_names[] = {"icount", "wall", "host", "host64", NULL};
static const char *const accel_names[] = {"tcg", "kvm", "auto", NULL};

const char *mh_accel_name(enum mh_accel a) {
  return accel_names[a];
}
const char *mh_timing_name(enum mh_timing t) {
  return timing_names[t];
}
const char *mh_timing_host_arch(enum mh_timing t) {
  return t == MH_TIMING_HOST ? "i386" : t == MH_TIMING_HOST64 ? "x86_64" : NULL;
}
const char *mh_variant_name(enum mh_variant x) {
  return variant_names[x];
}
unsigned mh_variant_min_mem_mb(enum mh_variant x) {
  return x == MH_VARIANT_MEMV6SYS ? 512 : 0;
}
const char *mh_variant_userland(enum mh_variant x) {
  return variant_names[x == MH_VARIANT_MEMV6SYS ? MH_VARIANT_MEMV6 : x];
}
bool mh_variant_is_linux(enum mh_variant x) {
  return x >= MH_VARIANT_LX_I386_NATIVE;
}
const char *mh_variant_arch(enum mh_variant x) {
  return x >= MH_VARIANT_LX_X86_64_NATIVE ? "x86_64" : "i386";
}
const char *mh_variant_build(enum mh_variant x) {
  return x == MH_VARIANT_LX_I386_MEMV6 || x == MH_VARIANT_LX_X86_64_MEMV6 ? "memv6" : "native";
}

// A set of distinct names from an array (or a single string when allowed).
static int parse_name_set(struct vctx *v, const char *path, json_object *o,
                          const char *const *choices, int *out, int cap, bool allow_string) {
  if (allow_string && json_object_is_type(o, json_type_string)) {
    int i = want_enum(v, path, o, choices);
    if (i < 0)
      return 0;
    out[0] = i;
    return 1;
  }
  if (!want_array(v, path, o, 1))
    return 0;
  int n = 0;
  for (size_t i = 0; i < json_object_array_length(o); i++) {
    char p[256];
    snprintf(p, sizeof p, "%s[%zu]", path, i);
    int k = want_enum(v, p, json_object_array_get_idx(o, i), choices);
    if (k < 0)
      continue;
    bool dup = false;
    for (int j = 0; j < n; j++)
      dup |= out[j] == k;
    if (dup)
      verr(v, p, "\"%s\" is listed twice", choices[k]);
    else if (n < cap)
      out[n++] = k;
  }
  return n;
}

static const char **string_array(struct vctx *v, const char *path, json_object *o, int *n,
                                 bool words) {
  *n = 0;
  if (!want_array(v, path, o, 0))
    return NULL;
  size_t len = json_object_array_length(o);
  const char **out = calloc(len + 1, sizeof *out);
  for (size_t i = 0; out && i < len; i++) {
    char p[256];
    snprintf(p, sizeof p, "%s[%zu]", path, i);
    json_object *x = json_object_array_get_idx(o, i);
    const char *s = words ? want_word(v, p, x) : want_string(v, p, x, true);
    if (s)
      out[(*n)++] = s;
  }
  return out;
}

static void parse_expect(struct vctx *v, const char *path, json_object *o, struct mh_workload *w) {
  static const char *const keys[] = {"status", "output", "tests", NULL};
  if (!want_object(v, path, o))
    return;
  check_keys(v, path, o, keys);
  opt_int(v, path, o, "status", -128, 127, &w->expect_status);
  opt_int(v, path, o, "tests", 0, 100000, &w->expect_tests);
  json_object *out = member(o, "output");
  if (out) {
    char p[256];
    join(p, sizeof p, path, "output");
    w->expect_output = string_array(v, p, out, &w->nexpect_output, false);
  }
}

static void parse_workload(struct vctx *v, const char *path, json_object *o,
                           struct mh_workload *w) {
  static const char *const keys[] = {"name", "program", "args", "expect", "not_compared", NULL};
  w->expect_tests = -1;
  if (!want_object(v, path, o))
    return;
  check_keys(v, path, o, keys);
  char p[256];
  const char *req[] = {"name", "program"};
  for (int i = 0; i < 2; i++)
    if (!has_key(o, req[i])) {
      join(p, sizeof p, path, req[i]);
      verr(v, p, "required key missing (a word, e.g. \"usertests\")");
    }
  if (member(o, "name")) {
    join(p, sizeof p, path, "name");
    w->name = want_word(v, p, member(o, "name"));
  }
  if (member(o, "program")) {
    join(p, sizeof p, path, "program");
    w->program = want_word(v, p, member(o, "program"));
  }
  if (member(o, "args")) {
    join(p, sizeof p, path, "args");
    w->args = string_array(v, p, member(o, "args"), &w->nargs, true);
  }
  if (member(o, "expect")) {
    join(p, sizeof p, path, "expect");
    parse_expect(v, p, member(o, "expect"), w);
  }
  if (member(o, "not_compared")) {
    join(p, sizeof p, path, "not_compared");
    w->not_compared = string_array(v, p, member(o, "not_compared"), &w->nnot_compared, true);
  }
}

bool mh_workload_compares(const struct mh_workload *w, const char *test) {
  for (int i = 0; i < w->nnot_compared; i++)
    if (strcmp(w->not_compared[i], test) == 0)
      return false;
  return true;
}

static void parse_workloads(struct vctx *v, json_object *o, bool present, struct mh_campaign *c) {
  if (!present) {
    verr(v, "$.workloads", "required key missing (an array of {name, program, args, expect})");
    return;
  }
  if (!o || !want_array(v, "$.workloads", o, 1))
    return; // null: check_keys said so
  size_t n = json_object_array_length(o);
  c->workloads = calloc(n, sizeof *c->workloads);
  if (!c->workloads)
    return;
  c->nworkloads = (int)n;
  for (size_t i = 0; i < n; i++) {
    char p[64];
    snprintf(p, sizeof p, "$.workloads[%zu]", i);
    parse_workload(v, p, json_object_array_get_idx(o, i), &c->workloads[i]);
    for (size_t j = 0; j < i && c->workloads[i].name; j++)
      if (c->workloads[j].name && strcmp(c->workloads[j].name, c->workloads[i].name) == 0)
        verr(v, p, "workload name \"%s\" is used twice", c->workloads[i].name);
  }
}

static void parse_range(struct vctx *v, const char *path, json_object *o, int64_t lo, int64_t hi,
                        int64_t *out_lo, int64_t *out_hi) {
  if (!want_array(v, path, o, 2))
    return;
  if (json_object_array_length(o) != 2) {
    verr(v, path, "expected [min, max]");
    return;
  }
  char p[256];
  int64_t a = 0, b = 0;
  snprintf(p, sizeof p, "%s[0]", path);
  bool ok = want_int(v, p, json_object_array_get_idx(o, 0), lo, hi, &a);
  snprintf(p, sizeof p, "%s[1]", path);
  ok &= want_int(v, p, json_object_array_get_idx(o, 1), lo, hi, &b);
  if (ok && a > b)
    verr(v, path, "expected min <= max, got [%lld, %lld]", (long long)a, (long long)b);
  *out_lo = a;
  *out_hi = b;
}

// when: delay_ms alone; or breakpoint (with hits) and/or icount (with sweep):
// icount counts instructions from the breakpoint's hit, or from main().
static void parse_when(struct vctx *v, json_object *o, struct mh_faults *f) {
  static const char *const keys[] = {"delay_ms", "icount", "breakpoint", "hits", "sweep", NULL};
  const char *path = "$.faults.when";
  if (!want_object(v, path, o))
    return;
  check_keys(v, path, o, keys);
  // hits only qualifies a breakpoint (which hit of the symbol to stop at),
  // sweep an icount range (trial i takes the i-th count of the range).
  bool hits = member(o, "hits") != NULL, sweep = member(o, "sweep") != NULL;
  bool bp = member(o, "breakpoint") != NULL, ic = member(o, "icount") != NULL;
  if (hits && !bp)
    verr(v, "$.faults.when.hits", "applies to a breakpoint only");
  if (sweep && !ic)
    verr(v, "$.faults.when.sweep", "applies to an icount range only");
  if (member(o, "delay_ms") ? json_object_object_length(o) != 1 : !bp && !ic) {
    verr(v, path,
         "expected delay_ms: [min, max] alone, or breakpoint: \"symbol\" and/or "
         "icount: [min, max]");
    return;
  }
  if (sweep && !json_object_is_type(member(o, "sweep"), json_type_boolean))
    verr(v, "$.faults.when.sweep", "expected true or false, got %s", type_name(member(o, "sweep")));
  f->sweep = sweep && json_object_get_boolean(member(o, "sweep"));
  if (member(o, "delay_ms")) {
    f->when = MH_FW_DELAY_MS;
    parse_range(v, "$.faults.when.delay_ms", member(o, "delay_ms"), 0, 3600000, &f->when_lo,
                &f->when_hi);
    return;
  }
  if (ic) {
    f->icount = true;
    parse_range(v, "$.faults.when.icount", member(o, "icount"), 0, MH_MAX_ICOUNT, &f->icount_lo,
                &f->icount_hi);
  }
  f->when = bp ? MH_FW_BREAKPOINT : MH_FW_ICOUNT;
  f->when_lo = f->when_hi = bp ? 1 : 0; // hit 0: main()
  if (bp)
    f->breakpoint = want_word(v, "$.faults.when.breakpoint", member(o, "breakpoint"));
  if (hits)
    parse_range(v, "$.faults.when.hits", member(o, "hits"), 1, 1000000000, &f->when_lo,
                &f->when_hi);
}

static void parse_target(struct vctx *v, json_object *o, struct mh_faults *f) {
  static const char *const keys[] = {"kind", "region", "page", NULL};
  static const char *const kinds[] = {"native", "mirror", "user", "kernel",  "pgtable",
                                      "free",   "any",    "used", "kmirror", NULL};
  static const char *const regions[] = {"any", "text", "data", "heap", "stack", NULL};
  if (!want_object(v, "$.faults.target", o))
    return;
  check_keys(v, "$.faults.target", o, keys);
  if (!has_key(o, "kind"))
    verr(v, "$.faults.target.kind",
         "required key missing (one of native, mirror, user, "
         "kernel, pgtable, free, any, used, kmirror)");
  int k = 0, r = 0;
  opt_enum(v, "$.faults.target", o, "kind", kinds, &k);
  opt_enum(v, "$.faults.target", o, "region", regions, &r);
  f->kind = (enum mh_fault_kind)k;
  f->region = (enum mh_fault_region)r;
  if (member(o, "page")) {
    // Which page: user kinds: a user register's value at the stop, a va, or
    // symbol[+0xoff] of the workload; kernel kinds: "kstack", "pgdir", a
    // kernel va or symbol[+0xoff] of the kernel (docs/campaign.md).
    f->page = want_word(v, "$.faults.target.page", member(o, "page"));
    if (k == MH_FK_USER || k == MH_FK_FREE || k == MH_FK_ANY || k == MH_FK_USED)
      verr(v, "$.faults.target.page",
           "applies to kind native, mirror, kernel, pgtable or kmirror only, not \"%s\"", kinds[k]);
    if (member(o, "region"))
      verr(v, "$.faults.target.region", "a page and a region exclude each other: keep one");
  }
  if (r != MH_FR_ANY && k != MH_FK_NATIVE && k != MH_FK_MIRROR && k != MH_FK_USER)
    verr(v, "$.faults.target.region",
         "a region applies to user frames only (kind native, "
         "mirror or user), not \"%s\"",
         kinds[k]);
}

// faults.trials as a target precision: the error margin and confidence of
// a rate, and the proportion expected (0.5, the worst case, unless given).
static void parse_precision(struct vctx *v, json_object *o, struct mh_faults *f) {
  static const char *const keys[] = {"margin", "confidence", "p", NULL};
  const char *path = "$.faults.trials";
  check_keys(v, path, o, keys);
  if (!member(o, "margin"))
    verr(v, "$.faults.trials.margin", "required key missing (the error margin, e.g. 0.02)");
  f->margin_confidence = 0.95;
  f->margin_p = 0.5;
  opt_number(v, path, o, "margin", 0.0001, 0.5, &f->margin);
  opt_number(v, path, o, "confidence", 0.5, 0.999, &f->margin_confidence);
  opt_number(v, path, o, "p", 0.001, 0.999, &f->margin_p);
}

// Leveugle's n for the precision. The space is finite-population corrected
// where the campaign itself bounds it (target.page: one frame at a known
// number of instants); elsewhere the number of frames is known only at the
// injection point, and the uncorrected n is the larger, safe one.
static void sample_size(struct vctx *v, struct mh_faults *f) {
  double inst = mh_fault_instants(f);
  f->population = f->page && inst > 0 ? mh_faults_per_frame(f) * inst : 0;
  long long n = mh_leveugle_n(f->population, f->margin, f->margin_confidence, f->margin_p);
  if (n > 10000000)
    verr(v, "$.faults.trials", "a margin of %g needs %lld trials, more than 10^7: widen it",
         f->margin, n);
  f->trials = n > 10000000 ? 10000000 : (int)n;
}

// model rows: rows (2-16 frames per fault) and row_kib (the physical
// distance of neighbouring rows, a multiple of the 4 KiB frame); both only
// with that model, and at most MH_MAX_FAULTS frames in all.
static void parse_rows(struct vctx *v, json_object *o, struct mh_faults *f) {
  f->rows = 3;
  f->row_kib = 4;
  if (f->model != MH_FM_ROWS) {
    for (int i = 0; i < 2; i++) {
      const char *k = i ? "row_kib" : "rows";
      if (member(o, k)) {
        char p[64];
        join(p, sizeof p, "$.faults", k);
        verr(v, p, "only with \"model\": \"rows\"");
      }
    }
    return;
  }
  opt_int(v, "$.faults", o, "rows", 2, 16, &f->rows);
  opt_int(v, "$.faults", o, "row_kib", 4, 1024, &f->row_kib);
  if (f->row_kib % 4)
    verr(v, "$.faults.row_kib", "expected a multiple of 4 (KiB: whole 4 KiB frames), got %d",
         f->row_kib);
  if (f->count * f->rows > 64)
    verr(v, "$.faults.rows", "count %d x rows %d is %d frames per trial, more than 64", f->count,
         f->rows, f->count * f->rows);
}

static void parse_faults(struct vctx *v, json_object *o, struct mh_campaign *c) {
  static const char *const keys[] = {"trials",  "workload",    "target",     "bits",    "burst",
                                     "count",   "when",        "trap",       "restore", "seed",
                                     "mem_mb",  "checkpoints", "may_differ", "model",   "rows",
                                     "row_kib", "hang_factor", "si_code",    NULL};
  static const char *const traps[] = {"mce", "none", NULL};
  static const char *const restores[] = {"snapshot", "boot", NULL};
  struct mh_faults *f = &c->faults;
  c->has_faults = true;
  f->bits = 1;
  f->count = 1;
  f->seed = c->seed;
  f->checkpoints = 16;
  if (!want_object(v, "$.faults", o))
    return;
  check_keys(v, "$.faults", o, keys);
  const char *req[] = {"trials", "target", "when"};
  for (int i = 0; i < 3; i++)
    if (!has_key(o, req[i])) {
      char p[64];
      join(p, sizeof p, "$.faults", req[i]);
      verr(v, p, "required key missing");
    }
  json_object *tr = member(o, "trials");
  if (tr && json_object_is_type(tr, json_type_object))
    parse_precision(v, tr, f);
  else
    opt_int(v, "$.faults", o, "trials", 1, 10000000, &f->trials);
  opt_int(v, "$.faults", o, "bits", 1, 64, &f->bits);
  opt_int(v, "$.faults", o, "count", 1, 64, &f->count);
  opt_int(v, "$.faults", o, "mem_mb", 16, 2048, &f->mem_mb);
  f->hang_factor = 50;
  opt_number(v, "$.faults", o, "hang_factor", 0.01, 10000, &f->hang_factor);
  opt_int(v, "$.faults", o, "checkpoints", 0, 64, &f->checkpoints);
  int trap = 0;
  opt_enum(v, "$.faults", o, "trap", traps, &trap);
  f->trap = (enum mh_fault_trap)trap;
  static const char *const si_codes[] = {"BUS_MCEERR_AR", "BUS_MCEERR_AO", NULL};
  int si_code = 0;
  opt_enum(v, "$.faults", o, "si_code", si_codes, &si_code);
  f->si_code = 4 + si_code; // Linux's numbers
  static const char *const models[] = {"flip", "stuck0", "stuck1", "rows", NULL};
  int model = 0;
  opt_enum(v, "$.faults", o, "model", models, &model);
  f->model = (enum mh_fault_model)model;
  parse_rows(v, o, f);
  int restore = 0;
  opt_enum(v, "$.faults", o, "restore", restores, &restore);
  f->restore = (enum mh_fault_restore)restore;
  json_object *burst = member(o, "burst");
  if (burst && !json_object_is_type(burst, json_type_boolean))
    verr(v, "$.faults.burst", "expected true or false, got %s", type_name(burst));
  f->burst = burst && json_object_get_boolean(burst);
  int64_t seed;
  if (member(o, "seed") && want_int(v, "$.faults.seed", member(o, "seed"), 0, INT64_MAX, &seed))
    f->seed = (uint64_t)seed;
  if (member(o, "may_differ"))
    f->may_differ =
        string_array(v, "$.faults.may_differ", member(o, "may_differ"), &f->nmay_differ, false);
  if (member(o, "target"))
    parse_target(v, member(o, "target"), f);
  if (member(o, "when"))
    parse_when(v, member(o, "when"), f);
  if (f->margin > 0)
    sample_size(v, f);
  json_object *w = member(o, "workload");
  f->workload = 0;
  const char *every =
      w && json_object_is_type(w, json_type_string) ? json_object_get_string(w) : "";
  f->every_workload = strcmp(every, "*") == 0;
  if (w && !f->every_workload) {
    const char *name = want_word(v, "$.faults.workload", w);
    int found = -1;
    for (int i = 0; name && i < c->nworkloads; i++)
      if (c->workloads[i].name && strcmp(c->workloads[i].name, name) == 0)
        found = i;
    if (name && found < 0)
      verr(v, "$.faults.workload", "expected the name of a workload in $.workloads, got \"%s\"",
           name);
    f->workload = found < 0 ? 0 : found;
  } else if (!w && c->nworkloads > 1) {
    verr(v, "$.faults.workload", "required when there is more than one workload");
  }
}

static void parse_timeouts(struct vctx *v, json_object *o, struct mh_campaign *c) {
  static const char *const keys[] = {"run_s", "probe_s", "connect_s", "control_s", NULL};
  if (!want_object(v, "$.timeouts", o))
    return;
  check_keys(v, "$.timeouts", o, keys);
  opt_number(v, "$.timeouts", o, "run_s", 1, 86400, &c->run_timeout_s);
  opt_number(v, "$.timeouts", o, "probe_s", 1, 600, &c->probe_timeout_s);
  opt_number(v, "$.timeouts", o, "connect_s", 0.1, 600, &c->connect_timeout_s);
  opt_number(v, "$.timeouts", o, "control_s", 0.5, 600, &c->control_timeout_s);
}

static void parse_thresholds(struct vctx *v, json_object *o, struct mh_campaign *c) {
  static const char *const keys[] = {"geomean_max", "worst_max", "host", NULL};
  static const char *const host_keys[] = {"geomean_max", "worst_max", NULL};
  if (!want_object(v, "$.thresholds", o))
    return;
  check_keys(v, "$.thresholds", o, keys);
  opt_number(v, "$.thresholds", o, "geomean_max", 0.01, 1000, &c->geomean_max);
  opt_number(v, "$.thresholds", o, "worst_max", 0.01, 1000, &c->worst_max);
  json_object *h = member(o, "host");
  if (h && want_object(v, "$.thresholds.host", h)) {
    check_keys(v, "$.thresholds.host", h, host_keys);
    opt_number(v, "$.thresholds.host", h, "geomean_max", 0.01, 1000, &c->host_geomean_max);
    opt_number(v, "$.thresholds.host", h, "worst_max", 0.01, 1000, &c->host_worst_max);
  }
}

static void parse_statistics(struct vctx *v, json_object *o, struct mh_campaign *c) {
  static const char *const keys[] = {"bootstrap_iterations", "confidence", NULL};
  if (!want_object(v, "$.statistics", o))
    return;
  check_keys(v, "$.statistics", o, keys);
  opt_int(v, "$.statistics", o, "bootstrap_iterations", 100, 1000000, &c->bootstrap_iterations);
  opt_number(v, "$.statistics", o, "confidence", 0.5, 0.999, &c->confidence);
}

static void set_defaults(struct mh_campaign *c) {
  c->repetitions = 5;
  c->icount_repetitions = 2;
  c->accel = MH_ACCEL_TCG;
  c->timings[0] = MH_TIMING_ICOUNT;
  c->ntimings = 1;
  c->run_timeout_s = 600;
  c->probe_timeout_s = 15;
  c->connect_timeout_s = 5;
  c->control_timeout_s = 5;
  c->jobs = 1;
  c->seed = 1;
  c->bootstrap_iterations = 2000;
  c->confidence = 0.95;
}

// {"dir": "DIR", "cflags": ["-O3", ...]}: the programs of DIR, built for
// the guest with the extra flags (xv6-memv6/user/UserPrograms.cmake).
static void parse_programs(struct vctx *v, json_object *o, struct mh_campaign *c) {
  static const char *const keys[] = {"dir", "cflags", NULL};
  if (!want_object(v, "$.programs", o))
    return;
  check_keys(v, "$.programs", o, keys);
  if (!has_key(o, "dir"))
    verr(v, "$.programs.dir", "required key missing (a directory of C sources, e.g. \"mybench\")");
  else if (member(o, "dir"))
    c->programs_dir = want_string(v, "$.programs.dir", member(o, "dir"), true);
  if (member(o, "cflags"))
    c->programs_cflags =
        string_array(v, "$.programs.cflags", member(o, "cflags"), &c->nprograms_cflags, true);
}

// What the Linux-process variants (lxtrial.h) do: fault injection only, on
// their own (no guest kernel beside them), at a breakpoint hit and
// optionally instructions after it, one flip into a page of the program's
// data, heap or stack, or its mirror. A stop at any instruction gets the
// asynchronous report (BUS_MCEERR_AO) unless si_code says otherwise.
static void check_linux(struct vctx *v, json_object *root, struct mh_campaign *c) {
  int nlinux = 0;
  bool mirror_native = false;
  for (int i = 0; i < c->nvariants; i++) {
    nlinux += mh_variant_is_linux(c->variants[i]);
    mirror_native |= mh_variant_is_linux(c->variants[i]) &&
                     strcmp(mh_variant_build(c->variants[i]), "native") == 0;
  }
  struct mh_faults *f = &c->faults;
  if (!nlinux) {
    if (c->has_faults && member(member(root, "faults"), "si_code"))
      verr(v, "$.faults.si_code", "applies to the linux-* variants only (a guest gets #MC)");
    if (c->has_faults && f->every_workload)
      verr(v, "$.faults.workload",
           "\"*\" (every workload in turn) applies to the linux-* variants only: name one");
    return;
  }
  if (nlinux < c->nvariants)
    verr(v, "$.variants",
         "linux-* variants run on the host, the others in QEMU: one campaign "
         "each");
  if (!c->has_faults) {
    verr(v, "$.variants",
         "linux-* variants are for fault campaigns ($.faults); time the Linux builds with "
         "timing \"host\" and variants native/memv6");
    return;
  }
  if (f->kind != MH_FK_NATIVE && f->kind != MH_FK_MIRROR)
    verr(v, "$.faults.target.kind", "a Linux process has native and mirror pages only");
  if (f->kind == MH_FK_MIRROR && mirror_native)
    verr(v, "$.faults.target.kind",
         "mirror pages exist in the memv6 builds only: drop linux-*-native from $.variants");
  if (f->region == MH_FR_TEXT)
    verr(v, "$.faults.target.region",
         "a Linux process's text has no mirror: choose data, heap, stack or any");
  if (f->page && (strcmp(f->page, "kstack") == 0 || strcmp(f->page, "pgdir") == 0))
    verr(v, "$.faults.target.page",
         "\"%s\" is a guest kernel's page; a Linux process's is a register (\"sp\", "
         "\"eax\" … \"edi\", \"rax\" … \"r15\"), a symbol of the program or an address",
         f->page);
  if (f->when != MH_FW_BREAKPOINT)
    verr(v, "$.faults.when",
         "linux-* variants stop at a breakpoint hit (when.breakpoint, a function of the "
         "program; when.icount then counts instructions from it), not after a delay or from "
         "main()");
  if (f->icount && !member(member(root, "faults"), "si_code"))
    f->si_code = 5; // BUS_MCEERR_AO: an asynchronous report may land at any instruction
  if (f->count != 1 || f->model != MH_FM_FLIP)
    verr(v, "$.faults", "linux-* variants take one flip per trial (count 1, model flip)");
}

static void parse_top(struct vctx *v, json_object *root, struct mh_campaign *c) {
  static const char *const keys[] = {"schema",
                                     "name",
                                     "description",
                                     "variants",
                                     "workloads",
                                     "repetitions",
                                     "icount_repetitions",
                                     "accel",
                                     "timing",
                                     "timeouts",
                                     "jobs",
                                     "seed",
                                     "thresholds",
                                     "statistics",
                                     "build_dir",
                                     "programs",
                                     "faults",
                                     NULL};
  check_keys(v, "$", root, keys);
  int64_t schema = 0;
  json_object *s = member(root, "schema");
  if (!has_key(root, "schema"))
    verr(v, "$.schema", "required key missing (the campaign schema version, %d)",
         MH_CAMPAIGN_SCHEMA);
  else if (s && want_int(v, "$.schema", s, MH_CAMPAIGN_SCHEMA, MH_CAMPAIGN_SCHEMA, &schema))
    (void)schema;
  if (!has_key(root, "name"))
    verr(v, "$.name", "required key missing (a word naming the campaign)");
  else if (member(root, "name"))
    c->name = want_file_word(v, "$.name", member(root, "name"));
  if (member(root, "description"))
    c->description = want_string(v, "$.description", member(root, "description"), false);
  if (member(root, "build_dir"))
    c->build_dir = want_string(v, "$.build_dir", member(root, "build_dir"), true);
  json_object *vars = member(root, "variants");
  if (!has_key(root, "variants")) {
    verr(v, "$.variants", "required key missing (e.g. [\"native\", \"memv6\"])");
  } else if (vars) {
    int tmp[MH_MAX_VARIANTS];
    c->nvariants =
        parse_name_set(v, "$.variants", vars, variant_names, tmp, MH_MAX_VARIANTS, false);
    for (int i = 0; i < c->nvariants; i++)
      c->variants[i] = (enum mh_variant)tmp[i];
  }
  parse_workloads(v, member(root, "workloads"), has_key(root, "workloads"), c);
  opt_int(v, "$", root, "repetitions", 1, 1000, &c->repetitions);
  opt_int(v, "$", root, "icount_repetitions", 1, 100, &c->icount_repetitions);
  opt_int(v, "$", root, "jobs", 1, 64, &c->jobs);
  int64_t seed;
  if (member(root, "seed") && want_int(v, "$.seed", member(root, "seed"), 0, INT64_MAX, &seed))
    c->seed = (uint64_t)seed;
  int accel = MH_ACCEL_TCG;
  opt_enum(v, "$", root, "accel", accel_names, &accel);
  c->accel = (enum mh_accel)accel;
  if (member(root, "timing")) {
    int tmp[MH_MAX_TIMINGS];
    c->ntimings = parse_name_set(v, "$.timing", member(root, "timing"), timing_names, tmp,
                                 MH_MAX_TIMINGS, true);
    for (int i = 0; i < c->ntimings; i++)
      c->timings[i] = (enum mh_timing)tmp[i];
  }
  for (int i = 0; i < c->ntimings; i++)
    if (c->timings[i] == MH_TIMING_ICOUNT && c->accel == MH_ACCEL_KVM)
      verr(v, "$.timing", "icount needs TCG, but $.accel is \"kvm\" (use \"auto\" or \"tcg\")");
  if (c->has_faults || member(root, "faults"))
    for (int i = 0; i < c->ntimings; i++)
      if (mh_timing_host_arch(c->timings[i]))
        verr(v, "$.timing",
             "\"host\" and \"host64\" time overhead runs; a fault campaign runs in QEMU");
  if (member(root, "timeouts"))
    parse_timeouts(v, member(root, "timeouts"), c);
  if (member(root, "thresholds"))
    parse_thresholds(v, member(root, "thresholds"), c);
  if (member(root, "statistics"))
    parse_statistics(v, member(root, "statistics"), c);
  if (member(root, "faults"))
    parse_faults(v, member(root, "faults"), c);
  if (member(root, "programs"))
    parse_programs(v, member(root, "programs"), c);
  for (int i = 0; c->programs_dir && i < c->ntimings; i++)
    if (mh_timing_host_arch(c->timings[i]))
      verr(v, "$.timing",
           "\"host\" and \"host64\" run the build's Linux-process programs (linux/, "
           "docs/linux.md); a campaign's own $.programs are built for the guest only: drop "
           "\"host\"/\"host64\" or $.programs");
  check_linux(v, root, c);
  for (int i = 0; c->has_faults && c->faults.kind == MH_FK_MIRROR && i < c->nvariants; i++)
    if (c->variants[i] == MH_VARIANT_NATIVE)
      verr(v, "$.faults.target.kind",
           "mirror frames exist on memv6 only: drop \"native\" from $.variants");
  for (int i = 0; c->has_faults && c->faults.kind == MH_FK_KMIRROR && i < c->nvariants; i++)
    if (c->variants[i] != MH_VARIANT_MEMV6SYS)
      verr(v, "$.faults.target.kind",
           "kernel mirror frames exist on memv6sys only: drop \"%s\" from $.variants",
           mh_variant_name(c->variants[i]));
  for (int i = 0; c->has_faults && c->faults.mem_mb && i < c->nvariants; i++) {
    unsigned need = mh_variant_min_mem_mb(c->variants[i]);
    if ((unsigned)c->faults.mem_mb < need)
      verr(v, "$.faults.mem_mb", "%s needs at least %u MiB of guest RAM: raise it or drop it",
           mh_variant_name(c->variants[i]), need);
  }
}

int mh_campaign_from_json(json_object *root, struct mh_campaign *c, struct mh_err *e) {
  memset(c, 0, sizeof *c);
  set_defaults(c);
  if (e)
    e->msg[0] = 0;
  struct vctx v = {e, 0};
  if (!json_object_is_type(root, json_type_object)) {
    verr(&v, "$", "expected a campaign object, got %s", type_name(root));
  } else {
    c->root = json_object_get(root);
    parse_top(&v, root, c);
  }
  if (v.nerr > MAX_REPORTED)
    mh_err_append(e, "(%d more errors not shown)", v.nerr - MAX_REPORTED);
  if (v.nerr) {
    mh_campaign_free(c);
    return -1;
  }
  return 0;
}

static void line_col(const char *text, size_t off, int *line, int *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && text[i]; i++) {
    if (text[i] == '\n')
      ++*line, *col = 1;
    else
      ++*col;
  }
}

int mh_campaign_parse(const char *text, struct mh_campaign *c, struct mh_err *e) {
  memset(c, 0, sizeof *c);
  json_tokener *tok = json_tokener_new();
  if (!tok)
    return mh_fail(e, "out of memory");
  size_t len = strlen(text);
  json_object *root = json_tokener_parse_ex(tok, text, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  int line, col;
  if (!root || jerr != json_tokener_success) {
    line_col(text, end, &line, &col);
    json_object_put(root);
    return mh_fail(e, "line %d, column %d: not valid JSON (%s)", line, col,
                   jerr == json_tokener_continue ? "unexpected end of file"
                                                 : json_tokener_error_desc(jerr));
  }
  for (size_t i = end; i < len; i++)
    if (!strchr(" \t\r\n", text[i])) {
      line_col(text, i, &line, &col);
      json_object_put(root);
      return mh_fail(e, "line %d, column %d: text after the end of the JSON document", line, col);
    }
  int rc = mh_campaign_from_json(root, c, e);
  json_object_put(root);
  return rc;
}

int mh_campaign_load(const char *path, struct mh_campaign *c, struct mh_err *e) {
  memset(c, 0, sizeof *c);
  FILE *f = fopen(path, "rb");
  if (!f)
    return mh_fail_errno(e, "%s: cannot open the campaign file", path);
  char *text = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = cap ? 2 * cap : 65536;
      char *n = realloc(text, cap);
      if (!n) {
        free(text);
        fclose(f);
        return mh_fail(e, "%s: out of memory", path);
      }
      text = n;
    }
    size_t got = fread(text + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0)
      break;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) {
    free(text);
    return mh_fail(e, "%s: read error", path);
  }
  text[len] = 0;
  if (strlen(text) != len) {
    free(text);
    return mh_fail(e, "%s: contains a NUL byte; a campaign is a JSON text file", path);
  }
  struct mh_err inner;
  int rc = mh_campaign_parse(text, c, &inner);
  free(text);
  if (rc < 0 && e) {
    // Prefix each reported line with the file name, like a compiler.
    e->msg[0] = 0;
    char *save = NULL;
    for (char *l = strtok_r(inner.msg, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
      mh_err_append(e, "%s: %s", path, l);
  }
  return rc;
}

void mh_campaign_free(struct mh_campaign *c) {
  for (int i = 0; c->workloads && i < c->nworkloads; i++) {
    free(c->workloads[i].args);
    free(c->workloads[i].expect_output);
    free(c->workloads[i].not_compared);
  }
  free(c->workloads);
  free(c->faults.may_differ);
  c->faults.may_differ = NULL;
  free(c->programs_cflags);
  c->programs_cflags = NULL;
  c->workloads = NULL;
  c->nworkloads = 0;
  if (c->root)
    json_object_put(c->root);
  c->root = NULL;
}
