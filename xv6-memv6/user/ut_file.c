// usertests: regular files (data, sizes, offsets, descriptors, full disk).
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "fs.h"
#include "param.h"
#include "user.h"
#include "ut.h"

// Read exactly n bytes (several read calls if the kernel returns less).
static int read_all(int fd, char *buf, int n) {
  int got = 0;
  while (got < n) {
    int r = read(fd, buf + got, n - got);
    if (r <= 0)
      break;
    got += r;
  }
  return got;
}

// ---- createread: write in uneven pieces, read back whole ----

static int createread_body(const char *name) {
  struct stat st;
  ut_pattern(ut_buf, 3000, 1);
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, ut_buf, 10) == 10);
  CHECK(write(fd, ut_buf + 10, 1000) == 1000);
  CHECK(write(fd, ut_buf + 1010, 1990) == 1990);
  CHECK(close(fd) == 0);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  memset(ut_buf2, 0, 4000);
  CHECK(read(fd, ut_buf2, 4000) == 3000); // a read stops at the end of the file
  CHECK(memcmp(ut_buf, ut_buf2, 3000) == 0);
  CHECK(read(fd, ut_buf2, 10) == 0);
  CHECK(fstat(fd, &st) == 0);
  CHECK(st.type == T_FILE && st.size == 3000 && st.nlink == 1);
  close(fd);
  CHECK(unlink(name) == 0);
  CHECK(!ut_exists(name));
  return 0;
}

int t_createread(void) {
  unlink("utcreate");
  int r = createread_body("utcreate");
  unlink("utcreate");
  return r;
}

// ---- openmodes: what each open flag permits ----

static int openmodes_body(const char *name) {
  char b[8];
  CHECK(ut_write_file(name, "hello", 5) == 0);
  int fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(write(fd, "x", 1) == -1);
  CHECK(read(fd, b, 5) == 5 && memcmp(b, "hello", 5) == 0);
  close(fd);
  fd = open(name, O_WRONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, b, 1) == -1);
  CHECK(write(fd, "J", 1) == 1);
  close(fd);
  // O_CREATE on an existing file opens it as it is: no truncation in xv6.
  fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  CHECK(read(fd, b, 8) == 5 && memcmp(b, "Jello", 5) == 0);
  CHECK(write(fd, "!", 1) == 1);
  close(fd);
  CHECK(ut_file_size(name) == 6);
  CHECK(open("utnosuch", O_RDONLY) < 0);
  CHECK(open("utnosuch", O_RDWR) < 0);
  return 0;
}

int t_openmodes(void) {
  unlink("utmodes");
  int r = openmodes_body("utmodes");
  unlink("utmodes");
  return r;
}

// ---- overwrite: writing from offset 0 replaces bytes, keeps the size ----

static int overwrite_body(const char *name) {
  ut_pattern(ut_buf, 2000, 1);
  CHECK(ut_write_file(name, ut_buf, 2000) == 0);
  ut_pattern(ut_buf, 700, 2);
  int fd = open(name, O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, ut_buf, 700) == 700);
  close(fd);
  CHECK(ut_file_size(name) == 2000);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read_all(fd, ut_buf2, 2000) == 2000);
  close(fd);
  CHECK(ut_is_pattern(ut_buf2, 700, 2));
  ut_pattern(ut_buf, 2000, 1);
  CHECK(memcmp(ut_buf2 + 700, ut_buf + 700, 1300) == 0);
  return 0;
}

int t_overwrite(void) {
  unlink("utover");
  int r = overwrite_body("utover");
  unlink("utover");
  return r;
}

// ---- ndirect: the step from direct blocks to the indirect block ----

static int ndirect_body(const char *name) {
  int edge = NDIRECT * BSIZE;
  int total = edge + BSIZE + 7;
  struct stat st;
  ut_pattern(ut_buf, total, 3);
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  for (int off = 0; off < edge; off += BSIZE)
    CHECK(write(fd, ut_buf + off, BSIZE) == BSIZE);
  CHECK(fstat(fd, &st) == 0 && st.size == (uint)edge);
  CHECK(write(fd, ut_buf + edge, total - edge) == total - edge);
  CHECK(fstat(fd, &st) == 0 && st.size == (uint)total);
  close(fd);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  // Read in pieces that straddle the boundary.
  CHECK(read_all(fd, ut_buf2, edge - 100) == edge - 100);
  CHECK(read_all(fd, ut_buf2 + edge - 100, 300) == 300);
  CHECK(read_all(fd, ut_buf2 + edge + 200, total) == total - edge - 200);
  close(fd);
  CHECK(memcmp(ut_buf, ut_buf2, total) == 0);
  return 0;
}

