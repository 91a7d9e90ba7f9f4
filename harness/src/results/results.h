// The results document (docs/results.md): built with json-c, written
// atomically after every finished run, and read back for --resume.
#ifndef MH_RESULTS_H
#define MH_RESULTS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "err.h"
#include "run.h"

#define MH_RESULTS_SCHEMA 1

// Writes doc to path through a temporary file in the same directory, fsync
// and rename, so a crash leaves either the old or the new file, never half.
int mh_json_write_atomic(const char *path, json_object *doc, struct mh_err *e);
// Whether results can be written to path (its directory exists and takes a
// new file), checked before the first run so no run is done for nothing.
int mh_results_check_writable(const char *path, struct mh_err *e);
// What run may do with an existing results file, the same for overhead and
// fault campaigns: MH_RESULTS_NEW (none there, or --fresh: start a new
// document), MH_RESULTS_RESUME (--resume of an existing file), or -1 with e
// saying how to go on: a file is never overwritten silently, finished or not.
enum { MH_RESULTS_NEW = 0, MH_RESULTS_RESUME = 1 };
int mh_results_policy(const char *path, bool resume, bool fresh, struct mh_err *e);
// What a results document says about where it came from, the same for
// overhead and fault campaigns: the campaign (file, hash, text), QEMU, and
// each variant's kernel and disk image (hashed here).
struct mh_results_origin {
  const char *campaign_file, *campaign_sha256;
  json_object *campaign; // a reference is taken
  const char *qemu, *qemu_version;
  int nkernels;
  struct {
    const char *variant, *kernel, *disk;
  } kernels[8];
};
// A new document with status "running": schema, tool, times, the origin,
// the host and the source tree's git state; the caller adds the rest.
json_object *mh_results_new(const struct mh_results_origin *o);
// Sets doc's "updated" to the current UTC time.
void mh_results_touch(json_object *doc);
// Adds k: v, or k: null when v is NULL.
void mh_json_set_str(json_object *o, const char *k, const char *v);

// NULL with e when the file is missing, unreadable or not JSON.
json_object *mh_json_load(const char *path, struct mh_err *e);

struct mh_run_meta {
  const char *id, *timing, *workload, *variant, *accel;
  int rep;
};
json_object *mh_run_record(const struct mh_run_meta *m, const struct mh_run_result *r);

// Checks a loaded document can be resumed with this campaign (schema and
// campaign hash). Returns its "runs" array (borrowed) or NULL with e.
json_object *mh_results_resumable(json_object *doc, const char *campaign_sha, struct mh_err *e);

// The "id"s of an array of run or trial records as a hash set, so --resume
// tells finished from missing work in O(1) per run (it used to scan every
// record per run: minutes over 40,000 trials). Free with json_object_put.
json_object *mh_results_id_set(json_object *records);
bool mh_results_id_in(json_object *set, const char *id);

#endif
