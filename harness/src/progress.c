#include "progress.h"

#include <string.h>
#include <unistd.h>

#include "util.h"

void mh_format_duration(double s, char *out, size_t cap) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(out, cap, "%ldh%02ldm", t / 3600, t % 3600 / 60);
  else if (t >= 60)
    snprintf(out, cap, "%ldm%02lds", t / 60, t % 60);
  else
    snprintf(out, cap, "%lds", t);
}

void mh_progress_init(struct mh_progress *p, FILE *out, size_t total, size_t skipped) {
  memset(p, 0, sizeof *p);
  p->out = out;
  p->tty = isatty(fileno(out));
  p->total = total;
  p->skipped = skipped;
  p->done = skipped;
  p->start = mh_now();
}

void mh_progress_step(struct mh_progress *p, const char *id, const char *status, double wall_s,
                      const char *reason) {
  p->done++;
  bool bad = strcmp(status, "ok") != 0;
  p->failed += bad;
  double el = mh_now() - p->start;
  size_t fresh = p->done - p->skipped;
  double rate = el > 0 ? (double)fresh / el : 0;
  char eta[32] = "?", elapsed[32];
  if (rate > 0)
    mh_format_duration((double)(p->total - p->done) / rate, eta, sizeof eta);
  mh_format_duration(el, elapsed, sizeof elapsed);
  if (p->tty) {
    // A failure gets its own line so it survives the redraw.
    if (bad)
      fprintf(p->out, "\r\033[K%s: %s (%s)\n", id, status, reason);
    fprintf(p->out, "\r\033[K[%zu/%zu] %3.0f%%  %.1f runs/min  elapsed %s  ETA %s  failed %zu",
            p->done, p->total, 100.0 * (double)p->done / (double)(p->total ? p->total : 1),
            rate * 60, elapsed, eta, p->failed);
  } else {
    fprintf(p->out, "memharness: run %zu/%zu %s %s %.2fs%s%s\n", p->done, p->total, id, status,
            wall_s, bad ? " " : "", bad ? reason : "");
  }
  fflush(p->out);
}

void mh_progress_end(struct mh_progress *p) {
  if (p->tty && p->done > p->skipped)
    fputc('\n', p->out);
  fflush(p->out);
}
