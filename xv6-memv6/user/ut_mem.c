// usertests: user memory (sbrk, fork's copy, bss, the stack guard, bad
// addresses, I/O privilege, malloc, leaks, running out).
#include "types.h"
#include "fcntl.h"
#include "memlayout.h"
#include "user.h"
#include "ut.h"

static uint round_up(uint a) {
  return (a + PGSIZE - 1) & ~(uint)(PGSIZE - 1);
}

// Move the break to a page boundary so that whole pages come and go.
static char *align_brk(void) {
  uint cur = ut_brk();
  sbrk((int)(round_up(cur) - cur));
  return (char *)ut_brk();
}

static int all_bytes(const char *p, int n, char v) {
  for (int i = 0; i < n; i++) {
    if (p[i] != v)
      return 0;
  }
  return 1;
}

// Child bodies that must be killed by the kernel: they return only if the
// access went through.
static int child_read(int addr) {
  volatile char *p = (volatile char *)addr;
  char c = *p;
  (void)c;
  return 0;
}

static int child_write(int addr) {
  volatile char *p = (volatile char *)addr;
  *p = 1;
  return 0;
}

// ---- sbrkgrow ----

int t_sbrkgrow(void) {
  char *start = align_brk();
  char *p = sbrk(10 * PGSIZE);
  CHECK(p == start);
  CHECK((char *)ut_brk() == start + 10 * PGSIZE);
  CHECK(all_bytes(p, 10 * PGSIZE, 0));
  ut_pattern(p, 10 * PGSIZE, 7);
  CHECK(ut_is_pattern(p, 10 * PGSIZE, 7));
  // The break moves by bytes, not pages.
  CHECK(sbrk(1) == start + 10 * PGSIZE);
  CHECK(sbrk(0) == start + 10 * PGSIZE + 1);
  *(start + 10 * PGSIZE) = 'b';
  return 0;
}

// ---- sbrkshrink: memory given back is gone ----

int t_sbrkshrink(void) {
  char *start = align_brk();
  CHECK(sbrk(8 * PGSIZE) == start);
  memset(start, 0x55, 8 * PGSIZE);
  CHECK(sbrk(-8 * PGSIZE) == start + 8 * PGSIZE);
  CHECK(sbrk(0) == start);
  CHECK(ut_run_child(child_read, (int)(start + 2 * PGSIZE)) == UT_KILLED);
  CHECK(ut_run_child(child_write, (int)start) == UT_KILLED);
  // What is still below the break stays usable.
  start[-1] = 'k';
  CHECK(start[-1] == 'k');
  return 0;
}

// ---- sbrkzero: regrown memory is zero, never old contents ----

int t_sbrkzero(void) {
  char *start = align_brk();
  for (int round = 0; round < 3; round++) {
    CHECK(sbrk(6 * PGSIZE) == start);
    CHECK(all_bytes(start, 6 * PGSIZE, 0));
    memset(start, 0xAA, 6 * PGSIZE);
    CHECK(sbrk(-6 * PGSIZE) == start + 6 * PGSIZE);
  }
  return 0;
}

// ---- sbrklimit: the break never reaches USERTOP ----

int t_sbrklimit(void) {
  uint cur = ut_brk();
  CHECK(sbrk((int)(USERTOP - cur + PGSIZE)) == (char *)-1);
  CHECK(ut_brk() == cur);
  CHECK(sbrk(0x7fffffff) == (char *)-1);
  CHECK(ut_brk() == cur);
  // Shrinking below address 0 must not wrap around into a huge break.
  sbrk(-(int)(cur + 2 * PGSIZE));
  CHECK(ut_brk() <= cur);
  CHECK(ut_brk() == cur);
  return 0;
}

// ---- sbrkfork: a child's break is its own ----

static int sbrkfork_child(int parent_brk) {
  if (ut_brk() != (uint)parent_brk)
    return 1;
  char *p = sbrk(20 * PGSIZE);
  if (p == (char *)-1)
    return 2;
  memset(p, 0x33, 20 * PGSIZE);
  return 0;
}

