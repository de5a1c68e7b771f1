/* core/input/source.c - picks the source for a location (source.h). */
#include "source.h"

#include <stdio.h>
#include <string.h>

tp_source *tp_source_open(uv_loop_t *loop, const tp_source_config *config, char *err,
                          size_t err_size) {
  const char *location = config->location;
  if (location != NULL && strncmp(location, "redis://", 8) == 0)
    return tp_source_redis_open(loop, config, err, err_size);
  if (location != NULL && strstr(location, "://") != NULL) {
    snprintf(err, err_size, "%s: unknown source (expected a file or redis://)", location);
    return NULL;
  }
  return tp_source_file_open(loop, config, err, err_size);
}

int tp_source_acknowledge(tp_source *source, const tp_position *positions, size_t count, char *err,
                          size_t err_size) {
  if (source->ops->acknowledge == NULL || count == 0)
    return 0;
  return source->ops->acknowledge(source, positions, count, err, err_size);
}

void tp_source_close(tp_source *source) {
  if (source != NULL)
    source->ops->close(source);
}
