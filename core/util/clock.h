/* core/util/clock.h - the monotonic clock, in the two units the core measures with.
 *
 * Stage timings are seconds (a double); broker waits and backoffs are whole milliseconds.
 * Both read CLOCK_MONOTONIC, so a change of the wall clock never shows as a pause or a jump.
 */
#ifndef TP_CORE_CLOCK_H
#define TP_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline double tp_clock_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static inline uint64_t tp_clock_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

#endif /* TP_CORE_CLOCK_H */
