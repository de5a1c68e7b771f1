/* core/input/reader.c - line framing and libuv input (reader.h).
 *
 * Pipes and terminals are read with uv_read_start into one reused buffer. Regular files (and
 * block devices) are read on the loop thread itself, one read() a loop turn from an idle handle:
 * such a read never waits for another process, and going through libuv's thread pool cost two
 * thread hand-offs a read (a wake-up of a pool thread, and of the loop when it is done).
 * Anything else (character devices such as /dev/null, sockets) is read with uv_fs_read on the
 * pool, one request at a time, because a read there may block. Pausing is just not asking for
 * more: uv_read_stop, uv_idle_stop, or no next uv_fs_read; the unframed rest of the buffer waits
 * in place until tp_reader_start.
 */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"

#define TP_READ_BUFFER (128 * 1024)

void tp_framer_init(tp_framer *framer, uint64_t max_bytes, tp_line_fn emit, void *context) {
  memset(framer, 0, sizeof *framer);
  framer->max_bytes = max_bytes;
  framer->emit = emit;
  framer->context = context;
}

void tp_framer_free(tp_framer *framer) {
  free(framer->carry);
  framer->carry = NULL;
  framer->carry_capacity = framer->carry_length = 0;
}

/* `length`, less the bytes of a UTF-8 sequence cut short at the end of the `length` bytes at
 * `bytes` (a prefix kept for a dead-letter must not end in half a character). */
static size_t whole_characters(const char *bytes, size_t length) {
  const unsigned char *text = (const unsigned char *)bytes;
  for (size_t back = 1; back <= 4 && back <= length; back++) {
    unsigned char byte = text[length - back];
    if ((byte & 0xC0) == 0x80)
      continue; /* a continuation byte: look further back for its lead */
    size_t need = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return need > back ? length - back : length;
  }
  return length;
}

/* Keeps `length` more bytes of a line split between reads; past the limit only the prefix
 * for the dead-letter is kept. Returns 0, or -1 on OOM. */
static int carry_append(tp_framer *framer, const char *bytes, size_t length) {
  framer->carry_full += length;
  size_t keep = length;
  if (framer->carry_full > framer->max_bytes) {
    size_t room = framer->carry_length < TP_RECORD_INPUT_PREFIX
                      ? TP_RECORD_INPUT_PREFIX - framer->carry_length
                      : 0;
    keep = length < room ? length : room;
    if (framer->carry_length > TP_RECORD_INPUT_PREFIX)
      framer->carry_length = TP_RECORD_INPUT_PREFIX; /* it just went over: drop the rest */
  }
  if (framer->carry_length + keep > framer->carry_capacity) {
    size_t capacity = framer->carry_capacity ? framer->carry_capacity * 2 : 4096;
    if (capacity < framer->carry_length + keep)
      capacity = framer->carry_length + keep;
    char *grown = realloc(framer->carry, capacity);
    if (grown == NULL)
      return -1;
    framer->carry = grown;
    framer->carry_capacity = capacity;
  }
  memcpy(framer->carry + framer->carry_length, bytes, keep);
  framer->carry_length += keep;
  return 0;
}

/* Empties the carry; a buffer grown by one huge line is given back. */
static void carry_clear(tp_framer *framer) {
  framer->carry_length = 0;
  framer->carry_full = 0;
  if (framer->carry_capacity > TP_READ_BUFFER * 8)
    tp_framer_free(framer);
}

