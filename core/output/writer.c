/* core/run/writer.c - whole NDJSON buffers to stdout or a file with libuv (writer.h).
 *
 * A buffer is written whole or not at all as far as a regular file can tell: when a write to
 * a regular file fails part-way (disk full, file size limit), the file is cut back to the end
 * of the last buffer written whole, so it never ends in half a line.
 *
 * Pipes are written with uv_fs_write (a blocking write on the thread pool) rather than a
 * uv_pipe_t: uv_pipe_open would switch the shared pipe to non-blocking mode, which stays so
 * for the other processes writing to it (a shell's next command, or our own stderr under
 * 2>&1, whose lines would then be lost on EAGAIN). One write per batch makes the hop cheap. */
#include "writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tp_writer {
  uv_loop_t *loop;
  uv_handle_type kind;
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tty_t tty;
  } io;
  int has_handle;
  int fd, own_fd;
  char *name;
  uv_write_t write_request;
  uv_fs_t fs_request;
  int busy;
  const char *data; /* what is left to write (files may take partial writes) */
  size_t length;
  int regular;     /* a regular file: a failed write is cut back to `committed` */
  off_t committed; /* the file offset after the last buffer written whole; -1 unknown */
  size_t total;    /* the length of the buffer being written */
  tp_write_done_fn done;
  void *context;
};

static void writer_free(tp_writer *writer) {
  if (writer->own_fd)
    close(writer->fd);
  free(writer->name);
  free(writer);
}

static void write_finished(tp_writer *writer, int status) {
  if (writer->regular && writer->committed >= 0) {
    if (status == 0) {
      writer->committed += (off_t)writer->total;
    } else if (writer->length < writer->total &&
               (ftruncate(writer->fd, writer->committed) != 0 ||
                lseek(writer->fd, writer->committed, SEEK_SET) < 0)) {
      writer->committed = -1; /* cannot undo: the message still says the write failed */
    }
  }
  writer->busy = 0;
  writer->done(writer->context, status);
}

static void on_stream_written(uv_write_t *request, int status) {
  write_finished(request->data, status);
}

static void start_file_write(tp_writer *writer);

static void on_file_written(uv_fs_t *request) {
  tp_writer *writer = request->data;
  ssize_t result = request->result;
  uv_fs_req_cleanup(request);
  if (result < 0) {
    write_finished(writer, (int)result);
    return;
  }
  writer->data += result;
  writer->length -= (size_t)result;
  if (writer->length == 0) {
    write_finished(writer, 0);
    return;
  }
  if (result == 0) {
    write_finished(writer, UV_EIO);
    return;
  }
  start_file_write(writer);
}

static void start_file_write(tp_writer *writer) {
  uv_buf_t buf = uv_buf_init((char *)writer->data, (unsigned int)writer->length);
  if (writer->length > (size_t)1 << 30)
    buf.len = (size_t)1 << 30;
  writer->fs_request.data = writer;
  int status =
      uv_fs_write(writer->loop, &writer->fs_request, writer->fd, &buf, 1, -1, on_file_written);
  if (status != 0)
    write_finished(writer, status);
}

tp_writer *tp_writer_open(uv_loop_t *loop, const char *path, char *err, size_t err_size) {
  tp_writer *writer = calloc(1, sizeof *writer);
  if (writer == NULL || (writer->name = strdup(path != NULL ? path : "stdout")) == NULL) {
    free(writer);
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  writer->loop = loop;
  writer->fd = STDOUT_FILENO;
  if (path != NULL) {
    uv_fs_t open_request;
    int fd =
        uv_fs_open(NULL, &open_request, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, NULL);
    uv_fs_req_cleanup(&open_request);
    if (fd < 0) {
      snprintf(err, err_size, "%s: cannot open for writing: %s", path, uv_strerror(fd));
      writer_free(writer);
      return NULL;
    }
    writer->fd = fd;
    writer->own_fd = 1;
  }
  writer->kind = uv_guess_handle(writer->fd);
  int status = 0;
  if (writer->kind == UV_TTY) {
    status = uv_tty_init(loop, &writer->io.tty, writer->fd, 0);
    writer->has_handle = status == 0;
  } else {
    writer->kind = UV_FILE;
    struct stat info;
    writer->regular = fstat(writer->fd, &info) == 0 && S_ISREG(info.st_mode);
    /* Appending (">>"): others may append too, so never cut the file. */
    int flags = fcntl(writer->fd, F_GETFL);
    writer->committed =
        writer->regular && flags >= 0 && !(flags & O_APPEND) ? lseek(writer->fd, 0, SEEK_CUR) : -1;
  }
  if (writer->has_handle)
    writer->io.handle.data = writer;
  if (status != 0) {
    snprintf(err, err_size, "%s: cannot write: %s", writer->name, uv_strerror(status));
    tp_writer_close(writer);
    return NULL;
  }
  return writer;
}

int tp_writer_write(tp_writer *writer, const char *data, size_t length, tp_write_done_fn done,
                    void *context) {
  if (writer->busy)
    return UV_EBUSY;
  writer->done = done;
  writer->context = context;
  writer->data = data;
  writer->length = length;
  writer->total = length;
  writer->busy = 1;
  if (writer->kind == UV_FILE) {
    start_file_write(writer);
    return 0;
  }
  uv_buf_t buf = uv_buf_init((char *)data, (unsigned int)length);
  writer->write_request.data = writer;
  int status = uv_write(&writer->write_request, &writer->io.stream, &buf, 1, on_stream_written);
  if (status != 0)
    writer->busy = 0;
  return status;
}

int tp_writer_busy(const tp_writer *writer) {
  return writer->busy;
}

const char *tp_writer_name(const tp_writer *writer) {
  return writer->name;
}

static void on_close(uv_handle_t *handle) {
  writer_free(handle->data);
}

void tp_writer_close(tp_writer *writer) {
  if (writer == NULL)
    return;
  if (writer->has_handle) {
    if (writer->kind == UV_TTY)
      uv_tty_reset_mode();
    uv_close(&writer->io.handle, on_close);
  } else {
    writer_free(writer);
  }
}
