#include "campaign_faults.h"

#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "elfsym.h"
#include "err.h"
#include "fault.h"
#include "faultcheck.h"
#include "faultstats.h"
#include "lxfaults.h"
#include "phases.h"
#include "progress.h"
#include "results.h"
#include "snapshot.h"
#include "stats.h"
#include "trial.h"
#include "util.h"

// Guest RAM of fault sessions unless $.faults.mem_mb says otherwise. The
// kernel keeps its free lists in the frame table, so RAM it never used stays
// zero and costs loadvm little; memv6 needs RAM above its mirror zone base
// (128 MiB); 136 MiB leaves 8 MiB of mirror frames. memv6sys needs what
// its kernel mirror needs (512 MiB, mh_variant_min_mem_mb).
static unsigned default_mem_mb(enum mh_variant v) {
  unsigned need = mh_variant_min_mem_mb(v);
  return need ? need : v == MH_VARIANT_MEMV6 ? 136 : 48;
}

// Boots of a session tried before the campaign stops: two disturbances
// from outside (a QEMU killed, another stopped) may hit one worker's boots
// in a row without stopping the campaign.
#define MH_BOOTS 3

// One variant's share of the campaign.
struct vrun {
  enum mh_variant v;
  const char *vname;
  struct mh_session_opts so;
  bool is_lx; // Linux processes under gdbserver (lxv), no QEMU session
  struct mh_lxvariant lxv;
  char elf[1100], cmdline[1024];
  uint64_t bp;
  struct mh_golden golden;
  double timeout_s;
  int *todo, ntodo;
  atomic_int next;
  double book_s; // host time spent recording trials (under fctx.lock)
  int book_n;
};

struct fctx {
  const struct mh_faults_env *env;
  const struct mh_faults *fm;
  json_object *doc, *trials, *fdoc; // fdoc: the "faults" member
  json_object *done_ids;            // ids of the trials the file already has
  pthread_mutex_t lock;
  struct mh_progress progress; // on stderr, under lock
  double last_save, started;
  double save_every; // seconds between rewrites while trials run (save())
  int done, total, errors;
  bool write_failed;
  struct mh_err write_err;
  // The results file could not be written: the campaign stops and the
  // document goes to rescue instead (rescue_doc), "" if nowhere would take it.
  char rescue[1200];
  char rescue_err[1200]; // why each place refused it
  // A worker could not boot QEMU MH_BOOTS times in a row: the campaign stops (exit
  // 4), keeping every finished record.
  atomic_bool failed;
  char failure[MH_ERR_CAP];
};

// The workload's ELF: a variant's own userland when it has one (translated
// memv6 programs), else the native build, which both images share today.
static void workload_elf(const char *kernel, const char *vname, const char *program, char *out,
                         size_t cap) {
  char *copy = strdup(kernel);
  const char *dir = copy ? dirname(copy) : ".";
  snprintf(out, cap, "%.900s/user-%s/%.64s", dir, vname, program);
  if (access(out, R_OK) != 0)
    snprintf(out, cap, "%.900s/user-native/%.64s", dir, program);
  free(copy);
}

// ---- the results document ----

// Writes the document where the results file cannot be: in $TMPDIR (or
// /tmp), else in $HOME, as memharness-rescue-PID-NAME; the first place that
// takes it keeps it. 0, or -1 (x->rescue "") when none does.
static int rescue_doc(struct fctx *x) {
  const char *dirs[] = {getenv("TMPDIR"), "/tmp", getenv("HOME")};
  struct mh_err e;
  if (x->rescue[0] && mh_json_write_atomic(x->rescue, x->doc, &e) == 0)
    return 0;
  char *copy = strdup(x->env->output);
  const char *name = copy ? basename(copy) : "results.json";
  size_t n = 0;
  x->rescue_err[0] = 0;
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
    if (!dirs[i] || !dirs[i][0] || (i == 1 && dirs[0] && strcmp(dirs[0], "/tmp") == 0))
      continue;
    snprintf(x->rescue, sizeof x->rescue, "%.900s/memharness-rescue-%d-%.200s", dirs[i],
             (int)getpid(), name);
    if (mh_json_write_atomic(x->rescue, x->doc, &e) == 0) {
      free(copy);
      return 0;
    }
    if (n < sizeof x->rescue_err)
      n += (size_t)snprintf(x->rescue_err + n, sizeof x->rescue_err - n, "%s%.400s", n ? "; " : "",
                            e.msg);
  }
  free(copy);
  x->rescue[0] = 0;
  return -1;
}

