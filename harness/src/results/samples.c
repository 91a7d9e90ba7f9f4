#include "samples.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

json_object *mh_jget(json_object *o, const char *key) {
  json_object *x = NULL;
  return o && json_object_object_get_ex(o, key, &x) ? x : NULL;
}

const char *mh_jstr(json_object *o, const char *key) {
  json_object *x = mh_jget(o, key);
  return x && json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
}

double mh_jnum(json_object *o, const char *key, double fallback) {
  json_object *x = mh_jget(o, key);
  if (x && (json_object_is_type(x, json_type_int) || json_object_is_type(x, json_type_double)))
    return json_object_get_double(x);
  return fallback;
}

json_object *mh_results_open(const char *path, struct mh_err *e) {
  json_object *doc = mh_json_load(path, e);
  if (!doc)
    return NULL;
  const char *why = NULL;
  json_object *schema = mh_jget(doc, "schema");
  if (!json_object_is_type(doc, json_type_object))
    why = "$: not a results document (expected a JSON object; see docs/results.md)";
  else if (!schema || !json_object_is_type(schema, json_type_int))
    why = "$.schema: missing (not a memharness results file?)";
  else if (json_object_get_int(schema) != MH_RESULTS_SCHEMA)
    why = "$.schema: unsupported version (this memharness reads schema 1)";
  else if (json_object_is_type(mh_jget(doc, "trials"), json_type_array))
    why = NULL; // a fault campaign: trials instead of runs and summaries
  else if (!json_object_is_type(mh_jget(doc, "runs"), json_type_array))
    why = "$.runs: missing or not an array";
  else if (!json_object_is_type(mh_jget(doc, "summaries"), json_type_array))
    why = "$.summaries: missing or not an array";
  if (why) {
    json_object_put(doc);
    return mh_fail(e, "%s: %s", path, why), NULL;
  }
  return doc;
}

static struct mh_test_samples *find_or_add(struct mh_sample_set *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->t[i].name, name) == 0)
      return &s->t[i];
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 16;
    struct mh_test_samples *nt = realloc(s->t, cap * sizeof *nt);
    if (!nt)
      return NULL;
    s->t = nt;
    s->cap = cap;
  }
  struct mh_test_samples *t = &s->t[s->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%s", name);
  return t;
}

static void push(struct mh_test_samples *t, int v, double x) {
  if (!t || !(x > 0)) // a non-positive time is no measurement
    return;
  double *nv = realloc(t->v[v], (t->n[v] + 1) * sizeof *nv);
  if (!nv)
    return;
  nv[t->n[v]++] = x;
  t->v[v] = nv;
}

// The index of the run's variant, registering a name not seen before; -1
// when the run names none or the arrays are full.
static int variant_of(json_object *run, struct mh_sample_set *s) {
  const char *v = mh_jstr(run, "variant");
  for (int i = 0; v && i < s->nvariants; i++)
    if (strcmp(s->variant[i], v) == 0)
      return i;
  if (!v || s->nvariants == MH_S_NVARIANTS || strlen(v) >= sizeof s->variant[0])
    return -1;
  snprintf(s->variant[s->nvariants], sizeof s->variant[0], "%s", v);
  return s->nvariants++;
}

