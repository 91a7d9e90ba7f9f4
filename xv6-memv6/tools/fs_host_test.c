// The kernel's file-system code (bio, log, fs, file, pipe, sysfile), run on
// the host over a RAM disk made by mkfs, driven through the system calls.
// Besides behaviour, it checks crash atomicity: the same sequence of system
// calls is cut off after every possible number of disk writes, the disk is
// "rebooted" (log recovery), and the result must be a consistent file
// system equal to the state before or after the interrupted call.
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <cmocka.h>

#include "types.h"
#include "param.h"
#include "fs.h"
#include "fcntl.h"
#include "stat.h"
#include "buf.h"
#include "file.h"
#include "fsys.h"
#include "proc.h"
#include "sysfile.h"
#include "fs_host_env.h"

#ifndef MKFS_PATH
#error "MKFS_PATH must name the mkfs binary"
#endif
#ifndef README_PATH
#error "README_PATH must name a file for the image"
#endif

static uchar *pristine; // the image as mkfs made it

// ---- booting and system calls ----

static void boot(void) {
  env_reset_proc();
  bio_init();
  file_init();
  fs_init(ROOTDEV);
  myproc()->cwd = namei("/");
  assert_non_null(myproc()->cwd);
}

static void load_pristine(void) {
  memcpy(env_disk, pristine, (size_t)FSSIZE * BSIZE);
}

static uint A(const void *p) {
  uintptr_t v = (uintptr_t)p;
  assert_true(v < ENV_BAD_ADDR);
  return (uint)v;
}

static int call(int (*fn)(void), uint a0, uint a1, uint a2) {
  env_set_args(a0, a1, a2);
  return fn();
}

static int x_open(const char *path, int mode) {
  return call(sys_open, A(path), (uint)mode, 0);
}
static int x_close(int fd) {
  return call(sys_close, (uint)fd, 0, 0);
}
static int x_read(int fd, void *buf, int n) {
  return call(sys_read, (uint)fd, A(buf), (uint)n);
}
static int x_write(int fd, const void *buf, int n) {
  return call(sys_write, (uint)fd, A(buf), (uint)n);
}
static int x_mkdir(const char *path) {
  return call(sys_mkdir, A(path), 0, 0);
}
static int x_chdir(const char *path) {
  return call(sys_chdir, A(path), 0, 0);
}
static int x_unlink(const char *path) {
  return call(sys_unlink, A(path), 0, 0);
}
static int x_link(const char *old, const char *new) {
  return call(sys_link, A(old), A(new), 0);
}
static int x_fstat(int fd, struct stat *st) {
  return call(sys_fstat, (uint)fd, A(st), 0);
}

static void fill(uchar *buf, size_t n, uint seed) {
  for (size_t i = 0; i < n; i++)
    buf[i] = (uchar)(seed + i * 13 + i / 251);
}

// ---- an independent reader of the disk, and a consistency check ----

static uint rd32(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8 | (uint)p[2] << 16 | (uint)p[3] << 24;
}

static struct superblock disk_sb(void) {
  struct superblock s;
  memcpy(&s, env_disk + BSIZE, sizeof(s));
  return s;
}

static const struct dinode *disk_inode(uint inum) {
  struct superblock s = disk_sb();
  const uchar *blk = env_disk + (size_t)IBLOCK(inum, s) * BSIZE;
  return (const struct dinode *)blk + inum % IPB;
}

// Entry idx of table block tbl, or 0 when there is no table.
static uint disk_table(uint tbl, uint idx) {
  return tbl ? rd32(env_disk + (size_t)tbl * BSIZE + idx * 4) : 0;
}

static uint disk_bmap(const struct dinode *d, uint idx) {
  if (idx < NDIRECT)
    return d->addrs[idx];
  idx -= NDIRECT;
  if (idx < NINDIRECT)
    return disk_table(d->addrs[ADDR_INDIRECT], idx);
  idx -= NINDIRECT;
  return disk_table(disk_table(d->addrs[ADDR_DINDIRECT], idx / NINDIRECT), idx % NINDIRECT);
}

static uchar *disk_read(uint inum) {
  const struct dinode *d = disk_inode(inum);
  uchar *out = calloc(1, d->size + 1);
  for (uint off = 0; off < d->size; off += BSIZE) {
    uint n = d->size - off < BSIZE ? d->size - off : BSIZE;
    uint b = disk_bmap(d, off / BSIZE);
    assert_int_not_equal(b, 0);
    memcpy(out + off, env_disk + (size_t)b * BSIZE, n);
  }
  return out;
}