// Rewrites the results file. When it cannot be written (disk full, its
// directory removed or made read-only) the campaign stops, as it would
// after SIGINT, so no more trials run for nothing, and the finished ones go
// to a rescue file (rescue_doc). -1 then, also when the rescue worked.
static int save(struct fctx *x) {
  mh_results_touch(x->doc);
  double t0 = mh_now();
  int rc = mh_json_write_atomic(x->env->output, x->doc, &x->write_err);
  x->last_save = mh_now();
  // Once a second, or rarer when a big document (tens of thousands of
  // trials) takes long to rewrite: a rewrite holds the lock every worker
  // records under, so it may take at most a tenth of the time.
  x->save_every = 10 * (x->last_save - t0);
  if (x->save_every < 1.0)
    x->save_every = 1.0;
  if (rc == 0)
    return 0;
  if (!x->write_failed && !atomic_load(&x->failed)) {
    snprintf(x->failure, sizeof x->failure,
             "the results cannot be written, the campaign stops: %.2000s", x->write_err.msg);
    atomic_store(&x->failed, true);
  }
  x->write_failed = true;
  mh_json_set_str(x->doc, "status", "interrupted");
  rescue_doc(x);
  return -1;
}

// After a save failed: where the finished trials are, and how to go on.
static void report_unwritable(const struct fctx *x) {
  const struct mh_faults_env *env = x->env;
  fprintf(stderr, "memharness: cannot write %s: %s\n", env->output, x->write_err.msg);
  if (!x->rescue[0]) {
    fprintf(stderr,
            "memharness: the %d finished trials could not be kept anywhere else either (%s); "
            "free space or make a directory writable and run the campaign again\n",
            (int)json_object_array_length(x->trials), x->rescue_err);
    return;
  }
  fprintf(stderr,
          "memharness: the %d finished trials are kept in %s; make %s writable again (free "
          "space, recreate its directory or give write permission) or choose another place, "
          "then continue with: memharness run %s -o %s --resume",
          (int)json_object_array_length(x->trials), x->rescue, env->output, env->campaign_path,
          x->rescue);
  if (env->shard.n > 1)
    fprintf(stderr, " --shard %u/%u", env->shard.k, env->shard.n);
  fprintf(stderr,
          " (and this run's --build-dir, --qemu, --trials; move the file to %s first "
          "to resume there)\n",
          env->output);
}

static json_object *new_doc(const struct mh_faults_env *env) {
  struct mh_results_origin o = {.campaign_file = env->campaign_path,
                                .campaign_sha256 = env->sha,
                                .campaign = env->c->root,
                                .qemu = env->qemu,
                                .qemu_version = env->qemu_version};
  bool lx = false;
  for (int i = 0; i < env->c->nvariants; i++) {
    enum mh_variant v = env->c->variants[i];
    lx |= mh_variant_is_linux(v);
    if (mh_variant_is_linux(v))
      continue; // no kernel: its program is named in faults.VARIANT
    o.kernels[o.nkernels].variant = mh_variant_name(v);
    o.kernels[o.nkernels].kernel = env->kernel[v];
    o.kernels[o.nkernels++].disk = env->disk[v];
  }
  json_object *d = mh_results_new(&o);
  json_object_object_add(d, "accel", json_object_new_string(lx ? "host" : "tcg"));
  if (env->shard.n > 1)
    json_object_object_add(d, "shard", mh_shard_json(&env->shard));
  json_object_object_add(d, "faults", json_object_new_object());
  json_object_object_add(d, "trials", json_object_new_array());
  return d;
}

// --resume continues the same shard only: another shard's file holds other trials.
static bool same_shard(json_object *doc, const struct mh_faults_env *env) {
  struct mh_shard s;
  unsigned n = env->shard.n > 1 ? env->shard.n : 1;
  return mh_shard_from_json(doc, &s, NULL) == 0 && s.n == n && s.k == env->shard.k;
}

static int open_doc(struct fctx *x) {
  const struct mh_faults_env *env = x->env;
  struct mh_err e;
  int policy = mh_results_policy(env->output, env->resume, env->fresh, &e);
  json_object *sha;
  if (policy < 0) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  if (policy == MH_RESULTS_RESUME) {
    x->doc = mh_json_load(env->output, &e);
    const char *why = NULL;
    if (!x->doc)
      why = e.msg;
    else if (!json_object_object_get_ex(x->doc, "trials", &x->trials) ||
             !json_object_is_type(x->trials, json_type_array))
      why = "it has no \"trials\" array (not the results of a fault campaign)";
    else if (!json_object_object_get_ex(x->doc, "campaign_sha256", &sha) ||
             strcmp(json_object_get_string(sha), env->sha) != 0)
      why = "it was produced by a different campaign file (campaign_sha256 differs); resume "
            "with the same campaign, or choose another -o";
    else if (!same_shard(x->doc, env))
      why = "it holds another shard (resume with the --shard it was started with)";
    if (why) {
      fprintf(stderr, "memharness: cannot resume %s: %s\n", env->output, why);
      json_object_put(x->doc);
      x->doc = NULL;
      return MH_EXIT_USAGE;
    }
    mh_json_set_str(x->doc, "status", "running");
  } else {
    x->doc = new_doc(env);
    json_object_object_get_ex(x->doc, "trials", &x->trials);
  }
  json_object_object_get_ex(x->doc, "faults", &x->fdoc);
  x->done_ids = mh_results_id_set(x->trials);
  return 0;
}

