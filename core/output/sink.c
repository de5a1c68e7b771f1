/* core/output/sink.c - picks the sink for a location (sink.h). */
#include "sink.h"

#include <stdio.h>
#include <string.h>

tp_sink *tp_sink_open(uv_loop_t *loop, const tp_sink_config *config, char *err, size_t err_size) {
  const char *location = config->location;
  if (location != NULL && strncmp(location, "redis://", 8) == 0)
    return tp_sink_redis_open(loop, config, err, err_size);
  if (location != NULL && strstr(location, "://") != NULL) {
    snprintf(err, err_size, "%s: unknown sink (expected a file or redis://)", location);
    return NULL;
  }
  return tp_sink_file_open(loop, config, err, err_size);
}

int tp_sink_close(tp_sink *sink, char *err, size_t err_size) {
  return sink != NULL ? sink->ops->close(sink, err, err_size) : 0;
}
