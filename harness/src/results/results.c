#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hostinfo.h"
#include "mh_config.h"
#include "sha256.h"

static int write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

int mh_json_write_atomic(const char *path, json_object *doc, struct mh_err *e) {
  char *tmp = NULL, *dircopy = strdup(path);
  if (!dircopy || asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0) {
    free(dircopy);
    return mh_fail(e, "out of memory");
  }
  const char *text =
      json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  int rc = -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    mh_fail_errno(e, "cannot write results to %s", tmp);
  } else if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
    mh_fail_errno(e, "cannot write results to %s", tmp);
    close(fd);
    unlink(tmp);
  } else if (close(fd) < 0 || rename(tmp, path) < 0) {
    mh_fail_errno(e, "cannot move %s to %s", tmp, path);
    unlink(tmp);
  } else {
    // The rename itself must reach the disk, or a crash could undo it.
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
    rc = 0;
  }
  free(tmp);
  free(dircopy);
  return rc;
}

int mh_results_policy(const char *path, bool resume, bool fresh, struct mh_err *e) {
  struct stat st;
  if (stat(path, &st) != 0)
    return MH_RESULTS_NEW;
  if (resume)
    return MH_RESULTS_RESUME;
  if (fresh)
    return MH_RESULTS_NEW;
  json_object *old = json_object_from_file(path), *status;
  bool complete = old && json_object_object_get_ex(old, "status", &status) &&
                  strcmp(json_object_get_string(status), "complete") == 0;
  json_object_put(old);
  if (complete)
    return mh_fail(e,
                   "%s holds the finished results of a campaign: to keep them and run again, "
                   "give another -o; to replace them, add --fresh (or --force)",
                   path);
  return mh_fail(e,
                 "%s holds an unfinished campaign: continue it with --resume, or start over "
                 "with --fresh",
                 path);
}

int mh_results_check_writable(const char *path, struct mh_err *e) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return mh_fail(e, "%s is a directory: give -o the path of a results file in it", path);
  char *dircopy = strdup(path), *probe = NULL;
  if (!dircopy || asprintf(&probe, "%s.tmp.%d", path, (int)getpid()) < 0) {
    free(dircopy);
    return mh_fail(e, "out of memory");
  }
  const char *dir = dirname(dircopy);
  int rc = 0;
  if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
    rc = mh_fail(e,
                 "cannot write results to %s: the directory %s does not exist; create it "
                 "(mkdir -p %s) or choose another -o",
                 path, dir, dir);
  } else {
    // The same temporary file the atomic write makes: what works now works then.
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      rc = mh_fail_errno(e, "cannot write results to %s (creating %s)", path, probe);
      mh_err_suffix(e, ": choose another -o, or make %s writable", dir);
    } else {
      close(fd);
      unlink(probe);
    }
  }
  free(probe);
  free(dircopy);
  return rc;
}

json_object *mh_json_load(const char *path, struct mh_err *e) {
  if (access(path, R_OK) < 0) {
    mh_fail_errno(e, "%s", path);
    return NULL;
  }
  json_object *doc = json_object_from_file(path);
  if (!doc)
    mh_fail(e, "%s: not valid JSON (%s)", path, json_util_get_last_err());
  return doc;
}

static json_object *tests_json(const struct mh_serial *s) {
  json_object *a = json_object_new_array();
  for (size_t i = 0; i < s->ntests; i++) {
    json_object *t = json_object_new_object();
    json_object_object_add(t, "name", json_object_new_string(s->tests[i].name));
    json_object_object_add(t, "status", json_object_new_string(s->tests[i].ok ? "ok" : "fail"));
    json_object_object_add(t, "cycles", json_object_new_int64((int64_t)s->tests[i].cycles));
    json_object_object_add(t, "host_s", json_object_new_double(s->tests[i].host_s));
    json_object_array_add(a, t);
  }
  return a;
}

static void add_str(json_object *o, const char *k, const char *v) {
  json_object_object_add(o, k, v && *v ? json_object_new_string(v) : NULL);
}

