// usertests: directories, names and links.
#include "types.h"
#include "stat.h"
#include "fcntl.h"
#include "fs.h"
#include "user.h"
#include "ut.h"

static int ino_of(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0)
    return -1;
  return (int)st.ino;
}

// ---- mkdirbasic ----

static int mkdirbasic_body(void) {
  struct stat st;
  CHECK(mkdir("utd") == 0);
  CHECK(mkdir("utd") < 0);
  CHECK(stat("utd", &st) == 0 && st.type == T_DIR);
  CHECK(ut_write_file("utd/f", "x", 1) == 0);
  CHECK(ut_exists("utd/../utd/./f"));
  CHECK(unlink("utd") < 0);       // not empty
  CHECK(open("utd", O_RDWR) < 0); // directories are read-only to open()
  CHECK(open("utd", O_WRONLY) < 0);
  CHECK(unlink("utd/f") == 0);
  CHECK(unlink("utd") == 0);
  CHECK(!ut_exists("utd"));
  CHECK(mkdir("utd") == 0); // the name is free again
  CHECK(unlink("utd") == 0);
  return 0;
}

int t_mkdirbasic(void) {
  unlink("utd/f");
  unlink("utd");
  int r = mkdirbasic_body();
  unlink("utd/f");
  unlink("utd");
  return r;
}

// ---- chdirrel: relative names follow the current directory ----

static int chdirrel_body(void) {
  CHECK(mkdir("utcd") == 0);
  CHECK(chdir("utcd") == 0);
  CHECK(ut_write_file("f", "hi", 2) == 0);
  CHECK(ut_file_size("/utcd/f") == 2);
  CHECK(chdir("..") == 0);
  CHECK(ut_file_size("utcd/f") == 2);
  CHECK(chdir("utcd/f") < 0);
  CHECK(chdir("utnosuch") < 0);
  CHECK(chdir("/utcd") == 0 && ut_file_size("f") == 2);
  return 0;
}

int t_chdirrel(void) {
  int r = chdirrel_body();
  chdir("/");
  unlink("/utcd/f");
  unlink("/utcd");
  return r;
}

// ---- dotdot: "." and ".." ----

static int dotdot_body(void) {
  int root = ino_of("/");
  CHECK(root == ROOTINO);
  CHECK(ino_of("/..") == root);
  CHECK(ino_of(".") == root); // tests start in /
  CHECK(mkdir("utdd") == 0);
  CHECK(ino_of("utdd/..") == root);
  CHECK(ino_of("utdd/.") == ino_of("utdd"));
  CHECK(unlink("utdd/.") < 0);
  CHECK(unlink("utdd/..") < 0);
  CHECK(unlink(".") < 0);
  CHECK(unlink("utdd") == 0);
  return 0;
}

int t_dotdot(void) {
  unlink("utdd");
  int r = dotdot_body();
  unlink("utdd");
  return r;
}

// ---- links: two names, one file ----

static int links_body(void) {
  struct stat a, b;
  char buf[8];
  CHECK(ut_write_file("utla", "abc", 3) == 0);
  CHECK(link("utla", "utlb") == 0);
  CHECK(stat("utla", &a) == 0 && stat("utlb", &b) == 0);
  CHECK(a.ino == b.ino && a.nlink == 2 && b.nlink == 2);
  int fd = open("utlb", O_RDWR);
  CHECK(fd >= 0);
  CHECK(write(fd, "XY", 2) == 2);
  close(fd);
  fd = open("utla", O_RDONLY);
  CHECK(fd >= 0);
  CHECK(read(fd, buf, 8) == 3 && memcmp(buf, "XYc", 3) == 0);
  close(fd);
  CHECK(link("utla", "utlb") < 0); // the new name exists
  CHECK(link("utnosuch", "utlc") < 0);
  CHECK(!ut_exists("utlc"));
  CHECK(unlink("utla") == 0);
  CHECK(stat("utlb", &b) == 0 && b.nlink == 1 && b.size == 3);
  CHECK(unlink("utlb") == 0);
  CHECK(!ut_exists("utla") && !ut_exists("utlb"));
  return 0;
}

int t_links(void) {
  unlink("utla");
  unlink("utlb");
  unlink("utlc");
  int r = links_body();
  unlink("utla");
  unlink("utlb");
  unlink("utlc");
  return r;
}