int t_sbrkfork(void) {
  uint before = ut_brk();
  CHECK(ut_run_child(sbrkfork_child, (int)before) == 0);
  CHECK(ut_brk() == before);
  return 0;
}

// ---- forkcopy: the child gets a copy of every kind of memory ----

static int data_word = 0x600dda7a;
static char bss_area[3000];

static int copy_intact(char *heap, char *stack, int seed) {
  return ut_is_pattern(heap, 3 * PGSIZE, seed) && ut_is_pattern(stack, 64, seed + 1) &&
         ut_is_pattern(bss_area, sizeof(bss_area), seed + 2);
}

int t_forkcopy(void) {
  char stack_bytes[64];
  char *heap = sbrk(3 * PGSIZE);
  CHECK(heap != (char *)-1);
  ut_pattern(heap, 3 * PGSIZE, 20);
  ut_pattern(stack_bytes, 64, 21);
  ut_pattern(bss_area, sizeof(bss_area), 22);
  data_word = 0x1234;
  int pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int ok = copy_intact(heap, stack_bytes, 20) && data_word == 0x1234;
    // Scribble over everything: the parent must not see it.
    memset(heap, 0, 3 * PGSIZE);
    memset(stack_bytes, 0, 64);
    memset(bss_area, 0, sizeof(bss_area));
    data_word = 0;
    exitst(ok ? 0 : 1);
  }
  CHECK(ut_wait_for(pid) == 0);
  CHECK(copy_intact(heap, stack_bytes, 20));
  CHECK(data_word == 0x1234);
  return 0;
}

// ---- bss: uninitialised data starts zero, initialised data as written ----

static char zero_area[20000];
static int seeded[4] = {11, 22, 33, 44};

int t_bss(void) {
  CHECK(all_bytes(zero_area, sizeof(zero_area), 0));
  CHECK(seeded[0] == 11 && seeded[1] == 22 && seeded[2] == 33 && seeded[3] == 44);
  memset(zero_area, 0x77, sizeof(zero_area));
  CHECK(all_bytes(zero_area, sizeof(zero_area), 0x77));
  seeded[2] = 99;
  CHECK(seeded[2] == 99);
  return 0;
}

// ---- stackguard: running off the bottom of the stack faults ----
//
// The child writes one byte into each page below the one its stack pointer
// is in, walking down towards the end of its data. Dead stack pages (if
// the stack is larger than a page) take the writes harmlessly; the guard
// page below the stack must not, so the child has to die before it gets
// back to its own data.

extern char end[]; // first address after bss (user.ld)

static int stackguard_child(int unused) {
  volatile char here = 0;
  (void)unused;
  uint floor = round_up((uint)end);
  uint a = ((uint)&here & ~(uint)(PGSIZE - 1)) - 1;
  for (; a >= floor && a < USERTOP; a -= PGSIZE)
    *(volatile char *)a = here;
  return 0;
}

int t_stackguard(void) {
  CHECK(ut_run_child(stackguard_child, 0) == UT_KILLED);
  return 0;
}

// ---- badaccess: addresses outside the process ----

int t_badaccess(void) {
  uint beyond = round_up(ut_brk()) + 4 * PGSIZE;
  CHECK(ut_run_child(child_read, (int)beyond) == UT_KILLED);
  CHECK(ut_run_child(child_write, (int)beyond) == UT_KILLED);
  CHECK(ut_run_child(child_read, (int)KERNBASE) == UT_KILLED);
  CHECK(ut_run_child(child_write, (int)(KERNBASE + 0x100000)) == UT_KILLED);
  CHECK(ut_run_child(child_write, (int)0xfffff000) == UT_KILLED);
  // The mirror window beyond the process's size is unmapped in both variants.
  CHECK(ut_run_child(child_write, (int)(MIRROR_OFFSET + beyond)) == UT_KILLED);
  return 0;
}

// ---- badptr: system calls refuse pointers outside the process ----

