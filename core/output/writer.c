/* core/run/writer.c - whole NDJSON buffers to stdout or a file with libuv (writer.h).
 *
 * A buffer is written whole or not at all as far as a regular file can tell: when a write to
 * a regular file fails part-way (disk full, file size limit), the file is cut back to the end
 * of the last buffer written whole, so it never ends in half a line.
 *
 * Pipes are written with uv_fs_write (a blocking write on the thread pool) rather than a
 * uv_pipe_t: uv_pipe_open would switch the shared pipe to non-blocking mode, which stays so
 * for the other processes writing to it (a shell's next command, or our own stderr under
 * 2>&1, whose lines would then be lost on EAGAIN). One write per batch makes the hop cheap.
 *
 * Regular files, block devices and /dev/null are written on the loop thread itself, the
 * buffer whole before tp_writer_write returns: a write there never waits for another process,
 * and the thread pool's hop cost two thread wake-ups a batch. */
#include "writer.h"

#include <errno.h>
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
  int direct;       /* written on the loop thread (write_directly) */
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

/* Counts one write's `result` (bytes written, or a libuv error). Returns 1 when the buffer is
 * done (write_finished called: all written, or failed), 0 when bytes remain to write. */
static int account_write(tp_writer *writer, ssize_t result) {
  if (result < 0) {
    write_finished(writer, (int)result);
    return 1;
  }
  writer->data += result;
  writer->length -= (size_t)result;
  if (writer->length == 0) {
    write_finished(writer, 0);
    return 1;
  }
  if (result == 0) {
    write_finished(writer, UV_EIO);
    return 1;
  }
  return 0;
}

/* The size of the next write: at most 1 GiB, which every kernel takes in one call. */
static size_t next_write_size(const tp_writer *writer) {
  return writer->length > (size_t)1 << 30 ? (size_t)1 << 30 : writer->length;
}

static void on_file_written(uv_fs_t *request) {
  tp_writer *writer = request->data;
  ssize_t result = request->result;
  uv_fs_req_cleanup(request);
  if (!account_write(writer, result))
    start_file_write(writer);
}

/* A direct writer's buffer, written whole (or failed) on the calling thread. */
static void write_directly(tp_writer *writer) {
  for (;;) {
    ssize_t result = write(writer->fd, writer->data, next_write_size(writer));
    if (result < 0 && errno == EINTR)
      continue;
    if (account_write(writer, result < 0 ? uv_translate_sys_error(errno) : result))
      return;
  }
}

/* Whether `info` is a file written without waiting on another process (see the top). */
static int writes_directly(const struct stat *info) {
  struct stat null_device;
  if (S_ISREG(info->st_mode) || S_ISBLK(info->st_mode))
    return 1;
  return S_ISCHR(info->st_mode) && stat("/dev/null", &null_device) == 0 &&
         S_ISCHR(null_device.st_mode) && info->st_rdev == null_device.st_rdev;
}

static void start_file_write(tp_writer *writer) {
  uv_buf_t buf = uv_buf_init((char *)writer->data, (unsigned int)next_write_size(writer));
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
    int known = fstat(writer->fd, &info) == 0;
    writer->regular = known && S_ISREG(info.st_mode);
    writer->direct = known && writes_directly(&info);
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
  if (writer->direct) {
    write_directly(writer); /* `done` has been called */
    return 0;
  }
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
