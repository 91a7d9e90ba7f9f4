#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// Every writer formats into a private buffer first and copies it into e
// last, so arguments that point into e->msg (the old message, for context)
// are read before anything overwrites them: aliasing is harmless.

int mh_fail(struct mh_err *e, const char *fmt, ...) {
  if (e) {
    char tmp[MH_ERR_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(e->msg, tmp, sizeof tmp);
  }
  return -1;
}

int mh_fail_errno(struct mh_err *e, const char *fmt, ...) {
  int saved = errno;
  if (e) {
    char tmp[MH_ERR_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t n = strlen(tmp);
    snprintf(tmp + n, sizeof tmp - n, ": %s", strerror(saved));
    memcpy(e->msg, tmp, sizeof tmp);
  }
  errno = saved;
  return -1;
}

int mh_err_prefix(struct mh_err *e, const char *fmt, ...) {
  if (e) {
    char tmp[MH_ERR_CAP];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof tmp)
      snprintf(tmp + n, sizeof tmp - (size_t)n, "%s", e->msg);
    memcpy(e->msg, tmp, sizeof tmp);
  }
  return -1;
}

int mh_err_suffix(struct mh_err *e, const char *fmt, ...) {
  if (e) {
    char tmp[MH_ERR_CAP];
    size_t n = strlen(e->msg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    snprintf(e->msg + n, sizeof e->msg - n, "%s", tmp);
  }
  return -1;
}

void mh_err_append(struct mh_err *e, const char *fmt, ...) {
  if (!e)
    return;
  char tmp[MH_ERR_CAP];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  size_t n = strlen(e->msg);
  if (n && n + 1 < sizeof e->msg)
    e->msg[n++] = '\n', e->msg[n] = 0;
  snprintf(e->msg + n, sizeof e->msg - n, "%s", tmp);
}