static bool is(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

// Passing tests of ok and failed runs count, as in the summaries
// (docs/results.md); lost runs (timeout, crash, harness error) give nothing.
static void collect_run(json_object *run, struct mh_sample_set *s, struct mh_sample_set *walls) {
  int v = variant_of(run, s);
  const char *st = mh_jstr(run, "status");
  if (v < 0 || !(is(st, "ok") || is(st, "fail")))
    return;
  if (is(st, "ok"))
    push(find_or_add(walls, "wall"), v, mh_jnum(run, "wall_s", NAN) * 1e6);
  json_object *tests = mh_jget(run, "tests");
  if (!json_object_is_type(tests, json_type_array))
    return;
  for (size_t k = 0; k < json_object_array_length(tests); k++) {
    json_object *x = json_object_array_get_idx(tests, k);
    const char *name = mh_jstr(x, "name");
    if (name && is(mh_jstr(x, "status"), "ok"))
      push(find_or_add(s, name), v, mh_jnum(x, "cycles", NAN));
  }
}

json_object *mh_samples_not_compared(json_object *doc, const char *workload) {
  json_object *ws = mh_jget(mh_jget(doc, "campaign"), "workloads");
  for (size_t i = 0; json_object_is_type(ws, json_type_array) && i < json_object_array_length(ws);
       i++) {
    json_object *w = json_object_array_get_idx(ws, i);
    if (is(mh_jstr(w, "name"), workload))
      return mh_jget(w, "not_compared");
  }
  return NULL;
}

// Drops the tests whose ratio means nothing (docs/campaign.md, not_compared).
static void drop_listed(json_object *nc, struct mh_sample_set *s) {
  for (size_t i = 0; json_object_is_type(nc, json_type_array) && i < json_object_array_length(nc);
       i++) {
    const char *name = json_object_get_string(json_object_array_get_idx(nc, i));
    for (size_t k = 0; k < s->n; k++) {
      if (!is(s->t[k].name, name))
        continue;
      for (int v = 0; v < MH_S_NVARIANTS; v++)
        free(s->t[k].v[v]);
      memmove(&s->t[k], &s->t[k + 1], (s->n - k - 1) * sizeof *s->t);
      s->n--;
      break;
    }
  }
}

// Those of the workload, or of every workload (NULL: pooled).
static void drop_not_compared(json_object *doc, const char *workload, struct mh_sample_set *s) {
  if (workload) {
    drop_listed(mh_samples_not_compared(doc, workload), s);
    return;
  }
  json_object *ws = mh_jget(mh_jget(doc, "campaign"), "workloads");
  for (size_t i = 0; json_object_is_type(ws, json_type_array) && i < json_object_array_length(ws);
       i++)
    drop_listed(mh_jget(json_object_array_get_idx(ws, i), "not_compared"), s);
}

size_t mh_samples_collect(json_object *doc, const char *timing, const char *workload,
                          struct mh_sample_set *s) {
  memset(s, 0, sizeof *s);
  snprintf(s->timing, sizeof s->timing, "%s", timing);
  snprintf(s->workload, sizeof s->workload, "%s", workload ? workload : "(all)");
  snprintf(s->metric, sizeof s->metric, "cycles");
  snprintf(s->variant[MH_S_NATIVE], sizeof s->variant[0], "native");
  snprintf(s->variant[MH_S_MEMV6], sizeof s->variant[0], "memv6");
  s->nvariants = 2;
  struct mh_sample_set walls = {0};
  json_object *runs = mh_jget(doc, "runs");
  for (size_t i = 0; i < json_object_array_length(runs); i++) {
    json_object *r = json_object_array_get_idx(runs, i);
    if (is(mh_jstr(r, "timing"), timing) && (!workload || is(mh_jstr(r, "workload"), workload)))
      collect_run(r, s, &walls);
  }
  if (s->n == 0 && walls.n && workload) {
    // No @test lines: the whole workload is the one test, timed by the host.
    struct mh_test_samples *t = find_or_add(s, workload);
    for (int v = 0; t && v < MH_S_NVARIANTS; v++)
      for (size_t i = 0; i < walls.t[0].n[v]; i++)
        push(t, v, walls.t[0].v[v][i]);
    snprintf(s->metric, sizeof s->metric, "wall_us");
  }
  mh_samples_free(&walls);
  drop_not_compared(doc, workload, s);
  return s->n;
}

void mh_samples_free(struct mh_sample_set *s) {
  for (size_t i = 0; i < s->n; i++)
    for (int v = 0; v < MH_S_NVARIANTS; v++)
      free(s->t[i].v[v]);
  free(s->t);
  s->t = NULL;
  s->n = s->cap = 0;
}

const struct mh_test_samples *mh_samples_find(const struct mh_sample_set *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->t[i].name, name) == 0)
      return &s->t[i];
  return NULL;
}

struct mh_boot_cfg mh_results_boot_cfg(json_object *doc) {
  json_object *c = mh_jget(doc, "campaign"), *st = mh_jget(c, "statistics");
  struct mh_boot_cfg b = {.seed = 1, .iterations = 2000, .level = 0.95};
  double seed = mh_jnum(c, "seed", 1), it = mh_jnum(st, "bootstrap_iterations", 2000);
  b.seed = seed >= 0 ? (uint64_t)seed : 1;
  b.iterations = it >= 1 && it <= 1e6 ? (unsigned)it : 2000;
  b.level = mh_jnum(st, "confidence", 0.95);
  return b;
}
