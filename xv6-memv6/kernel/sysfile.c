// File-system system calls: argument checking and file descriptors here,
// the work in file.c, fs.c and pipe.c. Every call that may write the disk
// runs as one transaction (begin_op/end_op).
#include "fcntl.h"
#include "file.h"
#include "fsys.h"
#include "klib.h"
#include "log.h"
#include "param.h"
#include "proc.h"
#include "stat.h"
#include "sysarg.h"
#include "sysfile.h"
#include "vm.h"

// Argument n as a descriptor of an open file.
static int arg_fd(int n, int *pfd, struct file **pf) {
  int fd;
  if (arg_int(n, &fd) < 0 || fd < 0 || fd >= NOFILE || !myproc()->ofile[fd])
    return -1;
  if (pfd)
    *pfd = fd;
  if (pf)
    *pf = myproc()->ofile[fd];
  return 0;
}

// The lowest free descriptor now naming f, or -1 (f keeps its reference).
static int fd_install(struct file *f) {
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (!p->ofile[fd]) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

int sys_dup(void) {
  struct file *f;
  if (arg_fd(0, 0, &f) < 0)
    return -1;
  int fd = fd_install(f);
  if (fd >= 0)
    filedup(f);
  return fd;
}

// Fetches the (fd, buffer, count) arguments shared by read and write.
static int io_args(struct file **pf, uint *addr, int *n) {
  char *p;
  if (arg_fd(0, 0, pf) < 0 || arg_int(2, n) < 0 || *n < 0 || arg_ptr(1, &p, *n) < 0)
    return -1;
  *addr = (uint)p;
  return 0;
}

int sys_read(void) {
  struct file *f;
  uint addr;
  int n;
  if (io_args(&f, &addr, &n) < 0)
    return -1;
  return fileread(f, addr, n);
}

int sys_write(void) {
  struct file *f;
  uint addr;
  int n;
  if (io_args(&f, &addr, &n) < 0)
    return -1;
  return filewrite(f, addr, n);
}

int sys_close(void) {
  int fd;
  struct file *f;
  if (arg_fd(0, &fd, &f) < 0)
    return -1;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

int sys_fstat(void) {
  struct file *f;
  char *st;
  if (arg_fd(0, 0, &f) < 0 || arg_ptr(1, &st, sizeof(struct stat)) < 0)
    return -1;
  return filestat(f, (uint)st);
}

// Names ip (whose link count the caller already raised) as path.
static int add_name(const char *path, struct inode *ip) {
  char name[DIRSIZ + 1] = {0};
  struct inode *dp = nameiparent(path, name);
  if (!dp)
    return -1;
  ilock(dp);
  int r = dp->dev == ip->dev ? dirlink(dp, name, ip->inum) : -1;
  iunlockput(dp);
  return r;
}

int sys_link(void) {
  char *old, *new;
  if (arg_str(0, &old) < 0 || arg_str(1, &new) < 0)
    return -1;
  begin_op();
  struct inode *ip = namei(old);
  if (!ip) {
    end_op();
    return -1;
  }
  ilock(ip);
  if (ip->type == T_DIR) { // directories have exactly one name
    iunlockput(ip);
    end_op();
    return -1;
  }
  // Count the link before it exists: a crash in between leaves an inode
  // with one count too many, which wastes space but loses nothing.
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);
  int r = add_name(new, ip);
  if (r < 0) {
    ilock(ip);
    ip->nlink--;
    iupdate(ip);
    iunlock(ip);
  }
  iput(ip);
  end_op();
  return r;
}

// True if the locked directory dp holds nothing but "." and "..".
static int dir_empty(struct inode *dp) {
  struct dirent e = {0};
  for (uint off = 2 * sizeof(e); off < dp->size; off += sizeof(e)) {
    if (readi(dp, 0, (uint)&e, off, sizeof(e)) != sizeof(e))
      panic("dir_empty: short read");
    if (e.inum)
      return 0;
  }
  return 1;
}

// Removes name from the locked directory dp.
static int remove_name(struct inode *dp, const char *name) {
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    return -1;
  uint off;
  struct inode *ip = dirlookup(dp, name, &off);
  if (!ip)
    return -1;
  ilock(ip);
  if (ip->nlink < 1)
    panic("unlink: inode has no links");
  if (ip->type == T_DIR && !dir_empty(ip)) {
    iunlockput(ip);
    return -1;
  }
  struct dirent blank;
  memset(&blank, 0, sizeof(blank));
  if (writei(dp, 0, (uint)&blank, off, sizeof(blank)) != sizeof(blank))
    panic("unlink: cannot clear the entry");
  if (ip->type == T_DIR) { // its ".." no longer refers to dp
    dp->nlink--;
    iupdate(dp);
  }
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip); // frees the inode if that was its last name and use
  return 0;
}

