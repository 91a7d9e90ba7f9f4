#include "runcmd.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "campaign.h"
#include "campaign_faults.h"
#include "hostinfo.h"
#include "hostrun.h"
#include "mh_config.h"
#include "overhead.h"
#include "pool.h"
#include "proc.h"
#include "progress.h"
#include "results.h"
#include "run.h"
#include "sha256.h"
#include "table.h"
#include "userprogs.h"

struct kernel_files {
  char kernel[1024], disk[1024];
};

// Everything one campaign run shares between the main thread and workers.
struct ctx {
  const struct mh_run_opts *o;
  struct mh_campaign c;
  const char *qemu;
  struct kernel_files files[MH_MAX_VARIANTS];
  // Per host timing (host: i386, host64: x86-64), per workload: its
  // Linux-process builds.
  char (*hostprog[2])[MH_MAX_VARIANTS][1024];
  // A host-timed run never shares the CPUs with another run of this
  // harness: it takes this lock exclusively, every other run shared.
  pthread_rwlock_t exclusive;
  struct mh_accel_choice accel;
  struct mh_slot *slots;
  size_t nslots;
  struct mh_run_result *results; // one per slot, filled by workers
  json_object *doc, *runs;
  const char *out; // -o, or default_out
  char default_out[1024];
  struct mh_progress progress;
  atomic_bool stop;
  atomic_int signo;
  bool write_failed;
  struct mh_err write_err;
};

// ---- signals: a dedicated thread turns SIGINT/SIGTERM into an orderly stop ----

static void *signal_thread(void *arg) {
  struct ctx *x = arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  for (;;) {
    int sig;
    if (sigwait(&set, &sig) != 0)
      continue;
    if (sig == SIGUSR1)
      return NULL; // the campaign is over
    atomic_store(&x->signo, sig);
    atomic_store(&x->stop, true);
    mh_proc_shutdown_all();
  }
}

// ---- preparation ----

static void resolve_build_dir(const struct ctx *x, char *out, size_t cap) {
  if (x->o->build_dir) {
    snprintf(out, cap, "%s", x->o->build_dir);
  } else if (x->c.build_dir && x->c.build_dir[0] == '/') {
    snprintf(out, cap, "%s", x->c.build_dir);
  } else if (x->c.build_dir) {
    // Relative to the campaign file, so a campaign travels with its tree.
    char *copy = strdup(x->o->campaign);
    snprintf(out, cap, "%s/%s", copy ? dirname(copy) : ".", x->c.build_dir);
    free(copy);
  } else {
    snprintf(out, cap, "%s", MH_BUILD_DIR);
  }
}

static int find_kernels(struct ctx *x, struct mh_err *e) {
  char build[1024];
  resolve_build_dir(x, build, sizeof build);
  for (int i = 0; i < x->c.nvariants; i++) {
    if (mh_variant_is_linux(x->c.variants[i]))
      continue; // a Linux process: no kernel (its program is found by lxtrial.c)
    const char *v = mh_variant_name(x->c.variants[i]);
    struct kernel_files *f = &x->files[x->c.variants[i]];
    snprintf(f->kernel, sizeof f->kernel, "%.900s/xv6-memv6/kernel-%.8s.elf", build, v);
    snprintf(f->disk, sizeof f->disk, "%.900s/xv6-memv6/fs-%.8s.img", build, v);
    const char *missing = access(f->kernel, R_OK) ? f->kernel
                          : access(f->disk, R_OK) ? f->disk
                                                  : NULL;
    if (missing)
      return mh_fail(e,
                     "%s not found: build the %s variant first (cmake --build %s --target "
                     "kernel-%s fsimg-%s), or point --build-dir at a build that has it",
                     missing, v, build, v, v);
  }
  return 0;
}

static bool has_timing(const struct mh_campaign *c, enum mh_timing t) {
  for (int i = 0; i < c->ntimings; i++)
    if (c->timings[i] == t)
      return true;
  return false;
}

static bool has_host_timing(const struct mh_campaign *c) {
  return has_timing(c, MH_TIMING_HOST) || has_timing(c, MH_TIMING_HOST64);
}

// Which of ctx's hostprog tables a host timing uses.
static int host_index(enum mh_timing t) {
  return t == MH_TIMING_HOST64;
}

