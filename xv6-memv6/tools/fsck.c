// fsck: check an xv6-memv6 file-system image without changing it.
//
//   fsck IMAGE
//
// Walks the directory tree from the root and checks that every structure
// agrees with every other: directory entries name allocated inodes, link
// counts equal the entries naming each inode, each block belongs to at
// most one file and lies in the data area, files have no holes and no
// blocks past their size, and the bitmap marks exactly the blocks in use.
// An allocated inode that no directory names and whose link count is 0 is
// reported as leaked but is not an error: the kernel leaves one behind when
// it crashes while an unlinked file is still open. Exit status 0 means
// consistent, 1 inconsistent, 2 unreadable.
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "fs.h"
#include "stat.h"

struct check {
  const uchar *disk;
  uint nblocks_img; // blocks actually in the file
  struct superblock sb;
  uchar *used;    // per block: claimed by metadata or a file
  int *names;     // per inode: directory entries naming it, "." excepted
  uchar *visited; // per inode: directory already walked
  int errors;
  uint files, dirs, leaked;
};

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct check *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("fsck: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  c->errors++;
}

static uint get32(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8 | (uint)p[2] << 16 | (uint)p[3] << 24;
}

static uint get16(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8;
}

static const uchar *block(const struct check *c, uint b) {
  return c->disk + (size_t)b * BSIZE;
}

// The on-disk inode inum; the macros below read its fields.
static const uchar *dinode(const struct check *c, uint inum) {
  return block(c, IBLOCK(inum, c->sb)) + (inum % IPB) * sizeof(struct dinode);
}
#define DI16(c, i, f) get16(dinode(c, i) + offsetof(struct dinode, f))
#define DI32(c, i, f) get32(dinode(c, i) + offsetof(struct dinode, f))
#define DIADDR(c, i, k) get32(dinode(c, i) + offsetof(struct dinode, addrs) + 4 * (k))

static int load_superblock(struct check *c) {
  const uchar *p = block(c, 1);
#define SB(f) c->sb.f = get32(p + offsetof(struct superblock, f))
  SB(magic);
  SB(size);
  SB(nblocks);
  SB(ninodes);
  SB(nlog);
  SB(logstart);
  SB(inodestart);
  SB(bmapstart);
#undef SB
  const struct superblock *s = &c->sb;
  if (s->magic != FSMAGIC)
    return problem(c, "bad magic %#x", s->magic), -1;
  if (s->size > c->nblocks_img || s->nblocks >= s->size || s->ninodes < 2)
    return problem(c, "superblock sizes do not fit the image"), -1;
  uint first_data = s->size - s->nblocks;
  if (s->logstart < 2 || s->inodestart < s->logstart + s->nlog ||
      s->bmapstart < s->inodestart + (s->ninodes + IPB - 1) / IPB ||
      first_data < s->bmapstart + (s->size + BPB - 1) / BPB)
    return problem(c, "superblock regions overlap"), -1;
  return 0;
}

static void claim(struct check *c, uint inum, uint b) {
  if (b < c->sb.size - c->sb.nblocks || b >= c->sb.size)
    problem(c, "inode %u: block %u is outside the data area", inum, b);
  else if (c->used[b])
    problem(c, "inode %u: block %u is used twice", inum, b);
  else
    c->used[b] = 1;
}

// Entry idx of table block tbl, or 0 when tbl is absent or out of range.
static uint table_get(const struct check *c, uint tbl, uint idx) {
  if (tbl == 0 || tbl >= c->sb.size)
    return 0;
  return get32(block(c, tbl) + 4 * idx);
}

// Block idx of inode inum, or 0.
static uint file_block(const struct check *c, uint inum, uint idx) {
  if (idx < NDIRECT)
    return DIADDR(c, inum, idx);
  idx -= NDIRECT;
  if (idx < NINDIRECT)
    return table_get(c, DIADDR(c, inum, ADDR_INDIRECT), idx);
  idx -= NINDIRECT;
  uint mid = table_get(c, DIADDR(c, inum, ADDR_DINDIRECT), idx / NINDIRECT);
  return table_get(c, mid, idx % NINDIRECT);
}

// Claims the indirect and doubly-indirect tables of inode inum.
static void claim_tables(struct check *c, uint inum) {
  if (DIADDR(c, inum, ADDR_INDIRECT))
    claim(c, inum, DIADDR(c, inum, ADDR_INDIRECT));
  uint top = DIADDR(c, inum, ADDR_DINDIRECT);
  if (!top)
    return;
  claim(c, inum, top);
  for (uint j = 0; j < NINDIRECT; j++) {
    uint mid = table_get(c, top, j);
    if (mid)
      claim(c, inum, mid);
  }
}

static void check_blocks(struct check *c, uint inum) {
  uint size = DI32(c, inum, size);
  if (size > MAXFILE * BSIZE) {
    problem(c, "inode %u: size %u exceeds MAXFILE", inum, size);
    return;
  }
  uint nblk = (size + BSIZE - 1) / BSIZE;
  claim_tables(c, inum);
  for (uint i = 0; i < MAXFILE; i++) {
    uint b = file_block(c, inum, i);
    if (i < nblk && b == 0)
      problem(c, "inode %u: hole at block %u of %u", inum, i, nblk);
    else if (i >= nblk && b != 0)
      problem(c, "inode %u: block %u lies past its size %u", inum, i, size);
    if (b)
      claim(c, inum, b);
  }
}

