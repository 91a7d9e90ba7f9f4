// The guest's system calls (user.h) for a guest program run as a Linux
// process, i386 or x86-64 (docs/linux.md): the counterpart of usys.S, built with the
// program, translated in the mirrored build like usys.S is for memv6.
//
// Calls that have a Linux equivalent are passed to Linux with the guest's
// meaning; where Linux writes into program memory (read's buffer, pipe's
// descriptors, a child's status), the bytes are copied to the mirror as the
// memv6 kernel's copyout does. Calls that only the guest kernel can answer
// (fstat's guest inode, the MemV6 frame calls)
// return -1, as an unknown call does in the guest.
#include "types.h"
#include "user.h"
#include "fcntl.h"
#include "mlx.h"
#include "lx_arch.h"

#define LX_O_CREAT 0x40
#define LX_SIGKILL 9
#define LX_CLOCK_THREAD_CPUTIME_ID 3
#define TICK_NS 10000000 // the guest's timer: 100 Hz, as Linux's USER_HZ

// Linux returns -errno; the guest -1.
static int lx(int nr, long a, long b, long c) {
  long r = lx_sys3(nr, a, b, c);
  return r < 0 && r > -4096 ? -1 : (int)r;
}

int main(int argc, char **argv);

// entry.S jumps here on the arena stack: returning from main is an exit.
void __attribute__((noreturn)) mlx_main(int argc, char **argv) {
  exitst(main(argc, argv));
}

int exitst(int status) {
  mlx_exit(status);
}

int exit(void) {
  mlx_exit(0);
}

int write(int fd, const void *src, int n) {
  return lx(LX_NR_WRITE, fd, (long)src, n);
}

int read(int fd, void *dst, int n) {
  int r = lx(LX_NR_READ, fd, (long)dst, n);
  if (r > 0)
    mlx_mirror_sync(dst, (uint)r);
  return r;
}

int open(const char *path, int flags) {
  int lflags = flags & (O_WRONLY | O_RDWR); // the same numbers on both
  if (flags & O_CREATE)
    lflags |= LX_O_CREAT;
  return lx(LX_NR_OPEN, (long)path, lflags, 0644);
}

int close(int fd) {
  return lx(LX_NR_CLOSE, fd, 0, 0);
}

int dup(int fd) {
  return lx(LX_NR_DUP, fd, 0, 0);
}

int pipe(int *fds) {
  int r = lx(LX_NR_PIPE, (long)fds, 0, 0);
  if (r == 0)
    mlx_mirror_sync(fds, 2 * sizeof *fds);
  return r;
}

int unlink(const char *path) {
  return lx(LX_NR_UNLINK, (long)path, 0, 0);
}

int link(const char *existing, const char *newname) {
  return lx(LX_NR_LINK, (long)existing, (long)newname, 0);
}

int mkdir(const char *path) {
  return lx(LX_NR_MKDIR, (long)path, 0755, 0);
}

int chdir(const char *path) {
  return lx(LX_NR_CHDIR, (long)path, 0, 0);
}

int getpid(void) {
  return lx(LX_NR_GETPID, 0, 0, 0);
}

int fork(void) {
  return lx(LX_NR_FORK, 0, 0, 0); // the child gets a copy of both sides
}

int kill(int pid) {
  return lx(LX_NR_KILL, pid, LX_SIGKILL, 0);
}

// waitpid(-1, &st, 0), 16 bits of Linux status as the guest's exit
// status (a child killed by a signal: -1, as the guest's kill gives).
int waitst(int *status) {
  int st = 0;
  long r = lx_waitpid(-1, &st);
  int pid = r < 0 && r > -4096 ? -1 : (int)r;
  mlx_mirror_sync(&st, sizeof st);
  if (pid > 0 && status)
    *status = (st & 0x7f) ? -1 : (signed char)((st >> 8) & 0xff);
  return pid;
}

int wait(void) {
  return waitst(0);
}

int uptime(void) {
  long ticks[4]; // struct tms, which times() fills
  int r = lx(LX_NR_TIMES, (long)ticks, 0, 0);
  mlx_mirror_sync(ticks, sizeof ticks);
  return r;
}

int sleep(int n) {
  long ts[2] = {n / 100, (n % 100) * TICK_NS}; // struct timespec
  return lx(LX_NR_NANOSLEEP, (long)ts, 0, 0);
}

// The clock the benchmarks time their kernels with. In the guest it is the
// time-stamp counter; here, on a host shared with other work, a kernel of a
// few milliseconds is often descheduled, and the TSC would count the time
// other processes ran. The thread's own CPU time (in nanoseconds) leaves
// that out; what the mirror costs (instructions, cache and TLB misses)
// stays in. This replaces ulib.c's weak rdtsc.
uint64 rdtsc(void) {
  long ts[2] = {0, 0}; // struct timespec
  lx(LX_NR_CLOCK_GETTIME, LX_CLOCK_THREAD_CPUTIME_ID, (long)ts, 0);
  return (uint64)(unsigned long)ts[0] * 1000000000u + (unsigned long)ts[1];
}

// The heap grows in the arena, up to MLX_HEAP_MAX; never shrinks below it.
char *sbrk(int delta) {
  if (!mlx_brk)
    mlx_brk = MLX_ARENA;
  unsigned long old = mlx_brk;
  if ((delta > 0 && (unsigned long)delta > MLX_ARENA + MLX_HEAP_MAX - old) ||
      (delta < 0 && (unsigned long)-(long)delta > old - MLX_ARENA))
    return (char *)-1;
  mlx_brk = old + (unsigned long)(long)delta;
  return (char *)old;
}

int mirrorcheck(int pid) {
  return pid == 0 || pid == getpid() ? mlx_oracle() : -1;
}

// The guest looks a program up in the current directory, where its file
// system has every program; here a name without '/' is looked up beside the
// running program (the build's i386-native/ or i386-memv6/), so benchall
// runs the suite of its own build. Returns only on failure, as in the guest.
int exec(char *path, char **argv) {
  char full[512];
  char *envp[] = {0};
  if (!strchr(path, '/')) {
    int n = lx(LX_NR_READLINK, (long)"/proc/self/exe", (long)full, (long)sizeof full - 1);
    if (n < 0)
      return -1;
    mlx_mirror_sync(full, (uint)n);
    while (n > 0 && full[n - 1] != '/')
      n--;
    if ((uint)n + strlen(path) + 1 > sizeof full)
      return -1;
    strcpy(full + n, path);
    path = full;
  }
  return lx(LX_NR_EXECVE, (long)path, (long)argv, (long)envp);
}

// Calls only the guest kernel can answer: -1, as for an unknown call there.
int fstat(int fd, struct stat *st) {
  (void)fd, (void)st;
  return -1;
}

int mknod(const char *path, short major, short minor) {
  (void)path, (void)major, (void)minor;
  return -1;
}

int shutdown(int status) {
  (void)status;
  return -1;
}

int freepages(void) {
  return -1;
}

int mcetest(uint va, int bit, int mode) {
  (void)va, (void)bit, (void)mode;
  return -1;
}

int vtop(uint va) {
  (void)va;
  return -1;
}

int dedup(void) {
  return -1;
}

int framerefs(uint va) {
  (void)va;
  return -1;
}

int freemirror(void) {
  return -1;
}

int retired(int zone) {
  (void)zone;
  return -1;
}