json_object *mh_run_record(const struct mh_run_meta *m, const struct mh_run_result *r) {
  json_object *o = json_object_new_object();
  add_str(o, "id", m->id);
  add_str(o, "timing", m->timing);
  add_str(o, "workload", m->workload);
  add_str(o, "variant", m->variant);
  add_str(o, "accel", m->accel);
  json_object_object_add(o, "rep", json_object_new_int(m->rep));
  add_str(o, "status", mh_run_status_name(r->status));
  add_str(o, "reason", r->reason);
  json_object_object_add(o, "qemu_exit", json_object_new_int(r->qemu_exit));
  json_object_object_add(o, "guest_status",
                         r->guest_exited ? json_object_new_int64(r->guest_status) : NULL);
  json_object_object_add(o, "wall_s", json_object_new_double(r->wall_s));
  json_object_object_add(o, "boot_s", r->boot_s >= 0 ? json_object_new_double(r->boot_s) : NULL);
  add_str(o, "boot_variant", r->serial.boot_variant);
  if (r->serial.have_summary) {
    json_object *u = json_object_new_object();
    json_object_object_add(u, "passed", json_object_new_int64(r->serial.passed));
    json_object_object_add(u, "failed", json_object_new_int64(r->serial.failed));
    json_object_object_add(o, "usertests", u);
  }
  json_object_object_add(o, "tests", tests_json(&r->serial));
  add_str(o, "qmp_events", r->events);
  if (r->status != MH_RUN_OK) {
    char tail[2048];
    mh_serial_tail(&r->serial, tail, sizeof tail);
    add_str(o, "serial_tail", tail);
    add_str(o, "qemu_stderr", r->qemu_stderr);
  }
  return o;
}

json_object *mh_results_resumable(json_object *doc, const char *campaign_sha, struct mh_err *e) {
  json_object *schema, *sha, *runs;
  if (!json_object_object_get_ex(doc, "schema", &schema) ||
      json_object_get_int(schema) != MH_RESULTS_SCHEMA) {
    mh_fail(e, "not a memharness results file of schema %d", MH_RESULTS_SCHEMA);
    return NULL;
  }
  if (!json_object_object_get_ex(doc, "campaign_sha256", &sha) ||
      strcmp(json_object_get_string(sha), campaign_sha) != 0) {
    mh_fail(e, "it was produced by a different campaign file (campaign_sha256 differs); "
               "resume with the same campaign, or choose another -o");
    return NULL;
  }
  if (!json_object_object_get_ex(doc, "runs", &runs) ||
      !json_object_is_type(runs, json_type_array)) {
    mh_fail(e, "it has no \"runs\" array");
    return NULL;
  }
  return runs;
}

json_object *mh_results_id_set(json_object *records) {
  json_object *set = json_object_new_object();
  size_t n = json_object_array_length(records);
  for (size_t i = 0; set && i < n; i++) {
    json_object *id;
    if (json_object_object_get_ex(json_object_array_get_idx(records, i), "id", &id) &&
        json_object_is_type(id, json_type_string))
      json_object_object_add(set, json_object_get_string(id), NULL);
  }
  return set;
}

bool mh_results_id_in(json_object *set, const char *id) {
  return json_object_object_get_ex(set, id, NULL);
}

void mh_json_set_str(json_object *o, const char *k, const char *v) {
  json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void iso_now(char *out, size_t cap) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void mh_results_touch(json_object *doc) {
  char now[32];
  iso_now(now, sizeof now);
  mh_json_set_str(doc, "updated", now);
}

// A file's hash, or null when it cannot be read (the run then fails on its own).
static void set_sha(json_object *o, const char *k, const char *path) {
  char sha[65];
  struct mh_err e;
  mh_json_set_str(o, k, path && mh_sha256_file(path, sha, &e) == 0 ? sha : NULL);
}

static json_object *kernels_json(const struct mh_results_origin *o) {
  json_object *k = json_object_new_object();
  for (int i = 0; i < o->nkernels; i++) {
    json_object *v = json_object_new_object();
    mh_json_set_str(v, "kernel", o->kernels[i].kernel);
    set_sha(v, "kernel_sha256", o->kernels[i].kernel);
    mh_json_set_str(v, "disk", o->kernels[i].disk);
    set_sha(v, "disk_sha256", o->kernels[i].disk);
    json_object_object_add(k, o->kernels[i].variant, v);
  }
  return k;
}

json_object *mh_results_new(const struct mh_results_origin *o) {
  json_object *d = json_object_new_object(), *tool = json_object_new_object(),
              *q = json_object_new_object();
  char now[32];
  iso_now(now, sizeof now);
  json_object_object_add(d, "schema", json_object_new_int(MH_RESULTS_SCHEMA));
  mh_json_set_str(tool, "name", "memharness");
  mh_json_set_str(tool, "version", MH_VERSION);
  json_object_object_add(d, "tool", tool);
  mh_json_set_str(d, "status", "running");
  mh_json_set_str(d, "started", now);
  mh_json_set_str(d, "updated", now);
  mh_json_set_str(d, "campaign_file", o->campaign_file);
  mh_json_set_str(d, "campaign_sha256", o->campaign_sha256);
  json_object_object_add(d, "campaign", json_object_get(o->campaign));
  json_object_object_add(d, "host", mh_host_json());
  mh_json_set_str(q, "path", o->qemu);
  mh_json_set_str(q, "version", o->qemu_version);
  json_object_object_add(d, "qemu", q);
  json_object_object_add(d, "git", mh_git_json(MH_SOURCE_DIR));
  json_object_object_add(d, "kernels", kernels_json(o));
  return d;
}
