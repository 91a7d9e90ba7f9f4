#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "results.h"

void mh_csv_field(FILE *out, const char *s) {
  if (!s)
    return; // an empty field: NA in R and pandas
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static json_object *get(json_object *o, const char *k) {
  json_object *v = NULL;
  return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v)
             ? v
             : NULL;
}

// A scalar as text: null and containers give an empty field.
static void value(FILE *out, json_object *v) {
  if (!v || json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
    return;
  mh_csv_field(out, json_object_get_string(v));
}

// The header row: the names of a, then of b.
static void fields_header(FILE *out, const char *const *a, size_t na, const char *const *b,
                          size_t nb) {
  for (size_t i = 0; i < na + nb; i++) {
    if (i)
      fputc(',', out);
    mh_csv_field(out, i < na ? a[i] : b[i - na]);
  }
  fputc('\n', out);
}

// The record's own keys, then (overhead) the test's.
static void fields(FILE *out, json_object *o, const char *const *keys, size_t n, bool first) {
  for (size_t i = 0; i < n; i++) {
    if (i || !first)
      fputc(',', out);
    value(out, get(o, keys[i]));
  }
}

static const char *const run_keys[] = {"id",           "timing", "workload", "variant",
                                       "rep",          "accel",  "status",   "qemu_exit",
                                       "guest_status", "wall_s", "boot_s"};
static const char *const test_keys[] = {"name", "status", "cycles", "host_s"};
#define N(a) (sizeof a / sizeof *a)

static void export_runs(FILE *out, json_object *runs) {
  static const char *const test_cols[] = {"test", "test_status", "cycles", "host_s"};
  fields_header(out, run_keys, N(run_keys), test_cols, N(test_cols));
  for (size_t i = 0; i < json_object_array_length(runs); i++) {
    json_object *r = json_object_array_get_idx(runs, i), *tests = get(r, "tests");
    size_t nt = json_object_is_type(tests, json_type_array) ? json_object_array_length(tests) : 0;
    for (size_t k = 0; k < (nt ? nt : 1); k++) {
      fields(out, r, run_keys, N(run_keys), true);
      if (nt)
        fields(out, json_object_array_get_idx(tests, k), test_keys, N(test_keys), false);
      else
        fputs(",,,,", out);
      fputc('\n', out);
    }
  }
}

static size_t count_true(json_object *arr, const char *key) {
  size_t n = 0;
  for (size_t i = 0; i < json_object_array_length(arr); i++)
    n += json_object_get_boolean(get(json_object_array_get_idx(arr, i), key));
  return n;
}

static void export_trials(FILE *out, json_object *trials) {
  static const char *const keys[] = {"id",           "variant",    "trial",  "seed",
                                     "when",         "when_value", "trap",   "outcome",
                                     "guest_status", "restore_ms", "wall_s", "attempts",
                                     "from_hit",     "icount",     "eip",    "at"};
  static const char *const more[] = {"faults", "injected",   "frame_kind",      "region", "pa",
                                     "mce",    "mce_action", "recovery_cycles", "reason"};
  fields_header(out, keys, N(keys), more, N(more));
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    json_object *f = get(t, "faults"), *m = get(t, "mce");
    if (!json_object_is_type(f, json_type_array))
      f = NULL;
    if (!json_object_is_type(m, json_type_array))
      m = NULL;
    // The first fault's frame and the first machine check: what the
    // outcome tables group by (faults.summary.by_frame_kind).
    json_object *f0 = f && json_object_array_length(f) ? json_object_array_get_idx(f, 0) : NULL;
    json_object *m0 = m && json_object_array_length(m) ? json_object_array_get_idx(m, 0) : NULL;
    fields(out, t, keys, N(keys), true);
    fprintf(out, ",%zu,%zu,", f ? json_object_array_length(f) : 0,
            f ? count_true(f, "injected") : 0);
    value(out, get(f0, "frame_kind"));
    fputc(',', out);
    value(out, get(f0, "region"));
    fputc(',', out);
    value(out, get(f0, "pa"));
    fprintf(out, ",%zu,", m ? json_object_array_length(m) : 0);
    value(out, get(m0, "action"));
    fputc(',', out);
    value(out, get(m0, "cycles"));
    fputc(',', out);
    value(out, get(t, "reason"));
    fputc('\n', out);
  }
}

int mh_export_csv(FILE *out, json_object *doc) {
  json_object *trials = get(doc, "trials"), *runs = get(doc, "runs");
  if (json_object_is_type(trials, json_type_array))
    export_trials(out, trials);
  else if (json_object_is_type(runs, json_type_array))
    export_runs(out, runs);
  else
    return -1;
  return 0;
}

int mh_cmd_export_csv(const char *path, const char *out_path) {
  struct mh_err e;
  json_object *doc = mh_json_load(path, &e);
  if (!doc) {
    fprintf(stderr, "memharness export: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  int rc = MH_EXIT_OK;
  FILE *out = out_path ? fopen(out_path, "w") : stdout;
  if (!out) {
    mh_fail_errno(&e, "cannot write %s", out_path);
    fprintf(stderr, "memharness export: %s: choose another -o\n", e.msg);
    rc = MH_EXIT_INTERNAL;
  } else if (mh_export_csv(out, doc) < 0) {
    fprintf(stderr,
            "memharness export: %s has neither \"runs\" nor \"trials\": not the results of a "
            "memharness campaign (docs/results.md)\n",
            path);
    rc = MH_EXIT_USAGE;
  }
  if (out) {
    bool bad = ferror(out) != 0;
    bad |= (out == stdout ? fflush(out) : fclose(out)) != 0;
    if (bad && rc == MH_EXIT_OK) {
      fprintf(stderr, "memharness export: writing %s failed\n", out_path ? out_path : "stdout");
      rc = MH_EXIT_INTERNAL;
    }
  }
  json_object_put(doc);
  return rc;
}
