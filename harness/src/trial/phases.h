// Where the host time of fault trials goes: the per-phase figures of the
// trial records (phases_ms) summed up per variant, so a results file says
// what bounds the campaign rate (design §6).
#ifndef MH_PHASES_H
#define MH_PHASES_H

#include <json-c/json.h>

// {phase: {"mean": ms, "median": ms}, …, "n": trials} over the records of
// one variant that carry phases_ms (older results files have none).
json_object *mh_phase_summary(json_object *trials, const char *variant);

#endif
