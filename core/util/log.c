/* core/util/log.c - stderr messages in one shape (see log.h). */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static tp_log_level minimum_level = TP_LOG_INFO;
static atomic_int progress_line_shown; /* a message first erases the progress line */

static const char *level_name(tp_log_level level) {
  switch (level) {
  case TP_LOG_DEBUG:
    return "debug";
  case TP_LOG_INFO:
    return "info";
  case TP_LOG_WARN:
    return "warning";
  case TP_LOG_ERROR:
  default:
    return "error";
  }
}

void tp_log_set_level(tp_log_level level) {
  minimum_level = level;
}

void tp_log_progress_line(int shown) {
  atomic_store(&progress_line_shown, shown);
}

void tp_logv(tp_log_level level, const char *scope, const char *fmt, va_list args) {
  if (level < minimum_level)
    return;
  char line[4096];
  int used = snprintf(line, sizeof line, "textpipe: %s: ", level_name(level));
  if (scope != NULL)
    used += snprintf(line + used, sizeof line - (size_t)used, "%s: ", scope);
  int body = vsnprintf(line + used, sizeof line - (size_t)used, fmt, args);
  size_t length = (size_t)used + (body > 0 ? (size_t)body : 0);
  if (length > sizeof line - 1)
    length = sizeof line - 1; /* truncated */
  /* The progress line is erased first ("\r" and erase-to-end-of-line), written as it is: it is
   * ours, not the message's, and escaping it would print it into the log. */
  static const char erase[] = "\r\033[K";
  char escaped[sizeof erase + sizeof line * 2];
  size_t out = 0;
  if (atomic_load(&progress_line_shown)) {
    memcpy(escaped, erase, sizeof erase - 1);
    out = sizeof erase - 1;
  }
  /* Messages quote what the user's files hold (keys, values, names): control characters are
   * written escaped, so a message stays one line and cannot drive the terminal. */
  for (size_t i = 0; i < length && out < sizeof escaped - 8; i++) {
    unsigned char c = (unsigned char)line[i];
    if (c == '\n' || c == '\r' || c == '\t')
      out += (size_t)snprintf(escaped + out, 3, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
    else if (c < 0x20 || c == 0x7f)
      out += (size_t)snprintf(escaped + out, 7, "\\u%04x", c);
    else
      escaped[out++] = (char)c;
  }
  escaped[out++] = '\n';
  /* One write keeps lines from different threads whole; a failed stderr has nowhere to go. */
  ssize_t ignored = write(STDERR_FILENO, escaped, out);
  (void)ignored;
}

void tp_log(tp_log_level level, const char *scope, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  tp_logv(level, scope, fmt, args);
  va_end(args);
}
