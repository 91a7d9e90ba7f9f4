#include "figfaults.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultstats.h"
#include "figdata.h"
#include "samples.h"

// The outcomes of docs/campaign.md, in the order the bars stack them.
static const char *const outcomes[] = {"benign", "recovered", "sdc",   "killed",
                                       "panic",  "hang",      "reset", "harness_error"};
#define NOUTCOMES (sizeof outcomes / sizeof *outcomes)

static FILE *open_data(const char *path, json_object *doc, const char *results_path,
                       const char *what, struct mh_err *e) {
  FILE *f = fopen(path, "w");
  if (!f) {
    mh_fail_errno(e, "%s: cannot write the figure data", path);
    return NULL;
  }
  const char *name = mh_jstr(mh_jget(doc, "campaign"), "name");
  const char *rev = mh_jstr(mh_jget(doc, "git"), "revision");
  fprintf(f, "# memharness figure: %s\n# source: %s (campaign %s, git %s)\n", what, results_path,
          name ? name : "?", rev ? rev : "unknown");
  return f;
}

static int close_data(FILE *f, const char *path, int rows, struct mh_err *e) {
  if (fclose(f) != 0)
    return mh_fail_errno(e, "%s: cannot write the figure data", path);
  return rows;
}

static json_object *variant_summaries(json_object *doc) {
  json_object *s = mh_jget(mh_jget(doc, "faults"), "summary");
  return json_object_is_type(s, json_type_object) ? s : NULL;
}

// The frame kinds of the outcome counts, and whether any bar has a trial of
// outcome i: the figure labels bars by kind only when there are several
// kinds, and its legend lists only the outcomes that occur.
static size_t outcome_overview(json_object *sum, bool seen[NOUTCOMES], char *kind, size_t cap) {
  size_t nkinds = 0;
  json_object_object_foreach(sum, variant, vs) {
    (void)variant;
    json_object *kinds = mh_jget(mh_jget(vs, "outcomes"), "by_frame_kind");
    if (!json_object_is_type(kinds, json_type_object))
      continue; // "rate", or a variant without trials
    json_object_object_foreach(kinds, k, counts) {
      if (!*kind) {
        snprintf(kind, cap, "%s", k);
        nkinds = 1;
      } else if (strcmp(kind, k) != 0)
        nkinds = 2; // several: the count does not matter

      for (size_t i = 0; i < NOUTCOMES; i++)
        seen[i] = seen[i] || mh_jnum(counts, outcomes[i], 0) > 0;
    }
  }
  return nkinds;
}

int mh_figdata_outcomes(json_object *doc, const char *results_path, const char *path,
                        char *settings, size_t cap, struct mh_err *e) {
  json_object *sum = variant_summaries(doc);
  bool seen[NOUTCOMES] = {false};
  char kind[64] = "";
  size_t nkinds = outcome_overview(sum, seen, kind, sizeof kind);
  int rows = 0;
  FILE *f = NULL;
  json_object_object_foreach(sum, variant, vs) {
    json_object *kinds = mh_jget(mh_jget(vs, "outcomes"), "by_frame_kind");
    if (!json_object_is_type(kinds, json_type_object))
      continue;
    json_object_object_foreach(kinds, k, counts) {
      if (!f && !(f = open_data(path, doc, results_path,
                                "(b) trial outcomes per variant and frame kind", e)))
        return -1;
      if (rows == 0) {
        fprintf(f, "# columns: label variant frame_kind");
        for (size_t i = 0; i < NOUTCOMES; i++)
          fprintf(f, " %s", outcomes[i]);
        fprintf(f, " trials\n");
      }
      double n[NOUTCOMES], total = 0;
      for (size_t i = 0; i < NOUTCOMES; i++)
        total += n[i] = mh_jnum(counts, outcomes[i], 0);
      char v[64] = "", fk[64] = "";
      mh_fig_cat_name(v, sizeof v, variant);
      mh_fig_cat_name(fk, sizeof fk, k);
      // The bar's label: the variant, and the frame kind when there are several.
      if (nkinds > 1)
        fprintf(f, "\"%s, %s frames\" %s %s", v, fk, v, fk);
      else
        fprintf(f, "%s %s %s", v, v, fk);
      for (size_t i = 0; i < NOUTCOMES; i++)
        fprintf(f, " %.0f", n[i]);
      fprintf(f, " %.0f\n", total);
      rows++;
    }
  }
  settings[0] = 0;
  mh_fig_cat(settings, cap, "classes='");
  for (size_t i = 0; i < NOUTCOMES; i++)
    if (seen[i])
      mh_fig_cat(settings, cap, "%s%s", settings[strlen(settings) - 1] == '\'' ? "" : " ",
                 outcomes[i]);
  mh_fig_cat(settings, cap, "'; frames='");
  if (nkinds == 1)
    mh_fig_cat_name(settings, cap, kind);
  mh_fig_cat(settings, cap, "'");
  return f ? close_data(f, path, rows, e) : 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

// Cycles of the recovered @mce lines of one variant's trials.
static size_t recovered_cycles(json_object *trials, const char *variant, double **out) {
  size_t n = 0, cap = 0;
  *out = NULL;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *mce = mh_jget(t, "mce");
    const char *v = mh_jstr(t, "variant");
    if (!v || strcmp(v, variant) != 0 || !json_object_is_type(mce, json_type_array))
      continue; // a trial without @mce lines (a harness_error) has no latency
    for (size_t k = 0; k < json_object_array_length(mce); k++) {
      json_object *m = json_object_array_get_idx(mce, k);
      const char *action = mh_jstr(m, "action");
      double c = mh_jnum(m, "cycles", NAN);
      if (!action || strcmp(action, "recovered") != 0 || !(c >= 0))
        continue;
      if (n == cap) {
        double *nv = realloc(*out, (cap = cap ? 2 * cap : 64) * sizeof *nv);
        if (!nv)
          return n;
        *out = nv;
      }
      (*out)[n++] = c;
    }
  }
  return n;
}

