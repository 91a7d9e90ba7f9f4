#include "figdata.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"
#include "stats.h"

#define BASE MH_S_NATIVE // the variant every other one is normalized to

// One test of the figure: its ratio, interval and samples per variant.
struct fig_row {
  const struct mh_test_samples *t;
  double r[MH_S_NVARIANTS], lo[MH_S_NVARIANTS], hi[MH_S_NVARIANTS];
};

// What the intervals of a figure can say (docs/figures.md).
enum interval_kind { IV_EXACT, IV_BOOTSTRAP, IV_TOO_FEW };

struct fig {
  struct mh_sample_set s;
  struct mh_boot_cfg bc;
  int var[MH_S_NVARIANTS], nvar; // compared variants, indices into s
  struct fig_row *rows;
  size_t nrows;
  enum interval_kind iv;
  size_t nmin, nmax; // samples per variant and test
};

static bool has(const struct mh_test_samples *t, int v) {
  return t->n[v] > 0;
}

static bool identical(const double *v, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (v[i] != v[0])
      return false;
  return true;
}

static struct mh_pair pair_of(const struct mh_test_samples *t, int v) {
  return (struct mh_pair){t->v[BASE], t->n[BASE], t->v[v], t->n[v]};
}

// Compared variants: every one but the baseline that some test measured
// together with the baseline, in the results' order.
static void pick_variants(struct fig *f) {
  for (int v = 0; v < f->s.nvariants; v++) {
    bool any = false;
    for (size_t i = 0; v != BASE && i < f->s.n; i++)
      any = any || (has(&f->s.t[i], BASE) && has(&f->s.t[i], v));
    if (any)
      f->var[f->nvar++] = v;
  }
}

// Exact when every test's runs agree to the last instruction; else a
// bootstrap only with enough runs on every kernel.
static void pick_intervals(struct fig *f) {
  bool exact = true;
  f->nmin = SIZE_MAX;
  f->nmax = 0;
  for (size_t i = 0; i < f->nrows; i++)
    for (int k = -1; k < f->nvar; k++) {
      const struct mh_test_samples *t = f->rows[i].t;
      int v = k < 0 ? BASE : f->var[k];
      if (!has(t, v))
        continue;
      exact = exact && identical(t->v[v], t->n[v]);
      f->nmin = t->n[v] < f->nmin ? t->n[v] : f->nmin;
      f->nmax = t->n[v] > f->nmax ? t->n[v] : f->nmax;
    }
  f->iv = exact ? IV_EXACT : f->nmin >= MH_FIG_MIN_INTERVAL_RUNS ? IV_BOOTSTRAP : IV_TOO_FEW;
}

static void fill_row(struct fig *f, struct fig_row *row) {
  for (int k = 0; k < f->nvar; k++) {
    int v = f->var[k];
    row->r[k] = row->lo[k] = row->hi[k] = NAN;
    if (!has(row->t, v))
      continue;
    struct mh_pair p = pair_of(row->t, v);
    row->r[k] = mh_median(p.b, p.nb) / mh_median(p.a, p.na);
    if (f->iv == IV_BOOTSTRAP)
      mh_bootstrap_geomean(&p, 1, f->bc.iterations, f->bc.seed, f->bc.level, &row->lo[k],
                           &row->hi[k]);
  }
}

// Largest overhead of the first variant first; tests it did not measure last.
static int by_ratio(const void *a, const void *b) {
  double x = ((const struct fig_row *)a)->r[0], y = ((const struct fig_row *)b)->r[0];
  if (isnan(x) || isnan(y))
    return isnan(x) - isnan(y);
  return (x < y) - (x > y);
}

static int build(struct fig *f) {
  pick_variants(f);
  f->rows = calloc(f->s.n + 1, sizeof *f->rows);
  if (!f->rows || f->nvar == 0)
    return 0;
  for (size_t i = 0; i < f->s.n; i++) {
    bool any = false;
    for (int k = 0; k < f->nvar; k++)
      any = any || has(&f->s.t[i], f->var[k]);
    if (has(&f->s.t[i], BASE) && any)
      f->rows[f->nrows++].t = &f->s.t[i];
  }
  pick_intervals(f);
  for (size_t i = 0; i < f->nrows; i++)
    fill_row(f, &f->rows[i]);
  qsort(f->rows, f->nrows, sizeof *f->rows, by_ratio);
  return (int)f->nrows;
}

