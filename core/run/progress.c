/* core/run/progress.c - the live progress line on stderr (see progress.h). */
#include "progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

enum { REDRAW_MILLISECONDS = 100 }; /* at most 10 redraws a second */

struct tp_progress {
  uv_timer_t timer;
  int fd;
  uint64_t total_bytes;
  uint64_t started; /* uv_hrtime() at start */
  tp_progress_sample_fn sample_fn;
  void *context;
  bool drawn; /* a line is on the terminal */
};

/* "1,234,567" into `text`. */
static void with_separators(uint64_t number, char *text, size_t size) {
  char digits[24];
  int length = snprintf(digits, sizeof digits, "%llu", (unsigned long long)number);
  size_t out = 0;
  for (int index = 0; index < length && out + 2 < size; index++) {
    if (index > 0 && (length - index) % 3 == 0)
      text[out++] = ',';
    text[out++] = digits[index];
  }
  text[out] = '\0';
}

/* "0:07.3" under a minute, "12:07" under an hour, "3:12:07" beyond. */
static void duration(double seconds, bool tenths, char *text, size_t size) {
  if (!(seconds >= 0))
    seconds = 0;
  if (seconds > 359999)
    seconds = 359999; /* 99:59:59 */
  unsigned long whole = (unsigned long)seconds;
  if (whole < 60 && tenths)
    snprintf(text, size, "0:%04.1f", seconds);
  else if (whole < 3600)
    snprintf(text, size, "%lu:%02lu", whole / 60, whole % 60);
  else
    snprintf(text, size, "%lu:%02lu:%02lu", whole / 3600, whole / 60 % 60, whole % 60);
}

size_t tp_progress_format(const tp_progress_sample *sample, char *line, size_t size, int columns) {
  if (size == 0)
    return 0;
  /* The parts, most useful first; a narrow terminal drops them from the end. */
  char parts[7][48];
  int count = 0;
  char number[32];
  with_separators(sample->records, number, sizeof number);
  snprintf(parts[count++], sizeof parts[0], "%s records", number);
  double megabytes = (double)sample->bytes / 1e6;
  snprintf(parts[count++], sizeof parts[0], "%.1f MB", megabytes);
  bool known = sample->total_bytes > 0;
  double fraction = known ? (double)sample->bytes / (double)sample->total_bytes : 0;
  if (fraction > 1)
    fraction = 1;
  if (known)
    snprintf(parts[count++], sizeof parts[0], "%.0f%%", 100 * fraction);
  if (known && sample->seconds > 0 && sample->bytes > 0) {
    char eta[24];
    duration(sample->seconds * (1 - fraction) / fraction, false, eta, sizeof eta);
    snprintf(parts[count++], sizeof parts[0], "ETA %s", eta);
  }
  if (sample->seconds > 0)
    snprintf(parts[count++], sizeof parts[0], "%.1f MB/s", megabytes / sample->seconds);
  with_separators(sample->dead_letters, number, sizeof number);
  snprintf(parts[count++], sizeof parts[0], "%s dead-letter%s", number,
           sample->dead_letters == 1 ? "" : "s");
  char elapsed[24];
  duration(sample->seconds, true, elapsed, sizeof elapsed);
  snprintf(parts[count++], sizeof parts[0], "%s", elapsed);

  static const char prefix[] = "textpipe: ", separator[] = " | ";
  size_t limit = columns > 0 ? (size_t)columns - 1 : (size_t)-1;
  if (limit > size - 1)
    limit = size - 1;
  size_t length = 0;
  if (sizeof prefix - 1 <= limit) {
    memcpy(line, prefix, sizeof prefix - 1);
    length = sizeof prefix - 1;
  }
  for (int part = 0; part < count; part++) {
    size_t needed = strlen(parts[part]) + (part > 0 ? sizeof separator - 1 : 0);
    if (length + needed > limit)
      break;
    if (part > 0) {
      memcpy(line + length, separator, sizeof separator - 1);
      length += sizeof separator - 1;
    }
    memcpy(line + length, parts[part], strlen(parts[part]));
    length += strlen(parts[part]);
  }
  line[length] = '\0';
  return length;
}

uint64_t tp_progress_input_size(const char *path) {
  struct stat status;
  int result = path != NULL ? stat(path, &status) : fstat(STDIN_FILENO, &status);
  if (result != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0)
    return 0;
  return (uint64_t)status.st_size;
}

/* Writes all of `bytes`; a terminal that refuses them has nowhere else to go. */
static void put(int fd, const char *bytes, size_t length) {
  while (length > 0) {
    ssize_t written = write(fd, bytes, length);
    if (written <= 0)
      return;
    bytes += written;
    length -= (size_t)written;
  }
}

static void redraw(uv_timer_t *timer) {
  tp_progress *progress = timer->data;
  tp_progress_sample sample = {0};
  progress->sample_fn(progress->context, &sample);
  sample.total_bytes = progress->total_bytes;
  sample.seconds = (double)(uv_hrtime() - progress->started) / 1e9;
  struct winsize size;
  int columns = ioctl(progress->fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 80;
  char line[512];
  line[0] = '\r';
  size_t length = 1 + tp_progress_format(&sample, line + 1, sizeof line - 4, columns);
  memcpy(line + length, "\033[K", 3); /* erase what a longer earlier line left */
  put(progress->fd, line, length + 3);
  if (!progress->drawn)
    tp_log_progress_line(1);
  progress->drawn = true;
}

tp_progress *tp_progress_start(uv_loop_t *loop, int fd, int quiet, uint64_t total_bytes,
                               tp_progress_sample_fn sample_fn, void *context) {
  if (quiet || !isatty(fd))
    return NULL;
  tp_progress *progress = calloc(1, sizeof *progress);
  if (progress == NULL)
    return NULL;
  progress->fd = fd;
  progress->total_bytes = total_bytes;
  progress->started = uv_hrtime();
  progress->sample_fn = sample_fn;
  progress->context = context;
  if (uv_timer_init(loop, &progress->timer) != 0) {
    free(progress);
    return NULL;
  }
  progress->timer.data = progress;
  uv_timer_start(&progress->timer, redraw, REDRAW_MILLISECONDS, REDRAW_MILLISECONDS);
  uv_unref((uv_handle_t *)&progress->timer);
  return progress;
}

static void free_on_close(uv_handle_t *handle) {
  free(handle->data);
}

void tp_progress_stop(tp_progress *progress) {
  if (progress == NULL)
    return;
  uv_timer_stop(&progress->timer);
  if (progress->drawn) {
    tp_log_progress_line(0);
    put(progress->fd, "\r\033[K", 4);
  }
  uv_close((uv_handle_t *)&progress->timer, free_on_close);
}
