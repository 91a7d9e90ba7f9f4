// Replacing a process's image with a program from the file system.
#ifndef EXEC_H
#define EXEC_H
// argv: kernel-readable pointers (the current address space is still
// loaded while the arguments are copied), NULL-terminated, at most MAXARG.
int exec_image(const char *path, char *const argv[]);
#endif
