// Progress reporting: a redrawn line on a terminal, one quiet line per
// finished run otherwise (logs, CI).
#ifndef MH_PROGRESS_H
#define MH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mh_progress {
  FILE *out;
  bool tty;
  size_t total, done, failed;
  size_t skipped; // already finished before a --resume
  double start;
};

void mh_progress_init(struct mh_progress *p, FILE *out, size_t total, size_t skipped);
// One run finished: id, its status word and its wall time.
void mh_progress_step(struct mh_progress *p, const char *id, const char *status, double wall_s,
                      const char *reason);
void mh_progress_end(struct mh_progress *p);
// "1h02m", "3m05s", "42s" for rates and ETAs.
void mh_format_duration(double s, char *out, size_t cap);

#endif
