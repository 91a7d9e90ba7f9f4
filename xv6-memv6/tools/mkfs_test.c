// Host tests for mkfs: build real images with the mkfs binary and read them
// back with an independent reader that knows only fs.h.
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "types.h"
#include "param.h"
#include "fs.h"
// xv6's struct stat shares its tag with the host's; only T_* is needed.
#define stat xv6_stat
#include "stat.h"
#undef stat

#ifndef MKFS_PATH
#error "MKFS_PATH must name the mkfs binary"
#endif
#ifndef FSCK_PATH
#error "FSCK_PATH must name the fsck binary"
#endif

extern char **environ;

#define SMALL_TEXT "hello, xv6-memv6\n"
#define FULL_NAME "exactly14chars"           // DIRSIZ bytes: fits, with no NUL
#define BIG_BLOCKS (NDIRECT + NINDIRECT + 3) // reaches the doubly-indirect level

static char dir[64]; // scratch directory for one test run
static uchar *img;   // the image under test
static size_t img_len;
static uchar big[BIG_BLOCKS * BSIZE + 77];

static void path_in(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t n) {
  char p[128];
  path_in(p, sizeof(p), name);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

// Runs argv (NULL-terminated) with stderr going to dir/stderr. Returns the
// exit status, or -1 if it did not exit normally.
static int run(const char *const *argv) {
  char err[128];
  path_in(err, sizeof(err), "stderr");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  assert_int_equal(rc, 0);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs mkfs out inputs... (inputs NULL-terminated).
static int run_mkfs(const char *out, const char *const *inputs) {
  const char *argv[16] = {MKFS_PATH, out};
  int argc = 2;
  for (; inputs[argc - 2]; argc++)
    argv[argc] = inputs[argc - 2];
  argv[argc] = NULL;
  return run(argv);
}

// Writes the image under test, changed by `edit` unless it is NULL, and
// runs fsck on it.
static int fsck_with(void (*edit)(uchar *disk)) {
  char p[128];
  path_in(p, sizeof(p), "fsck.img");
  uchar *copy = malloc(img_len);
  memcpy(copy, img, img_len);
  if (edit)
    edit(copy);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(copy, 1, img_len, f), img_len);
  fclose(f);
  free(copy);
  const char *argv[] = {FSCK_PATH, p, NULL};
  return run(argv);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  // Room for twice an image, so one that is too long shows as such.
  size_t cap = 2 * (size_t)FSSIZE * BSIZE;
  char *buf = calloc(1, cap);
  size_t n = buf ? fread(buf, 1, cap - 1, f) : 0;
  fclose(f);
  if (len)
    *len = n;
  return buf;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// --- an independent little reader of the on-disk format ---

static uint rd32(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8 | (uint)p[2] << 16 | (uint)p[3] << 24;
}

static uint rd16(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8;
}

static const uchar *blk(uint b) {
  assert_true((size_t)(b + 1) * BSIZE <= img_len);
  return img + (size_t)b * BSIZE;
}

#define SB_FIELD(f) rd32(blk(1) + offsetof(struct superblock, f))

static struct superblock sb(void) {
  return (struct superblock){
      .magic = SB_FIELD(magic),
      .size = SB_FIELD(size),
      .nblocks = SB_FIELD(nblocks),
      .ninodes = SB_FIELD(ninodes),
      .nlog = SB_FIELD(nlog),
      .logstart = SB_FIELD(logstart),
      .inodestart = SB_FIELD(inodestart),
      .bmapstart = SB_FIELD(bmapstart),
  };
}

static const uchar *dinode(uint inum) {
  struct superblock s = sb();
  assert_true(inum < s.ninodes);
  return blk(IBLOCK(inum, s)) + (inum % IPB) * sizeof(struct dinode);
}

static uint itype(uint inum) {
  return rd16(dinode(inum) + offsetof(struct dinode, type));
}

static uint isize(uint inum) {
  return rd32(dinode(inum) + offsetof(struct dinode, size));
}

static uint iaddr(uint inum, uint i) {
  return rd32(dinode(inum) + offsetof(struct dinode, addrs) + i * sizeof(uint));
}

// Block holding the idx-th block of the file.
static uint bmap(uint inum, uint idx) {
  assert_true(idx < MAXFILE);
  if (idx < NDIRECT)
    return iaddr(inum, idx);
  idx -= NDIRECT;
  if (idx < NINDIRECT)
    return rd32(blk(iaddr(inum, ADDR_INDIRECT)) + idx * 4);
  idx -= NINDIRECT;
  uint mid = rd32(blk(iaddr(inum, ADDR_DINDIRECT)) + (idx / NINDIRECT) * 4);
  return rd32(blk(mid) + (idx % NINDIRECT) * 4);
}

static uchar *read_inode(uint inum) {
  uint size = isize(inum);
  uchar *out = calloc(1, size + 1);
  for (uint off = 0; off < size; off += BSIZE) {
    uint n = size - off < BSIZE ? size - off : BSIZE;
    memcpy(out + off, blk(bmap(inum, off / BSIZE)), n);
  }
  return out;
}

// Inode number of name in the root directory, or 0.
static uint lookup(const char *name) {
  uchar *d = read_inode(ROOTINO);
  uint found = 0;
  for (uint off = 0; off < isize(ROOTINO); off += sizeof(struct dirent)) {
    const uchar *e = d + off;
    uint inum = rd16(e);
    if (inum && strncmp((const char *)e + 2, name, DIRSIZ) == 0)
      found = inum;
  }
  free(d);
  return found;
}

static int bit_set(uint b) {
  struct superblock s = sb();
  return (blk(BBLOCK(b, s))[(b % BPB) / 8] >> (b % 8)) & 1;
}

// --- fixtures ---

static int setup(void **state) {
  (void)state;
  strcpy(dir, "/tmp/mkfs_test.XXXXXX");
  if (!mkdtemp(dir))
    return -1;
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = (uchar)(i * 7 + i / 511);
  write_file("small.txt", SMALL_TEXT, strlen(SMALL_TEXT));
  write_file("bigfile", big, sizeof(big));
  write_file(FULL_NAME, "z", 1);
  char out[128], a[128], b[128], c[128];
  path_in(out, sizeof(out), "fs.img");
  path_in(a, sizeof(a), "small.txt");
  path_in(b, sizeof(b), "bigfile");
  path_in(c, sizeof(c), FULL_NAME);
  const char *in[] = {a, b, c, NULL};
  if (run_mkfs(out, in) != 0)
    return -1;
  img = (uchar *)slurp(out, &img_len);
  return img ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  free(img);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

// --- tests of a good image ---

static void test_superblock(void **state) {
  (void)state;
  struct superblock s = sb();
  assert_int_equal(img_len, (size_t)FSSIZE * BSIZE);
  assert_int_equal(s.magic, FSMAGIC);
  assert_int_equal(s.size, FSSIZE);
  assert_int_equal(s.nlog, LOGSIZE);
  assert_int_equal(s.logstart, 2);
  assert_int_equal(s.inodestart, s.logstart + s.nlog);
  assert_true(s.bmapstart >= s.inodestart + (s.ninodes + IPB - 1) / IPB);
  uint nbitmap = (s.size + BPB - 1) / BPB;
  assert_true(s.size - s.nblocks >= s.bmapstart + nbitmap);
  assert_true(s.nblocks > s.size / 2);
}

static void test_root_directory(void **state) {
  (void)state;
  assert_int_equal(itype(ROOTINO), T_DIR);
  assert_int_equal(isize(ROOTINO) % sizeof(struct dirent), 0);
  uchar *d = read_inode(ROOTINO);
  assert_int_equal(rd16(d), ROOTINO);
  assert_string_equal((char *)d + 2, ".");
  assert_int_equal(rd16(d + 16), ROOTINO);
  assert_string_equal((char *)d + 18, "..");
  free(d);
  assert_int_equal(isize(ROOTINO), 5 * sizeof(struct dirent));
  assert_int_not_equal(lookup("small.txt"), 0);
  assert_int_not_equal(lookup("bigfile"), 0);
  assert_int_not_equal(lookup(FULL_NAME), 0);
  assert_int_equal(lookup("exactly14char"), 0);
  assert_int_equal(lookup("fs.img"), 0);
}

static void test_file_contents(void **state) {
  (void)state;
  uint small = lookup("small.txt"), bigi = lookup("bigfile");
  assert_int_equal(itype(small), T_FILE);
  assert_int_equal(itype(bigi), T_FILE);
  assert_int_equal(isize(small), strlen(SMALL_TEXT));
  assert_int_equal(isize(bigi), sizeof(big));
  uchar *s = read_inode(small);
  assert_memory_equal(s, SMALL_TEXT, strlen(SMALL_TEXT));
  free(s);
  uchar *b = read_inode(bigi);
  assert_memory_equal(b, big, sizeof(big));
  free(b);
  assert_int_not_equal(iaddr(bigi, ADDR_INDIRECT), 0);
  assert_int_not_equal(iaddr(bigi, ADDR_DINDIRECT), 0);
  assert_int_equal(iaddr(small, ADDR_INDIRECT), 0);
  assert_int_equal(iaddr(small, ADDR_DINDIRECT), 0);
}

// Marks the blocks of inode inum in seen[], failing on any block that is
// outside the data area or already claimed.
static void claim_one(uint b, uchar *seen) {
  struct superblock s = sb();
  assert_true(b >= s.size - s.nblocks && b < s.size);
  assert_false(seen[b]);
  seen[b] = 1;
}

static void claim_blocks(uint inum, uchar *seen) {
  uint nblk = (isize(inum) + BSIZE - 1) / BSIZE;
  for (uint i = 0; i < NADDRS; i++) {
    uint b = iaddr(inum, i);
    if (i < NDIRECT && i >= nblk)
      assert_int_equal(b, 0);
    if (b)
      claim_one(b, seen);
  }
  uint top = iaddr(inum, ADDR_DINDIRECT);
  for (uint j = 0; top && j < NINDIRECT; j++) {
    uint mid = rd32(blk(top) + j * 4);
    if (mid)
      claim_one(mid, seen);
  }
  for (uint i = NDIRECT; i < nblk; i++)
    claim_one(bmap(inum, i), seen);
}

static void test_bitmap_consistent(void **state) {
  (void)state;
  struct superblock s = sb();
  uchar *seen = calloc(s.size, 1);
  for (uint b = 0; b < s.size - s.nblocks; b++)
    seen[b] = 1;
  uint used_inodes = 0;
  for (uint inum = 1; inum < s.ninodes; inum++) {
    if (itype(inum) == 0)
      continue;
    used_inodes++;
    claim_blocks(inum, seen);
  }
  assert_int_equal(used_inodes, 4);
  for (uint b = 0; b < s.size; b++) {
    if (bit_set(b) != seen[b])
      fail_msg("block %u: bitmap says %d, inodes say %d", b, bit_set(b), seen[b]);
  }
  free(seen);
}

// --- tests of refused inputs ---

// mkfs must fail, name `needle` in its message, and leave no image behind.
static void expect_refusal(const char *const *inputs, const char *needle) {
  char out[128], tmp[136], err[128];
  path_in(out, sizeof(out), "bad.img");
  snprintf(tmp, sizeof(tmp), "%s.tmp", out);
  path_in(err, sizeof(err), "stderr");
  unlink(out); // an earlier failed test must not decide this one
  unlink(tmp);
  assert_int_not_equal(run_mkfs(out, inputs), 0);
  assert_false(exists(out));
  assert_false(exists(tmp));
  char *msg = slurp(err, NULL);
  assert_non_null(msg);
  if (!strstr(msg, needle))
    fail_msg("stderr '%s' does not mention '%s'", msg, needle);
  free(msg);
}

static void test_long_name_refused(void **state) {
  (void)state;
  const char *name = "fifteen_chars_x";
  write_file(name, "x", 1);
  char p[128], ok[128];
  path_in(p, sizeof(p), name);
  path_in(ok, sizeof(ok), "small.txt");
  const char *in[] = {ok, p, NULL};
  expect_refusal(in, name);
}

static void test_missing_input_refused(void **state) {
  (void)state;
  char p[128];
  path_in(p, sizeof(p), "no-such-file");
  const char *in[] = {p, NULL};
  expect_refusal(in, "no-such-file");
}

static void test_oversized_file_refused(void **state) {
  (void)state;
  size_t n = MAXFILE * BSIZE + 1;
  uchar *data = calloc(1, n);
  write_file("huge", data, n);
  free(data);
  char p[128];
  path_in(p, sizeof(p), "huge");
  const char *in[] = {p, NULL};
  expect_refusal(in, "huge");
}

static void test_duplicate_name_refused(void **state) {
  (void)state;
  char a[128], sub[128], b[160];
  path_in(a, sizeof(a), "small.txt");
  path_in(sub, sizeof(sub), "sub");
  assert_int_equal(mkdir(sub, 0755), 0);
  snprintf(b, sizeof(b), "%s/small.txt", sub);
  FILE *f = fopen(b, "w");
  assert_non_null(f);
  fclose(f);
  const char *in[] = {a, b, NULL};
  expect_refusal(in, "small.txt");
}

// --- fsck on good and damaged images ---

static void free_a_used_block(uchar *disk);
static void bump_nlink(uchar *disk);
static void share_a_block(uchar *disk);
static void leave_log_uninstalled(uchar *disk);

static void test_fsck_accepts_mkfs_image(void **state) {
  (void)state;
  assert_int_equal(fsck_with(NULL), 0);
}

static void test_fsck_finds_damage(void **state) {
  (void)state;
  assert_int_equal(fsck_with(free_a_used_block), 1);
  assert_int_equal(fsck_with(bump_nlink), 1);
  assert_int_equal(fsck_with(share_a_block), 1);
  assert_int_equal(fsck_with(leave_log_uninstalled), 1);
}

// The images below are edited through the same offsets the reader uses.
static uchar *dinode_in(uchar *disk, uint inum) {
  struct superblock s = sb();
  return disk + (size_t)IBLOCK(inum, s) * BSIZE + (inum % IPB) * sizeof(struct dinode);
}

static void free_a_used_block(uchar *disk) {
  struct superblock s = sb();
  uint b = s.size - s.nblocks; // the first data block (the root directory's)
  disk[(size_t)BBLOCK(b, s) * BSIZE + (b % BPB) / 8] &= (uchar) ~(1u << (b % 8));
}

static void bump_nlink(uchar *disk) {
  dinode_in(disk, lookup("small.txt"))[offsetof(struct dinode, nlink)]++;
}

static void share_a_block(uchar *disk) {
  uint from = offsetof(struct dinode, addrs);
  memcpy(dinode_in(disk, lookup("small.txt")) + from, dinode_in(disk, lookup("bigfile")) + from, 4);
}

static void leave_log_uninstalled(uchar *disk) {
  disk[(size_t)sb().logstart * BSIZE] = 1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_superblock),
      cmocka_unit_test(test_root_directory),
      cmocka_unit_test(test_file_contents),
      cmocka_unit_test(test_bitmap_consistent),
      cmocka_unit_test(test_long_name_refused),
      cmocka_unit_test(test_missing_input_refused),
      cmocka_unit_test(test_oversized_file_refused),
      cmocka_unit_test(test_duplicate_name_refused),
      cmocka_unit_test(test_fsck_accepts_mkfs_image),
      cmocka_unit_test(test_fsck_finds_damage),
  };
  return cmocka_run_group_tests_name("mkfs", tests, setup, teardown);
}
