#include "userprogs.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mh_config.h"
#include "proc.h"

#define BUILD_TIMEOUT_MS (600 * 1000)

// The whole of a small text file into buf; 0 if it could not be read.
static size_t read_text(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  size_t n = fread(buf, 1, cap - 1, f);
  fclose(f);
  buf[n] = 0;
  return n;
}

// The last lines of the build's log, for a failure the script did not
// describe itself (cmake missing a file, say).
static void log_tail(const char *log, char *out, size_t cap) {
  static char text[64 * 1024];
  size_t n = read_text(log, text, sizeof text);
  const char *start = text;
  if (n > cap - 1)
    start = text + n - (cap - 1);
  size_t len = strlen(start);
  memcpy(out, start, len < cap ? len + 1 : cap);
  out[cap - 1] = 0;
}

static void resolve_dir(const char *dir, const char *campaign_path, char *out, size_t cap) {
  if (dir[0] == '/') {
    snprintf(out, cap, "%s", dir);
    return;
  }
  char *copy = strdup(campaign_path);
  snprintf(out, cap, "%s/%s", copy ? dirname(copy) : ".", dir);
  free(copy);
}

static int run_script(char *const argv[], const char *log, const char *out, struct mh_err *e) {
  struct mh_proc p;
  if (mh_proc_spawn(argv, log, &p, e) < 0)
    return -1;
  int done = mh_proc_wait(&p, BUILD_TIMEOUT_MS);
  if (done != 1) {
    mh_proc_kill(&p);
    return mh_fail(e, "programs: building them took more than %d s (log: %s)",
                   BUILD_TIMEOUT_MS / 1000, log);
  }
  if (mh_proc_exit_code(&p) == 0)
    return 0;
  static char why[3000];
  char errfile[1100];
  snprintf(errfile, sizeof errfile, "%s/error.txt", out);
  if (!read_text(errfile, why, sizeof why))
    log_tail(log, why, sizeof why);
  return mh_fail(e, "programs: %s(full log: %s)", why, log);
}

int mh_userprogs_build(const struct mh_campaign *c, const char *campaign_path, const char *build,
                       char *disk_native, char *disk_memv6, size_t cap, struct mh_err *e) {
  char script[1024], src[1024], out[1024], log[1100];
  snprintf(script, sizeof script, "%.900s/xv6-memv6/userprogs.cmake", build);
  if (access(script, R_OK) != 0)
    return mh_fail(e,
                   "%s not found: this build cannot build a campaign's own programs (reconfigure "
                   "it: cmake %s)",
                   script, build);
  resolve_dir(c->programs_dir, campaign_path, src, sizeof src);
  snprintf(out, sizeof out, "%.900s/userprogs", build);
  if (mkdir(out, 0755) != 0 && errno != EEXIST)
    return mh_fail_errno(e, "cannot create %s", out);
  snprintf(out, sizeof out, "%.900s/userprogs/%.100s", build, c->name);
  snprintf(log, sizeof log, "%s.log", out);
  size_t flen = 16;
  for (int i = 0; i < c->nprograms_cflags; i++)
    flen += strlen(c->programs_cflags[i]) + 1;
  char *cflags = calloc(1, flen);
  if (!cflags)
    return mh_fail(e, "out of memory");
  strcpy(cflags, "-DCFLAGS=");
  for (int i = 0; i < c->nprograms_cflags; i++) {
    if (i)
      strcat(cflags, ";");
    strcat(cflags, c->programs_cflags[i]);
  }
  char dsrc[1100], dout[1100];
  snprintf(dsrc, sizeof dsrc, "-DSRC=%s", src);
  snprintf(dout, sizeof dout, "-DOUT=%s", out);
  char *argv[] = {MH_CMAKE, dsrc, dout, cflags, "-P", script, NULL};
  fprintf(stderr, "memharness: building the programs of %s for the guest\n", src);
  int rc = run_script(argv, log, out, e);
  free(cflags);
  if (rc < 0)
    return -1;
  snprintf(disk_native, cap, "%.900s/fs-native.img", out);
  snprintf(disk_memv6, cap, "%.900s/fs-memv6.img", out);
  return 0;
}