int sys_unlink(void) {
  char *path;
  char name[DIRSIZ + 1] = {0};
  if (arg_str(0, &path) < 0)
    return -1;
  begin_op();
  struct inode *dp = nameiparent(path, name);
  int r = -1;
  if (dp) {
    ilock(dp);
    r = remove_name(dp, name);
    iunlockput(dp);
  }
  end_op();
  return r;
}

// Gives a new directory its "." and "..".
static int fill_dir(struct inode *dir, struct inode *parent) {
  if (dirlink(dir, ".", dir->inum) < 0 || dirlink(dir, "..", parent->inum) < 0)
    return -1;
  return 0;
}

// Creates path as a new inode of the given type and returns it locked. An
// existing plain file or device is returned instead when creating a file
// (open with O_CREATE); any other existing name is an error.
static struct inode *create(const char *path, short type, short major, short minor) {
  char name[DIRSIZ + 1] = {0};
  struct inode *dp = nameiparent(path, name);
  if (!dp)
    return 0;
  ilock(dp);
  struct inode *ip = dirlookup(dp, name, 0);
  if (ip) {
    iunlockput(dp);
    ilock(ip);
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEV))
      return ip;
    iunlockput(ip);
    return 0;
  }
  ip = ialloc(dp->dev, type);
  if (!ip) {
    iunlockput(dp);
    return 0;
  }
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);
  if ((type == T_DIR && fill_dir(ip, dp) < 0) || dirlink(dp, name, ip->inum) < 0) {
    ip->nlink = 0; // iput frees it again
    iupdate(ip);
    iunlockput(ip);
    iunlockput(dp);
    return 0;
  }
  if (type == T_DIR) { // the child's ".." names dp
    dp->nlink++;
    iupdate(dp);
  }
  iunlockput(dp);
  return ip;
}

// The inode open() is asked for, locked, or 0.
static struct inode *open_inode(const char *path, int mode) {
  if (mode & O_CREATE)
    return create(path, T_FILE, 0, 0);
  struct inode *ip = namei(path);
  if (!ip)
    return 0;
  ilock(ip);
  if (ip->type == T_DIR && (mode & (O_WRONLY | O_RDWR))) {
    iunlockput(ip);
    return 0;
  }
  return ip;
}

int sys_open(void) {
  char *path;
  int mode;
  if (arg_str(0, &path) < 0 || arg_int(1, &mode) < 0)
    return -1;
  begin_op();
  struct inode *ip = open_inode(path, mode);
  if (!ip) {
    end_op();
    return -1;
  }
  struct file *f = filealloc();
  int fd = f ? fd_install(f) : -1;
  if (fd < 0) {
    if (f)
      fileclose(f);
    iunlockput(ip);
    end_op();
    return -1;
  }
  f->type = FD_INODE;
  f->ip = ip;
  f->off = 0;
  f->readable = !(mode & O_WRONLY);
  f->writable = (mode & (O_WRONLY | O_RDWR)) != 0;
  iunlock(ip);
  end_op();
  return fd;
}

int sys_mkdir(void) {
  char *path;
  if (arg_str(0, &path) < 0)
    return -1;
  begin_op();
  struct inode *ip = create(path, T_DIR, 0, 0);
  if (ip)
    iunlockput(ip);
  end_op();
  return ip ? 0 : -1;
}

int sys_mknod(void) {
  char *path;
  int major, minor;
  if (arg_str(0, &path) < 0 || arg_int(1, &major) < 0 || arg_int(2, &minor) < 0)
    return -1;
  begin_op();
  struct inode *ip = create(path, T_DEV, major, minor);
  if (ip)
    iunlockput(ip);
  end_op();
  return ip ? 0 : -1;
}

int sys_chdir(void) {
  char *path;
  if (arg_str(0, &path) < 0)
    return -1;
  begin_op();
  struct inode *ip = namei(path);
  if (ip) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      ip = 0;
    } else {
      iunlock(ip);
    }
  }
  if (!ip) {
    end_op();
    return -1;
  }
  struct proc *p = myproc();
  iput(p->cwd);
  p->cwd = ip;
  end_op();
  return 0;
}

int sys_pipe(void) {
  char *user_fds;
  if (arg_ptr(0, &user_fds, 2 * sizeof(int)) < 0)
    return -1;
  struct file *rf, *wf;
  if (pipealloc(&rf, &wf) < 0)
    return -1;
  struct proc *p = myproc();
  int fds[2] = {fd_install(rf), -1};
  if (fds[0] >= 0)
    fds[1] = fd_install(wf);
  if (fds[1] < 0 || copy_to_dst(1, (uint)user_fds, fds, sizeof(fds)) < 0) {
    for (int i = 0; i < 2; i++) {
      if (fds[i] >= 0)
        p->ofile[fds[i]] = 0;
    }
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  return 0;
}