// Reads the entry at byte off of directory inum; -1 if its block is missing.
static int dir_entry(const struct check *c, uint inum, uint off, uint *e_inum, char *name) {
  uint b = file_block(c, inum, off / BSIZE);
  if (b == 0 || b >= c->sb.size)
    return -1;
  const uchar *e = block(c, b) + off % BSIZE;
  *e_inum = get16(e + offsetof(struct dirent, inum));
  memcpy(name, e + offsetof(struct dirent, name), DIRSIZ);
  name[DIRSIZ] = 0;
  return 0;
}

static void walk(struct check *c, uint dir, uint parent);

static void check_entry(struct check *c, uint dir, uint parent, uint off, uint inum,
                        const char *name) {
  if (inum >= c->sb.ninodes) {
    problem(c, "directory %u: '%s' names inode %u beyond the table", dir, name, inum);
    return;
  }
  uint type = DI16(c, inum, type);
  if (type == 0) {
    problem(c, "directory %u: '%s' names free inode %u", dir, name, inum);
    return;
  }
  int pos = off / sizeof(struct dirent);
  if (pos == 0 && (strcmp(name, ".") != 0 || inum != dir))
    problem(c, "directory %u: first entry is not '.' for itself", dir);
  if (pos == 1 && (strcmp(name, "..") != 0 || inum != parent))
    problem(c, "directory %u: second entry is not '..' for its parent", dir);
  if (pos > 0)
    c->names[inum]++;
  if (pos >= 2 && type == T_DIR)
    walk(c, inum, dir);
}

static void walk(struct check *c, uint dir, uint parent) {
  if (c->visited[dir]) {
    problem(c, "directory %u is reachable twice", dir);
    return;
  }
  c->visited[dir] = 1;
  uint size = DI32(c, dir, size);
  if (size % sizeof(struct dirent) != 0 || size < 2 * sizeof(struct dirent) ||
      size > MAXFILE * BSIZE) {
    problem(c, "directory %u: bad size %u", dir, size);
    return;
  }
  for (uint off = 0; off < size; off += sizeof(struct dirent)) {
    uint inum;
    char name[DIRSIZ + 1];
    if (dir_entry(c, dir, off, &inum, name) < 0) {
      problem(c, "directory %u: missing block at offset %u", dir, off);
      return;
    }
    if (inum)
      check_entry(c, dir, parent, off, inum, name);
  }
}

static void check_inodes(struct check *c) {
  for (uint inum = 1; inum < c->sb.ninodes; inum++) {
    uint type = DI16(c, inum, type);
    int nlink = (short)DI16(c, inum, nlink);
    if (type == 0) {
      continue;
    } else if (type != T_DIR && type != T_FILE && type != T_DEV) {
      problem(c, "inode %u: unknown type %u", inum, type);
      continue;
    }
    if (c->names[inum] == 0 && nlink == 0)
      c->leaked++; // unlinked while open when the machine stopped
    else if (nlink != c->names[inum])
      problem(c, "inode %u: link count %d but %d directory entries", inum, nlink, c->names[inum]);
    if (type == T_DIR && c->names[inum] > 0 && !c->visited[inum])
      problem(c, "inode %u: directory not reachable from the root", inum);
    c->files += type != T_DIR;
    c->dirs += type == T_DIR;
    check_blocks(c, inum);
  }
}

static void check_bitmap(struct check *c) {
  for (uint b = 0; b < c->sb.size - c->sb.nblocks; b++)
    c->used[b] = 1;
  for (uint b = 0; b < c->sb.size; b++) {
    int bit = (block(c, BBLOCK(b, c->sb))[(b % BPB) / 8] >> (b % 8)) & 1;
    if (bit != c->used[b])
      problem(c, "block %u: bitmap says %s but it is %s", b, bit ? "used" : "free",
              c->used[b] ? "in use" : "unused");
  }
}

static void check_log(struct check *c) {
  uint count = get32(block(c, c->sb.logstart));
  if (count != 0)
    problem(c, "log header holds %u uninstalled blocks (not recovered)", count);
}

static int check_image(struct check *c) {
  if (load_superblock(c) < 0)
    return 1;
  c->used = calloc(c->sb.size, 1);
  c->names = calloc(c->sb.ninodes, sizeof(int));
  c->visited = calloc(c->sb.ninodes, 1);
  if (!c->used || !c->names || !c->visited)
    return problem(c, "out of memory"), 2;
  check_log(c);
  if (DI16(c, ROOTINO, type) != T_DIR)
    problem(c, "the root inode is not a directory");
  else
    walk(c, ROOTINO, ROOTINO);
  check_inodes(c);
  check_bitmap(c);
  free(c->used);
  free(c->names);
  free(c->visited);
  return c->errors ? 1 : 0;
}

static uchar *read_image(const char *path, uint *nblocks) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = (size_t)FSSIZE * BSIZE * 4, len = 0;
  uchar *disk = calloc(cap, 1);
  if (disk)
    len = fread(disk, 1, cap, f);
  fclose(f);
  *nblocks = (uint)(len / BSIZE);
  return disk;
}

int main(int argc, char *argv[]) {
  if (argc != 2) {
    fprintf(stderr, "usage: fsck IMAGE\n");
    return 2;
  }
  struct check c = {0};
  uchar *disk = read_image(argv[1], &c.nblocks_img);
  if (!disk || c.nblocks_img < 2) {
    fprintf(stderr, "fsck: %s: cannot read a file-system image\n", argv[1]);
    free(disk);
    return 2;
  }
  c.disk = disk;
  int rc = check_image(&c);
  free(disk);
  if (rc == 0)
    printf("fsck: %s: consistent: %u files, %u directories, %u leaked inodes\n", argv[1], c.files,
           c.dirs, c.leaked);
  else
    fprintf(stderr, "fsck: %s: %d problems\n", argv[1], c.errors);
  return rc;
}