// ---- one variant ----

// The trials of the variant this run still owes (not in the file, in the shard).
static int plan_todo(struct fctx *x, struct vrun *vr, struct mh_err *e) {
  vr->todo = calloc((size_t)x->fm->trials, sizeof *vr->todo);
  if (!vr->todo)
    return mh_fail(e, "out of memory");
  for (int t = 0; t < x->fm->trials; t++) {
    char id[64];
    snprintf(id, sizeof id, "%s/%d", vr->vname, t);
    if (!mh_results_id_in(x->done_ids, id) &&
        mh_shard_owns(mh_trial_seed(x->fm->seed, t), x->env->shard.k, x->env->shard.n))
      vr->todo[vr->ntodo++] = t;
  }
  return 0;
}

static void set_cmdline(struct vrun *vr, const struct mh_workload *w) {
  int n = snprintf(vr->cmdline, sizeof vr->cmdline, "%s", w->program);
  for (int i = 0; i < w->nargs && n > 0 && (size_t)n < sizeof vr->cmdline; i++)
    n += snprintf(vr->cmdline + n, sizeof vr->cmdline - (size_t)n, " %s", w->args[i]);
}

static int prepare_variant(struct fctx *x, struct vrun *vr, struct mh_err *e) {
  const struct mh_campaign *c = x->env->c;
  const struct mh_workload *w = &c->workloads[x->fm->workload];
  vr->vname = mh_variant_name(vr->v);
  set_cmdline(vr, w);
  if ((vr->is_lx = mh_variant_is_linux(vr->v))) {
    if (mh_lxv_prepare(&vr->lxv, x->env->build, vr->v, c, e) < 0)
      return -1;
    snprintf(vr->elf, sizeof vr->elf, "%s", vr->lxv.prog[0].path);
    return plan_todo(x, vr, e);
  }
  workload_elf(x->env->kernel[vr->v], mh_variant_userland(vr->v), w->program, vr->elf,
               sizeof vr->elf);
  bool icount = false;
  for (int i = 0; i < c->ntimings; i++)
    icount |= c->timings[i] == MH_TIMING_ICOUNT;
  vr->so = (struct mh_session_opts){.qemu = x->env->qemu,
                                    .kernel = x->env->kernel[vr->v],
                                    .disk = x->env->disk[vr->v],
                                    .workload_elf = vr->elf,
                                    .program = w->program,
                                    .cmdline = vr->cmdline,
                                    .icount = icount,
                                    .mem_mb = x->fm->mem_mb ? (unsigned)x->fm->mem_mb
                                                            : default_mem_mb(vr->v),
                                    .snapshot = x->fm->restore == MH_RESTORE_SNAPSHOT,
                                    .timeout_s = c->run_timeout_s,
                                    .connect_timeout_s = c->connect_timeout_s,
                                    .control_timeout_s = c->control_timeout_s};
  if (x->fm->when == MH_FW_BREAKPOINT &&
      mh_elf_symbol(vr->elf, x->fm->breakpoint, &vr->bp, NULL, e) < 0)
    return mh_err_prefix(e, "$.faults.when.breakpoint: ");
  if (x->fm->icount && !icount)
    return mh_fail(e, "$.faults.when.icount counts instructions exactly only under icount timing: "
                      "set $.timing to \"icount\"");
  if (mh_faults_check_files(c, vr->so.kernel, vr->elf, e) < 0)
    return -1;
  return plan_todo(x, vr, e);
}

static json_object *golden_json(const struct vrun *vr, const struct mh_session *s) {
  json_object *g = json_object_new_object();
  json_object_object_add(g, "status", json_object_new_int(vr->golden.status));
  mh_json_set_str(g, "output", vr->golden.output);
  json_object_object_add(g, "hits", json_object_new_int(vr->golden.hits));
  json_object_object_add(g, "wall_s", json_object_new_double(vr->golden.wall_s));
  if (vr->golden.hang_icount > 0) { // under icount (trial.h)
    json_object_object_add(g, "icount_main", json_object_new_int64(vr->golden.icount_main));
    json_object_object_add(g, "icount", json_object_new_int64(vr->golden.icount));
    json_object_object_add(g, "hang_icount", json_object_new_int64(vr->golden.hang_icount));
  }
  json_object *o = json_object_new_object();
  json_object_object_add(o, "golden", g);
  mh_json_set_str(o, "workload_elf", vr->elf);
  mh_json_set_str(o, "cmdline", vr->cmdline);
  json_object_object_add(o, "trial_timeout_s", json_object_new_double(vr->timeout_s));
  json_object_object_add(o, "mem_mb", json_object_new_int((int)vr->so.mem_mb));
  json_object_object_add(o, "session_start_s", json_object_new_double(s->start_s));
  json_object_object_add(o, "savevm_s", json_object_new_double(s->save_s));
  return o;
}

