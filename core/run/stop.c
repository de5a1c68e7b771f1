/* core/run/stop.c - SIGINT/SIGTERM: finish the records in flight, then stop at once on a second
 * signal or at the deadline (stop.h). */
#include "stop.h"

#include <signal.h>

#include "log.h"

static const char *signal_word(int signal_number) {
  return signal_number == SIGINT ? "interrupted" : "terminated";
}

static void stop_now(tp_stop *stop) {
  if (stop->hard)
    return;
  stop->hard = 1;
  uv_timer_stop(&stop->deadline);
  stop->hard_fn(stop->context);
}

static void on_deadline(uv_timer_t *timer) {
  tp_stop *stop = timer->data;
  tp_log(TP_LOG_WARN, NULL, "%s: the records in flight did not finish within %g s; stopping now",
         signal_word(stop->signal_number), stop->timeout);
  stop_now(stop);
}

static void on_signal(uv_signal_t *handle, int signal_number) {
  tp_stop *stop = handle->data;
  if (stop->signal_number != 0) {
    if (!stop->hard)
      tp_log(TP_LOG_WARN, NULL, "%s again: stopping now", signal_word(signal_number));
    stop_now(stop);
    return;
  }
  stop->signal_number = signal_number;
  tp_log(TP_LOG_WARN, NULL,
         "%s: finishing the records in flight (a second signal, or %g s, stops at once)",
         signal_word(signal_number), stop->timeout);
  uv_timer_start(&stop->deadline, on_deadline, (uint64_t)(stop->timeout * 1000.0 + 0.5), 0);
  stop->soft(stop->context);
}

int tp_stop_watch(tp_stop *stop, uv_loop_t *loop, double timeout, tp_stop_fn soft, tp_stop_fn hard,
                  void *context) {
  stop->timeout = timeout > 0 ? timeout : TP_STOP_TIMEOUT_DEFAULT;
  stop->signal_number = stop->hard = 0;
  stop->soft = soft;
  stop->hard_fn = hard;
  stop->context = context;
  int status = uv_signal_init(loop, &stop->sigint);
  if (status == 0)
    status = uv_signal_init(loop, &stop->sigterm);
  if (status == 0)
    status = uv_timer_init(loop, &stop->deadline);
  if (status != 0)
    return status;
  stop->sigint.data = stop->sigterm.data = stop->deadline.data = stop;
  uv_unref((uv_handle_t *)&stop->sigint);
  uv_unref((uv_handle_t *)&stop->sigterm);
  uv_unref((uv_handle_t *)&stop->deadline);
  status = uv_signal_start(&stop->sigint, on_signal, SIGINT);
  if (status == 0)
    status = uv_signal_start(&stop->sigterm, on_signal, SIGTERM);
  return status;
}

int tp_stop_exit_status(const tp_stop *stop) {
  return stop->signal_number == SIGINT ? 130 : stop->signal_number == SIGTERM ? 143 : 0;
}
