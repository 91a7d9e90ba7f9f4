// Data files of the fault-campaign figures (docs/figures.md) from the
// records docs/results.md documents under "Fault campaigns".
#ifndef MH_FIGFAULTS_H
#define MH_FIGFAULTS_H

#include <json-c/json.h>

#include "err.h"

// Each returns the number of data rows written, 0 when the results hold no
// such data (nothing written), -1 with e on an I/O error.

// (b) outcomes per variant and frame kind (faults.summary.<variant>.outcomes.by_frame_kind).
int mh_figdata_outcomes(json_object *doc, const char *results_path, const char *path,
                        struct mh_err *e);
// (c) recovery latency: the cycles of every recovered @mce line of the
// trials, sorted, with their cumulative fraction, one block per variant.
int mh_figdata_latency(json_object *doc, const char *results_path, const char *path,
                       struct mh_err *e);
// (d) campaign rate (faults.summary.rate).
int mh_figdata_rate(json_object *doc, const char *results_path, const char *path, struct mh_err *e);

#endif
