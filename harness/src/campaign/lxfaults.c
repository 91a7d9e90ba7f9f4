#include "lxfaults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultcheck.h"
#include "results.h"

int mh_lxv_prepare(struct mh_lxvariant *v, const char *build, enum mh_variant var,
                   const struct mh_campaign *c, struct mh_err *e) {
  memset(v, 0, sizeof *v);
  int n = c->faults.every_workload ? c->nworkloads : 1;
  v->w = calloc((size_t)n, sizeof *v->w);
  v->prog = calloc((size_t)n, sizeof *v->prog);
  v->golden = calloc((size_t)n, sizeof *v->golden);
  v->timeout_s = calloc((size_t)n, sizeof *v->timeout_s);
  if (!v->w || !v->prog || !v->golden || !v->timeout_s)
    return mh_fail(e, "out of memory");
  for (int i = 0; i < n; i++) {
    v->w[i] = c->faults.every_workload ? i : c->faults.workload;
    if (mh_lx_prepare(&v->prog[i], build, var, c, v->w[i], e) < 0)
      return -1;
    v->n = i + 1;
  }
  return 0;
}

int mh_lxv_golden(struct mh_lxvariant *v, const struct mh_campaign *c, const int *todo, int ntodo,
                  struct mh_err *e) {
  for (int i = 0; i < v->n; i++) {
    // The checks read the workload's expectations at $.faults.workload.
    struct mh_campaign one = *c;
    one.faults.workload = v->w[i];
    if (mh_lx_golden(&v->prog[i], &c->faults, c->run_timeout_s, &v->golden[i], e) < 0 ||
        mh_faults_check_golden(&one, v->prog[i].path, &v->golden[i], todo, ntodo, stderr, e) < 0)
      return -1;
    v->timeout_s[i] = mh_faults_trial_timeout(c, &v->golden[i]);
  }
  return 0;
}

static json_object *golden_of(const struct mh_golden *g) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "status", json_object_new_int(g->status));
  mh_json_set_str(o, "output", g->output);
  json_object_object_add(o, "hits", json_object_new_int(g->hits));
  json_object_object_add(o, "wall_s", json_object_new_double(g->wall_s));
  return o;
}

json_object *mh_lxv_golden_json(const struct mh_lxvariant *v, const struct mh_campaign *c) {
  json_object *o = json_object_new_object(), *ws = json_object_new_object();
  const struct mh_lxprog *p = &v->prog[0];
  json_object_object_add(o, "golden", golden_of(&v->golden[0]));
  mh_json_set_str(o, "workload_elf", p->path);
  json_object_object_add(o, "trial_timeout_s", json_object_new_double(v->timeout_s[0]));
  for (int i = 0; i < v->n; i++) {
    json_object *w = json_object_new_object();
    mh_json_set_str(w, "program", v->prog[i].path);
    json_object_object_add(w, "golden", golden_of(&v->golden[i]));
    json_object_object_add(w, "trial_timeout_s", json_object_new_double(v->timeout_s[i]));
    json_object_object_add(ws, c->workloads[v->w[i]].name, w);
  }
  json_object_object_add(o, "workloads", ws);
  mh_json_set_str(o, "arch", p->arch->name);
  mh_json_set_str(o, "path", p->path_used);
  json_object_object_add(o, "hwpoison_available", json_object_new_boolean(p->hwpoison));
  mh_json_set_str(o, "hwpoison_why", p->hwpoison_why);
  return o;
}

void mh_lxv_trial(const struct mh_lxvariant *v, const struct mh_faults *fm, int t,
                  const struct mh_trial_plan *p, struct mh_trial_result *r) {
  int i = t % v->n;
  mh_lx_trial(&v->prog[i], fm, &v->golden[i], p, v->timeout_s[i], r);
}

json_object *mh_lxv_record(const struct mh_lxvariant *v, const struct mh_campaign *c,
                           const char *id, const char *variant, int t,
                           const struct mh_trial_plan *p, const struct mh_trial_result *r) {
  json_object *o = mh_lx_record(id, variant, t, &c->faults, p, r);
  mh_json_set_str(o, "workload", c->workloads[v->w[t % v->n]].name);
  return o;
}

void mh_lxv_free(struct mh_lxvariant *v) {
  for (int i = 0; i < v->n; i++) {
    mh_golden_free(&v->golden[i]);
    mh_lx_free(&v->prog[i]);
  }
  free(v->w);
  free(v->prog);
  free(v->golden);
  free(v->timeout_s);
  memset(v, 0, sizeof *v);
}