// ---- linkdir: links into directories; none to a directory ----

static int linkdir_body(void) {
  CHECK(mkdir("utld") == 0);
  CHECK(link("utld", "utld2") < 0);
  CHECK(ut_write_file("utlf", "z", 1) == 0);
  CHECK(link("utlf", "utld/x") == 0);
  CHECK(ino_of("utld/x") == ino_of("utlf"));
  CHECK(link("utlf", "utnodir/x") < 0);
  CHECK(link("utlf", "utlf/x") < 0);
  CHECK(unlink("utld") < 0); // holds x
  return 0;
}

int t_linkdir(void) {
  unlink("utld/x");
  unlink("utld");
  unlink("utld2");
  unlink("utlf");
  int r = linkdir_body();
  unlink("utld/x");
  unlink("utld");
  unlink("utld2");
  unlink("utlf");
  return r;
}

// ---- deepdirs: a chain of nested directories ----

#define DEPTH 10

// "utdeep" followed by `levels` times "/a".
static void deep_path(char *out, int levels) {
  strcpy(out, "utdeep");
  int n = strlen(out);
  for (int i = 0; i < levels; i++) {
    out[n++] = '/';
    out[n++] = 'a';
  }
  out[n] = '\0';
}

static int deepdirs_body(void) {
  char path[64];
  for (int i = 0; i <= DEPTH; i++) {
    deep_path(path, i);
    CHECK(mkdir(path) == 0);
  }
  strcpy(path + strlen(path), "/f");
  CHECK(ut_write_file(path, "deep", 4) == 0);
  deep_path(path, DEPTH);
  CHECK(chdir(path) == 0);
  CHECK(ut_file_size("f") == 4);
  CHECK(ut_file_size("../a/f") == 4);
  CHECK(chdir("../../../../../../../../../..") == 0);
  CHECK(ut_exists("a/f") == 0 && ut_exists("a") == 1); // now in utdeep
  CHECK(chdir("..") == 0 && ino_of(".") == ROOTINO);
  return 0;
}

static void deepdirs_clean(void) {
  char path[64];
  chdir("/");
  deep_path(path, DEPTH);
  strcpy(path + strlen(path), "/f");
  unlink(path);
  for (int i = DEPTH; i >= 0; i--) {
    deep_path(path, i);
    unlink(path);
  }
}

int t_deepdirs(void) {
  deepdirs_clean();
  int r = deepdirs_body();
  deepdirs_clean();
  CHECK(!ut_exists("utdeep"));
  return r;
}

// ---- pathbad: paths through things that are not directories ----

static int pathbad_body(void) {
  CHECK(ut_write_file("utpf", "p", 1) == 0);
  CHECK(open("utpf/x", O_CREATE | O_RDWR) < 0);
  CHECK(mkdir("utpf/d") < 0);
  CHECK(chdir("utpf") < 0);
  CHECK(open("utnodir/x", O_CREATE | O_RDWR) < 0);
  CHECK(mkdir("utnodir/d") < 0);
  CHECK(unlink("utnodir/x") < 0);
  CHECK(unlink("utnosuch") < 0);
  CHECK(!ut_exists("utnodir"));
  CHECK(ut_file_size("utpf") == 1);
  return 0;
}

int t_pathbad(void) {
  unlink("utpf");
  int r = pathbad_body();
  unlink("utpf");
  return r;
}

// ---- dirsiz: names of exactly DIRSIZ bytes ----

#define NAME14 "ut34567890abcd"

// Is there an entry whose DIRSIZ bytes are exactly name (unterminated)?
static int dir_has_full_name(const char *dir, const char *name) {
  struct dirent de;
  int found = 0;
  int fd = open(dir, O_RDONLY);
  if (fd < 0)
    return 0;
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum != 0 && memcmp(de.name, name, DIRSIZ) == 0)
      found = 1;
  }
  close(fd);
  return found;
}

