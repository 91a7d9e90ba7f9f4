// memharness compare of two fault campaigns' results: for each variant,
// frame kind and outcome, the difference of the rates with Newcombe's
// hybrid score interval, and whether it is significant (docs/campaign.md,
// "Comparing two fault campaigns").
#ifndef MH_COMPARE_FAULTS_H
#define MH_COMPARE_FAULTS_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "err.h"

// Whether a loaded results document holds a fault campaign's trials.
bool mh_is_fault_results(json_object *doc);

// Compares two fault results at confidence level. Returns MH_CMP_OK, or
// MH_CMP_REGRESSION when some variant's failure rate is significantly
// higher in fresh, with *report; MH_CMP_INCOMPATIBLE with e otherwise.
int mh_compare_faults(json_object *base, const char *bp, json_object *fresh, const char *fp,
                      double level, json_object **report, struct mh_err *e);
void mh_compare_faults_print(FILE *out, json_object *report);

#endif
