// benchall [PROGRAM...]: runs the compute benchmarks one after another (all
// of them by default), each in its own process, so one boot and one
// workload give every @test line of the suite: the campaign's summary then
// has the suite's geometric mean and worst program (campaigns/compute.json).
// Exits 0 when every program did, else with the number that did not.
#include "types.h"
#include "user.h"

static char *suite[] = {"crc32",   "sha256",    "cipher", "matint", "matfp", "sort",
                        "hashtab", "strsearch", "interp", "lz",     "nbody", 0};

static int run(char *prog) {
  char *argv[] = {prog, 0};
  int pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    exec(prog, argv);
    printf(1, "benchall: cannot run %s\n", prog);
    exitst(127);
  }
  int status = -1;
  if (waitpid_st(pid, &status) < 0)
    return -1;
  return status;
}

int main(int argc, char *argv[]) {
  char **progs = argc > 1 ? argv + 1 : suite;
  int failed = 0;
  for (int i = 0; progs[i]; i++) {
    int status = run(progs[i]);
    if (status != 0) {
      printf(1, "benchall: %s exited with status %d\n", progs[i], status);
      failed++;
    }
  }
  return failed;
}
