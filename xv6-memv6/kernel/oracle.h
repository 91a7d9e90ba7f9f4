// The mirror oracle (memv6): compares every native user page of a process
// with its mirror page, byte by byte.
#ifndef ORACLE_H
#define ORACLE_H

// Checks process pid, or every process when pid is 0. Prints one
// `@oracle pid= va= native= mirror=` line per mismatched byte (the first
// ORACLE_MAX_LINES of them) and one `@oracle pid= pages= mismatches=`
// summary. Returns the number of mismatched bytes; -1 for an unknown pid
// and on the native kernel, which has no mirror.
int oracle_check(int pid);
#define ORACLE_MAX_LINES 16
#endif
