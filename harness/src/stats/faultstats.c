#include "faultstats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "campaign_faults.h"
#include "propstats.h"
#include "samples.h"
#include "trial.h"

#define WORDS_PER_FRAME 512.0

double mh_faults_per_frame(const struct mh_faults *fm) {
  double masks = 1;
  if (fm->burst)
    masks = 65 - fm->bits;
  else
    for (int i = 0; i < fm->bits; i++) // C(64, bits), exact in a double up to 2^53
      masks = masks * (64 - i) / (i + 1);
  return WORDS_PER_FRAME * masks;
}

double mh_fault_instants(const struct mh_faults *fm) {
  if (fm->when == MH_FW_DELAY_MS)
    return 0;
  double n = 1;
  if (fm->when == MH_FW_BREAKPOINT)
    n = (double)(fm->when_hi - fm->when_lo + 1);
  if (fm->icount)
    n *= (double)(fm->icount_hi - fm->icount_lo + 1);
  return n;
}

// Counts of one group of trials (a variant, or one frame kind of it).
struct tally {
  long long k[MH_OUT_COUNT];
  long long n; // trials that sampled the fault space (injected, judged)
  // trap none (activation.h): benign trials whose fault was read (masked)
  // or never read (not activated), and how many trials were watched.
  long long masked, unactivated, watched;
};

static bool is_failure(int o) {
  return o != MH_OUT_BENIGN && o != MH_OUT_RECOVERED && o != MH_OUT_HARNESS_ERROR;
}

static json_object *rate(long long k, long long n, double level) {
  json_object *o = json_object_new_object();
  double lo = 0, hi = 1;
  if (n > 0)
    mh_wilson(k, n, level, &lo, &hi);
  json_object_object_add(o, "k", json_object_new_int64(k));
  json_object_object_add(o, "n", json_object_new_int64(n));
  json_object_object_add(o, "p", n > 0 ? json_object_new_double((double)k / (double)n) : NULL);
  json_object_object_add(o, "lo", json_object_new_double(lo));
  json_object_object_add(o, "hi", json_object_new_double(hi));
  return o;
}

static long long failures(const struct tally *t) {
  long long f = 0;
  for (int o = 0; o < MH_OUT_COUNT; o++)
    f += is_failure(o) ? t->k[o] : 0;
  return f;
}

// Every outcome's rate and the failure rate; harness errors are no sample.
static json_object *rates(const struct tally *t, double level) {
  json_object *o = json_object_new_object();
  for (int i = 0; i < MH_OUT_COUNT; i++)
    if (i != MH_OUT_HARNESS_ERROR)
      json_object_object_add(o, mh_outcome_name(i), rate(t->k[i], t->n, level));
  json_object_object_add(o, MH_FAILURE, rate(failures(t), t->n, level));
  if (t->watched) { // benign split by activation
    json_object_object_add(o, "masked", rate(t->masked, t->n, level));
    json_object_object_add(o, "not_activated", rate(t->unactivated, t->n, level));
  }
  return o;
}

// The first fault of a record, when it was injected (its frame is the one
// the trial sampled).
static json_object *first_injected(json_object *rec) {
  json_object *f = mh_jget(rec, "faults");
  json_object *f0 = json_object_is_type(f, json_type_array) && json_object_array_length(f)
                        ? json_object_array_get_idx(f, 0)
                        : NULL;
  json_object *inj = mh_jget(f0, "injected");
  // Records older than "injected" name a frame only when one was hit.
  if (!inj)
    return mh_jstr(f0, "frame_kind") ? f0 : NULL;
  return json_object_get_boolean(inj) ? f0 : NULL;
}

static json_object *space(double frames, long long nframes, const struct mh_faults *fm) {
  json_object *o = json_object_new_object();
  double per = mh_faults_per_frame(fm), inst = mh_fault_instants(fm);
  double mean = nframes ? frames / (double)nframes : 0;
  json_object_object_add(o, "frames", json_object_new_double(mean));
  json_object_object_add(o, "faults_per_frame", json_object_new_double(per));
  json_object_object_add(o, "instants", inst > 0 ? json_object_new_double(inst) : NULL);
  json_object_object_add(o, "per_instant", json_object_new_double(mean * per));
  json_object_object_add(o, "size", inst > 0 ? json_object_new_double(mean * per * inst) : NULL);
  return o;
}

// Each rate (and its interval) times the size of the space: how many of
// its faults end that way, the figure that compares programs of different
// length and memory (Schirmeier et al., DSN 2015).
static json_object *extrapolate(json_object *r, double size) {
  json_object *o = json_object_new_object();
  json_object_object_foreach(r, name, x) {
    json_object *e = json_object_new_object(), *p = mh_jget(x, "p");
    json_object_object_add(e, "count",
                           p ? json_object_new_double(json_object_get_double(p) * size) : NULL);
    json_object_object_add(e, "lo",
                           json_object_new_double(json_object_get_double(mh_jget(x, "lo")) * size));
    json_object_object_add(e, "hi",
                           json_object_new_double(json_object_get_double(mh_jget(x, "hi")) * size));
    json_object_object_add(o, name, e);
  }
  return o;
}

