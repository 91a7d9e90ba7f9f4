// A linux-* variant's share of a fault campaign (docs/campaign.md, "Linux
// processes"): its program for each workload the trials run, their golden
// runs and trial timeouts. With $.faults.workload "*" trial t runs workload
// t mod N, so one campaign covers a suite (the compute suite); otherwise the
// one workload. campaign_faults.c runs the trials and writes the records.
#ifndef MH_LXFAULTS_H
#define MH_LXFAULTS_H

#include <json-c/json.h>

#include "campaign.h"
#include "lxtrial.h"

struct mh_lxvariant {
  int n;                  // workloads the trials run
  int *w;                 // each one's index in $.workloads
  struct mh_lxprog *prog; // each one's program
  struct mh_golden *golden;
  double *timeout_s;
};

int mh_lxv_prepare(struct mh_lxvariant *v, const char *build, enum mh_variant var,
                   const struct mh_campaign *c, struct mh_err *e);
// Every workload's golden run, checked as a guest variant's is
// (mh_faults_check_golden); todo: the trials still to run.
int mh_lxv_golden(struct mh_lxvariant *v, const struct mh_campaign *c, const int *todo, int ntodo,
                  struct mh_err *e);
// faults.VARIANT of the results: the first workload's golden run as
// "golden", every workload's under "workloads", and how errors arrive.
json_object *mh_lxv_golden_json(const struct mh_lxvariant *v, const struct mh_campaign *c);
// Trial t (its plan p) on its workload; never fails (harness_error).
void mh_lxv_trial(const struct mh_lxvariant *v, const struct mh_faults *fm, int t,
                  const struct mh_trial_plan *p, struct mh_trial_result *r);
// mh_lx_record, with the workload's name.
json_object *mh_lxv_record(const struct mh_lxvariant *v, const struct mh_campaign *c,
                           const char *id, const char *variant, int t,
                           const struct mh_trial_plan *p, const struct mh_trial_result *r);
void mh_lxv_free(struct mh_lxvariant *v);

#endif
