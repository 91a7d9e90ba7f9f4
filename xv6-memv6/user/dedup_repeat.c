// dedup_repeat RUNS PROG [ARG...]: runs PROG RUNS times in a row and checks
// that no run leaks a frame (issue 14: free pages identical across runs).
//
// Free frames are counted before and after each run, normal and mirror zone.
// Each count is taken right after a dedup() of its own: dedup also merges
// pages of the processes that stay (init, this driver), and a page of this
// driver merged by the child's dedup and unshared by a later write of ours
// would otherwise look like a leak. A frame the kernel leaks is mapped by
// no one, so no dedup can hide it. One `@dedup prog=dedup_repeat run=...`
// line per run (docs/dedup.md); the exit status is 0 only when every run
// exited 0 and left the counts exactly as it found them.
#include "types.h"
#include "user.h"
#include "dedup.h"

#define PROG "dedup_repeat"
#define MAX_RUNS 100

struct counts {
  int normal;
  int mirror;
};

// 0, or -1 when dedup() is missing (then nothing here means anything).
static int settle(struct counts *c) {
  if (dedup() < 0)
    return -1;
  c->normal = leakcheck_frames(0); // a correct recovery changes neither
  c->mirror = leakcheck_frames(1);
  return 0;
}

// Runs argv once; its exit status, or -1 when it could not be started.
static int run_once(char **argv) {
  int pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    exec(argv[0], argv);
    printf(2, "%s: cannot exec %s\n", PROG, argv[0]);
    exitst(127);
  }
  int status = -1;
  return waitpid_st(pid, &status) < 0 ? -1 : status;
}

static int one_run(int run, char **argv) {
  struct counts before, after;
  if (settle(&before) < 0)
    return dedup_complain(PROG, "dedup() failed in run", run);
  int status = run_once(argv);
  if (settle(&after) < 0)
    return dedup_complain(PROG, "dedup() failed in run", run);
  printf(1,
         "@dedup prog=%s run=%d status=%d free_before=%d free_after=%d mirror_before=%d "
         "mirror_after=%d\n",
         PROG, run, status, before.normal, after.normal, before.mirror, after.mirror);
  if (status != 0)
    return dedup_complain(PROG, "the program failed in run", run);
  if (before.normal != after.normal || before.mirror != after.mirror)
    return dedup_complain(PROG, "free frames changed over run", run);
  return 0;
}

int main(int argc, char **argv) {
  int runs = argc > 2 ? atoi(argv[1]) : 0;
  if (runs < 1 || runs > MAX_RUNS) {
    printf(2, "usage: %s RUNS (1-%d) PROG [ARG...]\n", PROG, MAX_RUNS);
    return 2;
  }
  int bad = 0;
  for (int run = 1; run <= runs; run++)
    bad += one_run(run, argv + 2);
  printf(1, "%s: %d runs of %s: %s\n", PROG, runs, argv[2], bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