static void count(struct tally *t, int o, json_object *rec) {
  const char *act = mh_jstr(mh_jget(rec, "activation"), "state");
  t->k[o]++;
  t->n++;
  if (!act)
    return;
  t->watched++;
  if (o == MH_OUT_BENIGN && strcmp(act, "read") == 0)
    t->masked++;
  else if (o == MH_OUT_BENIGN)
    t->unactivated++;
}

static struct tally *kind_tally(json_object *names, struct tally *kinds, int *nkinds,
                                const char *kind) {
  for (int i = 0; i < *nkinds; i++)
    if (strcmp(json_object_get_string(json_object_array_get_idx(names, (size_t)i)), kind) == 0)
      return &kinds[i];
  if (*nkinds >= FRAME_POISONED + 2)
    return NULL;
  json_object_array_add(names, json_object_new_string(kind));
  memset(&kinds[*nkinds], 0, sizeof kinds[0]);
  return &kinds[(*nkinds)++];
}

void mh_fault_stats_add(json_object *vsum, json_object *trials, const char *variant,
                        const struct mh_faults *fm, double level) {
  struct tally all = {{0}, 0, 0, 0, 0}, kinds[FRAME_POISONED + 2];
  json_object *names = json_object_new_array();
  int nkinds = 0;
  long long skipped = 0;
  double frames = 0;
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *f0 = first_injected(t);
    const char *v = mh_jstr(t, "variant"), *out = mh_jstr(t, "outcome");
    if (!v || strcmp(v, variant) != 0)
      continue;
    int o = out ? mh_outcome_parse(out) : -1;
    if (o < 0 || o == MH_OUT_HARNESS_ERROR || !f0) {
      skipped++;
      continue;
    }
    frames += json_object_get_double(mh_jget(f0, "candidates"));
    const char *kn = mh_jstr(f0, "frame_kind");
    struct tally *k = kind_tally(names, kinds, &nkinds, kn ? kn : "unknown");
    count(&all, o, t);
    if (k)
      count(k, o, t);
  }
  json_object *r = rates(&all, level), *byk = json_object_new_object();
  for (int i = 0; i < nkinds; i++)
    json_object_object_add(byk, json_object_get_string(json_object_array_get_idx(names, (size_t)i)),
                           rates(&kinds[i], level));
  json_object_put(names);
  json_object *sp = space(frames, all.n, fm), *size = mh_jget(sp, "size");
  json_object_object_add(vsum, "rates_level", json_object_new_double(level));
  json_object_object_add(vsum, "rates", r);
  json_object_object_add(vsum, "rates_by_frame_kind", byk);
  // Harness errors and trials that injected nothing sampled no fault.
  json_object_object_add(vsum, "rates_excluded", json_object_new_int64(skipped));
  json_object_object_add(vsum, "fault_space", sp);
  json_object_object_add(vsum, "extrapolated",
                         size ? extrapolate(r, json_object_get_double(size)) : NULL);
}

json_object *mh_sample_size_json(const struct mh_faults *fm) {
  if (fm->margin <= 0)
    return NULL;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "n", json_object_new_int(fm->trials));
  json_object_object_add(o, "margin", json_object_new_double(fm->margin));
  json_object_object_add(o, "confidence", json_object_new_double(fm->margin_confidence));
  json_object_object_add(o, "p", json_object_new_double(fm->margin_p));
  json_object_object_add(o, "population",
                         fm->population > 0 ? json_object_new_double(fm->population) : NULL);
  json_object_object_add(o, "formula", json_object_new_string("Leveugle et al., DATE 2009"));
  return o;
}

void mh_sample_size_note(const struct mh_faults *fm, char *buf, size_t cap) {
  char pop[64] = "an unbounded fault space";
  if (fm->population > 0)
    snprintf(pop, sizeof pop, "a fault space of %.0f", fm->population);
  snprintf(buf, cap,
           "faults.trials: n = %d trials per variant (Leveugle et al.: margin %g at %g%% "
           "confidence, p = %g, %s)",
           fm->trials, fm->margin, 100 * fm->margin_confidence, fm->margin_p, pop);
}

json_object *mh_faults_summary(json_object *trials, const char *variant, const struct mh_faults *fm,
                               double level) {
  json_object *vs = mh_faults_variant_summary(trials, variant);
  mh_fault_stats_add(vs, trials, variant, fm, level);
  return vs;
}