// Timing "host": the workloads' programs as 32-bit Linux processes, on a
// host that runs them natively (under qemu-i386 they would be emulation,
// not the real-hardware figure the mode stands for); "host64" as x86-64
// processes, which the build has only on an x86-64 host.
static int find_host_programs(struct ctx *x, struct mh_err *e) {
  if (has_timing(&x->c, MH_TIMING_HOST) && strcmp(MH_HOST_I386_PATH, "native") != 0)
    return mh_fail(e,
                   "timing \"host\" needs a host that runs 32-bit programs natively; this build "
                   "found \"%s\" (translator/HostI386.cmake): under qemu-i386 the cycles would "
                   "be emulation, not real hardware. Time with icount or \"host64\", or run on "
                   "a host kernel with IA32 emulation",
                   MH_HOST_I386_PATH[0] ? MH_HOST_I386_PATH : "not checked");
  char build[1024];
  resolve_build_dir(x, build, sizeof build);
  for (int t = 0; t < x->c.ntimings; t++) {
    const char *arch = mh_timing_host_arch(x->c.timings[t]);
    if (!arch)
      continue;
    int k = host_index(x->c.timings[t]);
    x->hostprog[k] = calloc((size_t)x->c.nworkloads, sizeof *x->hostprog[k]);
    if (!x->hostprog[k])
      return mh_fail(e, "out of memory");
    for (int w = 0; w < x->c.nworkloads; w++)
      for (int i = 0; i < x->c.nvariants; i++) {
        enum mh_variant v = x->c.variants[i];
        if (mh_hostrun_program(build, arch, mh_variant_name(v), x->c.workloads[w].program,
                               x->hostprog[k][w][v], sizeof x->hostprog[k][w][v], e) < 0)
          return -1;
      }
  }
  return 0;
}

// The campaign's own programs, if it has any, into copies of the images:
// from then on every run boots those.
static int build_programs(struct ctx *x, struct mh_err *e) {
  if (!x->c.programs_dir)
    return 0;
  char build[1024];
  resolve_build_dir(x, build, sizeof build);
  if (mh_userprogs_build(&x->c, x->o->campaign, build, x->files[MH_VARIANT_NATIVE].disk,
                         x->files[MH_VARIANT_MEMV6].disk, sizeof x->files[0].disk, e) < 0)
    return -1;
  // memv6sys runs the memv6 userland: its image is the memv6 image.
  snprintf(x->files[MH_VARIANT_MEMV6SYS].disk, sizeof x->files[0].disk, "%s",
           x->files[MH_VARIANT_MEMV6].disk);
  return 0;
}

static json_object *accel_json(const struct ctx *x) {
  json_object *a = json_object_new_object();
  mh_json_set_str(a, "requested", mh_accel_name(x->c.accel));
  mh_json_set_str(a, "used", x->accel.used);
  mh_json_set_str(a, "reason", x->accel.reason);
  json_object_object_add(a, "probe_s",
                         x->accel.probed ? json_object_new_double(x->accel.probe_s) : NULL);
  mh_json_set_str(a, "icount_runs", "tcg (icount needs TCG)");
  return a;
}

static json_object *new_doc(struct ctx *x, const char *sha, const char *qemu_version) {
  struct mh_results_origin o = {.campaign_file = x->o->campaign,
                                .campaign_sha256 = sha,
                                .campaign = x->c.root,
                                .qemu = x->qemu,
                                .qemu_version = qemu_version};
  for (int i = 0; i < x->c.nvariants; i++) {
    const struct kernel_files *f = &x->files[x->c.variants[i]];
    o.kernels[o.nkernels].variant = mh_variant_name(x->c.variants[i]);
    o.kernels[o.nkernels].kernel = f->kernel;
    o.kernels[o.nkernels++].disk = f->disk;
  }
  json_object *d = mh_results_new(&o);
  json_object *timing = json_object_new_array();
  for (int i = 0; i < x->c.ntimings; i++)
    json_object_array_add(timing, json_object_new_string(mh_timing_name(x->c.timings[i])));
  json_object_object_add(d, "timing", timing);
  json_object_object_add(d, "accel", accel_json(x));
  if (has_timing(&x->c, MH_TIMING_HOST))
    mh_json_set_str(d, "host_i386", MH_HOST_I386_PATH); // how host-timed runs ran: always native
  if (has_host_timing(&x->c))
    json_object_object_add(d, "host_counters", mh_hostrun_counters_json());
  json_object_object_add(d, "runs", json_object_new_array());
  json_object_object_add(d, "summaries", json_object_new_array());
  return d;
}