static int is_blank(const char *line, size_t length) {
  for (size_t i = 0; i < length; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return 0;
  return 1;
}

/* One whole line: number it, skip it if blank, cut it if oversize, hand it to the sink. */
static int finish_line(tp_framer *framer, const char *line, size_t length, uint64_t full) {
  uint64_t first_line = ++framer->line_number;
  framer->line_number += framer->record_breaks; /* CSV: a record spans lines */
  framer->record_breaks = 0;
  if (first_line == 1 && length >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
    line += 3; /* a UTF-8 byte order mark (editors on Windows add one): not part of record 1 */
    length -= 3;
    full -= 3;
  }
  if (full == length && length > 0 && line[length - 1] == '\r')
    full = --length;
  if (is_blank(line, length)) {
    framer->skipped_empty++;
    return 0;
  }
  if (full > framer->max_bytes) { /* only the dead-letter's prefix, cut between characters */
    if (length > TP_RECORD_INPUT_PREFIX)
      length = TP_RECORD_INPUT_PREFIX;
    length = whole_characters(line, length);
  }
  return framer->emit(framer->context, line, length, first_line, full);
}

/* CSV: the offset of the line feed ending the current record in `length` bytes, or `length`;
 * counts the line feeds inside the record on the way. */
static size_t csv_record_end(tp_framer *framer, const char *bytes, size_t length) {
  size_t end = tp_csv_scan(framer->csv, bytes, length);
  for (const char *at = bytes; (at = memchr(at, '\n', (size_t)(bytes + end - at))) != NULL; at++)
    framer->record_breaks++;
  return end;
}

size_t tp_framer_feed(tp_framer *framer, const char *bytes, size_t length, int *failed) {
  size_t at = 0;
  *failed = 0;
  while (at < length) {
    const char *newline;
    if (framer->csv != NULL) {
      size_t end = csv_record_end(framer, bytes + at, length - at);
      newline = end < length - at ? bytes + at + end : NULL;
    } else {
      newline = memchr(bytes + at, '\n', length - at);
    }
    if (newline == NULL) {
      if (carry_append(framer, bytes + at, length - at) != 0) {
        *failed = 1;
        break;
      }
      at = length;
      break;
    }
    size_t segment = (size_t)(newline - (bytes + at));
    int result;
    if (framer->carry_full > 0) {
      if (carry_append(framer, bytes + at, segment) != 0) {
        *failed = 1;
        break;
      }
      result = finish_line(framer, framer->carry, framer->carry_length, framer->carry_full);
      carry_clear(framer);
    } else {
      result = finish_line(framer, bytes + at, segment, segment);
    }
    at += segment + 1;
    if (result < 0) {
      *failed = 1;
      break;
    }
    if (result > 0)
      break;
  }
  framer->bytes += at;
  return at;
}

int tp_framer_end(tp_framer *framer) {
  if (framer->carry_full == 0)
    return 0;
  int result = finish_line(framer, framer->carry, framer->carry_length, framer->carry_full);
  carry_clear(framer);
  return result;
}

struct tp_reader {
  uv_loop_t *loop;
  uv_handle_type kind;
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tty_t tty;
    uv_idle_t idle; /* direct: reads while active */
  } io;
  int has_handle;
  int direct; /* a regular file, read on the loop thread (on_idle_read) */
  uv_fs_t request;
  int request_pending;
  int fd, own_fd;
  int saved_flags; /* the pipe's file status flags before uv_pipe_open, restored at close */
  tp_framer framer;
  tp_reader_end_fn end;
  void *context;
  char *buffer;
  size_t leftover_at, leftover_length; /* unframed bytes kept while paused */
  int paused, reading, stopped, ended, close_requested;
};

static void reader_free(tp_reader *reader) {
  if (reader->own_fd)
    close(reader->fd);
  tp_framer_free(&reader->framer);
  free(reader->buffer);
  free(reader);
}

static void finish_input(tp_reader *reader, int status) {
  if (reader->ended || reader->stopped)
    return;
  if (status == 0 && tp_framer_end(&reader->framer) < 0)
    status = UV_ENOMEM;
  reader->ended = 1;
  reader->end(reader->context, status);
}

/* Frames bytes at buffer[at..at+length). Returns 1 if the sink paused (rest kept), 0 if all
 * was framed, -1 after a fatal sink error (reported through the end callback). */
