// maxfile: the largest file the block addressing allows. Writes MAXFILE
// blocks, each stamped with its number, checks the size, reads every block
// back, then asks for one block more: the file system must refuse that write
// (-1, size unchanged) and go on working, not panic. Only xv6's classic
// headers and calls: it is what a program that writes big files on xv6
// does, so the disk must hold a file of this size (param.h FSSIZE,
// docs/filesystem.md).
#include "types.h"
#include "stat.h"
#include "user.h"
#include "fcntl.h"
#include "fs.h"

#define CHUNK 8             // blocks per write: fewer system calls, same file
#define NBLK ((int)MAXFILE) // MAXFILE is unsigned (sizeof)

char buf[CHUNK * BSIZE];

static void stamp(int b, char *p) {
  int i;

  for (i = 0; i < BSIZE / 4; i++)
    ((uint *)p)[i] = (uint)b * 2654435761u + (uint)i;
}

static int stamped(int b, char *p) {
  int i;

  for (i = 0; i < BSIZE / 4; i++)
    if (((uint *)p)[i] != (uint)b * 2654435761u + (uint)i)
      return 0;
  return 1;
}

static void fail(char *what, int b) {
  printf(1, "maxfile: FAIL %s (block %d of %d)\n", what, b, MAXFILE);
  unlink("max.file");
  exit();
}

static void fill(int fd) {
  int b, k, n;

  for (b = 0; b < NBLK; b += n) {
    n = NBLK - b < CHUNK ? NBLK - b : CHUNK;
    for (k = 0; k < n; k++)
      stamp(b + k, buf + k * BSIZE);
    if (write(fd, buf, n * BSIZE) != n * BSIZE)
      fail("write", b);
  }
}

static void check(int fd) {
  int b, k, n;

  for (b = 0; b < NBLK; b += n) {
    n = NBLK - b < CHUNK ? NBLK - b : CHUNK;
    if (read(fd, buf, n * BSIZE) != n * BSIZE)
      fail("read", b);
    for (k = 0; k < n; k++)
      if (!stamped(b + k, buf + k * BSIZE))
        fail("block reads back wrong", b + k);
  }
  if (read(fd, buf, 1) != 0)
    fail("data after the end", MAXFILE);
}

int main(void) {
  int fd;
  struct stat st;

  unlink("max.file");
  fd = open("max.file", O_CREATE | O_RDWR);
  if (fd < 0)
    fail("create", 0);
  fill(fd);
  if (fstat(fd, &st) < 0 || st.size != (uint)MAXFILE * BSIZE)
    fail("size after writing", MAXFILE);
  // One block past the limit, then one byte: both refused whole.
  stamp(MAXFILE, buf);
  if (write(fd, buf, BSIZE) != -1 || write(fd, buf, 1) != -1)
    fail("a write past MAXFILE was accepted", MAXFILE);
  if (fstat(fd, &st) < 0 || st.size != (uint)MAXFILE * BSIZE)
    fail("size after the refused write", MAXFILE);
  close(fd);
  fd = open("max.file", O_RDONLY);
  if (fd < 0)
    fail("reopen", 0);
  check(fd);
  close(fd);
  if (unlink("max.file") < 0)
    fail("unlink", 0);
  printf(1, "maxfile: ok %d blocks (%d bytes), block %d refused\n", MAXFILE, MAXFILE * BSIZE,
         MAXFILE);
  exit();
}