// A resumed campaign keeps the accelerator decision it started with.
static void accel_from_doc(struct ctx *x) {
  json_object *a, *used, *reason;
  if (json_object_object_get_ex(x->doc, "accel", &a) &&
      json_object_object_get_ex(a, "used", &used) &&
      json_object_object_get_ex(a, "reason", &reason)) {
    snprintf(x->accel.used, sizeof x->accel.used, "%s", json_object_get_string(used));
    snprintf(x->accel.reason, sizeof x->accel.reason, "%s", json_object_get_string(reason));
  }
}

// ---- running ----

static const char *accel_of(const struct ctx *x, enum mh_timing t) {
  return t == MH_TIMING_ICOUNT ? "tcg" : mh_timing_host_arch(t) ? "host" : x->accel.used;
}

static void task(void *arg, size_t i) {
  struct ctx *x = arg;
  const struct mh_slot *s = &x->slots[i];
  const struct mh_workload *w = &x->c.workloads[s->workload];
  bool host = mh_timing_host_arch(s->timing) != NULL;
  struct mh_run_spec spec = {
      .qemu = x->qemu,
      .kernel = x->files[s->variant].kernel,
      .disk = x->files[s->variant].disk,
      .program = host ? x->hostprog[host_index(s->timing)][s->workload][s->variant] : w->program,
      .args = w->args,
      .nargs = w->nargs,
      .accel = accel_of(x, s->timing),
      .icount = s->timing == MH_TIMING_ICOUNT,
      .mem_mb = mh_variant_min_mem_mb(s->variant),
      .timeout_s = x->c.run_timeout_s,
      .connect_timeout_s = x->c.connect_timeout_s,
      .expect_status = w->expect_status,
      .expect_output = w->expect_output,
      .nexpect_output = w->nexpect_output,
      .expect_tests = w->expect_tests,
      .stop = &x->stop,
  };
  if (host) {
    pthread_rwlock_wrlock(&x->exclusive);
    mh_hostrun(&spec, &x->results[i]);
  } else {
    pthread_rwlock_rdlock(&x->exclusive);
    mh_run(&spec, &x->results[i]);
  }
  pthread_rwlock_unlock(&x->exclusive);
}

static int save(struct ctx *x) {
  mh_results_touch(x->doc);
  return mh_json_write_atomic(x->out, x->doc, &x->write_err);
}

static void done(void *arg, size_t i) {
  struct ctx *x = arg;
  const struct mh_slot *s = &x->slots[i];
  struct mh_run_result *r = &x->results[i];
  if (r->status != MH_RUN_INTERRUPTED && !x->write_failed) {
    struct mh_run_meta m = {.id = s->id,
                            .timing = mh_timing_name(s->timing),
                            .workload = x->c.workloads[s->workload].name,
                            .variant = mh_variant_name(s->variant),
                            .accel = accel_of(x, s->timing),
                            .rep = s->rep};
    json_object_array_add(x->runs, mh_run_record(&m, r));
    if (save(x) < 0) {
      // Without a place to put results, running on only burns time.
      x->write_failed = true;
      atomic_store(&x->stop, true);
      mh_proc_shutdown_all();
    }
    mh_progress_step(&x->progress, s->id, mh_run_status_name(r->status), r->wall_s, r->reason);
  }
  mh_run_result_free(r);
}

static int count_bad_runs(json_object *runs) {
  int bad = 0;
  for (size_t i = 0; i < json_object_array_length(runs); i++) {
    json_object *r = json_object_array_get_idx(runs, i), *st;
    if (json_object_object_get_ex(r, "status", &st) &&
        strcmp(json_object_get_string(st), "ok") != 0)
      bad++;
  }
  return bad;
}

