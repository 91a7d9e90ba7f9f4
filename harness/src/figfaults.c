#include "figfaults.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples.h"

// The outcomes of docs/campaign.md, in the order the bars stack them.
static const char *const outcomes[] = {"benign", "recovered", "sdc",          "killed",
                                       "panic",  "hang",      "harness_error"};
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

int mh_figdata_outcomes(json_object *doc, const char *results_path, const char *path,
                        struct mh_err *e) {
  json_object *sum = variant_summaries(doc);
  int rows = 0;
  FILE *f = NULL;
  json_object_object_foreach(sum, variant, vs) {
    json_object *kinds = mh_jget(mh_jget(vs, "outcomes"), "by_frame_kind");
    if (!json_object_is_type(kinds, json_type_object))
      continue; // "rate", or a variant without trials
    json_object_object_foreach(kinds, kind, counts) {
      if (!f && !(f = open_data(path, doc, results_path,
                                "(b) trial outcomes per variant and frame kind", e)))
        return -1;
      if (rows == 0) {
        fprintf(f, "# columns: label");
        for (size_t i = 0; i < NOUTCOMES; i++)
          fprintf(f, " %s", outcomes[i]);
        fprintf(f, " trials\n");
      }
      double n[NOUTCOMES], total = 0;
      for (size_t i = 0; i < NOUTCOMES; i++)
        total += n[i] = mh_jnum(counts, outcomes[i], 0);
      fprintf(f, "%s/%s", variant, kind);
      for (size_t i = 0; i < NOUTCOMES; i++)
        fprintf(f, " %.0f", n[i]);
      fprintf(f, " %.0f\n", total);
      rows++;
    }
  }
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
    if (!v || strcmp(v, variant) != 0)
      continue;
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

int mh_figdata_latency(json_object *doc, const char *results_path, const char *path,
                       struct mh_err *e) {
  json_object *trials = mh_jget(doc, "trials"),
              *variants = mh_jget(mh_jget(doc, "campaign"), "variants");
  int rows = 0, blocks = 0;
  FILE *f = NULL;
  for (size_t i = 0; i < json_object_array_length(variants); i++) {
    const char *v = json_object_get_string(json_object_array_get_idx(variants, i));
    double *c = NULL;
    size_t n = v ? recovered_cycles(trials, v, &c) : 0;
    if (n && !f &&
        !(f = open_data(path, doc, results_path,
                        "(c) recovery latency, cycles of recovered @mce lines (icount: guest "
                        "instructions)",
                        e))) {
      free(c);
      return -1;
    }
    if (n) {
      qsort(c, n, sizeof *c, cmp_double);
      // One block per variant (gnuplot's index); its first line names it.
      fprintf(f, "%s# columns: cycles fraction_recovered_within\ncycles %s\n", blocks ? "\n\n" : "",
              v);
      for (size_t k = 0; k < n; k++)
        fprintf(f, "%.0f %.6f\n", c[k], (double)(k + 1) / (double)n);
      rows += (int)n;
      blocks++;
    }
    free(c);
  }
  return f ? close_data(f, path, rows, e) : 0;
}

int mh_figdata_rate(json_object *doc, const char *results_path, const char *path,
                    struct mh_err *e) {
  json_object *rate = mh_jget(variant_summaries(doc), "rate");
  double per_min = mh_jnum(rate, "trials_per_min", NAN);
  if (!(per_min >= 0))
    return 0;
  FILE *f = open_data(path, doc, results_path, "(d) campaign rate", e);
  if (!f)
    return -1;
  const char *name = mh_jstr(mh_jget(doc, "campaign"), "name");
  const char *restore = mh_jstr(rate, "restore");
  fprintf(f, "# columns: label trials_per_min trials wall_s jobs\n");
  fprintf(f, "%s/%s %.3f %.0f %.3f %.0f\n", name ? name : "campaign", restore ? restore : "?",
          per_min, mh_jnum(rate, "trials", NAN), mh_jnum(rate, "wall_s", NAN),
          mh_jnum(rate, "jobs", NAN));
  return close_data(f, path, 1, e);
}
