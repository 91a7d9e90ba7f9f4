// Whether a test of Linux processes under gdbserver can run on this host
// (32-bit programs run natively, gdbserver installed, the program built);
// prints why not, for the test's skip.
#ifndef MH_LXSKIP_H
#define MH_LXSKIP_H
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"
#include "mh_config.h"

// path: a program the test runs, or NULL.
static inline bool mh_lx_can_run(const char *path) {
  if (strcmp(MH_HOST_I386_PATH, "native") != 0) {
    printf("skip: 32-bit programs do not run natively here (%s)\n", MH_HOST_I386_PATH);
    return false;
  }
  if (!mh_gdbserver_available()) {
    printf("skip: gdbserver is not installed (scripts/setup installs it)\n");
    return false;
  }
  if (path && access(path, X_OK) != 0) {
    printf("skip: this build has no %s\n", path);
    return false;
  }
  return true;
}
#endif
