#include "merge.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign.h"
#include "campaign_faults.h"
#include "fault.h"
#include "faultstats.h"
#include "results.h"
#include "shard.h"

#define MAX_PROBLEMS 20 // beyond this, a count: the first ones say what is wrong

struct shard_in {
  const char *name;
  json_object *doc;
  struct mh_shard sh;
};

struct problems {
  struct mh_err *e;
  int n;
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct problems *p, const char *fmt, ...) {
  if (p->n++ >= MAX_PROBLEMS)
    return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  mh_err_append(p->e, "%s", line);
}

static json_object *get(json_object *o, const char *k) {
  json_object *v = NULL;
  if (o && json_object_is_type(o, json_type_object))
    json_object_object_get_ex(o, k, &v);
  return v;
}

static const char *str(json_object *o, const char *k) {
  json_object *v = get(o, k);
  return v ? json_object_get_string(v) : "";
}

// A value for a message: JSON text, long ones cut.
static const char *shown(json_object *v, char *buf, size_t cap) {
  snprintf(buf, cap, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
  if (strlen(buf) == cap - 1 && cap > 4)
    memcpy(buf + cap - 4, "...", 4);
  return buf;
}

// ---- each file alone ----

static bool check_shape(struct shard_in *s, struct problems *p) {
  json_object *schema = get(s->doc, "schema");
  char v[64];
  if (!json_object_is_type(schema, json_type_int) ||
      json_object_get_int(schema) != MH_RESULTS_SCHEMA) {
    problem(p,
            "%s: $.schema is %s, this memharness merges results of schema %d: merge with the "
            "memharness that wrote the shards",
            s->name, shown(schema, v, sizeof v), MH_RESULTS_SCHEMA);
    return false;
  }
  if (!json_object_is_type(get(s->doc, "trials"), json_type_array) ||
      !json_object_is_type(get(s->doc, "faults"), json_type_object)) {
    problem(p,
            "%s: $.trials: missing: not the results of a fault campaign (merge joins the "
            "shards that `memharness run CAMPAIGN --shard K/N` writes)",
            s->name);
    return false;
  }
  struct mh_err e;
  if (mh_shard_from_json(s->doc, &s->sh, &e) < 0) {
    problem(p, "%s: %s", s->name, e.msg);
    return false;
  }
  if (strcmp(str(s->doc, "status"), "complete") != 0)
    problem(p,
            "%s: $.status is \"%s\": shard %u/%u did not finish; continue it with `memharness "
            "run %s --shard %u/%u -o %s --resume`",
            s->name, str(s->doc, "status"), s->sh.k, s->sh.n, str(s->doc, "campaign_file"), s->sh.k,
            s->sh.n, s->name);
  return true;
}

// ---- each file against the first ----

static void must_match(struct problems *p, const struct shard_in *ref, const struct shard_in *s,
                       json_object *a, json_object *b, const char *path, const char *why) {
  if (json_object_equal(a, b))
    return;
  char x[100], y[100];
  problem(p, "%s: %s is %s, but %s in %s: %s", s->name, path, shown(b, x, sizeof x),
          shown(a, y, sizeof y), ref->name, why);
}

static void same_builds(struct problems *p, const struct shard_in *ref, const struct shard_in *s) {
  static const char *const keys[] = {"kernel_sha256", "disk_sha256"};
  json_object *ka = get(ref->doc, "kernels"), *kb = get(s->doc, "kernels");
  const char *why = "the shards ran different builds; run every shard from one build";
  char path[128];
  json_object_object_foreach(ka, v, va) {
    for (int i = 0; i < 2; i++) {
      snprintf(path, sizeof path, "$.kernels.%s.%s", v, keys[i]);
      must_match(p, ref, s, get(va, keys[i]), get(get(kb, v), keys[i]), path, why);
    }
  }
  json_object_object_foreach(kb, vb, unused) {
    (void)unused;
    if (!get(ka, vb))
      problem(p, "%s: $.kernels.%s: a variant %s does not have: %s", s->name, vb, ref->name, why);
  }
}

// Every shard recomputes the golden run; under icount it must come out the
// same, or the trials were judged against different references.
static void same_golden(struct problems *p, const struct shard_in *ref, const struct shard_in *s) {
  static const char *const gkeys[] = {"status", "output", "hits"};
  static const char *const vkeys[] = {"cmdline", "mem_mb"};
  const char *why = "the golden runs differ, so the shards' outcomes are not comparable";
  json_object *fa = get(ref->doc, "faults"), *fb = get(s->doc, "faults");
  char path[128];
  json_object_object_foreach(fa, v, va) {
    if (strcmp(v, "summary") == 0)
      continue;
    for (int i = 0; i < 3; i++) {
      snprintf(path, sizeof path, "$.faults.%s.golden.%s", v, gkeys[i]);
      must_match(p, ref, s, get(get(va, "golden"), gkeys[i]),
                 get(get(get(fb, v), "golden"), gkeys[i]), path, why);
    }
    for (int i = 0; i < 2; i++) {
      snprintf(path, sizeof path, "$.faults.%s.%s", v, vkeys[i]);
      must_match(p, ref, s, get(va, vkeys[i]), get(get(fb, v), vkeys[i]), path, why);
    }
  }
}

// Not reasons to refuse (a cluster's nodes may differ in these), but worth
// a word: they are kept per shard.
static void note_differences(const struct shard_in *ref, const struct shard_in *s) {
  static const char *const what[][2] = {{"git", "revision"}, {"qemu", "version"}};
  for (int i = 0; i < 2; i++) {
    json_object *a = get(get(ref->doc, what[i][0]), what[i][1]);
    json_object *b = get(get(s->doc, what[i][0]), what[i][1]);
    if (!json_object_equal(a, b))
      fprintf(stderr, "memharness merge: note: %s: $.%s.%s is %s, %s has %s (kept per shard)\n",
              s->name, what[i][0], what[i][1], json_object_get_string(b), ref->name,
              json_object_get_string(a));
  }
}

static void check_against_first(struct shard_in *in, int n, struct problems *p) {
  const struct shard_in *ref = &in[0];
  for (int i = 1; i < n; i++) {
    must_match(p, ref, &in[i], get(ref->doc, "campaign_sha256"), get(in[i].doc, "campaign_sha256"),
               "$.campaign_sha256", "the shards come from different campaign files");
    if (in[i].sh.n != ref->sh.n)
      problem(p, "%s: $.shard.n is %u, but %u in %s: the shards come from different splits",
              in[i].name, in[i].sh.n, ref->sh.n, ref->name);
    same_builds(p, ref, &in[i]);
    same_golden(p, ref, &in[i]);
    note_differences(ref, &in[i]);
  }
}

// One file per shard number, and every number from 0 to N-1.
static void check_shard_set(const struct shard_in *in, int n, struct problems *p) {
  unsigned total = in[0].sh.n;
  int *owner = malloc(total * sizeof *owner);
  if (!owner) {
    problem(p, "out of memory");
    return;
  }
  for (unsigned k = 0; k < total; k++)
    owner[k] = -1;
  for (int i = 0; i < n; i++) {
    if (in[i].sh.n != total)
      continue; // reported already
    if (owner[in[i].sh.k] >= 0)
      problem(p, "%s and %s are both shard %u/%u: give each shard once", in[owner[in[i].sh.k]].name,
              in[i].name, in[i].sh.k, total);
    else
      owner[in[i].sh.k] = i;
  }
  for (unsigned k = 0; k < total; k++)
    if (owner[k] < 0)
      problem(p, "no file for shard %u/%u: its trials would be missing; give all %u shards", k,
              total, total);
  free(owner);
}

// ---- trial records ----

struct slots {
  const struct mh_campaign *c;
  json_object **rec; // [variant index * trials + trial]
  int *from;         // which file each came from
};

static int variant_index(const struct mh_campaign *c, const char *name) {
  for (int i = 0; i < c->nvariants; i++)
    if (strcmp(mh_variant_name(c->variants[i]), name) == 0)
      return i;
  return -1;
}

static unsigned owner_of(uint64_t seed, unsigned n) {
  for (unsigned k = 0; k < n; k++)
    if (mh_shard_owns(seed, k, n))
      return k;
  return 0;
}

// Places one record in its slot, or says why it has none.
static void place(struct slots *sl, const struct shard_in *in, int f, json_object *r,
                  struct problems *p) {
  const struct mh_faults *fm = &sl->c->faults;
  const char *id = str(r, "id");
  int v = variant_index(sl->c, str(r, "variant"));
  json_object *tj = get(r, "trial");
  int t = json_object_is_type(tj, json_type_int) ? json_object_get_int(tj) : -1;
  char want[80];
  snprintf(want, sizeof want, "%s/%d", str(r, "variant"), t);
  if (v < 0 || t < 0 || t >= fm->trials || strcmp(id, want) != 0) {
    problem(p, "%s: trial record \"%s\" is not a trial of this campaign (variants × trials 0–%d)",
            in[f].name, id, fm->trials - 1);
    return;
  }
  uint64_t seed = mh_trial_seed(fm->seed, t);
  if (strtoull(str(r, "seed"), NULL, 0) != seed)
    problem(p, "%s: trial %s has seed %s, but the campaign gives it %#llx", in[f].name, id,
            str(r, "seed"), (unsigned long long)seed);
  if (!mh_shard_owns(seed, in[f].sh.k, in[f].sh.n))
    problem(p, "%s: trial %s belongs to shard %u/%u, not to this file's shard %u/%u", in[f].name,
            id, owner_of(seed, in[f].sh.n), in[f].sh.n, in[f].sh.k, in[f].sh.n);
  size_t i = (size_t)v * (size_t)fm->trials + (size_t)t;
  if (sl->rec[i]) {
    problem(p, "trial %s is recorded twice: in %s and in %s", id, in[sl->from[i]].name, in[f].name);
    return;
  }
  sl->rec[i] = r;
  sl->from[i] = f;
}

static void check_missing(const struct slots *sl, unsigned nshards, struct problems *p) {
  const struct mh_faults *fm = &sl->c->faults;
  size_t all = (size_t)sl->c->nvariants * (size_t)fm->trials, missing = 0;
  char list[600] = "";
  for (size_t i = 0; i < all; i++) {
    if (sl->rec[i])
      continue;
    int t = (int)(i % (size_t)fm->trials);
    if (missing++ < 8) {
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s/%d (shard %u)", len ? ", " : "",
               mh_variant_name(sl->c->variants[i / (size_t)fm->trials]), t,
               owner_of(mh_trial_seed(fm->seed, t), nshards));
    }
  }
  if (missing)
    problem(p,
            "%zu of %zu trials missing: %s%s; run those shards again (--resume keeps what "
            "they finished)",
            missing, all, list, missing > 8 ? ", …" : "");
}

