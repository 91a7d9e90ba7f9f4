// Small helpers shared by several modules.
#ifndef MH_UTIL_H
#define MH_UTIL_H

#include <stdint.h>
#include <time.h>

// Monotonic seconds: immune to wall-clock jumps, fine for timeouts and rates.
static inline double mh_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Milliseconds left until deadline (monotonic seconds), clamped to [0, INT32_MAX].
static inline int mh_ms_left(double deadline) {
  double ms = (deadline - mh_now()) * 1000.0;
  if (ms <= 0)
    return 0;
  return ms > 2e9 ? 2000000000 : (int)ms + 1;
}

#endif
