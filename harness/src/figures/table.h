// The human-readable overhead table printed at the end of a campaign.
#ifndef MH_TABLE_H
#define MH_TABLE_H

#include <stdio.h>

#include <json-c/json.h>

void mh_print_overhead(FILE *out, json_object *summaries);

#endif