// Geomean of variant k over the tests that measured it, with the
// summary's bootstrap interval when the figure draws intervals.
static void geomean_of(const struct fig *f, int k, double *g, double *lo, double *hi) {
  struct mh_pair *p = calloc(f->nrows + 1, sizeof *p);
  double *r = calloc(f->nrows + 1, sizeof *r);
  size_t m = 0;
  for (size_t i = 0; p && r && i < f->nrows; i++)
    if (!isnan(f->rows[i].r[k])) {
      p[m] = pair_of(f->rows[i].t, f->var[k]);
      r[m++] = f->rows[i].r[k];
    }
  *g = m ? mh_geomean(r, m) : NAN;
  *lo = *hi = NAN;
  if (m && f->iv == IV_BOOTSTRAP)
    mh_bootstrap_geomean(p, m, f->bc.iterations, f->bc.seed, f->bc.level, lo, hi);
  free(p);
  free(r);
}

void mh_fig_cat(char *dst, size_t cap, const char *fmt, ...) {
  size_t len = strlen(dst);
  if (len + 1 >= cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst + len, cap - len, fmt, ap);
  va_end(ap);
}

void mh_fig_cat_name(char *dst, size_t cap, const char *name) {
  size_t len = strlen(dst);
  for (; *name && len + 1 < cap; name++)
    dst[len++] = (*name == '\'' || *name == '"' || *name == '\\' || *name <= ' ') ? '_' : *name;
  dst[len] = 0;
}

// How the numbers were measured, for the figure's note: what a bar is, n,
// and what the whiskers are or why there are none.
static void measurement_note(const struct fig *f, char *note, size_t cap) {
  const char *what = strcmp(f->s.metric, "wall_us") == 0  ? "host wall time of the run"
                     : strcmp(f->s.timing, "icount") == 0 ? "guest instructions"
                     : strcmp(f->s.timing, "host") == 0   ? "CPU time (ns) as Linux processes"
                     : strcmp(f->s.timing, "host64") == 0
                         ? "CPU time (ns) as x86-64 Linux processes"
                         : "guest cycles";
  char n[48];
  snprintf(n, sizeof n, f->nmin == f->nmax ? "n = %zu" : "n = %zu-%zu", f->nmin, f->nmax);
  mh_fig_cat(note, cap, "%s: %s, ", f->s.timing, what);
  if (f->iv == IV_EXACT)
    mh_fig_cat(note, cap, "exact, %s identical runs per kernel", n);
  else if (f->iv == IV_BOOTSTRAP)
    mh_fig_cat(note, cap, "median of %s runs per kernel, whiskers: %.0f%% bootstrap CI", n,
               100 * f->bc.level);
  else
    mh_fig_cat(note, cap, "median of %s runs per kernel, no CI (needs >= %d)", n,
               MH_FIG_MIN_INTERVAL_RUNS);
}

// The tests the figure leaves out, by name: the campaign's not_compared and
// any test without samples of the baseline and a compared variant.
static void left_out(json_object *doc, const struct fig *f, char *list, size_t cap) {
  json_object *nc = mh_samples_not_compared(doc, f->s.workload);
  for (size_t i = 0; json_object_is_type(nc, json_type_array) && i < json_object_array_length(nc);
       i++) {
    mh_fig_cat(list, cap, "%s", *list ? " " : "");
    mh_fig_cat_name(list, cap, json_object_get_string(json_object_array_get_idx(nc, i)));
  }
  for (size_t i = 0; i < f->s.n; i++) {
    bool drawn = false;
    for (size_t k = 0; k < f->nrows; k++)
      drawn = drawn || f->rows[k].t == &f->s.t[i];
    if (!drawn) {
      mh_fig_cat(list, cap, "%s", *list ? " " : "");
      mh_fig_cat_name(list, cap, f->s.t[i].name);
      mh_fig_cat(list, cap, "(unmeasured)");
    }
  }
}