static int golden_attempt(struct fctx *x, struct vrun *vr, struct mh_session *s, struct mh_err *e) {
  // Retries as for the workers' sessions (fresh_session).
  int rc = mh_session_start(s, &vr->so, e);
  for (int i = 1; i < MH_BOOTS && rc < 0 && !atomic_load(x->env->stop); i++) {
    fprintf(stderr, "memharness: starting QEMU for %s failed, retrying: %s\n", vr->vname, e->msg);
    rc = mh_session_start(s, &vr->so, e);
  }
  if (rc < 0)
    return -1;
  double cost;
  if ((vr->so.snapshot && mh_session_restore(s, &cost, e) < 0) ||
      mh_trial_golden(s, x->fm, vr->bp, x->env->c->run_timeout_s, &vr->golden, e) < 0)
    return -1;
  return 0;
}

static int golden(struct fctx *x, struct vrun *vr, struct mh_session *s, struct mh_err *e) {
  // A golden run whose QEMU died or hung runs once more on a fresh QEMU,
  // like a trial (one_trial); a QEMU that cannot be booted MH_BOOTS times is an error.
  if (vr->is_lx) {
    if (mh_lxv_golden(&vr->lxv, x->env->c, vr->todo, vr->ntodo, e) < 0)
      return -1;
    pthread_mutex_lock(&x->lock);
    json_object_object_add(x->fdoc, vr->vname, mh_lxv_golden_json(&vr->lxv, x->env->c));
    pthread_mutex_unlock(&x->lock);
    return 0;
  }
  if (golden_attempt(x, vr, s, e) < 0) {
    if (!s->broken || atomic_load(x->env->stop))
      return -1;
    char why[sizeof s->why];
    snprintf(why, sizeof why, "%s", s->why);
    fprintf(stderr, "memharness: the golden run of %s lost its QEMU (%s); running it again\n",
            vr->vname, why);
    mh_session_stop(s);
    mh_golden_free(&vr->golden);
    if (golden_attempt(x, vr, s, e) < 0) {
      char msg[MH_ERR_CAP];
      snprintf(msg, sizeof msg, "%.2000s", e->msg);
      return mh_fail(e, "%s (the first attempt failed too: %s)", msg, why);
    }
  }
  char who[1200];
  snprintf(who, sizeof who, "%s on %s", vr->cmdline, vr->vname);
  if (mh_faults_check_golden(x->env->c, who, &vr->golden, vr->todo, vr->ntodo, stderr, e) < 0)
    return -1;
  // hang_factor 50: a shared host slows a QEMU down several times. Under
  // icount the budget in instructions decides (trial.h), so a slow host
  // cannot turn a long trial into a hang.
  vr->timeout_s = mh_faults_trial_timeout(x->env->c, &vr->golden);
  pthread_mutex_lock(&x->lock);
  json_object_object_add(x->fdoc, vr->vname, golden_json(vr, s));
  pthread_mutex_unlock(&x->lock);
  return 0;
}

// How a trial went beyond its outcome: attempts 2 when its first QEMU failed
// and it ran again (retry_reason says why), and the serial bytes left out.
struct attempt_info {
  int attempts;
  char retry_reason[300];
  long serial_elided;
};

static void record(struct fctx *x, struct vrun *vr, int t, const struct mh_trial_plan *p,
                   const struct mh_trial_result *r, const struct attempt_info *ai) {
  char id[64];
  double t0 = mh_now();
  snprintf(id, sizeof id, "%s/%d", vr->vname, t);
  json_object *rec = vr->is_lx ? mh_lxv_record(&vr->lxv, x->env->c, id, vr->vname, t, p, r)
                               : mh_trial_record(id, vr->vname, t, x->fm, p, r);
  json_object_object_add(rec, "attempts", json_object_new_int(ai->attempts));
  mh_json_set_str(rec, "retry_reason", ai->attempts > 1 ? ai->retry_reason : NULL);
  json_object_object_add(rec, "serial_elided", json_object_new_int64(ai->serial_elided));
  pthread_mutex_lock(&x->lock);
  json_object_array_add(x->trials, rec);
  x->done++;
  x->errors += r->outcome == MH_OUT_HARNESS_ERROR;
  if (r->outcome == MH_OUT_HARNESS_ERROR) {
    mh_progress_note(&x->progress);
    fprintf(stderr, "memharness: trial %s: harness error: %s\n", id, r->reason);
  }
  // Rewriting the whole document after every trial would cost more than
  // the trial; save_every (about a second) bounds what a SIGKILL can lose.
  if (mh_now() - x->last_save > x->save_every && !x->write_failed)
    save(x);
  mh_progress_count(&x->progress, r->outcome == MH_OUT_HARNESS_ERROR, 100);
  // Waiting for the lock counts too: it is time a worker's QEMU sits idle.
  vr->book_s += mh_now() - t0;
  vr->book_n++;
  pthread_mutex_unlock(&x->lock);
}

