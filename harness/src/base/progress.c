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
  p->unit = "runs";
}

// Elapsed time, rate per second and ETA: they count only what ran in this
// process (not a --resume's past).
static double times(const struct mh_progress *p, char *elapsed, char *eta, size_t cap) {
  double el = mh_now() - p->start;
  double rate = el > 0 ? (double)(p->done - p->skipped) / el : 0;
  snprintf(eta, cap, "?");
  if (rate > 0)
    mh_format_duration((double)(p->total - p->done) / rate, eta, cap);
  mh_format_duration(el, elapsed, cap);
  return rate;
}

// "[12/40]  30%  4.1 runs/min  elapsed 2m55s  ETA 6m50s  failed 0"
static void status_line(const struct mh_progress *p, char *buf, size_t cap) {
  char eta[32], elapsed[32];
  double rate = times(p, elapsed, eta, sizeof eta);
  snprintf(buf, cap, "[%zu/%zu] %3.0f%%  %.1f %s/min  elapsed %s  ETA %s  failed %zu", p->done,
           p->total, 100.0 * (double)p->done / (double)(p->total ? p->total : 1), rate * 60,
           p->unit, elapsed, eta, p->failed);
}

void mh_progress_step(struct mh_progress *p, const char *id, const char *status, double wall_s,
                      const char *reason) {
  p->done++;
  bool bad = strcmp(status, "ok") != 0;
  p->failed += bad;
  if (p->tty) {
    char line[256];
    status_line(p, line, sizeof line);
    // A failure gets its own line so it survives the redraw.
    if (bad)
      fprintf(p->out, "\r\033[K%s: %s (%s)\n", id, status, reason);
    fprintf(p->out, "\r\033[K%s", line);
    p->open = true;
  } else {
    char eta[32], elapsed[32];
    times(p, elapsed, eta, sizeof eta);
    fprintf(p->out, "memharness: run %zu/%zu %s %s %.2fs%s%s  elapsed %s  ETA %s\n", p->done,
            p->total, id, status, wall_s, bad ? " " : "", bad ? reason : "", elapsed, eta);
  }
  fflush(p->out);
}

void mh_progress_count(struct mh_progress *p, bool bad, size_t every) {
  p->done++;
  p->failed += bad;
  if (!p->tty && p->done % (every ? every : 1) != 0 && p->done != p->total)
    return;
  char line[256];
  status_line(p, line, sizeof line);
  if (p->tty) {
    fprintf(p->out, "\r\033[K%s", line);
    p->open = true;
  } else {
    fprintf(p->out, "memharness: %s\n", line);
  }
  fflush(p->out);
}

void mh_progress_note(struct mh_progress *p) {
  if (p->open)
    fputs("\r\033[K", p->out);
  p->open = false;
}

void mh_progress_end(struct mh_progress *p) {
  if (p->open)
    fputc('\n', p->out);
  p->open = false;
  fflush(p->out);
}
