// mkfs: build an xv6-memv6 file-system image.
//
//   mkfs OUTPUT.img FILE...
//
// The whole image is assembled in memory and written to OUTPUT.tmp, which is
// renamed over OUTPUT only when every byte is on disk, so a failed run never
// leaves a half-built image where the build expects a good one. Each FILE is
// copied into the root directory under its basename.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "types.h"
#include "param.h"
#include "fs.h"
#include "stat.h"

_Static_assert(BSIZE % sizeof(struct dinode) == 0, "dinodes must tile a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must tile a block");

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NINODES 200 // inodes in the image; inode 0 is never used

// The image under construction and the allocation cursors. Blocks and
// inodes are handed out in increasing order; nothing is ever freed.
struct image {
  uchar *disk; // FSSIZE * BSIZE bytes
  struct superblock sb;
  uint next_inum;
  uint next_block;    // first data block not yet used
  const char *out;    // output path, for messages
  const char *adding; // input being copied, for messages
};

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...) {
  va_list ap;
  fputs("mkfs: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

// The format is little-endian (the guest is i386); store explicitly so the
// tool stays correct on any host.
static void put32(uchar *p, uint v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uchar)(v >> (8 * i));
}

static uint get32(const uchar *p) {
  return (uint)p[0] | (uint)p[1] << 8 | (uint)p[2] << 16 | (uint)p[3] << 24;
}

static void put16(uchar *p, uint v) {
  p[0] = (uchar)v;
  p[1] = (uchar)(v >> 8);
}

static uchar *block(struct image *img, uint b) {
  return img->disk + (size_t)b * BSIZE;
}

static uchar *dinode_at(struct image *img, uint inum) {
  return block(img, IBLOCK(inum, img->sb)) + (inum % IPB) * sizeof(struct dinode);
}

// Field offsets inside struct dinode, computed from the shared header so the
// byte-level writes below follow any change to the struct.
#define DI_TYPE offsetof(struct dinode, type)
#define DI_NLINK offsetof(struct dinode, nlink)
#define DI_SIZE offsetof(struct dinode, size)
#define DI_ADDR(i) (offsetof(struct dinode, addrs) + (i) * sizeof(uint))

static void layout(struct image *img) {
  uint ninodeblocks = NINODES / IPB + 1;
  uint nbitmap = FSSIZE / BPB + 1;
  uint nmeta = 2 + LOGSIZE + ninodeblocks + nbitmap;
  img->sb = (struct superblock){
      .magic = FSMAGIC,
      .size = FSSIZE,
      .nblocks = FSSIZE - nmeta,
      .ninodes = NINODES,
      .nlog = LOGSIZE,
      .logstart = 2,
      .inodestart = 2 + LOGSIZE,
      .bmapstart = 2 + LOGSIZE + ninodeblocks,
  };
  img->next_block = nmeta;
  img->next_inum = ROOTINO;
}

static void write_superblock(struct image *img) {
  const struct superblock *sb = &img->sb;
  const uint fields[] = {sb->magic, sb->size,     sb->nblocks,    sb->ninodes,
                         sb->nlog,  sb->logstart, sb->inodestart, sb->bmapstart};
  _Static_assert(sizeof(fields) == sizeof(*sb), "superblock fields listed above");
  uchar *p = block(img, 1);
  for (uint i = 0; i < NELEMS(fields); i++)
    put32(p + 4 * i, fields[i]);
}

static uint new_inode(struct image *img, short type) {
  if (img->next_inum >= img->sb.ninodes)
    die("%s: out of inodes (%u)", img->out, img->sb.ninodes);
  uint inum = img->next_inum++;
  uchar *di = dinode_at(img, inum);
  put16(di + DI_TYPE, (uint)type);
  put16(di + DI_NLINK, 1);
  return inum;
}

static uint new_block(struct image *img) {
  if (img->next_block >= img->sb.size)
    die("%s: image full (%u blocks) while adding %s; raise FSSIZE in param.h", img->out,
        img->sb.size, img->adding ? img->adding : "the root directory");
  return img->next_block++;
}

// The block named by the 32-bit slot at p, allocated on first use.
static uint slot_block(struct image *img, uchar *p) {
  if (get32(p) == 0)
    put32(p, new_block(img));
  return get32(p);
}

// Entry idx of the block-number table in block tbl, allocated on first use.
static uint table_block(struct image *img, uint tbl, uint idx) {
  return slot_block(img, block(img, tbl) + idx * sizeof(uint));
}

// Block number holding byte offset off of inode inum, allocating it (and
// the indirect or doubly-indirect tables on the way) on first use.
static uint block_for(struct image *img, uint inum, uint off) {
  uchar *di = dinode_at(img, inum);
  uint idx = off / BSIZE;
  if (idx >= MAXFILE)
    return 0;
  if (idx < NDIRECT)
    return slot_block(img, di + DI_ADDR(idx));
  idx -= NDIRECT;
  if (idx < NINDIRECT)
    return table_block(img, slot_block(img, di + DI_ADDR(ADDR_INDIRECT)), idx);
  idx -= NINDIRECT;
  uint top = slot_block(img, di + DI_ADDR(ADDR_DINDIRECT));
  return table_block(img, table_block(img, top, idx / NINDIRECT), idx % NINDIRECT);
}

// Append n bytes to inode inum. Returns 0, or -1 when the file would exceed
// MAXFILE blocks.
static int append(struct image *img, uint inum, const void *data, size_t n) {
  uchar *di = dinode_at(img, inum);
  const uchar *src = data;
  uint size = get32(di + DI_SIZE);
  while (n > 0) {
    uint b = block_for(img, inum, size);
    if (b == 0)
      return -1;
    size_t chunk = BSIZE - size % BSIZE;
    if (chunk > n)
      chunk = n;
    memcpy(block(img, b) + size % BSIZE, src, chunk);
    size += (uint)chunk;
    src += chunk;
    n -= chunk;
    put32(di + DI_SIZE, size);
  }
  return 0;
}

static void add_dirent(struct image *img, uint dir, uint inum, const char *name) {
  struct dirent de;
  memset(&de, 0, sizeof(de));
  put16((uchar *)&de.inum, inum);
  // A name of exactly DIRSIZ bytes fills the field with no NUL, as the
  // format allows; shorter names keep the zero padding from memset.
  size_t len = strlen(name);
  memcpy(de.name, name, len < DIRSIZ ? len : DIRSIZ);
  if (append(img, dir, &de, sizeof(de)) < 0)
    die("%s: root directory full", img->out);
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// True if the root directory already has an entry called name.
static int root_has(struct image *img, const char *name) {
  uchar *di = dinode_at(img, ROOTINO);
  uint size = get32(di + DI_SIZE);
  for (uint off = 0; off < size; off += sizeof(struct dirent)) {
    uchar *e = block(img, block_for(img, ROOTINO, off)) + off % BSIZE;
    if (strncmp((const char *)e + offsetof(struct dirent, name), name, DIRSIZ) == 0)
      return 1;
  }
  return 0;
}

static void add_file(struct image *img, const char *path) {
  const char *name = base_name(path);
  if (*name == 0)
    die("%s: no file name in path", path);
  if (strlen(name) > DIRSIZ)
    die("%s: name '%s' is longer than %d characters", path, name, DIRSIZ);
  if (root_has(img, name))
    die("%s: a file named '%s' is already in the image", path, name);
  FILE *in = fopen(path, "rb");
  if (!in)
    die("%s: %s", path, strerror(errno));
  // Refuse an oversized file before it can fill the image: the size limit
  // is the better message.
  if (fseek(in, 0, SEEK_END) == 0 && ftell(in) > (long)(MAXFILE * BSIZE))
    die("%s: larger than the maximum file size (%lu bytes)", path,
        (unsigned long)(MAXFILE * BSIZE));
  rewind(in);
  img->adding = path;
  uint inum = new_inode(img, T_FILE);
  uchar buf[BSIZE];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
    if (append(img, inum, buf, n) < 0)
      die("%s: larger than the maximum file size (%lu bytes)", path,
          (unsigned long)(MAXFILE * BSIZE));
  }
  int failed = ferror(in);
  fclose(in);
  if (failed)
    die("%s: read error", path);
  img->adding = NULL;
  add_dirent(img, ROOTINO, inum, name);
}

static void make_root(struct image *img) {
  uint root = new_inode(img, T_DIR);
  if (root != ROOTINO)
    die("internal error: root inode is %u", root);
  add_dirent(img, root, root, ".");
  add_dirent(img, root, root, "..");
}

// Every block below next_block is in use: metadata and data alike.
static void write_bitmap(struct image *img) {
  for (uint b = 0; b < img->next_block; b++)
    block(img, BBLOCK(b, img->sb))[(b % BPB) / 8] |= (uchar)(1u << (b % 8));
}

static void save(struct image *img) {
  size_t len = strlen(img->out) + 5;
  char *tmp = malloc(len);
  if (!tmp)
    die("out of memory");
  snprintf(tmp, len, "%s.tmp", img->out);
  FILE *f = fopen(tmp, "wb");
  if (!f)
    die("%s: %s", tmp, strerror(errno));
  size_t bytes = (size_t)FSSIZE * BSIZE;
  int ok = fwrite(img->disk, 1, bytes, f) == bytes;
  ok = (fflush(f) == 0) && ok;
  ok = (fsync(fileno(f)) == 0) && ok;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, img->out) != 0) {
    int err = errno;
    unlink(tmp);
    die("%s: %s", img->out, strerror(err));
  }
  free(tmp);
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fprintf(stderr, "usage: mkfs OUTPUT.img FILE...\n");
    return 2;
  }
  struct image img = {.out = argv[1]};
  img.disk = calloc(FSSIZE, BSIZE);
  if (!img.disk)
    die("out of memory");
  layout(&img);
  write_superblock(&img);
  make_root(&img);
  for (int i = 2; i < argc; i++)
    add_file(&img, argv[i]);
  write_bitmap(&img);
  save(&img);
  printf("mkfs: %s: %d files, %u of %u blocks, %u of %u inodes used\n", img.out, argc - 2,
         img.next_block, img.sb.size, img.next_inum - 1, img.sb.ninodes - 1);
  free(img.disk);
  return 0;
}
