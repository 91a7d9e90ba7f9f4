// `memharness replay RESULTS.json TRIAL`: one trial of a fault campaign run
// again alone from its record (seed, campaign, kernels, golden run), and
// its outcome compared with the recorded one.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_faults.h"
#include "elfsym.h"
#include "err.h"
#include "fault.h"
#include "lxtrial.h"
#include "mh_config.h"
#include "results.h"
#include "snapshot.h"
#include "trial.h"

static json_object *get(json_object *o, const char *k) {
  json_object *v = NULL;
  return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static json_object *find_trial(json_object *doc, const char *id) {
  json_object *trials = get(doc, "trials");
  for (size_t i = 0; trials && i < json_object_array_length(trials); i++) {
    json_object *t = json_object_array_get_idx(trials, i);
    if (strcmp(json_object_get_string(get(t, "id")), id) == 0)
      return t;
  }
  return NULL;
}

// An instruction-exact trial must stop at the same instruction again.
static bool same_stop(json_object *was, json_object *now) {
  // eip: a guest's stop; pc: a Linux process's.
  static const char *const keys[] = {"icount", "eip", "pc", "at"};
  bool same = true;
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    const char *a = json_object_get_string(get(was, keys[i]));
    const char *b = json_object_get_string(get(now, keys[i]));
    if (strcmp(a ? a : "", b ? b : "") != 0) {
      printf("%s: recorded %s, now %s\n", keys[i], a ? a : "(none)", b ? b : "(none)");
      same = false;
    }
  }
  return same;
}

static void print_verdict(json_object *rec, json_object *again, const struct mh_trial_result *r,
                          bool *same) {
  const char *was = json_object_get_string(get(rec, "outcome"));
  const char *now = mh_outcome_name(r->outcome);
  *same = strcmp(was, now) == 0 && same_stop(rec, again);
  printf("trial %s: %s (%s); recorded: %s: %s\n", json_object_get_string(get(rec, "id")), now,
         r->reason, was, *same ? "same outcome" : "DIFFERENT outcome");
  printf("%s\n", json_object_to_json_string_ext(again, JSON_C_TO_STRING_PRETTY));
}

// A linux-* trial: a fresh process of the program the results name, run
// to the same hit and instruction, the same page, bits and signal.
static int replay_linux(json_object *doc, json_object *rec, const struct mh_campaign *c,
                        const char *variant) {
  const char *wname = json_object_get_string(get(rec, "workload"));
  json_object *w = get(get(get(get(doc, "faults"), variant), "workloads"), wname);
  json_object *g = get(w, "golden");
  int wi = -1;
  for (int i = 0; wname && i < c->nworkloads; i++)
    if (strcmp(c->workloads[i].name, wname) == 0)
      wi = i;
  if (!w || !g || wi < 0) {
    fprintf(stderr, "memharness: the results file lacks the golden run of %s's workload %s\n",
            variant, wname ? wname : "(none)");
    return MH_EXIT_USAGE;
  }
  const struct mh_faults *fm = &c->faults;
  struct mh_lxprog p;
  struct mh_err e;
  size_t n = strlen(variant);
  bool mirrored = n > 6 && strcmp(variant + n - 6, "-memv6") == 0;
  if (mh_lx_open(&p, json_object_get_string(get(w, "program")), mirrored, c, wi, &e) < 0) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    mh_lx_free(&p);
    return MH_EXIT_ENV;
  }
  struct mh_golden golden = {.status = json_object_get_int(get(g, "status")),
                             .output = strdup(json_object_get_string(get(g, "output"))),
                             .hits = json_object_get_int(get(g, "hits")),
                             .wall_s = json_object_get_double(get(g, "wall_s")),
                             .may_differ = fm->may_differ,
                             .nmay_differ = fm->nmay_differ};
  struct mh_trial_plan plan;
  struct mh_trial_result r;
  int t = json_object_get_int(get(rec, "trial"));
  mh_fault_plan(fm, t, strtoull(json_object_get_string(get(rec, "seed")), NULL, 0), &plan);
  mh_lx_trial(&p, fm, &golden, &plan, json_object_get_double(get(w, "trial_timeout_s")), &r);
  json_object *again =
      mh_lx_record(json_object_get_string(get(rec, "id")), variant, t, fm, &plan, &r);
  mh_json_set_str(again, "workload", wname);
  // The same instruction must give the same page (a register's value there).
  const char *was =
      json_object_get_string(get(json_object_array_get_idx(get(rec, "faults"), 0), "page"));
  const char *now =
      json_object_get_string(get(json_object_array_get_idx(get(again, "faults"), 0), "page"));
  bool same, same_page = strcmp(was ? was : "", now ? now : "") == 0;
  if (!same_page)
    printf("page: recorded %s, now %s\n", was ? was : "(none)", now ? now : "(none)");
  print_verdict(rec, again, &r, &same);
  json_object_put(again);
  mh_trial_result_free(&r);
  free(golden.output);
  same &= same_page;
  mh_lx_free(&p);
  return same ? MH_EXIT_OK : MH_EXIT_RUNS_FAILED;
}

