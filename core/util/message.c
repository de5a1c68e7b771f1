/* core/util/message.c - bounded formatting (message.h). */
#include "message.h"

#include <stdarg.h>
#include <stdio.h>

size_t tp_format(char *buffer, size_t size, const char *fmt, ...) {
  if (size == 0)
    return 0;
  va_list args;
  va_start(args, fmt);
  int written = vsnprintf(buffer, size, fmt, args);
  va_end(args);
  if (written < 0) {
    buffer[0] = '\0';
    return 0;
  }
  return (size_t)written < size ? (size_t)written : size - 1;
}