struct worker {
  struct fctx *x;
  struct vrun *vr;
  struct mh_session s; // snapshot mode: one per worker for the whole variant
  bool have_session;
};

// A worker's QEMU at main(), with checkpoints at the breakpoint's hits
// when trials restore snapshots and inject at a breakpoint.
static int start_session(struct worker *w, struct mh_err *e) {
  const struct mh_faults *fm = w->x->fm;
  if (mh_session_start(&w->s, &w->vr->so, e) < 0)
    return -1;
  if (!w->vr->so.snapshot || fm->when != MH_FW_BREAKPOINT ||
      mh_session_checkpoints(&w->s, w->vr->bp, fm->when_lo, fm->when_hi, fm->checkpoints, e) == 0)
    return 0;
  mh_session_stop(&w->s);
  return -1;
}

static int fresh_session(struct worker *w, struct mh_err *e) {
  if (w->have_session)
    mh_session_stop(&w->s);
  // Retries: on a host shared with other builds a QEMU start can miss its
  // connect deadline, and a QEMU killed or stopped from outside costs one
  // boot; MH_BOOTS failures in a row are a real problem.
  w->have_session = start_session(w, e) == 0;
  for (int i = 1; i < MH_BOOTS && !w->have_session && !atomic_load(w->x->env->stop); i++) {
    fprintf(stderr, "memharness: starting QEMU for %s failed, retrying: %s\n", w->vr->vname,
            e->msg);
    w->have_session = start_session(w, e) == 0;
  }
  if (!w->have_session && !atomic_load(w->x->env->stop)) {
    pthread_mutex_lock(&w->x->lock);
    if (!atomic_load(&w->x->failed))
      snprintf(w->x->failure, sizeof w->x->failure,
               "QEMU for %s could not be booted %d times in a row, the campaign stops (finished "
               "trials are kept; continue with --resume): %.2000s",
               w->vr->vname, MH_BOOTS, e->msg);
    atomic_store(&w->x->failed, true);
    pthread_mutex_unlock(&w->x->lock);
  }
  return w->have_session ? 0 : -1;
}

// One run of a trial on a session at its start: the worker's, restored, or
// a fresh one when there is none or it ended. False when no session could
// be booted (the campaign stops) or the campaign was stopped.
static bool attempt(struct worker *w, int t, const struct mh_trial_plan *p,
                    struct mh_trial_result *r, long *elided) {
  struct fctx *x = w->x;
  struct vrun *vr = w->vr;
  struct mh_err e;
  memset(r, 0, sizeof *r);
  *elided = 0;
  if (vr->is_lx) { // a fresh process each trial: nothing to restore
    mh_lxv_trial(&vr->lxv, x->fm, t, p, r);
    return !atomic_load(x->env->stop);
  }
  double t0 = mh_now();
  bool boot = !vr->so.snapshot;
  if ((boot || !w->have_session || !w->s.alive) && fresh_session(w, &e) < 0)
    return false;
  int64_t hit = x->fm->when == MH_FW_BREAKPOINT ? p->when : 0;
  int rc = boot ? 0 : mh_session_restore_at(&w->s, hit, &r->from_hit, &r->restore_s, &e);
  if (boot)
    r->restore_s = mh_now() - t0; // the boot to main() is this mode's restore
  if (rc < 0) {
    r->outcome = MH_OUT_HARNESS_ERROR;
    snprintf(r->reason, sizeof r->reason, "could not prepare the guest: %.400s", e.msg);
    r->obs.serial = "";
  } else {
    mh_trial_run(&w->s, x->fm, vr->bp, &vr->golden, p, vr->timeout_s, r);
    *elided = w->s.log.elided;
  }
  return !atomic_load(x->env->stop);
}

// True when the harness lost control of the worker's QEMU during the
// attempt (snapshot.h, mh_session_broken): why gets the reason, and the
// QEMU is killed and reaped so that nothing of it outlives the attempt.
static bool session_lost(struct worker *w, char *why, size_t cap) {
  if (!w->have_session || !mh_session_broken(&w->s))
    return false;
  snprintf(why, cap, "%s", w->s.why);
  mh_session_stop(&w->s);
  w->have_session = false;
  return true;
}