static int replay(json_object *doc, json_object *rec, const char *qemu) {
  struct mh_campaign c;
  struct mh_err e;
  if (mh_campaign_from_json(get(doc, "campaign"), &c, &e) < 0) {
    fprintf(stderr, "memharness: the results file's campaign is not valid: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  const char *variant = json_object_get_string(get(rec, "variant"));
  if (variant && strncmp(variant, "linux-", 6) == 0) {
    int rc = replay_linux(doc, rec, &c, variant);
    mh_campaign_free(&c);
    return rc;
  }
  json_object *k = get(get(doc, "kernels"), variant), *vf = get(get(doc, "faults"), variant);
  json_object *g = get(vf, "golden");
  int rc = MH_EXIT_ENV;
  if (!k || !vf || !g) {
    fprintf(stderr, "memharness: the results file lacks the kernels or golden run of %s\n",
            variant);
    mh_campaign_free(&c);
    return MH_EXIT_USAGE;
  }
  const struct mh_faults *fm = &c.faults;
  struct mh_golden golden = {.status = json_object_get_int(get(g, "status")),
                             .output = strdup(json_object_get_string(get(g, "output"))),
                             .hits = json_object_get_int(get(g, "hits")),
                             .wall_s = json_object_get_double(get(g, "wall_s")),
                             // under icount: the budget the campaign's trials had
                             .icount_main = json_object_get_int64(get(g, "icount_main")),
                             .icount = json_object_get_int64(get(g, "icount")),
                             .hang_icount = json_object_get_int64(get(g, "hang_icount")),
                             .may_differ = fm->may_differ,
                             .nmay_differ = fm->nmay_differ};
  const char *elf = json_object_get_string(get(vf, "workload_elf"));
  uint64_t bp = 0;
  bool icount = false;
  for (int i = 0; i < c.ntimings; i++)
    icount |= c.timings[i] == MH_TIMING_ICOUNT;
  struct mh_session_opts so = {.qemu = qemu,
                               .kernel = json_object_get_string(get(k, "kernel")),
                               .disk = json_object_get_string(get(k, "disk")),
                               .workload_elf = elf,
                               .program = c.workloads[fm->workload].program,
                               .cmdline = json_object_get_string(get(vf, "cmdline")),
                               .icount = icount,
                               .mem_mb = (unsigned)json_object_get_int(get(vf, "mem_mb")),
                               .snapshot = fm->restore == MH_RESTORE_SNAPSHOT,
                               .timeout_s = c.run_timeout_s,
                               .connect_timeout_s = c.connect_timeout_s,
                               .control_timeout_s = c.control_timeout_s};
  struct mh_session s;
  struct mh_trial_plan p;
  struct mh_trial_result r = {0};
  mh_fault_plan(fm, json_object_get_int(get(rec, "trial")),
                strtoull(json_object_get_string(get(rec, "seed")), NULL, 0), &p);
  if ((fm->when == MH_FW_BREAKPOINT && mh_elf_symbol(elf, fm->breakpoint, &bp, NULL, &e) < 0) ||
      mh_session_start(&s, &so, &e) < 0) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    goto out;
  }
  if (so.snapshot && mh_session_restore(&s, &r.restore_s, &e) < 0) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    mh_session_stop(&s);
    goto out;
  }
  mh_trial_run(&s, fm, bp, &golden, &p, json_object_get_double(get(vf, "trial_timeout_s")), &r);
  mh_session_stop(&s);
  json_object *again = mh_trial_record(json_object_get_string(get(rec, "id")), variant,
                                       json_object_get_int(get(rec, "trial")), fm, &p, &r);
  bool same;
  print_verdict(rec, again, &r, &same);
  json_object_put(again);
  rc = same ? MH_EXIT_OK : MH_EXIT_RUNS_FAILED;
  mh_trial_result_free(&r);
out:
  free(golden.output);
  mh_campaign_free(&c);
  return rc;
}

int mh_cmd_replay(int argc, char **argv) {
  const char *qemu = MH_QEMU_DEFAULT;
  if (argc >= 3 && strcmp(argv[argc - 2], "--qemu") == 0) {
    qemu = argv[argc - 1];
    argc -= 2;
  }
  if (argc != 3) {
    fprintf(stderr, "memharness replay: takes RESULTS.json TRIAL [--qemu PATH] (TRIAL is a "
                    "trial id, e.g. memv6/17)\nTry 'memharness replay --help'.\n");
    return MH_EXIT_USAGE;
  }
  struct mh_err e;
  json_object *doc = mh_json_load(argv[1], &e);
  if (!doc) {
    fprintf(stderr, "memharness: %s\n", e.msg);
    return MH_EXIT_USAGE;
  }
  json_object *rec = find_trial(doc, argv[2]);
  int rc;
  if (!rec) {
    fprintf(stderr, "memharness: %s has no trial %s (ids look like memv6/17)\n", argv[1], argv[2]);
    rc = MH_EXIT_USAGE;
  } else {
    rc = replay(doc, rec, qemu);
  }
  json_object_put(doc);
  return rc;
}
