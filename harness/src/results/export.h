// memharness export: a results file as CSV for pandas and R (docs/cli.md
// lists the columns).
#ifndef MH_EXPORT_H
#define MH_EXPORT_H

#include <stdio.h>

#include <json-c/json.h>

// Writes the CSV of a loaded results document to out: one row per test of
// each run (overhead) or per trial (faults). 0, or -1 when the document has
// neither "runs" nor "trials".
int mh_export_csv(FILE *out, json_object *doc);
// One RFC 4180 field: quoted when it holds a comma, quote or line break.
void mh_csv_field(FILE *out, const char *s);
// The command: loads path, writes to out_path (NULL: stdout); an exit code.
int mh_cmd_export_csv(const char *path, const char *out_path);

#endif
