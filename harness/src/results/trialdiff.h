// Whether two results of the same fault campaign say the same thing: the
// trial records, the golden runs and the outcome summaries, with the fields
// that only measure the host (times, rates, paths) left out. This is what
// makes "a merged result equals the single-machine run" checkable
// (`memharness merge --compare`, docs/slurm.md).
#ifndef MH_TRIALDIFF_H
#define MH_TRIALDIFF_H

#include <stdio.h>

#include <json-c/json.h>

// Prints up to max differences to out (na/nb name the documents) and
// returns how many there are; 0: they agree.
int mh_trialdiff(json_object *a, json_object *b, const char *na, const char *nb, FILE *out,
                 int max);

#endif