static size_t trials_of(json_object *trials, const char *variant) {
  size_t n = 0;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    const char *v = mh_jstr(json_object_array_get_idx(trials, i), "variant");
    n += v && strcmp(v, variant) == 0;
  }
  return n;
}

int mh_figdata_latency(json_object *doc, const char *results_path, const char *path, char *settings,
                       size_t cap, struct mh_err *e) {
  json_object *trials = mh_jget(doc, "trials"),
              *variants = mh_jget(mh_jget(doc, "campaign"), "variants");
  const char *timing = mh_jstr(mh_jget(doc, "campaign"), "timing");
  bool icount = timing && strcmp(timing, "icount") == 0;
  char names[256] = "", counts[128] = "", none[512] = "";
  int rows = 0, blocks = 0;
  FILE *f = NULL;
  for (size_t i = 0; i < json_object_array_length(variants); i++) {
    const char *v = json_object_get_string(json_object_array_get_idx(variants, i));
    double *c = NULL;
    size_t n = v ? recovered_cycles(trials, v, &c) : 0;
    if (n && !f &&
        !(f = open_data(path, doc, results_path,
                        icount ? "(c) recovery latency, guest instructions (icount) from #MC "
                                 "entry to iret of recovered @mce lines"
                               : "(c) recovery latency, cycles of recovered @mce lines",
                        e))) {
      free(c);
      return -1;
    }
    if (n) {
      qsort(c, n, sizeof *c, cmp_double);
      // One block per variant (gnuplot's index); its first line names it.
      fprintf(f, "%s# columns: cycles fraction_recovered_within\ncycles %s\n", blocks ? "\n\n" : "",
              v);
      fprintf(f, "0 0\n"); // the curve starts at zero, not at the first recovery
      for (size_t k = 0; k < n; k++)
        fprintf(f, "%.0f %.6f\n", c[k], (double)(k + 1) / (double)n);
      rows += (int)n;
      blocks++;
      mh_fig_cat(names, sizeof names, "%s", *names ? " " : "");
      mh_fig_cat_name(names, sizeof names, v);
      mh_fig_cat(counts, sizeof counts, "%s%zu", *counts ? " " : "", n);
    } else if (v) {
      // A variant without recoveries still appears, in the note.
      mh_fig_cat(none, sizeof none, "%s", *none ? "; " : "");
      mh_fig_cat_name(none, sizeof none, v);
      mh_fig_cat(none, sizeof none, ": no recovered machine check in %zu trials",
                 trials_of(trials, v));
    }
    free(c);
  }
  snprintf(settings, cap, "unit='%s'; variants='%s'; counts='%s'; note='%s'",
           icount ? "guest instructions (icount)" : "cycles", names, counts, none);
  return f ? close_data(f, path, rows, e) : 0;
}