static void place_all(struct slots *sl, const struct shard_in *in, int n, struct problems *p) {
  for (int f = 0; f < n; f++) {
    json_object *trials = get(in[f].doc, "trials");
    for (size_t i = 0; i < json_object_array_length(trials); i++)
      place(sl, in, f, json_object_array_get_idx(trials, i), p);
  }
  check_missing(sl, in[0].sh.n, p);
}

// ---- the merged document ----

static time_t parse_time(const char *iso) {
  struct tm tm = {0};
  const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return end && !*end ? timegm(&tm) : (time_t)-1;
}

static void iso(time_t t, char *out, size_t cap) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double num(json_object *o, const char *k) {
  json_object *v = get(o, k);
  return v ? json_object_get_double(v) : 0;
}

static json_object *copy(json_object *o) {
  json_object *c = NULL;
  if (o)
    json_object_deep_copy(o, &c, NULL);
  return c;
}

// What one shard measured about its host: kept, per shard, in "shards".
static json_object *shard_record(const struct shard_in *s) {
  static const char *const top[] = {"host", "started", "updated", "qemu", "git", "kernels"};
  static const char *const per_variant[] = {"workload_elf", "trial_timeout_s", "session_start_s",
                                            "savevm_s", "rate"};
  json_object *o = json_object_new_object(), *f = json_object_new_object();
  json_object_object_add(o, "file", json_object_new_string(s->name));
  json_object_object_add(o, "k", json_object_new_int((int)s->sh.k));
  json_object_object_add(o, "n", json_object_new_int((int)s->sh.n));
  for (size_t i = 0; i < sizeof top / sizeof *top; i++)
    json_object_object_add(o, top[i], copy(get(s->doc, top[i])));
  json_object_object_foreach(get(s->doc, "faults"), v, vo) {
    if (strcmp(v, "summary") == 0)
      continue;
    json_object *m = json_object_new_object();
    json_object_object_add(m, "golden_wall_s", copy(get(get(vo, "golden"), "wall_s")));
    for (size_t i = 0; i < sizeof per_variant / sizeof *per_variant; i++)
      json_object_object_add(m, per_variant[i], copy(get(vo, per_variant[i])));
    json_object_object_add(f, v, m);
  }
  json_object_object_add(o, "faults", f);
  json_object_object_add(o, "rate", copy(get(get(get(s->doc, "faults"), "summary"), "rate")));
  return o;
}

