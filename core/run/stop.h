/* core/run/stop.h - how a run stops on SIGINT/SIGTERM: gently first, then at once.
 *
 * The first SIGINT or SIGTERM asks the run to stop reading and finish the records in flight
 * (`soft`). A second signal, or the deadline (`timeout` seconds after the first), makes it stop
 * at once (`hard`): an output nobody reads or a stage that never returns cannot hold the
 * process. Both callbacks run on the loop thread, each at most once, `soft` always first.
 */
#ifndef TP_CORE_STOP_H
#define TP_CORE_STOP_H

#include <uv.h>

/* Seconds from the first signal to the hard stop when the run does not say (docs/stream.md). */
#define TP_STOP_TIMEOUT_DEFAULT 10.0

typedef void (*tp_stop_fn)(void *context);

typedef struct tp_stop {
  uv_signal_t sigint, sigterm;
  uv_timer_t deadline;
  double timeout;    /* seconds */
  int signal_number; /* the first signal, 0 before it */
  int hard;          /* the hard stop was asked */
  tp_stop_fn soft, hard_fn;
  void *context;
} tp_stop;

/* Watches SIGINT and SIGTERM on `loop` (its handles do not keep the loop alive; they are
 * closed with the loop's other handles). `timeout` <= 0 means TP_STOP_TIMEOUT_DEFAULT.
 * Returns 0, or a libuv error. */
int tp_stop_watch(tp_stop *stop, uv_loop_t *loop, double timeout, tp_stop_fn soft, tp_stop_fn hard,
                  void *context);

/* The exit status for an interrupted run: 130 for SIGINT, 143 for SIGTERM, 0 when no signal
 * came. */
int tp_stop_exit_status(const tp_stop *stop);

#endif /* TP_CORE_STOP_H */
