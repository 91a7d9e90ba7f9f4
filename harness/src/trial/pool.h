// A fixed pool of worker threads running independent tasks (QEMU runs).
// Completions are handed back to the calling thread one at a time, so the
// results document has a single writer.
#ifndef MH_POOL_H
#define MH_POOL_H

#include <stdatomic.h>
#include <stddef.h>

typedef void (*mh_task_fn)(void *ctx, size_t task); // in a worker thread
typedef void (*mh_done_fn)(void *ctx, size_t task); // in the calling thread

// Runs tasks[0..n) on `jobs` threads in order; stops starting new tasks once
// *stop is set, and returns after every started task has been handed to done.
int mh_pool_run(int jobs, const size_t *tasks, size_t n, mh_task_fn run, mh_done_fn done, void *ctx,
                const atomic_bool *stop);

#endif