// faults.<variant>.rate over all shards: trials and task seconds summed, so
// trials_per_min is the rate of one task (docs/results.md).
static json_object *variant_rate(const struct shard_in *in, int n, const char *v) {
  double trials = 0, wall = 0;
  for (int i = 0; i < n; i++) {
    json_object *r = get(get(get(in[i].doc, "faults"), v), "rate");
    trials += num(r, "trials");
    wall += num(r, "wall_s");
  }
  json_object *o = json_object_new_object();
  json_object_object_add(o, "trials", json_object_new_int((int)trials));
  json_object_object_add(o, "wall_s", json_object_new_double(wall));
  json_object_object_add(o, "trials_per_min",
                         json_object_new_double(wall > 0 ? trials * 60 / wall : 0));
  return o;
}

// faults.summary.rate of the whole array: from the first shard's start to
// the last shard's end (1 s resolution), whatever ran in between.
static json_object *array_rate(const struct shard_in *in, int n, int trials, time_t t0, time_t t1) {
  int jobs = 0;
  for (int i = 0; i < n; i++)
    jobs += json_object_get_int(get(get(get(get(in[i].doc, "faults"), "summary"), "rate"), "jobs"));
  double wall = t1 >= t0 ? (double)(t1 - t0) : 0;
  json_object *r = json_object_new_object();
  json_object_object_add(r, "trials", json_object_new_int(trials));
  json_object_object_add(r, "wall_s", json_object_new_double(wall));
  json_object_object_add(r, "trials_per_min",
                         json_object_new_double(wall > 0 ? trials * 60 / wall : 0));
  json_object_object_add(r, "jobs", json_object_new_int(jobs));
  json_object_object_add(
      r, "restore", copy(get(get(get(get(in[0].doc, "faults"), "summary"), "rate"), "restore")));
  json_object_object_add(r, "shards", json_object_new_int(n));
  return r;
}