static int execute(struct ctx *x) {
  size_t *todo = malloc((x->nslots ? x->nslots : 1) * sizeof *todo), ntodo = 0;
  x->results = calloc(x->nslots ? x->nslots : 1, sizeof *x->results);
  if (!todo || !x->results) {
    free(todo);
    return -1;
  }
  json_object *done_ids = mh_results_id_set(x->runs);
  for (size_t i = 0; i < x->nslots; i++)
    if (!mh_results_id_in(done_ids, x->slots[i].id))
      todo[ntodo++] = i;
  json_object_put(done_ids);
  if (x->nslots - ntodo)
    fprintf(stderr, "memharness: resuming: %zu of %zu runs already done\n", x->nslots - ntodo,
            x->nslots);
  mh_progress_init(&x->progress, stderr, x->nslots, x->nslots - ntodo);
  int jobs = x->o->jobs ? x->o->jobs : x->c.jobs;
  int rc = mh_pool_run(jobs, todo, ntodo, task, done, x, &x->stop);
  mh_progress_end(&x->progress);
  free(todo);
  return rc;
}

// The one way a run ends after SIGINT/SIGTERM/SIGHUP, whatever it was doing:
// an overhead document in memory is marked and saved (a fault campaign's
// mh_faults_cmd marks its own), and the user learns how to continue.
static int interrupted(struct ctx *x) {
  if (x->doc && !x->write_failed) {
    mh_json_set_str(x->doc, "status", "interrupted");
    save(x);
  }
  int sig = atomic_load(&x->signo);
  const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
  if (!x->out) {
    fprintf(stderr, "memharness: interrupted by %s before the campaign was read\n", name);
    return MH_EXIT_INTERRUPTED;
  }
  struct stat st;
  if (stat(x->out, &st) == 0)
    fprintf(stderr, "memharness: interrupted by %s; finished results are kept in %s\n", name,
            x->out);
  else
    fprintf(stderr, "memharness: interrupted by %s before the first result was saved\n", name);
  fprintf(stderr, "memharness: continue with: memharness run %s -o %s --resume", x->o->campaign,
          x->out);
  // Options that select what is run or with what must be given again.
  if (x->o->shard.n)
    fprintf(stderr, " --shard %u/%u", x->o->shard.k, x->o->shard.n);
  if (x->o->trials)
    fprintf(stderr, " --trials %d", x->o->trials);
  if (x->o->build_dir)
    fprintf(stderr, " --build-dir %s", x->o->build_dir);
  if (x->o->qemu)
    fprintf(stderr, " --qemu %s", x->o->qemu);
  fputc('\n', stderr);
  return MH_EXIT_INTERRUPTED;
}

// Errors after a stop are its consequences (killed QEMUs, refused spawns):
// they are not reported, the interruption is.
static int failed(struct ctx *x, int rc, const char *msg) {
  if (atomic_load(&x->stop))
    return interrupted(x);
  fprintf(stderr, "memharness: %s\n", msg);
  return rc;
}

static int finish(struct ctx *x) {
  if (x->write_failed) {
    fprintf(stderr,
            "memharness: %s\nmemharness: stopped; runs finished before this error are in "
            "%s\n",
            x->write_err.msg, x->out);
    return MH_EXIT_INTERNAL;
  }
  if (atomic_load(&x->stop))
    return interrupted(x);
  json_object *sums = mh_overhead_summarize(&x->c, x->runs);
  json_object_object_add(x->doc, "summaries", sums);
  mh_json_set_str(x->doc, "status", "complete");
  if (save(x) < 0) {
    fprintf(stderr, "memharness: %s\n", x->write_err.msg);
    return MH_EXIT_INTERNAL;
  }
  mh_print_overhead(stdout, sums);
  int bad = count_bad_runs(x->runs);
  printf("\nresults: %s (%zu runs, %d not ok)\n", x->out, json_object_array_length(x->runs), bad);
  if (bad)
    return MH_EXIT_RUNS_FAILED;
  return mh_overhead_thresholds_met(sums) ? MH_EXIT_OK : MH_EXIT_THRESHOLD;
}

// ---- the command ----

