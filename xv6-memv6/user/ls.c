// ls [PATH...]: one line per entry: name, type, inode number, size.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "fs.h"
#include "user.h"

#define NAME_WIDTH DIRSIZ

static void show(const char *name, struct stat *st) {
  int len = strlen(name);
  printf(1, "%s", name);
  for (int i = len; i < NAME_WIDTH; i++)
    printf(1, " ");
  printf(1, " %d %d %d\n", st->type, st->ino, st->size);
}

// Build "dir/name" in out; the dirent name may lack a terminator when it
// uses all DIRSIZ bytes.
static int join(char *out, int max, const char *dir, const char *name) {
  int dl = strlen(dir);
  if (dl + 1 + DIRSIZ + 1 > max)
    return -1;
  strcpy(out, dir);
  out[dl] = '/';
  memmove(out + dl + 1, name, DIRSIZ);
  out[dl + 1 + DIRSIZ] = '\0';
  return dl + 1;
}

static int list_dir(int fd, const char *path) {
  char full[512];
  struct dirent de;
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    int at = join(full, sizeof(full), path, de.name);
    if (at < 0) {
      printf(2, "ls: path too long\n");
      return -1;
    }
    struct stat st;
    if (stat(full, &st) < 0) {
      printf(2, "ls: cannot stat %s\n", full);
      continue;
    }
    show(full + at, &st);
  }
  return 0;
}

static int list(const char *path) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    printf(2, "ls: cannot open %s\n", path);
    if (fd >= 0)
      close(fd);
    return -1;
  }
  int r = 0;
  if (st.type == T_DIR)
    r = list_dir(fd, path);
  else
    show(path, &st);
  close(fd);
  return r;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return list(".") < 0;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (list(argv[i]) < 0)
      status = 1;
  }
  return status;
}
