#include "faultcheck.h"

#include <stdio.h>
#include <string.h>

#include "elfsym.h"
#include "fault.h"
#include "target.h"

static bool user_kind(enum mh_fault_kind k) {
  return k == MH_FK_NATIVE || k == MH_FK_MIRROR || k == MH_FK_USER;
}

// A kernel target.page names "kstack", "pgdir", a va or a kernel symbol:
// a symbol the kernel lacks is refused before any trial runs.
static int kernel_page_check(const char *page, const char *kernel, struct mh_err *e) {
  if (!strcmp(page, "kstack") || !strcmp(page, "pgdir"))
    return 0;
  uint64_t a;
  char why[sizeof e->msg];
  if (mh_elf_address(kernel, page, &a, e) == 0)
    return 0;
  snprintf(why, sizeof why, "%s", e->msg);
  return mh_fail(e,
                 "$.faults.target.page: %s: %.200s; name \"kstack\", \"pgdir\", a kernel va "
                 "(0x...) or a kernel symbol",
                 page, why);
}

int mh_faults_check_files(const struct mh_campaign *c, const char *kernel, const char *elf,
                          struct mh_err *e) {
  const struct mh_faults *fm = &c->faults;
  if (user_kind(fm->kind) && (fm->region == MH_FR_TEXT || fm->region == MH_FR_DATA)) {
    struct mh_user_layout l;
    if (mh_user_layout(elf, &l, e) < 0)
      return -1;
    bool text = fm->region == MH_FR_TEXT;
    if ((text ? l.text_hi - l.text_lo : l.data_hi - l.data_lo) == 0)
      return mh_fail(e,
                     "$.faults.target.region: %s has no %s pages (no %s segment): choose "
                     "another region or workload",
                     elf, text ? "text" : "data", text ? "executable" : "writable");
  }
  if (fm->page &&
      (fm->kind == MH_FK_KERNEL || fm->kind == MH_FK_PGTABLE || fm->kind == MH_FK_KMIRROR) &&
      kernel_page_check(fm->page, kernel, e) < 0)
    return -1;
  uint64_t done;
  struct mh_err ignore;
  if (fm->trap == MH_FT_MCE && fm->count > 1 &&
      mh_elf_symbol(kernel, "mce_done", &done, NULL, &ignore) < 0)
    return mh_fail(e,
                   "$.faults.count: %d machine checks per trial need the kernel's mce_done "
                   "hook (the next one is raised only once the kernel has handled the "
                   "previous), and %s has no such symbol: use count 1 or a newer kernel",
                   fm->count, kernel);
  return 0;
}

// The last (up to) three reference lines of the golden run, joined with
// " | ", for a message.
static void last_lines(const char *output, char *out, size_t cap) {
  size_t n = output ? strlen(output) : 0, start = n;
  for (int lines = 0; start > 0 && lines < 4; start--)
    lines += output[start - 1] == '\n';
  if (start > 0 || (n && output[0] == '\n'))
    start += 1; // just past the newline that ends the fourth-last line
  size_t k = 0;
  out[0] = 0;
  for (size_t i = start; i < n && k + 4 < cap; i++) {
    if (output[i] != '\n')
      out[k++] = output[i];
    else if (i + 1 < n)
      k += (size_t)snprintf(out + k, cap - k, " | ");
  }
  out[k < cap ? k : cap - 1] = 0;
  if (!out[0])
    snprintf(out, cap, "no output");
}

// Each expected text within one line of the golden run's output.
static int check_expect(const struct mh_campaign *c, const char *cmdline, const struct mh_golden *g,
                        struct mh_err *e) {
  int wi = c->faults.workload;
  const struct mh_workload *w = &c->workloads[wi];
  if (g->status != w->expect_status) {
    char last[160];
    last_lines(g->output, last, sizeof last);
    return mh_fail(e,
                   "$.workloads[%d].expect.status: %d, but the golden run of %s exited with "
                   "status %d (it ended with: %s): fix the expectation or the workload",
                   wi, w->expect_status, cmdline, g->status, last);
  }
  for (int i = 0; i < w->nexpect_output; i++) {
    bool seen = false;
    for (const char *p = g->lines; p && *p && !seen;) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      const char *hit = strstr(p, w->expect_output[i]);
      seen = hit && (size_t)(hit - p) + strlen(w->expect_output[i]) <= n;
      p += n + (nl ? 1 : 0);
    }
    if (!seen)
      return mh_fail(e,
                     "$.workloads[%d].expect.output[%d]: \"%.200s\" is not in any line the "
                     "golden run of %s printed",
                     wi, i, w->expect_output[i], cmdline);
  }
  return 0;
}

int mh_faults_check_golden(const struct mh_campaign *c, const char *cmdline,
                           const struct mh_golden *g, const int *todo, int ntodo, FILE *warn,
                           struct mh_err *e) {
  const struct mh_faults *fm = &c->faults;
  if (check_expect(c, cmdline, g, e) < 0)
    return -1;
  if (fm->when == MH_FW_BREAKPOINT && g->hits == 0)
    return mh_fail(e,
                   "$.faults.when.breakpoint: the golden run of %s never reaches %s after "
                   "main(): choose a function it calls",
                   cmdline, fm->breakpoint);
  if (fm->when == MH_FW_BREAKPOINT && fm->when_hi > g->hits)
    return mh_fail(e,
                   "$.faults.when.hits: the golden run of %s hits %s %d times, fewer than "
                   "the range's maximum %lld; lower it",
                   cmdline, fm->breakpoint, g->hits, (long long)fm->when_hi);
  if (fm->when != MH_FW_DELAY_MS)
    return 0;
  // Host time: a trial whose delay is past the golden run's end most
  // likely finds the workload finished and injects nothing.
  double end_ms = g->wall_s * 1000;
  int late = 0;
  for (int i = 0; i < ntodo; i++) {
    struct mh_trial_plan p;
    mh_fault_plan(fm, todo[i], mh_trial_seed(fm->seed, todo[i]), &p);
    late += (double)p.when >= end_ms;
  }
  if (ntodo > 0 && late == ntodo)
    return mh_fail(e,
                   "$.faults.when.delay_ms: [%lld, %lld] ms, but the golden run of %s ends "
                   "%.0f ms after main(): every trial would inject nothing; choose delays "
                   "below that",
                   (long long)fm->when_lo, (long long)fm->when_hi, cmdline, end_ms);
  if (late && warn)
    fprintf(warn,
            "memharness: warning: $.faults.when.delay_ms: the golden run of %s ends %.0f ms "
            "after main(); %d of %d trials have a later delay and will most likely inject "
            "nothing (benign, \"nothing injected\")\n",
            cmdline, end_ms, late, ntodo);
  return 0;
}

double mh_faults_trial_timeout(const struct mh_campaign *c, const struct mh_golden *g) {
  double t = g->hang_icount > 0 ? c->run_timeout_s : c->faults.hang_factor * g->wall_s;
  if (t < 30)
    t = 30;
  return t > c->run_timeout_s ? c->run_timeout_s : t;
}