static int open_results(struct ctx *x, const char *sha) {
  struct mh_err e;
  int policy = mh_results_policy(x->out, x->o->resume, x->o->fresh, &e);
  if (policy < 0) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  if (policy == MH_RESULTS_RESUME) {
    x->doc = mh_json_load(x->out, &e);
    json_object *runs = x->doc ? mh_results_resumable(x->doc, sha, &e) : NULL;
    if (!runs) {
      json_object_put(x->doc);
      x->doc = NULL; // not ours to mark interrupted
      fprintf(stderr, "memharness: cannot resume %s: %s\n", x->out, e.msg);
      return MH_EXIT_USAGE;
    }
    x->runs = runs;
    accel_from_doc(x);
    mh_json_set_str(x->doc, "status", "running");
    return 0;
  }
  return -1; // start a new document once the accelerator is known
}

static void default_output(const struct mh_campaign *c, char *out, size_t cap) {
  mkdir("results", 0755);
  snprintf(out, cap, "results/%s.json", c->name);
}

// --trials N: the campaign as run has N trials, and its results say so
// (the recorded campaign is what replay and merge read).
static int apply_trials(struct ctx *x) {
  json_object *f;
  if (!x->c.has_faults || !json_object_object_get_ex(x->c.root, "faults", &f)) {
    fprintf(stderr,
            "memharness: --trials sets the trials of a fault campaign; %s has no $.faults "
            "section (an overhead campaign's runs are set by \"repetitions\")\n",
            x->o->campaign);
    return -1;
  }
  x->c.faults.trials = x->o->trials;
  x->c.faults.margin = 0; // a number of trials, no longer a target precision
  json_object_object_add(f, "trials", json_object_new_int(x->o->trials));
  return 0;
}

// Everything that can fail without running anything, before the first run:
// the campaign, the results file's directory, the kernels, QEMU.
static int prepare(struct ctx *x, char *sha, char *qemu_version, size_t vcap) {
  struct mh_err e;
  if (mh_campaign_load(x->o->campaign, &x->c, &e) < 0) {
    fprintf(stderr, "%s\n", e.msg);
    return MH_EXIT_CAMPAIGN;
  }
  if (x->o->trials && apply_trials(x) < 0)
    return MH_EXIT_USAGE;
  if (!x->o->output)
    default_output(&x->c, x->default_out, sizeof x->default_out);
  x->out = x->o->output ? x->o->output : x->default_out;
  if (mh_results_check_writable(x->out, &e) < 0)
    return failed(x, MH_EXIT_INTERNAL, e.msg);
  // Linux-process variants come alone (campaign.c): they need no QEMU.
  bool lx = mh_variant_is_linux(x->c.variants[0]);
  if (lx)
    snprintf(qemu_version, vcap, "none (Linux processes under gdbserver)");
  if (mh_sha256_file(x->o->campaign, sha, &e) < 0 || find_kernels(x, &e) < 0 ||
      find_host_programs(x, &e) < 0 ||
      (!lx && mh_qemu_version(x->qemu, qemu_version, vcap, &e) < 0))
    return failed(x, MH_EXIT_ENV, e.msg);
  if (build_programs(x, &e) < 0)
    return failed(x, MH_EXIT_CAMPAIGN, e.msg);
  return 0;
}

static int choose_accel(struct ctx *x) {
  enum mh_variant v = x->c.variants[0];
  struct mh_accel_env env = {.qemu = x->qemu,
                             .kernel = x->files[v].kernel,
                             .disk = x->files[v].disk,
                             .mem_mb = mh_variant_min_mem_mb(v),
                             .kvm_device = x->o->kvm_device,
                             .probe_timeout_s = x->c.probe_timeout_s,
                             .stop = &x->stop};
  bool wall = false;
  for (int i = 0; i < x->c.ntimings; i++)
    wall |= x->c.timings[i] == MH_TIMING_WALL;
  struct mh_err e;
  // icount-only campaigns never use KVM, so they need no probe.
  if (mh_accel_choose(wall ? x->c.accel : MH_ACCEL_TCG, &env, &x->accel, &e) < 0)
    return failed(x, MH_EXIT_ENV, e.msg);
  if (!wall && x->c.accel != MH_ACCEL_TCG)
    snprintf(x->accel.reason, sizeof x->accel.reason, "icount-only campaign: TCG (no probe)");
  if (x->accel.probed)
    fprintf(stderr, "memharness: accelerator %s: %s\n", x->accel.used, x->accel.reason);
  return 0;
}