static int bit_set(uint b) {
  struct superblock s = disk_sb();
  return (env_disk[(size_t)BBLOCK(b, s) * BSIZE + (b % BPB) / 8] >> (b % 8)) & 1;
}

struct fsck {
  int refs[1024]; // directory entries naming each inode ("." not counted)
  uchar seen[FSSIZE];
  char state[8192]; // the logical content, one line per path
  size_t len;
};

static void claim(struct fsck *c, uint b) {
  struct superblock s = disk_sb();
  if (b < s.size - s.nblocks || b >= s.size || c->seen[b])
    fail_msg("block %u used twice or outside the data area", b);
  c->seen[b] = 1;
}

static void claim_inode_blocks(struct fsck *c, uint inum) {
  const struct dinode *d = disk_inode(inum);
  uint nblk = (d->size + BSIZE - 1) / BSIZE;
  for (uint i = 0; i < MAXFILE; i++) {
    uint b = disk_bmap(d, i);
    if (i < nblk && !b)
      fail_msg("inode %u: hole at block %u", inum, i);
    if (i >= nblk && b)
      fail_msg("inode %u: block %u beyond its size", inum, i);
    if (b)
      claim(c, b);
  }
  if (d->addrs[ADDR_INDIRECT])
    claim(c, d->addrs[ADDR_INDIRECT]);
  uint top = d->addrs[ADDR_DINDIRECT];
  if (top)
    claim(c, top);
  for (uint j = 0; top && j < NINDIRECT; j++)
    if (disk_table(top, j))
      claim(c, disk_table(top, j));
}

