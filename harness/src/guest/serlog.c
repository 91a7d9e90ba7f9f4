#include "serlog.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Trim only when this much more than head + tail piled up: each trim is a
// system call on a file QEMU writes to.
#define TRIM_SLACK (256 * 1024)
#define BLOCK 4096L

int mh_serlog_open(struct mh_serlog *l, const char *path) {
  memset(l, 0, sizeof *l);
  l->can_trim = true;
  l->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  return l->fd < 0 ? -1 : 0;
}

void mh_serlog_close(struct mh_serlog *l) {
  if (l->fd >= 0)
    close(l->fd);
  l->fd = -1;
}

static long size_of(const struct mh_serlog *l) {
  struct stat st;
  return l->fd >= 0 && fstat(l->fd, &st) == 0 ? (long)st.st_size : 0;
}

void mh_serlog_mark(struct mh_serlog *l) {
  l->punched = 0;
  if (l->fd >= 0 && ftruncate(l->fd, 0) == 0)
    l->mark = 0;
  else
    l->mark = size_of(l);
}

void mh_serlog_trim(struct mh_serlog *l) {
  long size = size_of(l);
  if (!l->can_trim || size - l->mark <= MH_SERIAL_HEAD + MH_SERIAL_TAIL + TRIM_SLACK)
    return;
  long from = (l->mark + MH_SERIAL_HEAD + BLOCK - 1) / BLOCK * BLOCK;
  long to = (size - MH_SERIAL_TAIL) / BLOCK * BLOCK;
  if (from < l->punched)
    from = l->punched;
  if (to <= from)
    return;
  if (fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, to - from) == 0)
    l->punched = to;
  else
    l->can_trim = false; // the log then grows until the next trial's mark
}

// Appends len bytes at off of the file to buf at *n.
static void take(const struct mh_serlog *l, long off, long len, char *buf, size_t *n) {
  ssize_t got = len > 0 ? pread(l->fd, buf + *n, (size_t)len, off) : 0;
  *n += got > 0 ? (size_t)got : 0;
}

char *mh_serlog_read(struct mh_serlog *l) {
  long size = size_of(l), len = size > l->mark ? size - l->mark : 0;
  l->elided = len > MH_SERIAL_HEAD + MH_SERIAL_TAIL ? len - MH_SERIAL_HEAD - MH_SERIAL_TAIL : 0;
  char *buf = malloc((size_t)(l->elided ? MH_SERIAL_HEAD + MH_SERIAL_TAIL + 64 : len) + 1);
  if (!buf)
    return NULL;
  size_t n = 0;
  if (!l->elided) {
    take(l, l->mark, len, buf, &n);
  } else {
    take(l, l->mark, MH_SERIAL_HEAD, buf, &n);
    n += (size_t)sprintf(buf + n, "%s@serial elided=%ld\n", n && buf[n - 1] == '\n' ? "" : "\n",
                         l->elided);
    take(l, size - MH_SERIAL_TAIL, MH_SERIAL_TAIL, buf, &n);
  }
  buf[n] = 0;
  return buf;
}
