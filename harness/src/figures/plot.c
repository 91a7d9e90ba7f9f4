#include "plot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "figdata.h"
#include "figfaults.h"
#include "proc.h"
#include "samples.h"

#ifndef MH_PLOT_SCRIPTS
#define MH_PLOT_SCRIPTS "scripts/plot" // CMake passes the source tree's absolute path
#endif

#define GNUPLOT_TIMEOUT_MS 120000

static const char *const formats[] = {"pdf", "svg", "png"};

static int mkdirs(const char *dir, struct mh_err *e) {
  char p[4096];
  if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
    return mh_fail(e, "%s: path too long", dir);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
      return mh_fail_errno(e, "cannot create %s", p);
    *s = '/';
  }
  if (mkdir(p, 0755) < 0 && errno != EEXIST)
    return mh_fail_errno(e, "cannot create %s", p);
  return 0;
}

// Workload names become file names: keep them to a safe alphabet.
static void safe_name(char *dst, size_t cap, const char *src) {
  size_t i = 0;
  for (; src[i] && i + 1 < cap; i++) {
    char c = src[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    dst[i] = ok ? c : '_';
  }
  dst[i] = 0;
}

// gnuplot and the scripts must be there before anything is drawn, so a
// missing tool is one clear message instead of one per figure.
static int check_tools(const char *gnuplot, const char *scripts, struct mh_err *e) {
  char path[4096];
  snprintf(path, sizeof path, "%s/overhead.gp", scripts);
  if (access(path, R_OK) < 0)
    return mh_fail_errno(e,
                         "gnuplot script %s missing (pass --scripts DIR, the repository's "
                         "scripts/plot)",
                         path);
  char *argv[] = {(char *)gnuplot, "--version", NULL};
  char out[256];
  if (mh_proc_capture(argv, out, sizeof out, 10000, e) != 0)
    return mh_fail(e,
                   "%s cannot be run: install gnuplot (Debian: apt-get install gnuplot-nox, or "
                   "./scripts/setup) or pass --gnuplot PATH",
                   gnuplot);
  return 0;
}

// gnuplot -e "width='W'; SETTINGS" -c SCRIPT DATA OUT, argv only; then every
// format must exist and be non-empty.
// Where a figure goes (OUTDIR/NAME without extension), its data file and
// the gnuplot script that draws it; -1 with e when a path does not fit.
struct fig_paths {
  char out[4200], data[4200], script[4200];
};

static int fig_paths(const struct mh_plot_opts *o, const char *scripts, const char *name,
                     const char *script, struct fig_paths *p, struct mh_err *e) {
  if (snprintf(p->out, sizeof p->out, "%s/%s", o->outdir, name) >= (int)sizeof p->out - 8 ||
      snprintf(p->data, sizeof p->data, "%s.dat", p->out) >= (int)sizeof p->data ||
      snprintf(p->script, sizeof p->script, "%s/%s", scripts, script) >= (int)sizeof p->script)
    return mh_fail(e, "%s: output path too long", o->outdir);
  return 0;
}

static int draw(const struct mh_plot_opts *o, const char *gnuplot, const char *script,
                const char *data, const char *out, const char *settings, struct mh_err *e) {
  char set[8192];
  if (snprintf(set, sizeof set, "width='%s'; %s", o->width ? o->width : "single", settings) >=
      (int)sizeof set)
    return mh_fail(e, "%s: figure settings too long", data);
  char *argv[] = {(char *)gnuplot, "-e",         set,         "-c",
                  (char *)script,  (char *)data, (char *)out, NULL};
  char msg[4096];
  int rc = mh_proc_capture(argv, msg, sizeof msg, GNUPLOT_TIMEOUT_MS, e);
  if (rc != 0)
    return rc < 0 ? -1 : mh_fail(e, "gnuplot %s %s failed (exit %d):\n%s", script, data, rc, msg);
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    char f[4200];
    struct stat st;
    if (snprintf(f, sizeof f, "%s.%s", out, formats[i]) >= (int)sizeof f || stat(f, &st) < 0 ||
        st.st_size == 0)
      return mh_fail(e, "gnuplot %s wrote no %s:\n%s", script, f, msg);
  }
  return 0;
}

