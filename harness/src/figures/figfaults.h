// Data files of the fault-campaign figures (docs/figures.md) from the
// records docs/results.md documents under "Fault campaigns".
#ifndef MH_FIGFAULTS_H
#define MH_FIGFAULTS_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

// Each returns the number of data rows written, 0 when the results hold no
// such data (nothing written), -1 with e on an I/O error, and puts the
// gnuplot -e settings its script needs (docs/figures.md) into settings.

// (b) outcomes per variant and frame kind (faults.summary.<variant>.outcomes.by_frame_kind).
int mh_figdata_outcomes(json_object *doc, const char *results_path, const char *path,
                        char *settings, size_t cap, struct mh_err *e);
// (c) recovery latency: the cycles of every recovered @mce line of the
// trials, sorted, with their cumulative fraction, one block per variant that
// has any; the settings name the unit and the variants without any.
int mh_figdata_latency(json_object *doc, const char *results_path, const char *path, char *settings,
                       size_t cap, struct mh_err *e);
// (e) failure rate per variant and frame kind with its Wilson interval,
// recomputed from the trial records (faultstats.h).
int mh_figdata_failrate(json_object *doc, const char *results_path, const char *path,
                        char *settings, size_t cap, struct mh_err *e);
// (d) campaign rate (faults.summary.rate).
int mh_figdata_rate(json_object *doc, const char *results_path, const char *path, char *settings,
                    size_t cap, struct mh_err *e);

#endif