// A trial whose QEMU died, hung or failed a restore says nothing about the
// fault: it runs again, from scratch, on a fresh QEMU, once. Its record is
// the second run's (attempts 2, retry_reason); a second failure is a
// harness_error with both reasons.
static void one_trial(struct worker *w, int t) {
  struct fctx *x = w->x;
  struct mh_trial_plan p;
  mh_fault_plan(x->fm, t, mh_trial_seed(x->fm->seed, t), &p);
  struct mh_trial_result r;
  struct attempt_info ai = {.attempts = 1};
  char why2[sizeof ai.retry_reason];
  bool ok = attempt(w, t, &p, &r, &ai.serial_elided);
  if (ok && session_lost(w, ai.retry_reason, sizeof ai.retry_reason)) {
    fprintf(stderr, "memharness: trial %s/%d: %s; running it again on a fresh QEMU\n", w->vr->vname,
            t, ai.retry_reason);
    mh_trial_result_free(&r);
    ai.attempts = 2;
    ok = attempt(w, t, &p, &r, &ai.serial_elided);
    if (ok && session_lost(w, why2, sizeof why2)) {
      r.outcome = MH_OUT_HARNESS_ERROR;
      snprintf(r.reason, sizeof r.reason, "QEMU failed in both attempts: %.230s; then %.230s",
               ai.retry_reason, why2);
    }
  }
  // A stop kills every QEMU (mh_proc_shutdown_all): a trial in flight then
  // broke for that reason, is no result, and --resume runs it again; so is
  // a trial that found no QEMU to run on.
  if (ok)
    record(x, w->vr, t, &p, &r, &ai);
  mh_trial_result_free(&r);
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  for (;;) {
    if (atomic_load(w->x->env->stop) || atomic_load(&w->x->failed))
      break;
    int i = atomic_fetch_add(&w->vr->next, 1);
    if (i >= w->vr->ntodo)
      break;
    one_trial(w, w->vr->todo[i]);
  }
  if (w->have_session)
    mh_session_stop(&w->s);
  w->have_session = false;
  return NULL;
}

// Every variant's golden run comes before the first trial, so that a
// campaign the golden runs refute is refused before it has cost anything.
static int golden_runs(struct fctx *x, struct vrun *vr, struct mh_err *e) {
  for (int i = 0; i < x->env->c->nvariants && !atomic_load(x->env->stop); i++) {
    struct mh_session gs = {0};
    int rc = golden(x, &vr[i], &gs, e);
    if (!vr[i].is_lx)
      mh_session_stop(&gs);
    if (rc < 0)
      return -1;
  }
  return 0;
}

static int run_variant(struct fctx *x, struct vrun *vr, struct mh_err *e) {
  int jobs = x->env->jobs ? x->env->jobs : x->env->c->jobs;
  if (jobs > vr->ntodo)
    jobs = vr->ntodo > 0 ? vr->ntodo : 1;
  struct worker *ws = calloc((size_t)jobs, sizeof *ws);
  pthread_t *th = calloc((size_t)jobs, sizeof *th);
  if (!ws || !th) {
    free(ws);
    free(th);
    return mh_fail(e, "out of memory");
  }
  int started = 0, done0 = x->done;
  double t0 = mh_now();
  for (int i = 0; i < jobs; i++) {
    ws[i] = (struct worker){.x = x, .vr = vr};
    if (pthread_create(&th[i], NULL, worker_main, &ws[i]) == 0)
      started++;
    else
      break;
  }
  for (int i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  // This variant's trial rate alone: QEMU starts included, golden run not.
  double el = mh_now() - t0;
  json_object *vo, *rate = json_object_new_object();
  pthread_mutex_lock(&x->lock);
  json_object_object_add(rate, "trials", json_object_new_int(x->done - done0));
  json_object_object_add(rate, "wall_s", json_object_new_double(el));
  json_object_object_add(rate, "trials_per_min",
                         json_object_new_double(el > 0 ? (x->done - done0) * 60 / el : 0));
  json_object_object_add(rate, "bookkeeping_ms_mean",
                         json_object_new_double(vr->book_n ? vr->book_s * 1000 / vr->book_n : 0));
  if (json_object_object_get_ex(x->fdoc, vr->vname, &vo))
    json_object_object_add(vo, "rate", rate);
  else
    json_object_put(rate);
  pthread_mutex_unlock(&x->lock);
  free(ws);
  free(th);
  if (atomic_load(&x->failed))
    return mh_fail(e, "%s", x->failure);
  return started ? 0 : mh_fail(e, "cannot start worker threads");
}

// ---- summary ----

static double *numbers(json_object *trials, const char *variant, int which, size_t *n) {
  size_t cap = json_object_array_length(trials) * MH_MAX_MCE + 1;
  double *v = malloc(cap * sizeof *v);
  *n = 0;
  for (size_t i = 0; v && i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *vv, *x, *m;
    if (!json_object_object_get_ex(t, "variant", &vv) ||
        strcmp(json_object_get_string(vv), variant) != 0)
      continue;
    if (which == 0 && json_object_object_get_ex(t, "restore_ms", &x)) {
      v[(*n)++] = json_object_get_double(x);
      continue;
    }
    if (which != 1 || !json_object_object_get_ex(t, "mce", &m))
      continue;
    for (size_t k = 0; k < json_object_array_length(m); k++) {
      json_object *mc = json_object_array_get_idx(m, k), *a, *cy;
      if (json_object_object_get_ex(mc, "action", &a) &&
          strcmp(json_object_get_string(a), "recovered") == 0 &&
          json_object_object_get_ex(mc, "cycles", &cy) && cy)
        v[(*n)++] = (double)json_object_get_int64(cy);
    }
  }
  return v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static json_object *distribution(double *v, size_t n) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "n", json_object_new_int((int)n));
  if (!n)
    return o;
  qsort(v, n, sizeof *v, cmp_double);
  json_object_object_add(o, "median", json_object_new_double(mh_quantile_sorted(v, n, 0.5)));
  json_object_object_add(o, "p99", json_object_new_double(mh_quantile_sorted(v, n, 0.99)));
  json_object_object_add(o, "max", json_object_new_double(v[n - 1]));
  return o;
}