int t_ndirect(void) {
  unlink("utndirect");
  int r = ndirect_body("utndirect");
  unlink("utndirect");
  return r;
}

// ---- bigfile: through all three levels of block addressing ----

// Direct blocks, the whole indirect block, and into the third table of the
// doubly-indirect level: every boundary a file crosses on its way to MAXFILE
// (the maxfile program writes a file that size; this one stays quick).
#define BIG_BLOCKS (NDIRECT + NINDIRECT + 2 * NINDIRECT + 3)

static int bigfile_body(const char *name) {
  struct stat st;
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  for (int b = 0; b < (int)BIG_BLOCKS; b++) {
    ut_pattern(ut_buf, BSIZE, b);
    CHECK(write(fd, ut_buf, BSIZE) == BSIZE);
  }
  CHECK(fstat(fd, &st) == 0 && st.size == BIG_BLOCKS * BSIZE);
  close(fd);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  for (int b = 0; b < (int)BIG_BLOCKS; b++) {
    CHECK(read_all(fd, ut_buf, BSIZE) == BSIZE);
    CHECK(ut_is_pattern(ut_buf, BSIZE, b));
  }
  CHECK(read(fd, ut_buf, 1) == 0);
  close(fd);
  return 0;
}

int t_bigfile(void) {
  unlink("utbig");
  int r = bigfile_body("utbig");
  unlink("utbig");
  return r;
}

// ---- bigwrite: one write() far larger than one log transaction ----

static int bigwrite_body(const char *name) {
  int n = sizeof(ut_buf);
  ut_pattern(ut_buf, n, 4);
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, ut_buf, n) == n);
  close(fd);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, ut_buf2, n) == n);
  close(fd);
  CHECK(ut_is_pattern(ut_buf2, n, 4));
  return 0;
}

int t_bigwrite(void) {
  unlink("utbigw");
  int r = bigwrite_body("utbigw");
  unlink("utbigw");
  return r;
}

// ---- unlinkopen: an unlinked file lives on while it is open ----

static int unlinkopen_body(const char *name) {
  struct stat st;
  ut_pattern(ut_buf, 2000, 5);
  int w = open(name, O_CREATE | O_RDWR);
  CHECK(w >= 0);
  CHECK(write(w, ut_buf, 1500) == 1500);
  int r = open(name, O_RDONLY);
  CHECK(r >= 0);
  CHECK(unlink(name) == 0);
  CHECK(!ut_exists(name));
  CHECK(fstat(r, &st) == 0 && st.nlink == 0);
  CHECK(read_all(r, ut_buf2, 1000) == 1000);
  CHECK(write(w, ut_buf + 1500, 500) == 500);
  CHECK(read_all(r, ut_buf2 + 1000, 2000) == 1000);
  CHECK(memcmp(ut_buf, ut_buf2, 2000) == 0);
  close(w);
  close(r);
  // The name is free again and names a new, empty file.
  w = open(name, O_CREATE | O_RDWR);
  CHECK(w >= 0);
  CHECK(fstat(w, &st) == 0 && st.size == 0 && st.nlink == 1);
  close(w);
  return 0;
}

int t_unlinkopen(void) {
  unlink("utunlopen");
  int r = unlinkopen_body("utunlopen");
  unlink("utunlopen");
  return r;
}

// ---- sharedoffset: fork shares the open file's offset ----

#define RECORDS 50
#define RECLEN 10

static void put_records(int fd, char tag) {
  char rec[RECLEN];
  memset(rec, tag, RECLEN);
  for (int i = 0; i < RECORDS; i++) {
    rec[1] = (char)('0' + i % 10);
    write(fd, rec, RECLEN);
  }
}

// Every record must be whole (one write() is atomic on a file) and each
// writer must appear RECORDS times: no write overwrote another.
static int count_records(const char *data, int n, char tag) {
  int count = 0;
  for (int off = 0; off + RECLEN <= n; off += RECLEN) {
    if (data[off] != tag)
      continue;
    for (int j = 2; j < RECLEN; j++) {
      if (data[off + j] != tag)
        return -1;
    }
    count++;
  }
  return count;
}

