// Facts about the host and the tools, recorded in every results file.
#ifndef MH_HOSTINFO_H
#define MH_HOSTINFO_H

#include <json-c/json.h>

#include "err.h"

// {hostname, os, machine, cpus, cpu_model}
json_object *mh_host_json(void);
// The first line of `qemu --version`; -1 (with e naming the binary and the
// package to install) when QEMU cannot be run.
int mh_qemu_version(const char *qemu, char *out, size_t cap, struct mh_err *e);
// {revision, dirty} of the source tree, or {revision: null} outside git.
json_object *mh_git_json(const char *source_dir);

#endif
