#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mh_fail(struct mh_err *e, const char *fmt, ...) {
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
  }
  return -1;
}

int mh_fail_errno(struct mh_err *e, const char *fmt, ...) {
  int saved = errno;
  if (e) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(e->msg);
    snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(saved));
  }
  errno = saved;
  return -1;
}

void mh_err_append(struct mh_err *e, const char *fmt, ...) {
  if (!e)
    return;
  size_t n = strlen(e->msg);
  if (n && n + 1 < sizeof e->msg)
    e->msg[n++] = '\n', e->msg[n] = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg + n, sizeof e->msg - n, fmt, ap);
  va_end(ap);
}