static int badptr_body(const char *name) {
  char ok[8];
  char *kernel = (char *)KERNBASE;
  char *top = align_brk();
  CHECK(sbrk(PGSIZE) == top);
  top += PGSIZE;
  CHECK(ut_write_file(name, "0123456789", 10) == 0);
  int fd = open(name, O_RDWR);
  CHECK(fd >= 0);
  CHECK(read(fd, kernel, 4) == -1);
  CHECK(read(fd, top - 2, 4) == -1);               // runs off the end
  CHECK(read(fd, (char *)0xfffffff0, 0x20) == -1); // wraps around
  CHECK(read(fd, top + PGSIZE, 4) == -1);
  CHECK(write(fd, kernel, 4) == -1);
  CHECK(write(fd, top + PGSIZE, 4) == -1);
  CHECK(open(kernel, O_RDONLY) == -1);
  // A name whose last byte is the last byte of memory, unterminated.
  memset(top - 4, 'q', 4);
  CHECK(open(top - 4, O_RDONLY) == -1);
  CHECK(unlink(top - 4) == -1 && mkdir(top - 4) == -1 && chdir(top - 4) == -1);
  CHECK(pipe((int *)kernel) == -1);
  CHECK(pipe((int *)(top - 4)) == -1);
  CHECK(fstat(fd, (struct stat *)kernel) == -1);
  CHECK(link(kernel, "utbadl") == -1 && link(name, kernel) == -1);
  CHECK(mknod(kernel, 1, 1) == -1);
  char *good_argv[] = {"x", 0};
  CHECK(exec(kernel, good_argv) == -1);
  CHECK(exec("/usertests", (char **)kernel) == -1);
  char *bad_argv[] = {"usertests", kernel, 0};
  CHECK(exec("/usertests", bad_argv) == -1);
  // Still alive, and the descriptor still works.
  CHECK(read(fd, ok, 8) == 8 && memcmp(ok, "01234567", 8) == 0);
  close(fd);
  return 0;
}

int t_badptr(void) {
  unlink("utbadptr");
  int r = badptr_body("utbadptr");
  unlink("utbadptr");
  unlink("utbadl");
  return r;
}

// ---- ioport: user mode has no I/O privilege ----

static int io_child(int which) {
  if (which == 0) {
    uchar v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "d"((ushort)0x64));
  } else if (which == 1) {
    __asm__ volatile("outb %0, %1" : : "a"((uchar)0), "d"((ushort)0x80));
  } else {
    __asm__ volatile("cli");
  }
  return 0;
}

int t_ioport(void) {
  CHECK(ut_run_child(io_child, 0) == UT_KILLED);
  CHECK(ut_run_child(io_child, 1) == UT_KILLED);
  CHECK(ut_run_child(io_child, 2) == UT_KILLED);
  return 0;
}

// ---- malloc: blocks are distinct, survive frees around them; freed
// memory coalesces, so a program that frees everything can allocate one
// block as large as all it had without growing its break ----

#define NBLOCKS 200

static char *blocks[NBLOCKS];

static int block_len(int i) {
  return 1 + (i * 37) % 500;
}

#define SMALL (16 * 1024)
#define NSMALL 128 // 2 MiB in 16 KiB blocks (more than any arena before)

static int malloc_coalesces(void) {
  static char *small[NSMALL];
  for (int i = 0; i < NSMALL; i++) {
    small[i] = malloc(SMALL);
    CHECK(small[i] != 0);
  }
  for (int i = NSMALL - 1; i >= 0; i--)
    free(small[i]);
  uint before = ut_brk();
  char *all = malloc(NSMALL * SMALL - 64 * 1024);
  CHECK(all != 0);
  CHECK(ut_brk() == before);
  memset(all, 2, NSMALL * SMALL - 64 * 1024);
  // realloc keeps the contents, in place or moved.
  char *grown = realloc(all, NSMALL * SMALL + 4096);
  CHECK(grown != 0);
  CHECK(grown[0] == 2 && grown[NSMALL * SMALL - 64 * 1024 - 1] == 2);
  free(grown);
  char *zeros = calloc(1000, 4);
  CHECK(zeros != 0);
  for (int i = 0; i < 4000; i++)
    CHECK(zeros[i] == 0);
  free(zeros);
  return 0;
}