static int sharedoffset_body(const char *name) {
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    put_records(fd, 'C');
    exitst(0);
  }
  put_records(fd, 'P');
  CHECK(ut_wait_for(pid) == 0);
  close(fd);
  CHECK(ut_file_size(name) == 2 * RECORDS * RECLEN);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read_all(fd, ut_buf, 2 * RECORDS * RECLEN) == 2 * RECORDS * RECLEN);
  close(fd);
  CHECK(count_records(ut_buf, 2 * RECORDS * RECLEN, 'C') == RECORDS);
  CHECK(count_records(ut_buf, 2 * RECORDS * RECLEN, 'P') == RECORDS);
  return 0;
}

int t_sharedoffset(void) {
  unlink("utshared");
  int r = sharedoffset_body("utshared");
  unlink("utshared");
  return r;
}

// ---- dupoffset: dup'ed descriptors share one offset ----

static int dupoffset_body(const char *name) {
  char b[16];
  int fd = open(name, O_CREATE | O_RDWR);
  CHECK(fd >= 0);
  int fd2 = dup(fd);
  CHECK(fd2 >= 0 && fd2 != fd);
  CHECK(write(fd, "abc", 3) == 3);
  CHECK(write(fd2, "def", 3) == 3);
  CHECK(close(fd) == 0);
  CHECK(write(fd2, "g", 1) == 1);
  CHECK(close(fd2) == 0);
  CHECK(write(fd2, "h", 1) == -1);
  fd = open(name, O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, b, sizeof(b)) == 7 && memcmp(b, "abcdefg", 7) == 0);
  close(fd);
  return 0;
}

int t_dupoffset(void) {
  unlink("utdup");
  int r = dupoffset_body("utdup");
  unlink("utdup");
  return r;
}

// ---- fstattypes: file, directory and device ----

static int fstattypes_body(void) {
  struct stat st;
  CHECK(ut_write_file("utstatf", "1234", 4) == 0);
  CHECK(stat("utstatf", &st) == 0 && st.type == T_FILE && st.size == 4);
  CHECK(stat(".", &st) == 0 && st.type == T_DIR);
  CHECK(st.size % sizeof(struct dirent) == 0 && st.size >= 2 * sizeof(struct dirent));
  CHECK(mknod("utstatd", 1, 1) == 0);
  CHECK(stat("utstatd", &st) == 0 && st.type == T_DEV);
  CHECK(mknod("utstatd", 1, 1) < 0);
  return 0;
}

int t_fstattypes(void) {
  unlink("utstatf");
  unlink("utstatd");
  int r = fstattypes_body();
  unlink("utstatf");
  unlink("utstatd");
  return r;
}

// ---- manyopen: NOFILE descriptors per process, lowest free first ----

static int manyopen_body(const char *name) {
  CHECK(ut_write_file(name, "m", 1) == 0);
  // The test process holds exactly 0, 1 and 2.
  for (int want = 3; want < NOFILE; want++)
    CHECK(open(name, O_RDONLY) == want);
  CHECK(open(name, O_RDONLY) < 0);
  CHECK(dup(0) < 0);
  CHECK(close(7) == 0);
  CHECK(open(name, O_RDONLY) == 7);
  for (int fd = 3; fd < NOFILE; fd++)
    CHECK(close(fd) == 0);
  CHECK(open(name, O_RDONLY) == 3);
  close(3);
  return 0;
}

int t_manyopen(void) {
  unlink("utmany");
  int r = manyopen_body("utmany");
  unlink("utmany");
  return r;
}

// ---- badfd: descriptors that are not open ----

int t_badfd(void) {
  struct stat st;
  char b[4];
  CHECK(read(-1, b, 1) == -1);
  CHECK(read(NOFILE, b, 1) == -1);
  CHECK(read(9, b, 1) == -1);
  CHECK(write(9, b, 1) == -1);
  CHECK(write(1000000, b, 1) == -1);
  CHECK(close(-5) == -1);
  CHECK(close(NOFILE) == -1);
  CHECK(close(9) == -1);
  CHECK(fstat(9, &st) == -1);
  CHECK(dup(9) == -1);
  CHECK(dup(-1) == -1);
  return 0;
}

// ---- parallelfiles: several processes writing files at once ----

#define PAR_PROCS 4
#define PAR_BLOCKS 20