static uint checksum(const uchar *p, uint n) {
  uint h = 2166136261u;
  for (uint i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static void walk_dir(struct fsck *c, uint dir, const char *path, int depth) {
  assert_true(depth < 10);
  const struct dinode *d = disk_inode(dir);
  assert_int_equal(d->type, T_DIR);
  uchar *data = disk_read(dir);
  const struct dirent *e = (const struct dirent *)data;
  uint n = d->size / sizeof(*e);
  assert_true(n >= 2);
  assert_true(e[0].inum == dir && strcmp(e[0].name, ".") == 0);
  assert_true(strcmp(e[1].name, "..") == 0);
  for (uint i = 0; i < n; i++) {
    if (!e[i].inum)
      continue;
    char name[DIRSIZ + 1] = {0};
    memcpy(name, e[i].name, DIRSIZ);
    const struct dinode *child = disk_inode(e[i].inum);
    if (!child->type)
      fail_msg("%s/%s names free inode %u", path, name, e[i].inum);
    if (i > 0)
      c->refs[e[i].inum]++;
    if (i < 2)
      continue;
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/%s", path, name);
    uchar *content = disk_read(e[i].inum);
    c->len += snprintf(c->state + c->len, sizeof(c->state) - c->len, "%s t%d n%d s%u %08x\n", sub,
                       child->type, child->nlink, child->size, checksum(content, child->size));
    free(content);
    if (child->type == T_DIR)
      walk_dir(c, e[i].inum, sub, depth + 1);
  }
  free(data);
}

// Checks the disk is a consistent file system and returns its logical
// state (paths, types, link counts, sizes, content checksums).
static char *fsck(void) {
  struct superblock s = disk_sb();
  assert_int_equal(s.magic, FSMAGIC);
  assert_true(s.ninodes <= 1024);
  struct fsck *c = calloc(1, sizeof(*c));
  walk_dir(c, ROOTINO, "", 0);
  for (uint b = 0; b < s.size - s.nblocks; b++)
    c->seen[b] = 1;
  for (uint inum = 1; inum < s.ninodes; inum++) {
    const struct dinode *d = disk_inode(inum);
    if (!d->type) {
      assert_int_equal(c->refs[inum], 0);
      continue;
    }
    if (c->refs[inum] != d->nlink)
      fail_msg("inode %u: nlink %d but %d entries", inum, d->nlink, c->refs[inum]);
    claim_inode_blocks(c, inum);
  }
  for (uint b = 0; b < s.size; b++) {
    if (bit_set(b) != c->seen[b])
      fail_msg("block %u: bitmap %d, in use %d", b, bit_set(b), c->seen[b]);
  }
  char *state = strdup(c->state);
  free(c);
  return state;
}

static uint free_blocks(void) {
  struct superblock s = disk_sb();
  uint n = 0;
  for (uint b = 0; b < s.size; b++)
    n += !bit_set(b);
  return n;
}

// ---- behaviour ----

static void test_reads_mkfs_file(void **state) {
  (void)state;
  load_pristine();
  boot();
  FILE *f = fopen(README_PATH, "rb");
  assert_non_null(f);
  static char want[4096], got[4096];
  size_t n = fread(want, 1, sizeof(want), f);
  fclose(f);
  int fd = x_open("/README.guest", O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(x_read(fd, got, sizeof(got)), n);
  assert_memory_equal(got, want, n);
  assert_int_equal(x_read(fd, got, sizeof(got)), 0); // end of file
  assert_int_equal(x_write(fd, "x", 1), -1);         // opened read-only
  assert_int_equal(x_close(fd), 0);
  assert_int_equal(x_close(fd), -1);
}

static void test_big_file(void **state) {
  (void)state;
  load_pristine();
  boot();
  uint before = free_blocks();
  // Into the third table of the doubly-indirect level (a whole MAXFILE is
  // the full-disk test's, and the maxfile program's in QEMU).
  enum { MIDS = 3, NBLK = NDIRECT + NINDIRECT + (MIDS - 1) * NINDIRECT + 5 };
  static uchar data[NBLK * BSIZE], back[NBLK * BSIZE];
  fill(data, sizeof(data), 7);
  int fd = x_open("big", O_CREATE | O_RDWR);
  assert_true(fd >= 0);
  assert_int_equal(x_write(fd, data, sizeof(data)), sizeof(data));
  struct stat st;
  assert_int_equal(x_fstat(fd, &st), 0);
  assert_int_equal(st.type, T_FILE);
  assert_int_equal(st.size, sizeof(data));
  assert_int_equal(st.nlink, 1);
  x_close(fd);
  fd = x_open("big", O_RDONLY);
  assert_int_equal(x_read(fd, back, sizeof(back)), sizeof(back));
  assert_memory_equal(back, data, sizeof(data));
  x_close(fd);
  free(fsck());
  // The data, the indirect block, the doubly-indirect block and its tables.
  assert_int_equal(free_blocks(), before - NBLK - 1 - 1 - MIDS);
  assert_int_equal(x_unlink("big"), 0);
  assert_int_equal(free_blocks(), before);
  assert_int_equal(x_open("big", O_RDONLY), -1);
  free(fsck());
}

static void test_directories(void **state) {
  (void)state;
  load_pristine();
  boot();
  assert_int_equal(x_mkdir("/a"), 0);
  assert_int_equal(x_mkdir("/a"), -1);
  assert_int_equal(x_mkdir("/a/b"), 0);
  assert_int_equal(x_chdir("a/b"), 0);
  int fd = x_open("../f", O_CREATE | O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(x_write(fd, "hello", 5), 5);
  x_close(fd);
  assert_int_equal(x_chdir("/"), 0);
  assert_int_equal(x_chdir("/a/f"), -1); // not a directory
  assert_true((fd = x_open("/a/b/../f", O_RDONLY)) >= 0);
  static char buf[16];
  assert_int_equal(x_read(fd, buf, sizeof(buf)), 5);
  x_close(fd);
  assert_int_equal(x_open("/a", O_RDWR), -1);   // directories are read-only
  assert_int_equal(x_open("/a", O_CREATE), -1); // and not files
  assert_true((fd = x_open("/a", O_RDONLY)) >= 0);
  struct stat st;
  assert_int_equal(x_fstat(fd, &st), 0);
  assert_int_equal(st.type, T_DIR);
  assert_int_equal(st.nlink, 2); // its entry in / and b's ".."
  x_close(fd);
  assert_int_equal(x_unlink("/a"), -1); // not empty
  assert_int_equal(x_unlink("/a/."), -1);
  assert_int_equal(x_unlink("/a/.."), -1);
  assert_int_equal(x_link("/a/b", "/c"), -1); // no links to directories
  assert_int_equal(x_link("/a/f", "/g"), 0);
  assert_int_equal(x_link("/a/f", "/g"), -1); // name taken
  assert_int_equal(x_unlink("/a/f"), 0);
  assert_true((fd = x_open("/g", O_RDONLY)) >= 0);
  assert_int_equal(x_read(fd, buf, sizeof(buf)), 5);
  assert_memory_equal(buf, "hello", 5);
  x_close(fd);
  assert_int_equal(x_unlink("/a/b"), 0);
  assert_int_equal(x_unlink("/a"), 0);
  assert_int_equal(x_open("/a/b", O_RDONLY), -1);
  free(fsck());
}

static void test_unlinked_open_file(void **state) {
  (void)state;
  load_pristine();
  boot();
  uint before = free_blocks();
  int fd = x_open("tmp", O_CREATE | O_RDWR);
  static uchar data[3000];
  fill(data, sizeof(data), 3);
  assert_int_equal(x_write(fd, data, sizeof(data)), sizeof(data));
  assert_int_equal(x_unlink("tmp"), 0);
  assert_true(free_blocks() < before); // still open: data stays
  struct stat st;
  assert_int_equal(x_fstat(fd, &st), 0);
  assert_int_equal(st.nlink, 0);
  x_close(fd);
  assert_int_equal(free_blocks(), before); // last close frees it
  free(fsck());
}

static void test_disk_full(void **state) {
  (void)state;
  load_pristine();
  boot();
  uint before = free_blocks();
  static uchar data[MAXFILE * BSIZE];
  fill(data, sizeof(data), 1);
  static char name[8];
  int i, short_write = 0;
  for (i = 0; i < 100 && !short_write; i++) {
    snprintf(name, sizeof(name), "f%d", i);
    int fd = x_open(name, O_CREATE | O_WRONLY);
    assert_true(fd >= 0);
    int r = x_write(fd, data, sizeof(data));
    short_write = r != (int)sizeof(data);
    x_close(fd);
  }
  assert_true(short_write);
  assert_int_equal(free_blocks(), 0);
  free(fsck());
  while (i-- > 0) {
    snprintf(name, sizeof(name), "f%d", i);
    assert_int_equal(x_unlink(name), 0);
  }
  assert_int_equal(free_blocks(), before);
  free(fsck());
}

static void test_pipe(void **state) {
  (void)state;
  load_pristine();
  boot();
  static int fds[2];
  assert_int_equal(call(sys_pipe, A(fds), 0, 0), 0);
  static uchar out[400], in[400];
  fill(out, sizeof(out), 9);
  assert_int_equal(x_write(fds[1], out, sizeof(out)), sizeof(out));
  assert_int_equal(x_read(fds[0], in, 150), 150);
  assert_int_equal(x_read(fds[0], in + 150, sizeof(in)), 250);
  assert_memory_equal(in, out, sizeof(out));
  assert_int_equal(x_write(fds[0], out, 1), -1); // wrong end
  assert_int_equal(x_close(fds[1]), 0);
  assert_int_equal(x_read(fds[0], in, 1), 0); // writer gone: end of file
  assert_int_equal(x_close(fds[0]), 0);
  assert_int_equal(call(sys_pipe, A(fds), 0, 0), 0);
  assert_int_equal(x_close(fds[0]), 0);
  assert_int_equal(x_write(fds[1], out, 1), -1); // reader gone
  assert_int_equal(x_close(fds[1]), 0);
}

static void test_bad_user_address(void **state) {
  (void)state;
  load_pristine();
  boot();
  int fd = x_open("/README.guest", O_RDONLY);
  assert_int_equal(call(sys_read, (uint)fd, ENV_BAD_ADDR, 10), -1);
  x_close(fd);
  fd = x_open("w", O_CREATE | O_RDWR);
  assert_int_equal(call(sys_write, (uint)fd, ENV_BAD_ADDR, 10), -1);
  x_close(fd);
  free(fsck());
}

// ---- crash atomicity ----

#define NSTEPS 13
static int crash_fd;

// One system call of the crash scenario; each is one transaction (writes
// are at most one filewrite chunk, 1536 bytes).
static void step(int i) {
  static uchar data[5000];
  fill(data, sizeof(data), 5);
  switch (i) {
  case 0:
    assert_int_equal(x_mkdir("/d"), 0);
    break;
  case 1:
    assert_true((crash_fd = x_open("/d/f", O_CREATE | O_RDWR)) >= 0);
    break;
  case 2:
    assert_int_equal(x_write(crash_fd, data, 1536), 1536);
    break;
  case 3:
    assert_int_equal(x_write(crash_fd, data + 1536, 1536), 1536);
    break;
  case 4:
    assert_int_equal(x_write(crash_fd, data + 3072, 1536), 1536);
    break;
  case 5:
    assert_int_equal(x_write(crash_fd, data + 4608, 392), 392);
    break;
  case 6:
    assert_int_equal(x_close(crash_fd), 0);
    break;
  case 7:
    assert_int_equal(x_link("/d/f", "/g"), 0);
    break;
  case 8:
    assert_int_equal(x_unlink("/d/f"), 0);
    break;
  case 9:
    assert_int_equal(x_mkdir("/d/e"), 0);
    break;
  case 10:
    assert_int_equal(x_unlink("/g"), 0);
    break;
  case 11:
    assert_int_equal(x_unlink("/d/e"), 0);
    break;
  case 12:
    assert_int_equal(x_unlink("/d"), 0);
    break;
  }
}

static void test_crash_atomicity(void **state) {
  (void)state;
  char *states[NSTEPS + 1];
  long writes_after[NSTEPS];
  load_pristine();
  boot();
  env_disk_writes = 0;
  states[0] = fsck();
  for (int i = 0; i < NSTEPS; i++) {
    step(i);
    writes_after[i] = env_disk_writes;
    states[i + 1] = fsck();
  }
  for (long budget = 0; budget < writes_after[NSTEPS - 1]; budget++) {
    jmp_buf crash;
    volatile int done = 0; // steps finished before the crash
    load_pristine();
    boot();
    env_disk_writes = 0;
    env_crash_point = &crash;
    env_crash_budget = budget;
    if (setjmp(crash) == 0) {
      for (; done < NSTEPS; done++)
        step(done);
      fail_msg("budget %ld: no crash", budget);
    }
    // Reboot; every third time the recovery itself is cut short once.
    env_crash_budget = budget % 3 == 1 ? 1 : -1;
    if (setjmp(crash) == 0)
      boot();
    env_crash_budget = -1;
    boot();
    char *now = fsck();
    int before = strcmp(now, states[done]) == 0;
    int after = done < NSTEPS && strcmp(now, states[done + 1]) == 0;
    if (!before && !after)
      fail_msg("crash after %ld writes in step %d left:\n%s", budget, done, now);
    free(now);
  }
  for (int i = 0; i <= NSTEPS; i++)
    free(states[i]);
  env_crash_budget = -1;
}

static int run_mkfs(const char *out) {
  char cmd[512];
  snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' >/dev/null", MKFS_PATH, out, README_PATH);
  return system(cmd);
}

static int group_setup(void **state) {
  (void)state;
  char img[] = "/tmp/fs_host_test.XXXXXX";
  int fd = mkstemp(img);
  FILE *placeholder = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (!placeholder)
    return -1;
  fclose(placeholder); // mkfs replaces it (unistd.h's sleep clashes with proc.h's)
  int rc = run_mkfs(img);
  env_disk = env_low_alloc((size_t)FSSIZE * BSIZE);
  pristine = malloc((size_t)FSSIZE * BSIZE);
  FILE *f = fopen(img, "rb");
  size_t n = f ? fread(pristine, 1, (size_t)FSSIZE * BSIZE, f) : 0;
  if (f)
    fclose(f);
  remove(img);
  return rc == 0 && n == (size_t)FSSIZE * BSIZE ? 0 : -1;
}

static int result;

static void run_all(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reads_mkfs_file),  cmocka_unit_test(test_big_file),
      cmocka_unit_test(test_directories),      cmocka_unit_test(test_unlinked_open_file),
      cmocka_unit_test(test_disk_full),        cmocka_unit_test(test_pipe),
      cmocka_unit_test(test_bad_user_address), cmocka_unit_test(test_crash_atomicity),
  };
  result = cmocka_run_group_tests_name("fs_host", tests, group_setup, NULL);
}

// The kernel code keeps addresses in 32 bits, so the tests run on a stack
// below 4 GiB.
int main(void) {
  static ucontext_t main_ctx, test_ctx;
  size_t stack_size = 16u << 20;
  getcontext(&test_ctx);
  test_ctx.uc_stack.ss_sp = env_low_alloc(stack_size);
  test_ctx.uc_stack.ss_size = stack_size;
  test_ctx.uc_link = &main_ctx;
  makecontext(&test_ctx, run_all, 0);
  if (swapcontext(&main_ctx, &test_ctx) != 0)
    return 1;
  return result;
}
