// Progress reporting on stderr, the same for overhead runs and fault
// trials: a redrawn line on a terminal, quiet lines otherwise (logs, CI);
// both with elapsed time, rate and ETA.
#ifndef MH_PROGRESS_H
#define MH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mh_progress {
  FILE *out;
  bool tty;
  bool open;        // a redrawn line without its newline is on the terminal
  const char *unit; // "runs" (default) or "trials"
  size_t total, done, failed;
  size_t skipped; // already finished before a --resume
  double start;
};

void mh_progress_init(struct mh_progress *p, FILE *out, size_t total, size_t skipped);
// One run finished: id, its status word and its wall time (a line per run
// when not on a terminal).
void mh_progress_step(struct mh_progress *p, const char *id, const char *status, double wall_s,
                      const char *reason);
// One trial finished (bad: it counts as failed); not on a terminal only
// every `every`-th and the last print a line.
void mh_progress_count(struct mh_progress *p, bool bad, size_t every);
// Clears the redrawn line before another message goes to the same stream.
void mh_progress_note(struct mh_progress *p);
// Ends the redrawn line, so what follows (the table) starts on its own line.
void mh_progress_end(struct mh_progress *p);
// "1h02m", "3m05s", "42s" for rates and ETAs.
void mh_format_duration(double s, char *out, size_t cap);

#endif