static const char *str_of(json_object *o, const char *k) {
  json_object *v;
  return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

// Outcome counts per variant and per frame kind of the (first) fault.
static json_object *outcome_table(json_object *trials, const char *variant) {
  json_object *byk = json_object_new_object(), *all = json_object_new_object();
  for (int o = 0; o < MH_OUT_COUNT; o++)
    json_object_object_add(all, mh_outcome_name(o), json_object_new_int(0));
  for (size_t i = 0; i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i), *f, *row, *cell;
    if (strcmp(str_of(t, "variant"), variant) != 0)
      continue;
    const char *kind = "none", *out = str_of(t, "outcome");
    if (json_object_object_get_ex(t, "faults", &f) && json_object_array_length(f) &&
        str_of(json_object_array_get_idx(f, 0), "frame_kind")[0])
      kind = str_of(json_object_array_get_idx(f, 0), "frame_kind");
    if (!json_object_object_get_ex(byk, kind, &row)) {
      row = json_object_new_object();
      for (int o = 0; o < MH_OUT_COUNT; o++)
        json_object_object_add(row, mh_outcome_name(o), json_object_new_int(0));
      json_object_object_add(byk, kind, row);
    }
    if (json_object_object_get_ex(row, out, &cell))
      json_object_set_int(cell, json_object_get_int(cell) + 1);
    if (json_object_object_get_ex(all, out, &cell))
      json_object_set_int(cell, json_object_get_int(cell) + 1);
  }
  json_object *o = json_object_new_object();
  json_object_object_add(o, "all", all);
  json_object_object_add(o, "by_frame_kind", byk);
  return o;
}

json_object *mh_faults_variant_summary(json_object *trials, const char *vn) {
  json_object *o = json_object_new_object();
  size_t n;
  double *v = numbers(trials, vn, 0, &n);
  json_object_object_add(o, "restore_ms", distribution(v, n));
  free(v);
  v = numbers(trials, vn, 1, &n);
  json_object_object_add(o, "recovery_cycles", distribution(v, n));
  free(v);
  json_object_object_add(o, "outcomes", outcome_table(trials, vn));
  json_object_object_add(o, "phases_ms", mh_phase_summary(trials, vn));
  return o;
}

static void summarize(struct fctx *x, double campaign_s) {
  json_object *sum = json_object_new_object();
  for (int i = 0; i < x->env->c->nvariants; i++) {
    const char *vn = mh_variant_name(x->env->c->variants[i]);
    json_object_object_add(sum, vn, mh_faults_summary(x->trials, vn, x->fm, x->env->c->confidence));
  }
  json_object *rate = json_object_new_object();
  json_object_object_add(rate, "trials", json_object_new_int(x->done));
  json_object_object_add(rate, "wall_s", json_object_new_double(campaign_s));
  json_object_object_add(rate, "trials_per_min",
                         json_object_new_double(campaign_s > 0 ? x->done * 60 / campaign_s : 0));
  json_object_object_add(rate, "jobs",
                         json_object_new_int(x->env->jobs ? x->env->jobs : x->env->c->jobs));
  mh_json_set_str(rate, "restore", x->fm->restore == MH_RESTORE_SNAPSHOT ? "snapshot" : "boot");
  // The rate depends on what else the shared host ran meanwhile.
  double load[3];
  if (getloadavg(load, 3) == 3)
    json_object_object_add(rate, "host_loadavg_1min", json_object_new_double(load[0]));
  json_object_object_add(sum, "rate", rate);
  if (x->fm->margin > 0)
    json_object_object_add(sum, "sample_size", mh_sample_size_json(x->fm));
  json_object_object_add(x->fdoc, "summary", sum);
}