static json_object *build(const struct shard_in *in, int n, const struct slots *sl) {
  json_object *out = copy(in[0].doc), *trials = json_object_new_array(),
              *shards = json_object_new_array();
  size_t all = (size_t)sl->c->nvariants * (size_t)sl->c->faults.trials;
  // Trials in campaign order (variant, then index): the order is the one
  // thing a single run leaves to chance (completion order).
  for (size_t i = 0; i < all; i++)
    json_object_array_add(trials, copy(sl->rec[i]));
  time_t t0 = (time_t)-1, t1 = (time_t)-1;
  for (int i = 0; i < n; i++) {
    time_t a = parse_time(str(in[i].doc, "started")), b = parse_time(str(in[i].doc, "updated"));
    if (a != (time_t)-1 && (t0 == (time_t)-1 || a < t0))
      t0 = a;
    if (b > t1)
      t1 = b;
    json_object_array_add(shards, shard_record(&in[i]));
  }
  char started[32], now[32];
  iso(t0 == (time_t)-1 ? time(NULL) : t0, started, sizeof started);
  iso(time(NULL), now, sizeof now);
  json_object_object_del(out, "shard");
  json_object_object_add(out, "status", json_object_new_string("complete"));
  json_object_object_add(out, "started", json_object_new_string(started));
  json_object_object_add(out, "updated", json_object_new_string(now));
  json_object *fdoc = get(out, "faults"), *sum = json_object_new_object();
  for (int v = 0; v < sl->c->nvariants; v++) {
    const char *vn = mh_variant_name(sl->c->variants[v]);
    json_object_object_add(sum, vn,
                           mh_faults_summary(trials, vn, &sl->c->faults, sl->c->confidence));
    if (get(fdoc, vn))
      json_object_object_add(get(fdoc, vn), "rate", variant_rate(in, n, vn));
  }
  json_object_object_add(sum, "rate", array_rate(in, n, (int)all, t0, t1));
  if (sl->c->faults.margin > 0)
    json_object_object_add(sum, "sample_size", mh_sample_size_json(&sl->c->faults));
  json_object_object_add(fdoc, "summary", sum);
  json_object_object_add(out, "trials", trials);
  json_object_object_add(out, "shards", shards);
  return out;
}

