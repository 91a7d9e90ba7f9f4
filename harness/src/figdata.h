// Data files behind the paper figures (docs/figures.md): plain columns with
// a commented header, written next to the figures so a reader can re-plot
// them with the gnuplot scripts in scripts/plot/.
#ifndef MH_FIGDATA_H
#define MH_FIGDATA_H

#include <json-c/json.h>

#include "err.h"

// Figure (a) of one (timing, workload): per test the native bar (1), the
// memv6 ratio of medians and its bootstrap interval; a final geomean row.
// Returns the number of tests written, 0 when no test has samples of both
// variants (nothing written), -1 with e on an I/O error.
int mh_figdata_overhead(json_object *doc, const char *results_path, const char *timing,
                        const char *workload, const char *path, struct mh_err *e);

#endif