// Figure (a) for every (timing, workload) summary. Returns the number drawn
// or -1 with e.
static int overhead_figures(const struct mh_plot_opts *o, json_object *doc, const char *gnuplot,
                            const char *scripts, struct mh_err *e) {
  json_object *sums = mh_jget(doc, "summaries");
  int drawn = 0;
  for (size_t i = 0; i < json_object_array_length(sums); i++) {
    json_object *s = json_object_array_get_idx(sums, i);
    const char *timing = mh_jstr(s, "timing"), *workload = mh_jstr(s, "workload");
    if (!timing || !workload)
      continue;
    char name[160], settings[4096];
    char t[32], w[96];
    safe_name(t, sizeof t, timing);
    safe_name(w, sizeof w, workload);
    snprintf(name, sizeof name, "overhead-%s-%s", t, w);
    struct fig_paths fp = {.out = ""};
    if (fig_paths(o, scripts, name, "overhead.gp", &fp, e) < 0)
      return -1;
    int n = mh_figdata_overhead(doc, o->results, timing, workload, fp.data, settings,
                                sizeof settings, e);
    if (n < 0)
      return -1;
    if (n == 0) {
      fprintf(stderr,
              "plot: %s/%s skipped: no compared test (none has samples of native and another "
              "variant, or all are not_compared)\n",
              timing, workload);
      continue;
    }
    if (draw(o, gnuplot, fp.script, fp.data, fp.out, settings, e) < 0)
      return -1;
    printf("plot: %s.{pdf,svg,png}  (%d tests; data %s)\n", fp.out, n, fp.data);
    drawn++;
  }
  return drawn;
}

static bool has_summary(json_object *sums, const char *timing, const char *workload) {
  for (size_t i = 0; i < json_object_array_length(sums); i++) {
    json_object *s = json_object_array_get_idx(sums, i);
    const char *t = mh_jstr(s, "timing"), *w = mh_jstr(s, "workload");
    if (t && w && strcmp(t, timing) == 0 && strcmp(w, workload) == 0)
      return true;
  }
  return false;
}

// The exact figure beside real hardware: a workload timed both under
// icount and as host processes of modes[1] (host: i386, host64: x86-64)
// gets one more figure with both ratios per test
// (overhead-icount-MODE-WORKLOAD). Returns the number drawn or -1.
static int timing_figures_of(const struct mh_plot_opts *o, json_object *doc, const char *gnuplot,
                             const char *scripts, const char *const modes[2], struct mh_err *e) {
  json_object *sums = mh_jget(doc, "summaries");
  int drawn = 0;
  for (size_t i = 0; i < json_object_array_length(sums); i++) {
    json_object *s = json_object_array_get_idx(sums, i);
    const char *timing = mh_jstr(s, "timing"), *workload = mh_jstr(s, "workload");
    if (!timing || !workload || strcmp(timing, modes[0]) != 0 ||
        !has_summary(sums, modes[1], workload))
      continue;
    char name[160], settings[4096], w[96];
    safe_name(w, sizeof w, workload);
    snprintf(name, sizeof name, "overhead-icount-%s-%s", modes[1], w);
    struct fig_paths fp = {.out = ""};
    if (fig_paths(o, scripts, name, "overhead.gp", &fp, e) < 0)
      return -1;
    int n =
        mh_figdata_timings(doc, o->results, workload, modes, fp.data, settings, sizeof settings, e);
    if (n < 0)
      return -1;
    if (n == 0) {
      fprintf(stderr, "plot: icount-%s/%s skipped: a timing mode has no compared test\n", modes[1],
              workload);
      continue;
    }
    if (draw(o, gnuplot, fp.script, fp.data, fp.out, settings, e) < 0)
      return -1;
    printf("plot: %s.{pdf,svg,png}  (%d tests, icount beside %s; data %s)\n", fp.out, n, modes[1],
           fp.data);
    drawn++;
  }
  return drawn;
}

static int timing_figures(const struct mh_plot_opts *o, json_object *doc, const char *gnuplot,
                          const char *scripts, struct mh_err *e) {
  int drawn = 0;
  for (int k = 0; k < 2; k++) {
    const char *const modes[2] = {"icount", k ? "host64" : "host"};
    int n = timing_figures_of(o, doc, gnuplot, scripts, modes, e);
    if (n < 0)
      return -1;
    drawn += n;
  }
  return drawn;
}

