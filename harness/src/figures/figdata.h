// Data files behind the paper figures (docs/figures.md): plain columns with
// a commented header, written next to the figures so a reader can re-plot
// them with the gnuplot scripts in scripts/plot/.
#ifndef MH_FIGDATA_H
#define MH_FIGDATA_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

// Fewer runs per kernel than this and a wall-clock figure draws no
// intervals: a percentile bootstrap of a median of 3 samples can only
// return the extreme samples, which says nothing about the spread.
#define MH_FIG_MIN_INTERVAL_RUNS 5

// Figure (a) of one (timing, workload): per test, for every variant but the
// baseline (native) its ratio of medians to the baseline, the bootstrap
// interval when one means something (see MH_FIG_MIN_INTERVAL_RUNS; exact
// icount results have none) and its number of samples; tests sorted by the
// first variant's ratio, largest first; a final geomean row.
// settings receives the gnuplot -e settings overhead.gp needs (variants,
// baseline, the measurement note, the tests not compared), also written as
// the file's first line.
// Returns the number of tests written, 0 when no test has samples of the
// baseline and another variant (nothing written), -1 with e on an I/O error.
int mh_figdata_overhead(json_object *doc, const char *results_path, const char *timing,
                        const char *workload, const char *path, char *settings, size_t cap,
                        struct mh_err *e);

// Figure (a) of one workload under two timing modes side by side (icount
// beside host, the exact figure beside real hardware): per test the first
// compared variant's ratio to the baseline in each mode, as two "variants"
// named VARIANT/TIMING, for overhead.gp; tests in the order of the first
// mode's figure (largest ratio first); a final geomean row per mode. Returns
// the number of tests, 0 when a mode has nothing to compare, -1 with e.
int mh_figdata_timings(json_object *doc, const char *results_path, const char *workload,
                       const char *const timing[2], const char *path, char *settings, size_t cap,
                       struct mh_err *e);

// Appends printf-style to the string dst of capacity cap; a note cut short
// stays a valid string.
void mh_fig_cat(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
// Appends a name that goes into gnuplot strings in single quotes and into
// whitespace-separated columns: quotes, backslashes and blanks become '_'.
void mh_fig_cat_name(char *dst, size_t cap, const char *name);

#endif
