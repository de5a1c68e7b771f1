/* core/run/progress.h - the live progress line on stderr while `textpipe run` works.
 *
 *   textpipe: 1,234,567 records | 48.2 MB | 42% | ETA 0:02 | 31.5 MB/s | 3 dead-letters | 0:01.5
 *
 * Shown only when stderr is a terminal and the run is not --quiet; redrawn in place ("\r",
 * then erase to the end of the line) by a libuv timer at most 10 times a second, and erased at
 * the end so the summary line starts on a clean line. The percentage and ETA appear when the
 * input is a regular file whose size is known. The stream supplies the figures through a
 * callback, so this file knows nothing of readers or runners.
 */
#ifndef TP_CORE_PROGRESS_H
#define TP_CORE_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

typedef struct tp_progress_sample {
  uint64_t records;      /* records read so far */
  uint64_t bytes;        /* input bytes read so far */
  uint64_t dead_letters; /* records dead-lettered so far */
  uint64_t total_bytes;  /* size of the input, or 0 when unknown (a pipe, a terminal) */
  double seconds;        /* since the run started */
} tp_progress_sample;

/* Formats `sample` as one line (no "\r", no newline) of at most `columns` - 1 characters
 * (0: no limit), dropping the least useful parts first when the terminal is narrow. Writes at
 * most `size` bytes including the NUL. Returns the line's length. */
size_t tp_progress_format(const tp_progress_sample *sample, char *line, size_t size, int columns);

/* The size of the input `path` (NULL: stdin, which may be a redirected file), or 0 when it is
 * not a regular file or cannot be examined. */
uint64_t tp_progress_input_size(const char *path);

/* Fills `sample` (all but `total_bytes` and `seconds`, which the progress line sets). */
typedef void (*tp_progress_sample_fn)(void *context, tp_progress_sample *sample);

typedef struct tp_progress tp_progress;

/* Starts the live line on `fd` when it is a terminal and `quiet` is 0: a timer on `loop`
 * calls `sample_fn` every 100 ms and redraws. The timer does not keep the loop alive.
 * Returns the progress (stop it with tp_progress_stop), or NULL when no line is shown (not a
 * terminal, quiet, or out of memory). */
tp_progress *tp_progress_start(uv_loop_t *loop, int fd, int quiet, uint64_t total_bytes,
                               tp_progress_sample_fn sample_fn, void *context);

/* Erases the line and closes the timer; the memory is freed when the loop has run the close
 * callback. NULL is a no-op. */
void tp_progress_stop(tp_progress *progress);

#endif /* TP_CORE_PROGRESS_H */
