/* core/run/writer.h - the output side of the stream: whole NDJSON buffers to stdout or a file.
 *
 * One write is in flight at a time, so output order is submission order even for files
 * (uv_fs_write on the thread pool). Terminals use uv_write; regular files, block devices and
 * /dev/null a plain write() on the loop thread; everything else (pipes, /dev/full, other
 * devices) uv_fs_write. Errors come back to the callback as
 * libuv codes (UV_EPIPE when the reader went away, UV_ENOSPC, ...); SIGPIPE must be ignored
 * by the caller.
 */
#ifndef TP_CORE_WRITER_H
#define TP_CORE_WRITER_H

#include <stddef.h>

#include <uv.h>

typedef struct tp_writer tp_writer;

/* Called once the whole buffer is written (status 0) or the write failed (libuv error). */
typedef void (*tp_write_done_fn)(void *context, int status);

/* Opens `path` for writing (created/truncated; NULL: stdout). Returns the writer, or NULL
 * with a message in err. */
tp_writer *tp_writer_open(uv_loop_t *loop, const char *path, char *err, size_t err_size);

/* Writes `length` bytes of `data` (which must stay valid until `done`). Only one write may be
 * in flight. A regular file, block device or /dev/null is written before this returns, and
 * `done` is called before it returns too; anything else calls `done` from the loop. Returns 0,
 * or a libuv error code if it could not start (then `done` is not called). */
int tp_writer_write(tp_writer *writer, const char *data, size_t length, tp_write_done_fn done,
                    void *context);

/* Whether a write is in flight. */
int tp_writer_busy(const tp_writer *writer);

/* "stdout" or the path. */
const char *tp_writer_name(const tp_writer *writer);

/* Closes the output (the loop must run to finish a handle close) and frees the writer. */
void tp_writer_close(tp_writer *writer);

#endif /* TP_CORE_WRITER_H */
