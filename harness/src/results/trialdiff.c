#include "trialdiff.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

// Host measurements and host events (a retry after QEMU failed) in a trial
// record: they differ between any two runs (timeout_s follows the golden
// run's host time). Also what differs with how the trial started: from_hit,
// and the instruction counts (a snapshot's stop shifts the guest's idle
// loop by a few thousand instructions, docs/campaign.md "Hangs").
static const char *const trial_host_keys[] = {
    "wall_s",       "restore_ms", "phases_ms",  "from_hit",       "attempts",
    "retry_reason", "timeout_s",  "run_icount", "timeout_icount", NULL};
// Per-variant summary members that are host measurements too.
static const char *const summary_host_keys[] = {"restore_ms", "phases_ms", NULL};
// What decides a golden run (its wall_s is a host measurement).
static const char *const golden_keys[] = {"status", "output", "hits", NULL};

struct diff {
  FILE *out;
  const char *na, *nb;
  int n, max;
};

static json_object *get(json_object *o, const char *k) {
  json_object *v = NULL;
  if (o && json_object_is_type(o, json_type_object))
    json_object_object_get_ex(o, k, &v);
  return v;
}

static void report(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct diff *d, const char *fmt, ...) {
  if (d->n++ >= d->max)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(d->out, fmt, ap);
  va_end(ap);
  fputc('\n', d->out);
}

// A value for a message: JSON text, long ones cut.
static const char *shown(json_object *v, char *buf, size_t cap) {
  snprintf(buf, cap, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
  if (strlen(buf) == cap - 1 && cap > 4)
    memcpy(buf + cap - 4, "...", 4);
  return buf;
}

static void same_value(struct diff *d, const char *where, const char *key, json_object *a,
                       json_object *b) {
  if (json_object_equal(a, b))
    return;
  char x[120], y[120];
  report(d, "%s: %s is %s in %s but %s in %s", where, key, shown(a, x, sizeof x), d->na,
         shown(b, y, sizeof y), d->nb);
}

static bool listed(const char *const *keys, const char *k) {
  for (; *keys; keys++)
    if (strcmp(*keys, k) == 0)
      return true;
  return false;
}

// Every member of either object except the skipped ones.
static void same_members(struct diff *d, const char *where, json_object *a, json_object *b,
                         const char *const *skip) {
  if (!json_object_is_type(a, json_type_object) || !json_object_is_type(b, json_type_object)) {
    same_value(d, where, "the value", a, b);
    return;
  }
  json_object_object_foreach(a, ka, va) {
    if (!listed(skip, ka))
      same_value(d, where, ka, va, get(b, ka));
  }
  json_object_object_foreach(b, kb, vb) {
    if (!listed(skip, kb) && !get(a, kb) && vb)
      same_value(d, where, kb, NULL, vb);
  }
}

// ---- trial records, matched by id ----

static const char *id_of(json_object *t) {
  json_object *id = get(t, "id");
  return id ? json_object_get_string(id) : "";
}

static int by_id(const void *x, const void *y) {
  return strcmp(id_of(*(json_object *const *)x), id_of(*(json_object *const *)y));
}

// The records sorted by id (borrowed pointers), for matching in n log n:
// a paper's campaign has up to a million of them.
static json_object **sorted(json_object *trials, size_t *n) {
  *n = json_object_is_type(trials, json_type_array) ? json_object_array_length(trials) : 0;
  json_object **v = calloc(*n + 1, sizeof *v);
  for (size_t i = 0; v && i < *n; i++)
    v[i] = json_object_array_get_idx(trials, i);
  if (v)
    qsort(v, *n, sizeof *v, by_id);
  return v;
}

static void same_trials(struct diff *d, json_object *ta, json_object *tb) {
  size_t na, nb, i = 0, j = 0;
  json_object **a = sorted(ta, &na), **b = sorted(tb, &nb);
  if (!a || !b) {
    report(d, "out of memory comparing trial records");
    na = nb = 0;
  }
  while (i < na || j < nb) {
    int c = i == na ? 1 : j == nb ? -1 : strcmp(id_of(a[i]), id_of(b[j]));
    if (c < 0) {
      report(d, "trial %s: only in %s", id_of(a[i++]), d->na);
    } else if (c > 0) {
      report(d, "trial %s: only in %s", id_of(b[j++]), d->nb);
    } else {
      char where[96];
      snprintf(where, sizeof where, "trial %s", id_of(a[i]));
      if ((i + 1 < na && by_id(&a[i], &a[i + 1]) == 0) ||
          (j + 1 < nb && by_id(&b[j], &b[j + 1]) == 0))
        report(d, "%s: recorded more than once", where);
      same_members(d, where, a[i++], b[j++], trial_host_keys);
    }
  }
  free(a);
  free(b);
}

// ---- golden runs and summaries, per variant ----

static void same_variants(struct diff *d, json_object *fa, json_object *fb) {
  json_object *sa = get(fa, "summary"), *sb = get(fb, "summary");
  json_object_object_foreach(fa, v, va) {
    if (strcmp(v, "summary") == 0)
      continue;
    char where[96];
    snprintf(where, sizeof where, "golden run of %s", v);
    for (const char *const *k = golden_keys; *k; k++)
      same_value(d, where, *k, get(get(va, "golden"), *k), get(get(get(fb, v), "golden"), *k));
    snprintf(where, sizeof where, "summary of %s", v);
    same_members(d, where, get(sa, v), get(sb, v), summary_host_keys);
  }
  json_object_object_foreach(fb, vb, unused) {
    (void)unused;
    if (strcmp(vb, "summary") != 0 && !get(fa, vb))
      report(d, "variant %s: only in %s", vb, d->nb);
  }
}

// A campaign without the keys that only say how trials are started and
// spread (checkpoints, snapshot or boot, workers): by design they decide no
// verdict, so results that differ only there must agree trial by trial.
static json_object *verdict_keys(json_object *doc) {
  json_object *c = NULL;
  if (json_object_deep_copy(get(doc, "campaign"), &c, NULL) != 0 || !c)
    return NULL;
  json_object_object_del(c, "jobs");
  json_object *f = get(c, "faults");
  if (f && json_object_is_type(f, json_type_object)) {
    json_object_object_del(f, "checkpoints");
    json_object_object_del(f, "restore");
  }
  return c;
}

static void same_campaign(struct diff *d, json_object *a, json_object *b) {
  json_object *sa = get(a, "campaign_sha256"), *sb = get(b, "campaign_sha256");
  if (json_object_equal(sa, sb))
    return;
  json_object *ca = verdict_keys(a), *cb = verdict_keys(b);
  if (!ca || !cb || !json_object_equal(ca, cb))
    same_value(d, "campaign", "campaign_sha256", sa, sb);
  else
    fprintf(d->out, "note: the campaigns differ only in faults.checkpoints, faults.restore or "
                    "jobs, which must not change any verdict\n");
  json_object_put(ca);
  json_object_put(cb);
}

int mh_trialdiff(json_object *a, json_object *b, const char *na, const char *nb, FILE *out,
                 int max) {
  struct diff d = {out, na, nb, 0, max};
  same_campaign(&d, a, b);
  json_object *fa = get(a, "faults"), *fb = get(b, "faults");
  if (!fa || !fb) {
    report(&d, "%s has no fault campaign ($.faults missing)", fa ? nb : na);
    return d.n;
  }
  same_variants(&d, fa, fb);
  same_trials(&d, get(a, "trials"), get(b, "trials"));
  if (d.n > d.max)
    fprintf(out, "(%d more differences not shown)\n", d.n - d.max);
  return d.n;
}
