#include "hostinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "proc.h"

static void cpu_model(char *out, size_t cap) {
  snprintf(out, cap, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f)
    return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon) {
      snprintf(out, cap, "%s", colon + 2);
      out[strcspn(out, "\n")] = 0;
      break;
    }
  }
  fclose(f);
}

json_object *mh_host_json(void) {
  json_object *h = json_object_new_object();
  struct utsname u;
  char model[256];
  if (uname(&u) == 0) {
    json_object_object_add(h, "hostname", json_object_new_string(u.nodename));
    char os[200];
    snprintf(os, sizeof os, "%.64s %.64s", u.sysname, u.release);
    json_object_object_add(h, "os", json_object_new_string(os));
    json_object_object_add(h, "machine", json_object_new_string(u.machine));
  }
  json_object_object_add(h, "cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
  cpu_model(model, sizeof model);
  json_object_object_add(h, "cpu_model", json_object_new_string(model));
  return h;
}

int mh_qemu_version(const char *qemu, char *out, size_t cap, struct mh_err *e) {
  char *argv[] = {(char *)qemu, "--version", NULL};
  char buf[1024];
  int rc = mh_proc_capture(argv, buf, sizeof buf, 10000, e);
  if (rc != 0)
    return rc < 0 ? (mh_err_prefix(e, "QEMU %s cannot be run (", qemu),
                     mh_err_suffix(e, "): install QEMU (Debian package qemu-system-x86) or "
                                      "pass --qemu PATH of a qemu-system-i386"))
                  : mh_fail(e,
                            "%s --version failed with exit code %d: pass --qemu PATH of a "
                            "working qemu-system-i386",
                            qemu, rc);
  buf[strcspn(buf, "\n")] = 0;
  snprintf(out, cap, "%s", buf);
  return 0;
}

json_object *mh_git_json(const char *source_dir) {
  json_object *g = json_object_new_object();
  char rev[128] = "", status[4096] = "";
  char *rev_argv[] = {"git", "-C", (char *)source_dir, "rev-parse", "HEAD", NULL};
  char *st_argv[] = {"git", "-C", (char *)source_dir, "status", "--porcelain", "-uno", NULL};
  struct mh_err e;
  if (mh_proc_capture(rev_argv, rev, sizeof rev, 10000, &e) == 0) {
    rev[strcspn(rev, "\n")] = 0;
    json_object_object_add(g, "revision", json_object_new_string(rev));
    bool dirty = mh_proc_capture(st_argv, status, sizeof status, 10000, &e) != 0 || status[0];
    json_object_object_add(g, "dirty", json_object_new_boolean(dirty));
  } else {
    json_object_object_add(g, "revision", NULL);
  }
  return g;
}
