// Running a program from an argument vector and collecting its output.
#ifndef MIRROR_TEST_PROC_H
#define MIRROR_TEST_PROC_H

#include <stddef.h>

struct proc_result {
  int status; // exit status, or 128 + signal
  char *out;  // standard output
  char *err;  // standard error
};

// Runs argv (no shell); stdin is /dev/null. Returns 0, or -1 if it could not start.
int proc_run(char *const argv[], struct proc_result *r);
void proc_free(struct proc_result *r);

#endif
