// Fetching system call arguments from the user stack. Argument n is the
// n-th int above the return address at the user's esp. Pointers are checked
// to lie inside the process's memory [0, sz).
#ifndef SYSARG_H
#define SYSARG_H
#include "types.h"

int fetch_int(uint addr, int *ip);
int fetch_str(uint addr, char **pp); // length of the string, or -1
int arg_int(int n, int *ip);
int arg_ptr(int n, char **pp, int size);
int arg_str(int n, char **pp);
#endif