static int by_shard(const void *a, const void *b) {
  const struct shard_in *x = a, *y = b;
  return (x->sh.k > y->sh.k) - (x->sh.k < y->sh.k);
}

json_object *mh_merge_shards(json_object *const *docs, const char *const *names, int n,
                             struct mh_err *e) {
  struct problems p = {e, 0};
  e->msg[0] = 0;
  struct shard_in *in = calloc((size_t)n, sizeof *in);
  if (!in || n < 1) {
    free(in);
    mh_fail(e, n < 1 ? "no shards to merge" : "out of memory");
    return NULL;
  }
  bool shaped = true;
  for (int i = 0; i < n; i++) {
    in[i] = (struct shard_in){names[i], docs[i], {0, 1}};
    shaped &= check_shape(&in[i], &p);
  }
  json_object *out = NULL;
  struct mh_campaign c;
  struct mh_err ce;
  if (shaped) {
    qsort(in, (size_t)n, sizeof *in, by_shard);
    check_against_first(in, n, &p);
    check_shard_set(in, n, &p);
    if (mh_campaign_from_json(get(in[0].doc, "campaign"), &c, &ce) < 0) {
      problem(&p, "%s: $.campaign is not a valid campaign: %s", in[0].name, ce.msg);
    } else {
      size_t all = (size_t)c.nvariants * (size_t)c.faults.trials;
      struct slots sl = {&c, calloc(all + 1, sizeof *sl.rec), calloc(all + 1, sizeof *sl.from)};
      if (!sl.rec || !sl.from)
        problem(&p, "out of memory for %zu trials", all);
      else if (p.n == 0)
        place_all(&sl, in, n, &p);
      if (p.n == 0)
        out = build(in, n, &sl);
      free(sl.rec);
      free(sl.from);
      mh_campaign_free(&c);
    }
  }
  if (p.n > MAX_PROBLEMS)
    mh_err_append(e, "(%d more problems not shown)", p.n - MAX_PROBLEMS);
  free(in);
  return out;
}
