#include "figdata.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "samples.h"
#include "stats.h"

// The tests that have samples of both variants, as bootstrap pairs.
static size_t pairs_of(const struct mh_sample_set *s, struct mh_pair *p, size_t *idx) {
  size_t m = 0;
  for (size_t i = 0; i < s->n; i++) {
    const struct mh_test_samples *t = &s->t[i];
    if (!t->n[MH_S_NATIVE] || !t->n[MH_S_MEMV6])
      continue;
    p[m] =
        (struct mh_pair){t->v[MH_S_NATIVE], t->n[MH_S_NATIVE], t->v[MH_S_MEMV6], t->n[MH_S_MEMV6]};
    idx[m++] = i;
  }
  return m;
}

static double ratio(const struct mh_pair *p) {
  return mh_median(p->b, p->nb) / mh_median(p->a, p->na);
}

static void header(FILE *f, json_object *doc, const char *results_path,
                   const struct mh_sample_set *s, const struct mh_boot_cfg *bc) {
  json_object *git = mh_jget(doc, "git");
  fprintf(f, "# memharness figure (a): time per test normalized to native, %s/%s (%s)\n", s->timing,
          s->workload, s->metric);
  fprintf(f, "# source: %s (campaign %s, git %s%s, %s)\n", results_path,
          mh_jstr(mh_jget(doc, "campaign"), "name") ? mh_jstr(mh_jget(doc, "campaign"), "name")
                                                    : "?",
          mh_jstr(git, "revision") ? mh_jstr(git, "revision") : "unknown",
          json_object_get_boolean(mh_jget(git, "dirty")) ? ", dirty" : "",
          mh_jstr(mh_jget(doc, "qemu"), "version") ? mh_jstr(mh_jget(doc, "qemu"), "version")
                                                   : "QEMU ?");
  fprintf(f,
          "# ratio = median(memv6)/median(native); lo, hi: %.0f%% percentile bootstrap interval "
          "(%u resamples, seed %llu); exact samples give lo = hi\n",
          100 * bc->level, bc->iterations, (unsigned long long)bc->seed);
  fprintf(f, "# columns: x name native memv6 lo hi n_native n_memv6\n");
}

int mh_figdata_overhead(json_object *doc, const char *results_path, const char *timing,
                        const char *workload, const char *path, struct mh_err *e) {
  struct mh_sample_set s;
  mh_samples_collect(doc, timing, workload, &s);
  struct mh_pair *p = calloc(s.n + 1, sizeof *p);
  size_t *idx = calloc(s.n + 1, sizeof *idx);
  size_t m = p && idx ? pairs_of(&s, p, idx) : 0;
  FILE *f = m ? fopen(path, "w") : NULL;
  int rc = (int)m;
  if (m && !f)
    rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
  if (f) {
    struct mh_boot_cfg bc = mh_results_boot_cfg(doc);
    header(f, doc, results_path, &s, &bc);
    double *r = calloc(m, sizeof *r);
    for (size_t i = 0; r && i < m; i++) {
      double lo = NAN, hi = NAN;
      mh_bootstrap_geomean(&p[i], 1, bc.iterations, bc.seed, bc.level, &lo, &hi);
      r[i] = ratio(&p[i]);
      fprintf(f, "%zu %s 1 %.6f %.6f %.6f %zu %zu\n", i, s.t[idx[i]].name, r[i], lo, hi, p[i].na,
              p[i].nb);
    }
    double lo = NAN, hi = NAN;
    mh_bootstrap_geomean(p, m, bc.iterations, bc.seed, bc.level, &lo, &hi);
    // The geomean bar stands apart from the tests (x + 0.5) after a separator.
    fprintf(f, "%.1f geomean 1 %.6f %.6f %.6f - -\n", (double)m + 0.5, r ? mh_geomean(r, m) : NAN,
            lo, hi);
    free(r);
    if (fclose(f) != 0)
      rc = mh_fail_errno(e, "%s: cannot write the figure data", path);
  }
  free(p);
  free(idx);
  mh_samples_free(&s);
  return rc;
}