// The figures of a fault campaign (docs/results.md "Fault campaigns").
struct fault_fig {
  const char *name, *script, *data_desc;
  int (*write)(json_object *doc, const char *results_path, const char *path, char *settings,
               size_t cap, struct mh_err *e);
};
static const struct fault_fig fault_figs[] = {
    {"fault-outcomes", "outcomes.gp", "trial outcomes", mh_figdata_outcomes},
    {"failure-rate", "failrate.gp", "fault trials that sampled a frame", mh_figdata_failrate},
    {"recovery-latency", "latency.gp", "recovered machine checks with cycles", mh_figdata_latency},
    {"campaign-rate", "rate.gp", "campaign rate ($.faults.summary.rate)", mh_figdata_rate},
};

// Returns the number drawn or -1 with e.
static int fault_figures(const struct mh_plot_opts *o, json_object *doc, const char *gnuplot,
                         const char *scripts, struct mh_err *e) {
  int drawn = 0;
  for (size_t i = 0; i < sizeof fault_figs / sizeof *fault_figs; i++) {
    const struct fault_fig *f = &fault_figs[i];
    char settings[4096] = "";
    struct fig_paths fp = {.out = ""};
    if (fig_paths(o, scripts, f->name, f->script, &fp, e) < 0)
      return -1;
    int n = f->write(doc, o->results, fp.data, settings, sizeof settings, e);
    if (n < 0)
      return -1;
    if (n == 0) {
      fprintf(stderr, "plot: %s figure skipped: the results hold no %s\n", f->name, f->data_desc);
      continue;
    }
    if (draw(o, gnuplot, fp.script, fp.data, fp.out, settings, e) < 0)
      return -1;
    printf("plot: %s.{pdf,svg,png}  (data %s)\n", fp.out, fp.data);
    drawn++;
  }
  return drawn;
}

// Figures whose data the results do not hold are skipped by name, so a
// reader of the output knows they were not forgotten (docs/figures.md); on
// stderr: stdout lists only the files written (data).
static void report_skipped(bool faults) {
  if (faults)
    fprintf(stderr, "plot: overhead figures skipped: a fault campaign has no runs or summaries\n");
  else
    fprintf(stderr, "plot: fault-outcome, failure-rate, recovery-latency and campaign-rate "
                    "figures skipped: the results hold no trial records ($.trials, written by "
                    "fault campaigns)\n");
  fprintf(stderr, "plot: dedup figure skipped: the results hold no dedup measurements\n");
}

int mh_cmd_plot(const struct mh_plot_opts *o) {
  struct mh_err e = {{0}};
  const char *gnuplot = o->gnuplot ? o->gnuplot : "gnuplot";
  const char *scripts = o->scripts ? o->scripts : MH_PLOT_SCRIPTS;
  if (o->width && strcmp(o->width, "single") != 0 && strcmp(o->width, "double") != 0) {
    fprintf(stderr,
            "memharness plot: --width %s: expected single (one column, 3.3 in) or double (7 in)\n",
            o->width);
    return MH_EXIT_USAGE;
  }
  json_object *doc = mh_results_open(o->results, &e);
  if (!doc) {
    fprintf(stderr, "memharness plot: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  int rc = MH_EXIT_OK;
  if (check_tools(gnuplot, scripts, &e) < 0)
    rc = MH_EXIT_ENV;
  else if (mkdirs(o->outdir, &e) < 0)
    rc = MH_EXIT_INTERNAL;
  bool faults = json_object_is_type(mh_jget(doc, "trials"), json_type_array);
  int drawn = 0;
  if (rc == MH_EXIT_OK)
    drawn = faults ? fault_figures(o, doc, gnuplot, scripts, &e)
                   : overhead_figures(o, doc, gnuplot, scripts, &e);
  if (rc == MH_EXIT_OK && !faults && drawn > 0) {
    int more = timing_figures(o, doc, gnuplot, scripts, &e);
    drawn = more < 0 ? -1 : drawn + more;
  }
  if (drawn < 0)
    rc = MH_EXIT_INTERNAL;
  if (rc != MH_EXIT_OK)
    fprintf(stderr, "memharness plot: %s\n", e.msg);
  else if (drawn == 0) {
    fprintf(stderr, "memharness plot: %s: no %s to draw (see %s)\n", o->results,
            faults ? "fault-campaign data"
                   : "overhead data (no run produced samples of both variants)",
            faults ? "$.trials, $.faults.summary" : "$.runs");
    rc = MH_EXIT_USAGE;
  } else
    report_skipped(faults);
  json_object_put(doc);
  return rc;
}