static void print_summary(struct fctx *x) {
  json_object *sum, *rate, *tpm;
  json_object_object_get_ex(x->fdoc, "summary", &sum);
  printf("%-8s %-10s", "variant", "frames");
  for (int o = 0; o < MH_OUT_COUNT; o++)
    printf(" %9.9s", mh_outcome_name(o));
  printf("\n");
  for (int i = 0; i < x->env->c->nvariants; i++) {
    const char *vn = mh_variant_name(x->env->c->variants[i]);
    json_object *vs, *oc, *byk;
    json_object_object_get_ex(sum, vn, &vs);
    json_object_object_get_ex(vs, "outcomes", &oc);
    json_object_object_get_ex(oc, "by_frame_kind", &byk);
    json_object_object_foreach(byk, kind, row) {
      printf("%-8s %-10s", vn, kind);
      for (int o = 0; o < MH_OUT_COUNT; o++) {
        json_object *c;
        json_object_object_get_ex(row, mh_outcome_name(o), &c);
        printf(" %9d", json_object_get_int(c));
      }
      printf("\n");
    }
  }
  json_object_object_get_ex(sum, "rate", &rate);
  json_object_object_get_ex(rate, "trials_per_min", &tpm);
  printf("\n%d trials in %.1f s: %.0f trials/min\n", x->done, mh_now() - x->started,
         json_object_get_double(tpm));
}

int mh_faults_cmd(const struct mh_faults_env *env) {
  struct fctx x = {.env = env, .fm = &env->c->faults};
  pthread_mutex_init(&x.lock, NULL);
  int rc = open_doc(&x);
  if (rc)
    return rc;
  struct vrun vr[MH_MAX_VARIANTS] = {0};
  struct mh_err e = {""};
  for (int i = 0; i < env->c->nvariants && rc == 0; i++) {
    vr[i].v = env->c->variants[i];
    if (prepare_variant(&x, &vr[i], &e) < 0)
      rc = MH_EXIT_CAMPAIGN;
    x.total += vr[i].ntodo;
  }
  if (rc == 0 && x.fm->margin > 0) {
    char note[256];
    mh_sample_size_note(x.fm, note, sizeof note);
    fprintf(stderr, "memharness: %s\n", note);
  }
  if (rc == 0)
    fprintf(stderr, "memharness: fault campaign %s: %d trials to run, results in %s\n",
            env->c->name, x.total, env->output);
  x.started = mh_now();
  // The same progress as overhead runs (progress.c); golden runs count in its time.
  mh_progress_init(&x.progress, stderr, (size_t)x.total, 0);
  x.progress.unit = "trials";
  if (rc == 0 && golden_runs(&x, vr, &e) < 0)
    rc = -1;
  for (int i = 0; i < env->c->nvariants && rc == 0 && !atomic_load(env->stop); i++)
    if (run_variant(&x, &vr[i], &e) < 0)
      rc = -1;
  if (rc < 0) // a key of the campaign is at fault when the message names one
    rc = x.write_failed                                              ? MH_EXIT_INTERNAL
         : strstr(e.msg, "$.faults") || strstr(e.msg, "$.workloads") ? MH_EXIT_CAMPAIGN
                                                                     : MH_EXIT_ENV;
  for (int i = 0; i < env->c->nvariants; i++) {
    free(vr[i].todo);
    mh_golden_free(&vr[i].golden);
    mh_lxv_free(&vr[i].lxv);
  }
  // A stop explains any failure after it (killed QEMUs, refused spawns):
  // those are not reported; the caller prints how to resume.
  if (atomic_load(env->stop)) {
    mh_json_set_str(x.doc, "status", "interrupted");
    rc = MH_EXIT_INTERRUPTED;
  } else if (rc && !x.write_failed) {
    fprintf(stderr, "memharness: %s\n", e.msg);
  } else if (!rc) {
    summarize(&x, mh_now() - x.started);
    mh_json_set_str(x.doc, "status", "complete");
  }
  mh_progress_end(&x.progress);
  // A campaign that failed before its first trial leaves no results file
  // (nothing to keep, and no unfinished file to block the next attempt).
  bool keep = x.done > 0 || env->resume || rc == 0;
  if (x.doc && keep && save(&x) < 0) {
    report_unwritable(&x);
    rc = MH_EXIT_INTERNAL;
  } else if (x.write_failed) { // the last attempt went through
    fprintf(stderr,
            "memharness: %s; the %d finished trials are saved in %s now: continue with: "
            "memharness run %s -o %s --resume\n",
            x.failure, (int)json_object_array_length(x.trials), env->output, env->campaign_path,
            env->output);
  }
  if (rc == 0) {
    print_summary(&x);
    printf("results: %s (%d harness errors)\n", env->output, x.errors);
    rc = x.errors ? MH_EXIT_RUNS_FAILED : MH_EXIT_OK;
  }
  json_object_put(x.doc);
  json_object_put(x.done_ids);
  pthread_mutex_destroy(&x.lock);
  return rc;
}
