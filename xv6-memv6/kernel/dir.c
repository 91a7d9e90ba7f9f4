// Directories and path names, on the inode layer of fs.c.
//
// A directory is a file of struct dirent; slot 0 is ".", slot 1 "..", and
// a zero inode number marks a free slot that dirlink reuses.
#include "fsys.h"
#include "klib.h"
#include "param.h"
#include "proc.h"
#include "stat.h"

int namecmp(const char *a, const char *b) {
  return strncmp(a, b, DIRSIZ);
}

static void read_entry(struct inode *dp, uint off, struct dirent *e) {
  if (readi(dp, 0, (uint)e, off, sizeof(*e)) != sizeof(*e))
    panic("directory: short read");
}

struct inode *dirlookup(struct inode *dp, const char *name, uint *poff) {
  if (dp->type != T_DIR)
    panic("dirlookup: not a directory");
  struct dirent e = {0};
  for (uint off = 0; off < dp->size; off += sizeof(e)) {
    read_entry(dp, off, &e);
    if (e.inum && namecmp(name, e.name) == 0) {
      if (poff)
        *poff = off;
      return iget(dp->dev, e.inum);
    }
  }
  return 0;
}

// Adds name -> inum to the locked directory dp; -1 if the name is taken
// or the directory cannot grow.
int dirlink(struct inode *dp, const char *name, uint inum) {
  struct inode *taken = dirlookup(dp, name, 0);
  if (taken) {
    iput(taken);
    return -1;
  }
  struct dirent e = {0};
  uint off = 0;
  for (; off < dp->size; off += sizeof(e)) {
    read_entry(dp, off, &e);
    if (!e.inum)
      break; // reuse the first empty slot
  }
  memset(&e, 0, sizeof(e));
  for (int i = 0; i < DIRSIZ && name[i]; i++)
    e.name[i] = name[i];
  e.inum = inum;
  if (writei(dp, 0, (uint)&e, off, sizeof(e)) != sizeof(e))
    return -1;
  return 0;
}

// ---- path names ----

// Copies the first element of path into name (DIRSIZ bytes, NUL-terminated
// when shorter; longer elements are cut to DIRSIZ) and returns the rest of
// the path without its leading slashes, or 0 if no element is left.
static const char *next_elem(const char *path, char *name) {
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  const char *start = path;
  while (*path && *path != '/')
    path++;
  int len = path - start;
  memmove(name, start, len < DIRSIZ ? len : DIRSIZ);
  if (len < DIRSIZ)
    name[len] = 0;
  while (*path == '/')
    path++;
  return path;
}

// Follows path from the root or the working directory. With parent set it
// stops one element early, leaving the last element in name.
static struct inode *walk(const char *path, int parent, char *name) {
  struct inode *cur = *path == '/' ? iget(ROOTDEV, ROOTINO) : idup(myproc()->cwd);
  while ((path = next_elem(path, name)) != 0) {
    ilock(cur);
    if (cur->type != T_DIR) {
      iunlockput(cur);
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(cur);
      return cur;
    }
    struct inode *next = dirlookup(cur, name, 0);
    iunlockput(cur);
    if (!next)
      return 0;
    cur = next;
  }
  if (parent) { // the path had no last element ("/" or "")
    iput(cur);
    return 0;
  }
  return cur;
}

struct inode *namei(const char *path) {
  char name[DIRSIZ];
  return walk(path, 0, name);
}

struct inode *nameiparent(const char *path, char *name) {
  return walk(path, 1, name);
}