int mh_figdata_rate(json_object *doc, const char *results_path, const char *path, char *settings,
                    size_t cap, struct mh_err *e) {
  json_object *rate = mh_jget(variant_summaries(doc), "rate");
  double per_min = mh_jnum(rate, "trials_per_min", NAN);
  if (!(per_min >= 0))
    return 0;
  FILE *f = open_data(path, doc, results_path, "(d) campaign rate", e);
  if (!f)
    return -1;
  const char *name = mh_jstr(mh_jget(doc, "campaign"), "name");
  const char *restore = mh_jstr(rate, "restore");
  char label[128] = "";
  mh_fig_cat_name(label, sizeof label, name ? name : "campaign");
  fprintf(f, "# columns: label trials_per_min trials wall_s jobs restore\n");
  fprintf(f, "%s %.3f %.0f %.3f %.0f %s\n", label, per_min, mh_jnum(rate, "trials", NAN),
          mh_jnum(rate, "wall_s", NAN), mh_jnum(rate, "jobs", NAN), restore ? restore : "?");
  snprintf(settings, cap,
           "note='%.0f trials in %.0f s on %.0f jobs, restore by %s; golden runs and QEMU "
           "starts included'",
           mh_jnum(rate, "trials", NAN), mh_jnum(rate, "wall_s", NAN), mh_jnum(rate, "jobs", NAN),
           restore && !strchr(restore, '\'') ? restore : "?");
  return close_data(f, path, 1, e);
}

// The failure rates of one variant (all frames and per kind), computed from
// the trials as the summary computes them, so older results plot too.
static json_object *variant_rates(json_object *doc, const char *variant, double level) {
  json_object *vs = json_object_new_object();
  struct mh_faults none = {.bits = 1, .when = MH_FW_DELAY_MS};
  mh_fault_stats_add(vs, mh_jget(doc, "trials"), variant, &none, level);
  return vs;
}

static void failrate_row(FILE *f, const char *variant, const char *kind, bool kinds,
                         json_object *r) {
  char v[64] = "", fk[64] = "";
  mh_fig_cat_name(v, sizeof v, variant);
  mh_fig_cat_name(fk, sizeof fk, kind);
  if (kinds)
    fprintf(f, "\"%s, %s frames\" %s %s", v, fk, v, fk);
  else
    fprintf(f, "%s %s %s", v, v, fk);
  fprintf(f, " %.0f %.0f %.6f %.6f %.6f\n", mh_jnum(r, "k", 0), mh_jnum(r, "n", 0),
          100 * mh_jnum(r, "p", 0), 100 * mh_jnum(r, "lo", 0), 100 * mh_jnum(r, "hi", 1));
}

int mh_figdata_failrate(json_object *doc, const char *results_path, const char *path,
                        char *settings, size_t cap, struct mh_err *e) {
  json_object *variants = mh_jget(mh_jget(doc, "campaign"), "variants");
  double level = mh_jnum(mh_jget(mh_jget(doc, "campaign"), "statistics"), "confidence", 0.95);
  size_t nv = json_object_array_length(variants);
  json_object *vr[8] = {NULL};
  char kind[64] = "", names[256] = "";
  bool several = false;
  for (size_t i = 0; i < nv && i < 8; i++) {
    const char *v = json_object_get_string(json_object_array_get_idx(variants, i));
    vr[i] = variant_rates(doc, v ? v : "", level);
    json_object_object_foreach(mh_jget(vr[i], "rates_by_frame_kind"), k, r) {
      (void)r;
      several = several || (*kind && strcmp(kind, k) != 0);
      snprintf(kind, sizeof kind, "%s", k);
    }
    mh_fig_cat(names, sizeof names, "%s", *names ? " " : "");
    mh_fig_cat_name(names, sizeof names, v ? v : "?");
  }
  int rows = 0;
  FILE *f = NULL;
  bool failed = false;
  for (size_t i = 0; i < nv && i < 8 && !failed; i++) {
    const char *v = json_object_get_string(json_object_array_get_idx(variants, i));
    json_object *byk = mh_jget(vr[i], "rates_by_frame_kind");
    json_object_object_foreach(byk, k, r) {
      if (!f &&
          !(f = open_data(path, doc, results_path,
                          "(e) failure rate per variant and frame kind, Wilson interval", e))) {
        failed = true;
        break;
      }
      if (rows == 0)
        fprintf(f, "# columns: label variant frame_kind k n p lo hi (p, lo, hi in %%)\n");
      if (several)
        failrate_row(f, v, k, true, mh_jget(r, MH_FAILURE));
      else // one kind: its row is the variant's
        failrate_row(f, v, k, false, mh_jget(mh_jget(vr[i], "rates"), MH_FAILURE));
      rows++;
      if (!several)
        break;
    }
  }
  for (size_t i = 0; i < nv && i < 8; i++)
    json_object_put(vr[i]);
  if (failed)
    return -1;
  snprintf(settings, cap, "variants='%s'; level='%g'; frames='", names, 100 * level);
  if (!several)
    mh_fig_cat_name(settings, cap, kind);
  mh_fig_cat(settings, cap, "'");
  return f ? close_data(f, path, rows, e) : 0;
}