static int feed(tp_reader *reader, size_t at, size_t length) {
  int failed = 0;
  size_t used = tp_framer_feed(&reader->framer, reader->buffer + at, length, &failed);
  if (failed) {
    finish_input(reader, UV_ENOMEM);
    reader->stopped = 1;
    return -1;
  }
  if (used < length) {
    reader->paused = 1;
    reader->leftover_at = at + used;
    reader->leftover_length = length - used;
    return 1;
  }
  reader->leftover_length = 0;
  return 0;
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  tp_reader *reader = handle->data;
  *buf = uv_buf_init(reader->buffer, TP_READ_BUFFER);
}

static void on_stream_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  tp_reader *reader = stream->data;
  if (reader->stopped)
    return;
  if (nread > 0) {
    if (feed(reader, 0, (size_t)nread) != 0) {
      uv_read_stop(stream);
      reader->reading = 0;
    }
    return;
  }
  if (nread == 0)
    return; /* EAGAIN */
  uv_read_stop(stream);
  reader->reading = 0;
  finish_input(reader, nread == UV_EOF ? 0 : (int)nread);
}

/* A direct reader's turn: one read() into the buffer, framed at once. Reading goes on next
 * turn unless the sink paused, the input ended or failed; the idle handle is stopped then (an
 * active one keeps the loop from waiting in poll). */
static void on_idle_read(uv_idle_t *idle) {
  tp_reader *reader = idle->data;
  ssize_t result;
  do
    result = read(reader->fd, reader->buffer, TP_READ_BUFFER);
  while (result < 0 && errno == EINTR);
  int status = result < 0 ? uv_translate_sys_error(errno) : 0;
  if (result > 0 && feed(reader, 0, (size_t)result) == 0)
    return;
  uv_idle_stop(idle);
  reader->reading = 0;
  if (result <= 0)
    finish_input(reader, status);
}

static void request_file_read(tp_reader *reader);

static void on_file_read(uv_fs_t *request) {
  tp_reader *reader = request->data;
  ssize_t result = request->result;
  uv_fs_req_cleanup(request);
  reader->request_pending = 0;
  if (reader->close_requested) {
    reader_free(reader);
    return;
  }
  if (reader->stopped)
    return;
  if (result > 0) {
    if (feed(reader, 0, (size_t)result) == 0)
      request_file_read(reader);
    return;
  }
  finish_input(reader, (int)result);
}

static void request_file_read(tp_reader *reader) {
  uv_buf_t buf = uv_buf_init(reader->buffer, TP_READ_BUFFER);
  reader->request.data = reader;
  int status = uv_fs_read(reader->loop, &reader->request, reader->fd, &buf, 1, -1, on_file_read);
  if (status != 0) {
    finish_input(reader, status);
    return;
  }
  reader->request_pending = 1;
}

