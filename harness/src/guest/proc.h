// Child processes started from an argv (never a shell), tracked so that every
// exit path of the harness can kill and reap them.
#ifndef MH_PROC_H
#define MH_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct mh_proc {
  pid_t pid;
  int pidfd; // readable when the child exits; -1 if the kernel has no pidfd
  bool reaped;
  int wstatus; // waitpid status once reaped
};

// Spawns argv[0] (searched in PATH) with stdin from /dev/null and stdout and
// stderr to out_path (NULL: /dev/null). The child gets its own process group
// (a terminal's Ctrl-C reaches the harness, which decides) and dies with the
// spawning thread (PR_SET_PDEATHSIG), so a SIGKILLed harness leaves no QEMU.
// Fails with a clear message when the program cannot be executed.
int mh_proc_spawn(char *const argv[], const char *out_path, struct mh_proc *p, struct mh_err *e);
// The same with stderr to its own file (err_path; NULL: out_path's).
int mh_proc_spawn_split(char *const argv[], const char *out_path, const char *err_path,
                        struct mh_proc *p, struct mh_err *e);
// 1: exited (reaped); 0: still running after timeout_ms; -1: error.
int mh_proc_wait(struct mh_proc *p, int timeout_ms);
// SIGKILL and reap; safe to call on a reaped process.
void mh_proc_kill(struct mh_proc *p);
// Exit code, or -1 when the child died of a signal (see mh_proc_signal).
int mh_proc_exit_code(const struct mh_proc *p);
int mh_proc_signal(const struct mh_proc *p);

enum mh_proc_state { MH_PROC_RUNNING, MH_PROC_STOPPED, MH_PROC_GONE };
// Whether the child still runs, is stopped (SIGSTOP, a tracer: /proc state
// T or t) or is gone (reaped here if it exited: see mh_proc_exit_code).
// Cheap enough to ask every few hundred ms while waiting for the child.
enum mh_proc_state mh_proc_state(struct mh_proc *p);

// Kills every live child and refuses new spawns: the harness is shutting down.
void mh_proc_shutdown_all(void);
bool mh_proc_shutting_down(void);

// Runs argv to completion and captures up to cap-1 bytes of its stdout.
// Returns the exit code, or -1 (with e) when it could not run or timed out.
int mh_proc_capture(char *const argv[], char *out, size_t cap, int timeout_ms, struct mh_err *e);

#endif