static void settings_of(json_object *doc, const struct fig *f, char *settings, size_t cap) {
  char note[256] = "", nc[2048] = "";
  measurement_note(f, note, sizeof note);
  left_out(doc, f, nc, sizeof nc);
  settings[0] = 0;
  mh_fig_cat(settings, cap, "variants='");
  for (int k = 0; k < f->nvar; k++) {
    mh_fig_cat(settings, cap, "%s", k ? " " : "");
    mh_fig_cat_name(settings, cap, f->s.variant[f->var[k]]);
  }
  mh_fig_cat(settings, cap, "'; baseline='%s'; note='%s'; not_compared='%s'", f->s.variant[BASE],
             note, nc);
}

static void header(FILE *out, json_object *doc, const char *results_path, const struct fig *f,
                   const char *settings) {
  json_object *git = mh_jget(doc, "git");
  const char *campaign = mh_jstr(mh_jget(doc, "campaign"), "name"), *rev = mh_jstr(git, "revision"),
             *qemu = mh_jstr(mh_jget(doc, "qemu"), "version");
  fprintf(out, "# gnuplot settings: %s\n", settings);
  fprintf(out, "# memharness figure (a): time per test normalized to %s, %s/%s (%s)\n",
          f->s.variant[BASE], f->s.timing, f->s.workload, f->s.metric);
  fprintf(out, "# source: %s (campaign %s, git %s%s, QEMU %s)\n", results_path,
          campaign ? campaign : "?", rev ? rev : "unknown",
          json_object_get_boolean(mh_jget(git, "dirty")) ? ", dirty" : "", qemu ? qemu : "?");
  fprintf(out,
          "# ratio = median(variant)/median(%s); lo, hi: %.0f%% percentile bootstrap interval "
          "(%u resamples, seed %llu), NaN when not drawn (exact, or fewer than %d runs)\n",
          f->s.variant[BASE], 100 * f->bc.level, f->bc.iterations, (unsigned long long)f->bc.seed,
          MH_FIG_MIN_INTERVAL_RUNS);
  fprintf(out, "# columns: x name");
  for (int k = 0; k < f->nvar; k++)
    fprintf(out, " %s %s_lo %s_hi %s_n", f->s.variant[f->var[k]], f->s.variant[f->var[k]],
            f->s.variant[f->var[k]], f->s.variant[f->var[k]]);
  fprintf(out, " %s_n\n", f->s.variant[BASE]);
}

// gnuplot reads "NaN" as an undefined value: that point is not drawn.
static void num(FILE *out, double x) {
  if (isnan(x))
    fprintf(out, " NaN");
  else
    fprintf(out, " %.6f", x);
}

static void rows(FILE *out, const struct fig *f) {
  for (size_t i = 0; i < f->nrows; i++) {
    const struct fig_row *r = &f->rows[i];
    char name[96] = "";
    mh_fig_cat_name(name, sizeof name, r->t->name);
    fprintf(out, "%zu %s", i, name);
    for (int k = 0; k < f->nvar; k++) {
      num(out, r->r[k]);
      num(out, r->lo[k]);
      num(out, r->hi[k]);
      fprintf(out, " %zu", r->t->n[f->var[k]]);
    }
    fprintf(out, " %zu\n", r->t->n[BASE]);
  }
  // The geomean stands apart from the tests (x + 0.5) after a separator.
  fprintf(out, "%.1f geomean", (double)f->nrows + 0.5);
  for (int k = 0; k < f->nvar; k++) {
    double g, lo, hi;
    geomean_of(f, k, &g, &lo, &hi);
    num(out, g);
    num(out, lo);
    num(out, hi);
    fprintf(out, " -");
  }
  fprintf(out, " -\n");
}

int mh_figdata_overhead(json_object *doc, const char *results_path, const char *timing,
                        const char *workload, const char *path, char *settings, size_t cap,
                        struct mh_err *e) {
  struct fig f = {.bc = mh_results_boot_cfg(doc)};
  mh_samples_collect(doc, timing, workload, &f.s);
  int rc = build(&f);
  if (rc > 0) {
    settings_of(doc, &f, settings, cap);
    FILE *out = fopen(path, "w");
    if (!out)
      rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
    else {
      header(out, doc, results_path, &f, settings);
      rows(out, &f);
      if (fclose(out) != 0)
        rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
    }
  }
  free(f.rows);
  mh_samples_free(&f.s);
  return rc;
}

