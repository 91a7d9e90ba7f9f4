// Error reporting without globals: callers own a struct mh_err and modules
// fill it, so every message can name the thing that failed and what to do.
#ifndef MH_ERR_H
#define MH_ERR_H

#define MH_ERR_CAP 4096

struct mh_err {
  char msg[MH_ERR_CAP];
};

// Formats into e (when e is non-NULL) and returns -1, for `return mh_fail ...`.
// The arguments may point into e->msg (formatting goes through a copy), but
// to add context to the message already in e use mh_err_prefix/suffix: the
// lint_err_selfformat test refuses mh_fail calls that take an error's msg.
int mh_fail(struct mh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Puts formatted context before the message already in e ("reading x: " +
// old message) and returns -1, e.g. `return mh_err_prefix(e, "%s: ", path)`.
int mh_err_prefix(struct mh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Appends formatted text (advice, a hint) to the message already in e; returns -1.
int mh_err_suffix(struct mh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Appends a line to e; used by validators that report every problem at once.
void mh_err_append(struct mh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Like mh_fail, with ": strerror(errno)" appended.
int mh_fail_errno(struct mh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Process exit codes of memharness (documented in --help and docs/results.md).
enum mh_exit {
  MH_EXIT_OK = 0,
  MH_EXIT_RUNS_FAILED = 1,  // campaign finished, some run did not meet its expectation
  MH_EXIT_USAGE = 2,        // bad command line
  MH_EXIT_CAMPAIGN = 3,     // campaign file unreadable or invalid
  MH_EXIT_ENV = 4,          // missing tool, kernel, disk image or accelerator
  MH_EXIT_INTERNAL = 5,     // harness I/O or internal error (results kept)
  MH_EXIT_THRESHOLD = 7,    // all runs fine, but an overhead threshold was exceeded
  MH_EXIT_INTERRUPTED = 130 // SIGINT/SIGTERM: finished runs saved, --resume continues
};

#endif
