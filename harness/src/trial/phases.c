#include "phases.h"

#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "trial.h"

static json_object *member(json_object *o, const char *k) {
  json_object *v = NULL;
  return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static bool of_variant(json_object *t, const char *variant) {
  json_object *v = member(t, "variant");
  return v && strcmp(json_object_get_string(v), variant) == 0 && member(t, "phases_ms");
}

// One phase's figures across the variant's trials; n gets how many.
static json_object *one_phase(json_object *trials, const char *variant, const char *phase,
                              size_t *n) {
  size_t len = json_object_array_length(trials);
  double *v = malloc((len ? len : 1) * sizeof *v), sum = 0;
  *n = 0;
  for (size_t i = 0; v && i < len; i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    if (of_variant(t, variant)) {
      v[*n] = json_object_get_double(member(member(t, "phases_ms"), phase));
      sum += v[(*n)++];
    }
  }
  json_object *o = json_object_new_object();
  if (*n) {
    json_object_object_add(o, "mean", json_object_new_double(sum / (double)*n));
    json_object_object_add(o, "median", json_object_new_double(mh_median(v, *n)));
  }
  free(v);
  return o;
}

json_object *mh_phase_summary(json_object *trials, const char *variant) {
  json_object *o = json_object_new_object();
  size_t n = 0;
  for (int p = 0; p < MH_PH_COUNT; p++)
    json_object_object_add(o, mh_phase_name(p), one_phase(trials, variant, mh_phase_name(p), &n));
  json_object_object_add(o, "n", json_object_new_int((int)n));
  return o;
}