int t_malloc(void) {
  for (int i = 0; i < NBLOCKS; i++) {
    blocks[i] = malloc(block_len(i));
    CHECK(blocks[i] != 0);
    CHECK(((uint)blocks[i] & 7) == 0);
    ut_pattern(blocks[i], block_len(i), i);
  }
  for (int i = 0; i < NBLOCKS; i += 2)
    free(blocks[i]);
  for (int i = 0; i < NBLOCKS; i += 2) {
    blocks[i] = malloc(block_len(i) / 2 + 1);
    CHECK(blocks[i] != 0);
    memset(blocks[i], 0xEE, block_len(i) / 2 + 1);
  }
  for (int i = 1; i < NBLOCKS; i += 2)
    CHECK(ut_is_pattern(blocks[i], block_len(i), i));
  for (int i = 0; i < NBLOCKS; i++)
    free(blocks[i]);
  char *huge = malloc(0x7fffffff);
  CHECK(huge == 0);
  char *big = malloc(1 << 20);
  CHECK(big != 0);
  memset(big, 1, 1 << 20);
  free(big);
  return malloc_coalesces();
}

// ---- memleak: processes give back every frame ----
//
// One round of fork, exec, pipes, sbrk and file I/O; after a warm-up round
// the free page count must be exactly what it was.

static int workload(int unused) {
  (void)unused;
  int p[2];
  char *mem = sbrk(32 * PGSIZE);
  if (mem == (char *)-1 || pipe(p) < 0)
    return 1;
  memset(mem, 1, 32 * PGSIZE);
  sbrk(-16 * PGSIZE);
  int pid = fork();
  if (pid == 0) {
    char *argv[] = {"usertests", UT_ARGV_FLAG, 0};
    exec("/usertests", argv);
    exitst(99);
  }
  write(p[1], mem, 100);
  if (ut_wait_for(pid) != 2)
    return 2;
  if (ut_write_file("utleak", mem, 600) < 0)
    return 3;
  unlink("utleak");
  return 0;
}

int t_memleak(void) {
  CHECK(ut_run_child(workload, 0) == 0);
  int before = leakcheck_frames(0);
  CHECK(before > 0);
  for (int i = 0; i < 3; i++)
    CHECK(ut_run_child(workload, 0) == 0);
  int after = leakcheck_frames(0);
  if (after != before)
    printf(1, "usertests: memleak: %d free and retired pages before, %d after\n", before, after);
  CHECK(after == before);
  return 0;
}

// ---- oom: running out of memory fails sbrk, not the kernel ----

#define OOM_STEP (1 << 20)

// Grow until sbrk refuses; the exit status is the number of steps taken.
static int oom_child(int unused) {
  (void)unused;
  int steps = 0;
  for (;;) {
    char *p = sbrk(OOM_STEP);
    if (p == (char *)-1)
      break;
    p[0] = 1; // touch both ends: the memory must really be there
    p[OOM_STEP - 1] = 1;
    steps++;
  }
  return steps;
}

int t_oom(void) {
  int before = freepages();
  int steps = ut_run_child(oom_child, 0);
  int after = freepages();
  // The figures only when the test fails: they depend on how much memory
  // is free, which a retired frame changes, and output for people must
  // read the same after a correct recovery.
  if (steps < 8)
    printf(1, "usertests: oom: %d MiB before sbrk failed; free pages %d before, %d after\n", steps,
           before, after);
  CHECK(steps >= 8);
  // A good part of the free memory was really handed out: sbrk must fail
  // for want of frames, not at some arbitrary limit. (memv6 counts mirror
  // frames too and needs one per page, hence the generous factor.)
  CHECK(steps * (OOM_STEP / PGSIZE) >= before / 4);
  CHECK(after == before);
  int pid = fork(); // and the machine still works
  CHECK(pid >= 0);
  if (pid == 0)
    exitst(5);
  CHECK(ut_wait_for(pid) == 5);
  return 0;
}
