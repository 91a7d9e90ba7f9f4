#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

struct pool {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  const size_t *tasks;
  size_t n, next;
  size_t *finished; // queue of completed tasks not yet handed to done
  size_t nfinished;
  int running; // workers still alive
  mh_task_fn run;
  void *ctx;
  const atomic_bool *stop;
};

static void *worker(void *arg) {
  struct pool *p = arg;
  pthread_mutex_lock(&p->lock);
  while (p->next < p->n && !(p->stop && atomic_load(p->stop))) {
    size_t task = p->tasks[p->next++];
    pthread_mutex_unlock(&p->lock);
    p->run(p->ctx, task);
    pthread_mutex_lock(&p->lock);
    p->finished[p->nfinished++] = task;
    pthread_cond_signal(&p->cond);
  }
  p->running--;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int mh_pool_run(int jobs, const size_t *tasks, size_t n, mh_task_fn run, mh_done_fn done, void *ctx,
                const atomic_bool *stop) {
  struct pool p = {.tasks = tasks, .n = n, .run = run, .ctx = ctx, .stop = stop};
  if (jobs < 1)
    jobs = 1;
  if ((size_t)jobs > n)
    jobs = n ? (int)n : 1;
  p.finished = malloc((n ? n : 1) * sizeof *p.finished);
  pthread_t *th = malloc((size_t)jobs * sizeof *th);
  if (!p.finished || !th) {
    free(p.finished);
    free(th);
    return -1;
  }
  pthread_mutex_init(&p.lock, NULL);
  pthread_cond_init(&p.cond, NULL);
  int started = 0;
  for (int i = 0; i < jobs; i++) {
    pthread_mutex_lock(&p.lock);
    p.running++;
    pthread_mutex_unlock(&p.lock);
    if (pthread_create(&th[i], NULL, worker, &p) != 0) {
      pthread_mutex_lock(&p.lock);
      p.running--;
      pthread_mutex_unlock(&p.lock);
      break;
    }
    started++;
  }
  pthread_mutex_lock(&p.lock);
  for (;;) {
    while (p.nfinished) {
      size_t task = p.finished[--p.nfinished];
      pthread_mutex_unlock(&p.lock);
      done(ctx, task);
      pthread_mutex_lock(&p.lock);
    }
    if (p.running == 0)
      break;
    pthread_cond_wait(&p.cond, &p.lock);
  }
  pthread_mutex_unlock(&p.lock);
  for (int i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  pthread_cond_destroy(&p.cond);
  pthread_mutex_destroy(&p.lock);
  free(th);
  free(p.finished);
  return started ? 0 : -1;
}