static int dirsiz_body(void) {
  CHECK(strlen(NAME14) == DIRSIZ);
  CHECK(ut_write_file(NAME14, "14", 2) == 0);
  CHECK(ut_file_size(NAME14) == 2);
  CHECK(dir_has_full_name(".", NAME14));
  CHECK(!ut_exists("ut34567890abc")); // a prefix is another name
  // A longer name is cut to DIRSIZ (xv6) or refused; it never names
  // something else.
  int fd = open(NAME14 "X", O_RDONLY);
  if (fd >= 0) {
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && (int)st.ino == ino_of(NAME14));
    close(fd);
  }
  CHECK(unlink(NAME14) == 0);
  CHECK(!dir_has_full_name(".", NAME14));
  return 0;
}

int t_dirsiz(void) {
  unlink(NAME14);
  int r = dirsiz_body();
  unlink(NAME14);
  return r;
}

// ---- readdir: reading a directory yields its entries ----

// Bit 0: ".", bit 1: "..", bit 2: "alpha", bit 3: "beta", bit 4: others.
static int scan_dir(const char *dir, int dot_ino, int dotdot_ino) {
  struct dirent de;
  int seen = 0;
  int fd = open(dir, O_RDONLY);
  if (fd < 0)
    return -1;
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    if (strncmp(de.name, ".", DIRSIZ) == 0 && de.inum == dot_ino)
      seen |= 1;
    else if (strncmp(de.name, "..", DIRSIZ) == 0 && de.inum == dotdot_ino)
      seen |= 2;
    else if (strncmp(de.name, "alpha", DIRSIZ) == 0)
      seen |= 4;
    else if (strncmp(de.name, "beta", DIRSIZ) == 0)
      seen |= 8;
    else
      seen |= 16;
  }
  close(fd);
  return seen;
}

static int readdir_body(void) {
  CHECK(mkdir("utrd") == 0);
  CHECK(ut_write_file("utrd/alpha", "a", 1) == 0);
  CHECK(ut_write_file("utrd/beta", "b", 1) == 0);
  int self = ino_of("utrd");
  CHECK(scan_dir("utrd", self, ROOTINO) == (1 | 2 | 4 | 8));
  CHECK(unlink("utrd/alpha") == 0);
  CHECK(scan_dir("utrd", self, ROOTINO) == (1 | 2 | 8));
  return 0;
}

int t_readdir(void) {
  unlink("utrd/alpha");
  unlink("utrd/beta");
  unlink("utrd");
  int r = readdir_body();
  unlink("utrd/alpha");
  unlink("utrd/beta");
  unlink("utrd");
  return r;
}

// ---- manyfiles: a directory spanning several blocks ----

#define NFILES 70

static void many_name(char *out, int i) {
  strcpy(out, "utmf/f00");
  out[6] = (char)('0' + i / 10);
  out[7] = (char)('0' + i % 10);
}

static int manyfiles_body(void) {
  char name[12];
  char b[4];
  CHECK(mkdir("utmf") == 0);
  for (int i = 0; i < NFILES; i++) {
    many_name(name, i);
    CHECK(ut_write_file(name, name + 6, 2) == 0);
  }
  CHECK(ut_file_size("utmf") >= (NFILES + 2) * (int)sizeof(struct dirent));
  for (int i = 0; i < NFILES; i++) {
    many_name(name, i);
    int fd = open(name, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(read(fd, b, 4) == 2 && b[0] == name[6] && b[1] == name[7]);
    close(fd);
  }
  for (int i = 0; i < NFILES; i++) {
    many_name(name, i);
    CHECK(unlink(name) == 0);
  }
  CHECK(unlink("utmf") == 0);
  return 0;
}

int t_manyfiles(void) {
  char name[12];
  for (int i = 0; i < NFILES; i++) {
    many_name(name, i);
    unlink(name);
  }
  unlink("utmf");
  int r = manyfiles_body();
  for (int i = 0; i < NFILES; i++) {
    many_name(name, i);
    unlink(name);
  }
  unlink("utmf");
  return r;
}

// ---- inodereuse: unlink frees the inode ----
//
// More create/unlink rounds than the disk has inodes: without freeing,
// creation would run out.

#define INODE_ROUNDS 250

int t_inodereuse(void) {
  unlink("utir");
  for (int i = 0; i < INODE_ROUNDS; i++) {
    int fd = open("utir", O_CREATE | O_RDWR);
    CHECK(fd >= 0);
    CHECK(write(fd, "i", 1) == 1);
    close(fd);
    CHECK(unlink("utir") == 0);
  }
  CHECK(!ut_exists("utir"));
  return 0;
}