// ---- icount beside real hardware: one workload under two timing modes ----

static const struct fig_row *row_named(const struct fig *f, const char *name) {
  for (size_t i = 0; i < f->nrows; i++)
    if (strcmp(f->rows[i].t->name, name) == 0)
      return &f->rows[i];
  return NULL;
}

static void cell(FILE *out, const struct fig *f, const struct fig_row *r) {
  num(out, r ? r->r[0] : NAN);
  num(out, r ? r->lo[0] : NAN);
  num(out, r ? r->hi[0] : NAN);
  fprintf(out, " %zu", r ? r->t->n[f->var[0]] : (size_t)0);
}

static void write_timings(FILE *out, const struct fig f[2]) {
  for (size_t i = 0; i < f[0].nrows; i++) {
    const struct fig_row *a = &f[0].rows[i], *b = row_named(&f[1], a->t->name);
    char name[96] = "";
    mh_fig_cat_name(name, sizeof name, a->t->name);
    fprintf(out, "%zu %s", i, name);
    cell(out, &f[0], a);
    cell(out, &f[1], b);
    fprintf(out, " %zu\n", a->t->n[BASE]);
  }
  fprintf(out, "%.1f geomean", (double)f[0].nrows + 0.5);
  for (int k = 0; k < 2; k++) {
    double g, lo, hi;
    geomean_of(&f[k], 0, &g, &lo, &hi);
    num(out, g);
    num(out, lo);
    num(out, hi);
    fprintf(out, " -");
  }
  fprintf(out, " -\n");
}

int mh_figdata_timings(json_object *doc, const char *results_path, const char *workload,
                       const char *const timing[2], const char *path, char *settings, size_t cap,
                       struct mh_err *e) {
  struct fig f[2] = {{.bc = mh_results_boot_cfg(doc)}, {.bc = mh_results_boot_cfg(doc)}};
  int rc = 1;
  for (int k = 0; k < 2; k++) {
    mh_samples_collect(doc, timing[k], workload, &f[k].s);
    rc = build(&f[k]) > 0 ? rc : 0;
  }
  if (rc > 0) {
    rc = (int)f[0].nrows;
    const char *v = f[0].s.variant[f[0].var[0]];
    char note[600] = "", nc[2048] = "";
    mh_fig_cat(note, sizeof note, "bars: %s/%s; ", v, f[0].s.variant[BASE]);
    for (int k = 0; k < 2; k++) {
      char one[256] = "";
      measurement_note(&f[k], one, sizeof one);
      mh_fig_cat(note, sizeof note, "%s%s", k ? "; " : "", one);
    }
    left_out(doc, &f[0], nc, sizeof nc);
    snprintf(settings, cap, "variants='");
    // The bars are named by timing mode; the axis says what they divide.
    for (int k = 0; k < 2; k++) {
      mh_fig_cat(settings, cap, "%s", k ? " " : "");
      mh_fig_cat_name(settings, cap, timing[k]);
    }
    mh_fig_cat(settings, cap, "'; baseline='%s'; note='%s'; not_compared='%s'",
               f[0].s.variant[BASE], note, nc);
    FILE *out = fopen(path, "w");
    if (!out)
      rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
    else {
      fprintf(out, "# gnuplot settings: %s\n", settings);
      fprintf(out, "# memharness figure (a) by timing mode: %s/%s per test under %s and %s, %s\n",
              v, f[0].s.variant[BASE], timing[0], timing[1], workload);
      fprintf(out,
              "# source: %s; ratio = median(%s)/median(%s) per timing mode; lo, hi: %.0f%% "
              "percentile bootstrap interval, NaN when not drawn (exact, or too few runs)\n",
              results_path, v, f[0].s.variant[BASE], 100 * f[0].bc.level);
      fprintf(out, "# columns: x name %s %s_lo %s_hi %s_n %s %s_lo %s_hi %s_n %s_n\n", timing[0],
              timing[0], timing[0], timing[0], timing[1], timing[1], timing[1], timing[1],
              f[0].s.variant[BASE]);
      write_timings(out, f);
      if (fclose(out) != 0)
        rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
    }
  }
  for (int k = 0; k < 2; k++) {
    free(f[k].rows);
    mh_samples_free(&f[k].s);
  }
  return rc;
}
