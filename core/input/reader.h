/* core/input/reader.h - the input side of the stream: line framing and libuv reading.
 *
 * The framer cuts a byte stream into lines across read boundaries. Lines that lie inside one
 * read buffer are handed out in place (no copy); only a line split between two reads is
 * carried over. A line longer than the record limit is not kept: the framer keeps its first
 * TP_RECORD_INPUT_PREFIX bytes for the dead-letter and skips the rest up to the newline.
 * Empty (all-white-space) lines are counted and skipped; a trailing "\r" is dropped.
 *
 * The reader reads stdin or a file with libuv whatever it is (pipe, file, tty, by
 * uv_guess_handle) and feeds the framer; the sink can pause it (backpressure) and the stream
 * resumes it when in-flight records drain.
 */
#ifndef TP_CORE_READER_H
#define TP_CORE_READER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "csv.h"

/* Receives one line: `length` bytes (not NUL-terminated; for an oversize line only its first
 * bytes), its 1-based number and its real length (over the limit for an oversize line).
 * Returns 0 to go on, 1 to pause after this line, -1 to stop on a fatal error (OOM). */
typedef int (*tp_line_fn)(void *context, const char *line, size_t length, uint64_t number,
                          uint64_t full_length);

typedef struct tp_framer {
  tp_line_fn emit;
  void *context;
  uint64_t max_bytes;   /* record limit */
  uint64_t line_number; /* lines seen so far (empty ones included) */
  uint64_t skipped_empty;
  uint64_t bytes; /* input bytes consumed */
  char *carry;    /* the start of a line split between reads */
  size_t carry_length, carry_capacity;
  uint64_t carry_full;    /* real length of the carried line (grows past the limit) */
  tp_csv_scanner *csv;    /* CSV input: a record ends at a line feed outside quotes (csv.h) */
  uint64_t record_breaks; /* CSV: line feeds inside the record being framed */
} tp_framer;

/* Sets up a framer. Nothing to free until the first split line; tp_framer_free frees it. */
void tp_framer_init(tp_framer *framer, uint64_t max_bytes, tp_line_fn emit, void *context);

/* Frames `length` bytes. Returns the bytes consumed: all of them, or fewer when the sink
 * paused (feed the rest later) or failed (then *failed is set). */
size_t tp_framer_feed(tp_framer *framer, const char *bytes, size_t length, int *failed);

/* End of input: emits a last line that had no newline. Returns the sink's result. */
int tp_framer_end(tp_framer *framer);

void tp_framer_free(tp_framer *framer);

typedef struct tp_reader tp_reader;

/* Called when the input ends (status 0) or fails (status < 0, a libuv error code). */
typedef void (*tp_reader_end_fn)(void *context, int status);

/* Opens `path` (NULL: stdin) for reading on `loop`; lines go to `emit`, the end to `end`.
 * Returns the reader (call tp_reader_start), or NULL with a message in err. */
tp_reader *tp_reader_open(uv_loop_t *loop, const char *path, uint64_t max_bytes, tp_line_fn emit,
                          tp_reader_end_fn end, void *context, char *err, size_t err_size);

/* Starts or resumes reading (and feeds what was left when the sink paused). */
void tp_reader_start(tp_reader *reader);

/* Stops reading for good (signal, failed output): no more lines, no end callback. */
void tp_reader_stop(tp_reader *reader);

/* Whether the reader is paused by the sink and waiting for tp_reader_start. */
int tp_reader_paused(const tp_reader *reader);

/* Whether the input is a terminal (interactive: the stream sends records one by one). */
int tp_reader_is_tty(const tp_reader *reader);

/* Whether the input is a pipe or FIFO: bytes come when the other end writes them, so the input
 * can go idle mid-stream (a file or device is read straight through to its end). */
int tp_reader_is_pipe(const tp_reader *reader);

/* Frames CSV records (which may span lines) instead of lines, with `scanner` (owned by the
 * caller, valid while the reader is); a record is numbered by its first line. Call before
 * tp_reader_start. */
void tp_reader_use_csv(tp_reader *reader, tp_csv_scanner *scanner);

/* The framer's counters. */
const tp_framer *tp_reader_framer(const tp_reader *reader);

/* Closes handles (the loop must run to finish) and frees the reader after that. */
void tp_reader_close(tp_reader *reader);

#endif /* TP_CORE_READER_H */
