// Per-CPU state. There is one CPU today; callers still go through mycpu()
// so that SMP only has to change this file.
#include "types.h"
#include "param.h"
#include "proc.h"

struct cpu cpus[NCPU];

struct cpu *mycpu(void) {
  return &cpus[0];
}