static void par_name(char *out, int i) {
  strcpy(out, "utpar0");
  out[5] = (char)('0' + i);
}

static int par_worker(int i) {
  char name[8];
  char *buf = ut_buf + i * BSIZE; // children have private copies anyway
  par_name(name, i);
  int fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0)
    return 1;
  for (int b = 0; b < PAR_BLOCKS; b++) {
    ut_pattern(buf, BSIZE, i * 100 + b);
    if (write(fd, buf, BSIZE) != BSIZE)
      return 2;
  }
  close(fd);
  fd = open(name, O_RDONLY);
  for (int b = 0; b < PAR_BLOCKS; b++) {
    if (read_all(fd, buf, BSIZE) != BSIZE || !ut_is_pattern(buf, BSIZE, i * 100 + b))
      return 3;
  }
  close(fd);
  return unlink(name) == 0 ? 0 : 4;
}

int t_parallelfiles(void) {
  int pids[PAR_PROCS];
  char name[8];
  int failed = 0;
  for (int i = 0; i < PAR_PROCS; i++) {
    par_name(name, i);
    unlink(name);
  }
  for (int i = 0; i < PAR_PROCS; i++) {
    pids[i] = fork();
    if (pids[i] == 0)
      exitst(par_worker(i));
  }
  if (ut_wait_all(pids, PAR_PROCS) != 0)
    failed = 1;
  for (int i = 0; i < PAR_PROCS; i++) {
    par_name(name, i);
    if (unlink(name) == 0)
      failed = 1; // the worker should have removed it
  }
  CHECK(!failed);
  return 0;
}

// ---- fulldisk: fill the disk, free one file, fill the gap ----
//
// Writes fail cleanly once the disk is full; unlinking one file gives back
// exactly its blocks, no fewer (a leak) and no more (a double free would
// let the refill run on). Filling once keeps this affordable.

// The files are sized from the disk so that about half of FULL_FILES fill
// it, whatever FSSIZE is.
#define FULL_FILES 120
#define FULL_CHUNK 2048
#define FULL_FILE_BYTES                                                                            \
  (((FSSIZE * BSIZE) / (FULL_FILES / 2) / FULL_CHUNK + 1) * FULL_CHUNK) // a multiple of FULL_CHUNK

static void full_name(char *out, int k) {
  strcpy(out, "utfull000");
  out[6] = (char)('0' + k / 100);
  out[7] = (char)('0' + k / 10 % 10);
  out[8] = (char)('0' + k % 10);
}

// Write up to max bytes into file k; returns the bytes stored, -1 if the
// file cannot be created.
static int fill_file(int k, int max) {
  char name[12];
  full_name(name, k);
  int fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0)
    return -1;
  int written = 0;
  while (written < max) {
    int w = write(fd, ut_buf, FULL_CHUNK);
    if (w > 0)
      written += w;
    if (w != FULL_CHUNK)
      break;
  }
  close(fd);
  return written;
}

// Fill files 0, 1, ... until one comes out short; returns how many were made.
static int fill_disk(void) {
  int k;
  ut_pattern(ut_buf, FULL_CHUNK, 6);
  for (k = 0; k < FULL_FILES; k++) {
    int w = fill_file(k, FULL_FILE_BYTES);
    if (w < 0)
      break;
    if (w < FULL_FILE_BYTES)
      return k + 1;
  }
  return k;
}

static void empty_disk(int nfiles) {
  char name[12];
  for (int k = 0; k < nfiles; k++) {
    full_name(name, k);
    unlink(name);
  }
}

static int fulldisk_body(void) {
  char name[12];
  int n = fill_disk();
  printf(1, "usertests: fulldisk: %d files of up to %d bytes\n", n, FULL_FILE_BYTES);
  CHECK(n < FULL_FILES); // the disk ran out before we stopped trying
  CHECK(n >= 4);
  CHECK(fill_file(n, FULL_CHUNK) <= 0); // still full
  full_name(name, 1);
  CHECK(unlink(name) == 0);
  CHECK(fill_file(1, FULL_FILE_BYTES) == FULL_FILE_BYTES);
  CHECK(fill_file(n + 1, FULL_CHUNK) <= 0);
  return 0;
}

int t_fulldisk(void) {
  empty_disk(FULL_FILES + 2);
  int r = fulldisk_body();
  empty_disk(FULL_FILES + 2);
  return r;
}
