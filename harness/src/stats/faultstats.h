// Rates with intervals, the fault space and extrapolated failure counts of
// a fault campaign's trial records (docs/campaign.md, "Rates and
// intervals"): what a dependability reviewer asks beyond outcome counts.
#ifndef MH_FAULTSTATS_H
#define MH_FAULTSTATS_H

#include <stddef.h>

#include <json-c/json.h>

#include "campaign.h"

// Faults one frame offers at one instant: 512 words × the masks the model
// can draw in a word (64 single bits, C(64, bits) independent bits, or
// 65 - bits bursts).
double mh_faults_per_frame(const struct mh_faults *fm);
// Injection instants the campaign samples from (breakpoint hits × icount
// window); 0 when they are host-time delays, which count no instructions.
double mh_fault_instants(const struct mh_faults *fm);

// Adds rates, rates_by_frame_kind, fault_space and extrapolated to vsum,
// the summary of one variant, from its trial records; level is the
// confidence of the Wilson intervals.
void mh_fault_stats_add(json_object *vsum, json_object *trials, const char *variant,
                        const struct mh_faults *fm, double level);

// faults.summary.<variant> as a campaign writes it: the outcome tables of
// mh_faults_variant_summary and the statistics above. A single run, merge
// and their tests build it here, so they cannot disagree.
json_object *mh_faults_summary(json_object *trials, const char *variant, const struct mh_faults *fm,
                               double level);

// With faults.trials a target precision: {n, margin, confidence, p,
// population} for faults.summary.sample_size, else NULL; and the sentence
// memharness prints before the trials run.
json_object *mh_sample_size_json(const struct mh_faults *fm);
void mh_sample_size_note(const struct mh_faults *fm, char *buf, size_t cap);

// Outcomes that count as a failure of the workload (not benign, not
// recovered): the rate the figure plots.
#define MH_FAILURE "failure"

#endif
