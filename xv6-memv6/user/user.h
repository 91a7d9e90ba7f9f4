// The interface user programs see: system calls and the small C library.
//
// Calls 1-21 and the library carry xv6 x86's prototypes, so a program written
// for xv6 builds against this header unchanged. Our additions follow.
#ifndef USER_H
#define USER_H

struct stat;

// System calls shared with xv6 (numbers in syscall.h).
int fork(void);
int exit(void) __attribute__((noreturn));
int wait(void);
int pipe(int *fds); // fds[0] reads, fds[1] writes
int write(int fd, const void *src, int n);
int read(int fd, void *dst, int n);
int close(int fd);
int kill(int pid);
int exec(char *path, char **argv);
int open(const char *path, int flags);
int mknod(const char *path, short major, short minor);
int unlink(const char *path);
int fstat(int fd, struct stat *st);
int link(const char *existing, const char *newname);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
char *sbrk(int delta); // returns the old break
int sleep(int ticks);
int uptime(void);

// System calls of our own.
int exitst(int status) __attribute__((noreturn)); // exit with a status
int waitst(int *status); // like wait(); stores the child's status if non-null
// Waits until child pid exits, reaping any other children that exit first;
// 0 with its status in *status, or -1 once there is no such child left.
int waitpid_st(int pid, int *status);
int shutdown(int status); // power off; QEMU exits with ((status&0x7f)<<1)|1
int freepages(void);      // free physical frames in the kernel
// MemV6 (docs/memv6.md). The mirror oracle: mismatched bytes between the
// native and mirror memory of process pid (0: all), or -1 on the native
// kernel or for an unknown pid.
int mirrorcheck(int pid);
// Self-test of machine-check recovery: flips bit (0-7) of the byte at va in
// this process's memory and runs the kernel's #MC recovery on that frame.
// mode 0: native frame, 1: mirror frame (memv6), 2: flip the native byte
// only (no recovery: silent corruption the oracle must see). 0 or -1; on
// the native kernel mode 0 kills the caller (status -1), as a real #MC does.
// memv6sys also has kernel modes 4-7, with va naming a kernel frame of the
// caller's (kernel/mce.h, MCETEST_K*; kmcetest.c uses them).
int mcetest(uint va, int bit, int mode);
int vtop(uint va); // the physical address behind va, or -1 (debugging)
// Sharing of user frames: fork shares them copy-on-write, dedup merges
// identical pages of all processes and returns how many native frames it
// freed (-1 on error). framerefs: how many mappings the native frame
// behind va has (-1 if va is not mapped); freemirror: free frames in the
// mirror zone (0 on the native kernel).
int dedup(void);
int framerefs(uint va);
int freemirror(void);
// Frames machine-check recovery retired so far in zone 0 (normal) or 1
// (mirror; 0 on the native kernel), -1 for another zone.
int retired(int zone);
// What a leak check compares (ulib.c): the free frames of zone 0 or 1
// (freepages, freemirror) plus the frames retired there. A correct
// recovery retires the bad frame and takes a free one for its copy, so
// this stays the same across it; a leaked frame still lowers it.
int leakcheck_frames(int zone);

// The xv6 library.
int stat(const char *path, struct stat *st);
char *strcpy(char *dst, const char *src);
void *memmove(void *dst, const void *src, int n);
char *strchr(const char *s, char c);
int strcmp(const char *a, const char *b);
void printf(int fd, const char *fmt, ...);
char *gets(char *buf, int max);
uint strlen(const char *s);
void *memset(void *dst, int c, uint n);
void *malloc(uint n);
void free(void *p);
int atoi(const char *s);

// Library additions. printf also knows %u and the l/ll modifier, which
// means a 64-bit argument (uint64) on this 32-bit machine.
int memcmp(const void *a, const void *b, uint n);
void *memcpy(void *dst, const void *src, uint n);
int strncmp(const char *a, const char *b, uint n);
char *strncpy(char *dst, const char *src, uint n);
char *strcat(char *dst, const char *src);
char *strrchr(const char *s, char c);
char *strstr(const char *hay, const char *needle);
void *memchr(const void *s, int c, uint n);
void *calloc(uint count, uint size);
void *realloc(void *p, uint n);
uint64 rdtsc(void); // the CPU's time-stamp counter
#endif