tp_reader *tp_reader_open(uv_loop_t *loop, const char *path, uint64_t max_bytes, tp_line_fn emit,
                          tp_reader_end_fn end, void *context, char *err, size_t err_size) {
  tp_reader *reader = calloc(1, sizeof *reader);
  if (reader == NULL || (reader->buffer = malloc(TP_READ_BUFFER)) == NULL) {
    free(reader);
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  reader->loop = loop;
  reader->end = end;
  reader->context = context;
  reader->fd = STDIN_FILENO;
  tp_framer_init(&reader->framer, max_bytes, emit, context);
  if (path != NULL) {
    uv_fs_t open_request;
    int fd = uv_fs_open(NULL, &open_request, path, O_RDONLY | O_CLOEXEC, 0, NULL);
    uv_fs_req_cleanup(&open_request);
    if (fd < 0) {
      snprintf(err, err_size, "%s: cannot open: %s", path, uv_strerror(fd));
      reader_free(reader);
      return NULL;
    }
    reader->fd = fd;
    reader->own_fd = 1;
    struct stat info;
    if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) { /* before any output is opened */
      snprintf(err, err_size, "%s: cannot read: %s", path, uv_strerror(UV_EISDIR));
      reader_free(reader);
      return NULL;
    }
  }
  reader->kind = uv_guess_handle(reader->fd);
  reader->saved_flags = fcntl(reader->fd, F_GETFL);
  int status = 0;
  if (reader->kind == UV_TTY) {
    status = uv_tty_init(loop, &reader->io.tty, reader->fd, 1);
    reader->has_handle = status == 0;
    reader->io.handle.data = reader;
  } else if (reader->kind == UV_NAMED_PIPE) {
    status = uv_pipe_init(loop, &reader->io.pipe, 0);
    if (status == 0) {
      reader->has_handle = 1;
      reader->io.handle.data = reader;
      status = uv_pipe_open(&reader->io.pipe, reader->fd);
      /* libuv leaves stdio descriptors open at uv_close; others it closes itself. */
      if (status == 0 && reader->fd > STDERR_FILENO)
        reader->own_fd = 0;
    }
  } else {
    reader->kind = UV_FILE; /* regular files, character devices, anything else */
    struct stat info;
    if (fstat(reader->fd, &info) == 0 && (S_ISREG(info.st_mode) || S_ISBLK(info.st_mode)) &&
        uv_idle_init(loop, &reader->io.idle) == 0) {
      reader->has_handle = reader->direct = 1;
      reader->io.handle.data = reader;
    }
  }
  if (status != 0) {
    snprintf(err, err_size, "%s: cannot read: %s", path != NULL ? path : "stdin",
             uv_strerror(status));
    if (reader->has_handle) {
      tp_reader_close(reader);
      return NULL;
    }
    reader_free(reader);
    return NULL;
  }
  return reader;
}

void tp_reader_start(tp_reader *reader) {
  if (reader->stopped || reader->ended)
    return;
  reader->paused = 0;
  if (reader->leftover_length > 0 &&
      feed(reader, reader->leftover_at, reader->leftover_length) != 0)
    return;
  if (reader->direct) {
    if (!reader->reading) {
      uv_idle_start(&reader->io.idle, on_idle_read);
      reader->reading = 1;
    }
    return;
  }
  if (reader->kind == UV_FILE) {
    if (!reader->request_pending)
      request_file_read(reader);
    return;
  }
  if (!reader->reading) {
    int status = uv_read_start(&reader->io.stream, on_alloc, on_stream_read);
    if (status != 0) {
      finish_input(reader, status);
      return;
    }
    reader->reading = 1;
  }
}

void tp_reader_stop(tp_reader *reader) {
  if (reader->reading && reader->direct)
    uv_idle_stop(&reader->io.idle);
  else if (reader->reading)
    uv_read_stop(&reader->io.stream);
  reader->reading = 0;
  reader->stopped = 1;
}

int tp_reader_paused(const tp_reader *reader) {
  return reader->paused && !reader->stopped && !reader->ended;
}

int tp_reader_is_tty(const tp_reader *reader) {
  return reader->kind == UV_TTY;
}

int tp_reader_is_pipe(const tp_reader *reader) {
  return reader->kind == UV_NAMED_PIPE;
}

void tp_reader_use_csv(tp_reader *reader, tp_csv_scanner *scanner) {
  tp_csv_scanner_reset(scanner);
  reader->framer.csv = scanner;
}

const tp_framer *tp_reader_framer(const tp_reader *reader) {
  return &reader->framer;
}

static void on_close(uv_handle_t *handle) {
  reader_free(handle->data);
}

void tp_reader_close(tp_reader *reader) {
  if (reader == NULL)
    return;
  reader->stopped = 1;
  if (reader->has_handle) {
    if (reader->kind == UV_TTY)
      uv_tty_reset_mode();
    /* uv_pipe_open made the pipe non-blocking for every process sharing it: undo that while
     * the descriptor is still ours (uv_close may close it). */
    if (reader->kind == UV_NAMED_PIPE && reader->saved_flags != -1)
      fcntl(reader->fd, F_SETFL, reader->saved_flags);
    uv_close(&reader->io.handle, on_close);
  } else if (reader->request_pending) {
    reader->close_requested = 1; /* freed when the read comes back */
  } else {
    reader_free(reader);
  }
}