// Fault campaigns have their own loop and records (campaign_faults.c).
static int run_faults(struct ctx *x, const char *sha, const char *qemu_version) {
  char build[1024];
  resolve_build_dir(x, build, sizeof build);
  struct mh_faults_env env = {.campaign_path = x->o->campaign,
                              .build = build,
                              .output = x->out,
                              .qemu = x->qemu,
                              .qemu_version = qemu_version,
                              .sha = sha,
                              .resume = x->o->resume,
                              .fresh = x->o->fresh,
                              .jobs = x->o->jobs,
                              .c = &x->c,
                              .stop = &x->stop,
                              .shard = x->o->shard};
  for (int i = 0; i < MH_MAX_VARIANTS; i++) {
    env.kernel[i] = x->files[i].kernel;
    env.disk[i] = x->files[i].disk;
  }
  return mh_faults_cmd(&env);
}

static int run_campaign(struct ctx *x) {
  char sha[65], qemu_version[256];
  int rc = prepare(x, sha, qemu_version, sizeof qemu_version);
  if (rc)
    return rc;
  if (x->c.has_faults) {
    rc = run_faults(x, sha, qemu_version);
    return rc == MH_EXIT_INTERRUPTED ? interrupted(x) : rc;
  }
  // Overhead runs are few and their icount figures exact on any host; a
  // shard of them would only split one table over machines (docs/slurm.md).
  if (x->o->shard.n) {
    fprintf(stderr,
            "memharness: --shard splits the trials of fault campaigns; %s has no "
            "$.faults section: run it without --shard\n",
            x->o->campaign);
    return MH_EXIT_USAGE;
  }
  rc = open_results(x, sha);
  if (rc > 0)
    return rc;
  if (rc < 0) {
    if ((rc = choose_accel(x)) != 0)
      return rc;
    if (atomic_load(&x->stop))
      return interrupted(x);
    x->doc = new_doc(x, sha, qemu_version);
    json_object_object_get_ex(x->doc, "runs", &x->runs);
  }
  if (mh_overhead_plan(&x->c, &x->slots, &x->nslots) < 0 || save(x) < 0) {
    x->write_failed = true;
    return failed(x, MH_EXIT_INTERNAL, x->write_err.msg[0] ? x->write_err.msg : "out of memory");
  }
  fprintf(stderr, "memharness: campaign %s: %zu runs, %d job(s), results in %s\n", x->c.name,
          x->nslots, x->o->jobs ? x->o->jobs : x->c.jobs, x->out);
  if (execute(x) < 0) {
    fprintf(stderr, "memharness: cannot start worker threads\n");
    return MH_EXIT_INTERNAL;
  }
  return finish(x);
}

int mh_cmd_run(const struct mh_run_opts *o) {
  struct ctx *x = calloc(1, sizeof *x);
  if (!x)
    return MH_EXIT_INTERNAL;
  x->o = o;
  x->qemu = o->qemu ? o->qemu : MH_QEMU_DEFAULT;
  pthread_rwlockattr_t ra;
  pthread_rwlockattr_init(&ra);
  // A waiting host run goes before new QEMU runs start.
  pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&x->exclusive, &ra);
  pthread_rwlockattr_destroy(&ra);
  // Signals go to the signal thread only; workers and QEMU children never see them.
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  pthread_t sig;
  bool have_sig = pthread_create(&sig, NULL, signal_thread, x) == 0;
  mh_run_sweep_stale();
  // Every mh_run reaps its QEMU before returning, so none outlives this call.
  int rc = run_campaign(x);
  // A failure that a stop caused (a refused spawn, a killed QEMU) on a path
  // that did not check for it is still an interruption.
  if (atomic_load(&x->stop) && (rc == MH_EXIT_ENV || rc == MH_EXIT_INTERNAL) && !x->write_failed)
    rc = interrupted(x);
  if (have_sig) {
    pthread_kill(sig, SIGUSR1);
    pthread_join(sig, NULL);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  json_object_put(x->doc);
  mh_campaign_free(&x->c);
  free(x->slots);
  free(x->results);
  free(x->hostprog[0]);
  free(x->hostprog[1]);
  pthread_rwlock_destroy(&x->exclusive);
  free(x);
  return rc;
}
